"""Numbers, periods, relations and name matching used by the fact extractor."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.facts.numbers import parse_number, parse_period, parse_relation, scale_unit
from parsers.facts.text import consistent, fold, tone_normalize


@pytest.mark.parametrize("s, v", [
    ("30.054,4", 30054.4), ("1.402", 1402), ("12,1", 12.1), ("0,36", 0.36), ("8.995", 8995),
    ("12.153", 12153), ("1.195.000", 1195000), ("0.36", 0.36), ("1,402.5", 1402.5), ("22", 22),
    ("", None), ("1.2.3", None), ("12,", None), ("abc", None), ("1,2,3", None),
])
def test_parse_number(s, v):
    assert parse_number(s) == v


def test_scale_unit():
    assert scale_unit(22, "nghìn tỷ đồng") == (22000, "tỷ đồng")
    assert scale_unit(1.2, "nghìn tỷ đồng") == (1200, "tỷ đồng")
    assert scale_unit(5, "tỷ") == (5, "tỷ đồng")
    assert scale_unit(2.5, "triệu lượt khách") == (2.5, "triệu lượt khách")


@pytest.mark.parametrize("text, pub, start, end", [
    ("6 tháng đầu năm 2023", None, "2023-01-01", "2023-06-30"),
    ("6 tháng đầu năm", date(2023, 7, 20), "2023-01-01", "2023-06-30"),
    ("9 tháng năm 2022", None, "2022-01-01", "2022-09-30"),
    ("năm 2022", None, "2022-01-01", "2022-12-31"),
    ("quý IV-2022", None, "2022-10-01", "2022-12-31"),
    ("Quý I/2024", None, "2024-01-01", "2024-03-31"),
    ("quý II năm 2023", None, "2023-04-01", "2023-06-30"),
    ("giai đoạn 2020-2025", None, "2020-01-01", "2025-12-31"),
    ("3 tháng cuối năm 2022", None, "2022-10-01", "2022-12-31"),
    ("tháng 10/2023", None, "2023-10-01", "2023-10-31"),
    ("từ đầu năm đến nay", date(2023, 7, 10), "2023-01-01", "2023-07-10"),
    # the year comes from the publication date, one year back if the period starts later
    ("quý IV", date(2024, 1, 10), "2023-10-01", "2023-12-31"),
    ("9 tháng", date(2022, 10, 19), "2022-01-01", "2022-09-30"),
])
def test_parse_period(text, pub, start, end):
    p = parse_period(text, pub)
    assert p is not None and (p.start, p.end) == (start, end)


def test_period_without_dates_keeps_text():
    p = parse_period("sau 20 năm xây dựng", date(2020, 7, 30))
    assert p is not None and p.text == "20 năm" and p.start is None and p.kind == "multi_year"
    # "N năm qua" counts back from the report's year, like "nhiệm kỳ qua" (issue 14)
    p = parse_period("5 năm qua", date(2020, 7, 30))
    assert p is not None and (p.start, p.end) == ("2015-01-01", "2020-12-31")
    assert parse_period("không có kỳ nào", None) is None


@pytest.mark.parametrize("s, rtype, rvalue", [
    ("đạt 40% dự toán giao", "share_of_plan", 40.0),
    ("bằng 108% dự toán Thành phố giao", "share_of_plan", 108.0),
    ("tăng 12,1% so với cùng kỳ", "growth_yoy", 12.1),
    ("vượt 0,36% kế hoạch", "above_plan", 0.36),
    ("giảm 2,3% so với cùng kỳ", "decline_yoy", 2.3),
    ("không có số", None, None),
])
def test_parse_relation(s, rtype, rvalue):
    assert parse_relation(s) == (rtype, rvalue)


def test_tone_placement_and_fold_keep_length():
    for s in ("Hoà Bình", "Thuỷ", "Ứng Hoà", "khoẻ", "quý", "hoàng", "Đống Đa"):
        assert len(tone_normalize(s)) == len(s) == len(fold(s))
    assert tone_normalize("Hoà") == "Hòa"
    assert tone_normalize("Thuỵ") == "Thụy"
    assert tone_normalize("quý") == "quý"  # "qu" is a consonant: unchanged
    assert fold("Đống Đa") == "dong da"


@pytest.mark.parametrize("written, ok", [
    ("Đống Đa", True), ("Dong Da", True), ("dong da", True), ("Đống da", True),
    ("Đông Đa", False), ("Đống Đà", False),
])
def test_name_consistency(written, ok):
    assert consistent(written, "Đống Đa") is ok


def test_tone_variants_match():
    assert consistent("Yên Hoà", "Yên Hòa") and consistent("Yên Hòa", "Yên Hòa")
    assert not consistent("phương", "phường")
