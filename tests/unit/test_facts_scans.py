"""The anchored scans find every match their expression finds (their literals are kept in step
with the expressions: a phrase added to METRICS or PERIOD without its literal is never seen)."""
from __future__ import annotations

from pathlib import Path

import pytest

from parsers.facts.indicators import _period_digit_candidates
from parsers.facts.indicators import FIGURE, OTHER_UNIT, OTHER_UNIT_SCAN, GENERIC_TYPE, GENERIC_TYPE_SCAN
from parsers.facts.metric_words import METRIC_RE, METRIC_SCAN, METRICS
from parsers.facts.numbers import PERIOD, PERIOD_SCAN, lower_same_length
from parsers.facts.text import Tokens, fold, prepare

ROOT = Path(__file__).resolve().parents[2]
TEXTS = sorted((ROOT / "tests" / "gold" / "text").glob("*.txt")) + sorted((ROOT / "tests" / "holdout").glob("*.txt")) \
    + sorted((ROOT / "tests" / "gold" / "forms").glob("*.txt"))
# one own-words sentence per metric phrase family, so that each alternative is tried
PHRASES = (
    "Tổng thu ngân sách đạt 10 tỷ đồng; thu nội địa 5 tỷ đồng; tốc độ tăng trưởng kinh tế 7%; "
    "giá trị sản phẩm tăng 8%; phần quận thu 3 tỷ đồng; số thu do quận quản lý 2 tỷ đồng; "
    "kinh tế của quận tiếp tục tăng trưởng 6%; chỉ số sản xuất công nghiệp (IIP) tăng 4%; "
    "tổng mức bán lẻ hàng hóa đạt 9 tỷ đồng; kim ngạch xuất khẩu đạt 2 triệu USD; GRDP bình quân đầu "
    "người 150 triệu đồng; vốn đầu tư toàn xã hội 20 tỷ đồng; dự án có tổng kinh phí 30 tỷ đồng; "
    "thành lập mới 40 doanh nghiệp; tỷ lệ hộ nghèo 0,5%; đấu giá quyền sử dụng đất 70 tỷ đồng; "
    "kế hoạch vốn năm 2024 được giao 50 tỷ đồng; giải ngân 60%; chi thường xuyên 11 tỷ đồng; "
    "phát triển kinh tế bình quân 9%; thu nhập bình quân 80 triệu đồng; chi đầu tư phát triển 12 tỷ "
    "đồng; chi ngân sách 13 tỷ đồng; doanh thu du lịch 14 tỷ đồng; giá trị sản xuất 15 tỷ đồng; "
    "thu hút vốn đầu tư 16 tỷ đồng; tổng nguồn vốn huy động 17 tỷ đồng; nếu loại trừ tiền sử dụng đất, số "
    "thu đạt 18 tỷ đồng; quận phấn đấu thu thêm khoảng 19 tỷ đồng; tăng trưởng sản xuất kinh tế đạt 9%; "
    "sản xuất nông nghiệp 20 tỷ đồng; kinh tế của xã giữ vững, phát triển, tăng trưởng 7%; xã huy động 21 tỷ "
    "đồng; kinh phí 22 tỷ đồng; đón 23 lượt khách; diện tích gieo trồng 24 ha; năng suất lúa 25 tạ/ha."
)
PERIODS = (
    "Từ 1/7 đến 31/12/2025, tính đến ngày 30/9/2025, đến hết tháng 6/2025, đến nay, hiện nay, "
    "nhiệm kỳ qua, cả nhiệm kỳ, giai đoạn 2020-2025, thời kỳ 2021-2025, kế hoạch 5 năm 2021-2025, "
    "6 tháng đầu năm 2024, từ năm 2015 đến nay, 5 năm qua, quý III/2024, tháng 10/2024, "
    "từ đầu năm 2024 đến nay, đến năm 2030, cả năm 2024, năm nay; Sáu tháng đầu năm 2019, mười một "
    "tháng năm 2020, nông nghiệp hiện chiếm 3%, hiện vẫn đạt, đến hết quý III, hết quý II năm 2024, "
    "tháng 7 và tháng 8/2025, việc thực hiện đạt 90%."
)


def _texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in TEXTS] + [PHRASES, PERIODS]


@pytest.mark.parametrize("text", _texts(), ids=lambda t: t[:30])
def test_scans_find_every_match(text: str) -> None:
    work = prepare(text)
    folded, low = fold(work), lower_same_length(work)
    tokens = Tokens(folded)
    metric = set(METRIC_SCAN.word_candidates(tokens))
    assert {m.start() for m in METRIC_RE.finditer(folded)} <= metric
    period = set(PERIOD_SCAN.candidates(low))
    assert {m.start() for m in PERIOD.finditer(low)} <= period
    # what find_indicators passes: the digit and word starts from the token index
    period = set(PERIOD_SCAN.candidates(low, _period_digit_candidates(tokens)))
    assert {m.start() for m in PERIOD.finditer(low)} <= period
    assert {m.start() for m in OTHER_UNIT.finditer(work)} <= set(OTHER_UNIT_SCAN.token_candidates(tokens))
    assert {m.start() for m in GENERIC_TYPE.finditer(work)} <= set(GENERIC_TYPE_SCAN.token_candidates(tokens))


def test_every_metric_phrase_is_tried() -> None:
    """The own-words phrases above reach every alternative of METRICS that the scan must find."""
    folded = fold(prepare(PHRASES))
    found = {m.lastgroup for m in METRIC_RE.finditer(folded)}
    keys = {f"m{i}" for i in range(len(METRICS))}
    assert found == keys, sorted(keys - found)


def test_tokens_match_word_regex() -> None:
    import re

    for text in _texts() + ["Ωmega x²y – z… Nguyễn ab_c"]:
        folded = fold(prepare(text))
        t = Tokens(folded)
        assert t.toks == [(m.group(), m.start(), m.end()) for m in re.finditer(r"\w+", folded)]
