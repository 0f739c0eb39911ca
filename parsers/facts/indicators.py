"""Indicators: figures reported about a place, with metric, unit, period, relation, kind.

Input: prepared text, publication date, place hits and the article's places. Output:
``Indicator`` list in text order.

How a sentence is read:
1. Figures are numbers with what follows them: "30.054,4 tỷ đồng", "12-13%", "21/21 chỉ
   tiêu", "22 nghìn tỷ đồng". Dates, years, document numbers ("số 117", "lần thứ 22"),
   durations ("6 tháng") and glued tokens ("Covid-19") are not figures.
2. A figure is a *relation* when a reference follows it ("40% dự toán", "12,1% so với cùng
   kỳ", "0,36% kế hoạch"); a relation attaches to the last plain figure of the same metric
   in the sentence, or stands alone (value = the percentage) when there is none.
3. The metric is the nearest metric phrase before the figure in the same sentence
   (controlled vocabulary below); figures without one are ``other`` with the noun phrase.
4. Period: in the sentence, else the last period named earlier in the paragraph, else in
   the article; years left out are taken from the publication date.
5. Kind: "ước" -> estimate; "mục tiêu/phấn đấu/chỉ tiêu ... đặt ra", a heading announcing
   targets, or a period entirely after publication -> target; else actual.
6. Place: the unit named in the sentence before the figure, else the primary place.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import compress, islice

from ..facts_types import Indicator, PlaceMention
from .numbers import (PERIOD_SCAN, Period, lower_same_length, parse_number, periods_in, relation_type,
                      scale_unit)
from .gazetteer import Unit, load
from .metric_words import (AREA_UNITS, BUDGET, GROWABLE, KEY_OF_GROUP, LOOSE_GROWTH, METRIC_SCAN, MONEY, PER_PERSON, PRODUCTION, TRADE,
                           SECTOR_KEY, SECTOR_WORDS, refine, sector)
from .metrics import family
from .places import PlaceHit
from .text import Anchored, Tokens, candidates_of, fold

NUM = r"\d+(?:[.,]\d+)*"
FIGURE = re.compile(
    rf"(?<![\w/.,-])(?P<a>{NUM})(?:\s*(?P<sep>/|-|–|đến|tới)\s*(?P<b>{NUM}))?(?![\w/])"
    r"(?P<glue>[.,]\d)?",
)
# a figure starts with a digit that FIGURE's look-behind allows
FIGURE_SCAN = Anchored(FIGURE, (), re.compile(r"\d(?<![\w/.,-]\d)"))
_DIGIT = re.compile(r"\d")
# Units that may follow a number (longest first); anything else is the next noun.
UNITS = sorted([
    "nghìn tỷ đồng", "ngàn tỷ đồng", "nghìn tỷ", "ngàn tỷ", "tỷ đồng", "tỉ đồng", "triệu đồng",
    "nghìn đồng", "tỷ USD", "triệu USD", "USD", "tỷ", "tỉ", "%", "ha", "m2", "m²", "km",
    "lần", "đồng", "người", "lượt người", "lượt khách", "lượt", "hộ", "lao động", "đảng viên", "dự án",
    "công trình", "trường hợp", "trường", "chỉ tiêu", "chi bộ", "doanh nghiệp", "mô hình",
    "phường", "xã", "tổ dân phố", "tổ chức cơ sở đảng", "tổ chức", "đại biểu", "hồ sơ",
    "nghìn người", "nghìn lao động", "nghìn hộ", "căn hộ", "căn", "km2", "tấn", "tạ", "con",
    "vụ", "cơ sở", "sản phẩm", "đồng chí", "tuyến đường", "tuyến", "học sinh", "giường",
], key=len, reverse=True)


def _by_first(alts: list[str]) -> str:
    """An alternation of regex fragments, each starting with a plain character, with the
    fragments grouped by that character (lower case): "t(?:ỷ|ấn)|%". It matches what the
    flat alternation matches, trying the fragments that can match in the same order (two
    fragments of different groups never match at one position), but the engine rejects a
    group at its first character instead of trying each fragment."""
    groups: dict[str, list[str]] = {}
    for a in alts:
        groups.setdefault(a[0].lower(), []).append(a)
    return "|".join(
        g[0] if len(g) == 1 else g[0][0] + "(?:" + "|".join(a[1:] for a in g) + ")"
        for g in groups.values())


_UNIT_RE = re.compile(
    r"\s*(" + _by_first([re.escape(u) for u in UNITS]) + r")(?!\w)"
    r"(?!\s+(?:thời|chí|bộ|bào|ý|tâm|hành|đều|loạt|nghiệp|hương|nát|hồ)\b)",
    re.IGNORECASE,
)
_NOT_FIGURE_WORDS = (
    "số", "thứ", "lần", "khóa", "khoá", "Chỉ thị", "Nghị quyết", "Quyết định", "Kế hoạch",
    "Thông báo", "Công văn", "Luật", "Điều", "khoản", "mức độ", "Trung ương", "ngày", "sáng",
    "chiều", "tối", "đêm", "hôm", "năm", "giai đoạn", "nhiệm kỳ", "quý", "tháng", "Tổ", "tổ",
    "khu", "ngõ", "số nhà", "phòng", "Quốc lộ", "QL", "Vành đai", "vành đai", "đường", "phố",
    "mục", "phần", "cấp", "hạng", "loại", "trang", "SEA Games", "giờ", "lúc", "phiên",
)
NOT_FIGURE_BEFORE = re.compile(
    "(?:" + "|".join(r"\b" + w for w in _NOT_FIGURE_WORDS) + r")\s*$", re.IGNORECASE)
# a match ends where the trailing spaces start: it starts at most this far before them
_NOT_FIGURE_REACH = max(map(len, _NOT_FIGURE_WORDS))
# entries (lower case) by their last word: a number is tested only against those
_NOT_FIGURE_BY_LAST: dict[str, tuple[str, ...]] = {}
for _w in dict.fromkeys(w.lower() for w in _NOT_FIGURE_WORDS):
    _NOT_FIGURE_BY_LAST[_w.split()[-1]] = _NOT_FIGURE_BY_LAST.get(_w.split()[-1], ()) + (_w,)
NOT_FIGURE_AFTER = re.compile(
    r"\s*(?:" + _by_first(
        r"tháng|năm|quý|ngày|tuần|giờ|phút|h\d|g\d|:\d|chương trình|nhiệm vụ|khâu|giải pháp|"
        r"nhóm|nội dung|dám|điểm nhấn|đột phá|tiêu chí|lĩnh vực|bước|kỳ họp|lần|tuổi|khóa|khoá|sao|chữ"
        .split("|")) + r")\b",
    re.IGNORECASE,
)
REL_AFTER = re.compile(
    r"\s*(?P<ref>(?:so\s+(?:với\s+)?(?:cùng kỳ|năm trước|năm\s+\d{4}|kế hoạch|dự toán|chỉ tiêu|nhiệm kỳ trước|đầu nhiệm kỳ"
    r"|giai đoạn trước|khi (?:mới )?thành lập)(?:\s+năm\s+\d{4})?)"
    r"|(?:dự toán|kế hoạch|KH|chỉ tiêu|mục tiêu)(?:\s+(?:năm|Thành phố giao|thành phố giao|HĐND|quận giao|huyện giao|giao|đề ra|được giao|\w+ giao))*"
    r"|(?:cùng kỳ)(?:\s+năm\s+\d{4})?)",
    re.IGNORECASE,
)
# REL_AFTER and VERB_BEFORE for text written without diacritics, matched on its fold
REL_AFTER_PLAIN = re.compile(
    r"\s*(?P<ref>(?:so\s+(?:voi\s+)?(?:cung ky|nam truoc|nam\s+\d{4}|ke hoach|du toan|chi tieu|nhiem ky truoc|dau nhiem ky"
    r"|giai doan truoc|khi (?:moi )?thanh lap)(?:\s+nam\s+\d{4})?)"
    r"|(?:du toan|ke hoach|kh|chi tieu|muc tieu)(?:\s+(?:nam|thanh pho giao|hdnd|quan giao|huyen giao|giao|de ra"
    r"|duoc giao|\w+ giao))*"
    r"|(?:cung ky)(?:\s+nam\s+\d{4})?)"
)
VERB_BEFORE_PLAIN = re.compile(
    r"(?P<verb>dat|bang|vuot|tang truong|tang binh quan|tang thu|tang|giam|hoan thanh|thuc hien)"
    r"(?:\s+(?P<vref>du toan|ke hoach|chi tieu)(?:\s+(?:thanh pho|hdnd|nam)?\s*giao)?)?"
    r"(?:\s+(?:binh quan|trung binh|hang nam|moi nam|tren|hon|gan|khoang|xap xi|muc|duoc|tu|it nhat|toi thieu"
    r"|lan luot(?: la)?))*\s*$"
)
VERB_BEFORE = re.compile(
    r"(?P<verb>đạt|bằng|vượt|tăng trưởng|tăng bình quân|tăng thu|tăng|giảm|hoàn thành|thực hiện)"
    r"(?:\s+(?P<vref>dự toán|kế hoạch|chỉ tiêu)(?:\s+(?:Thành phố|thành phố|HĐND|năm)?\s*giao)?)?"
    r"(?:\s+(?:bình quân|trung bình|hằng năm|hàng năm|mỗi năm|trên|hơn|gần|khoảng|xấp xỉ|mức|được|từ|ít nhất|tối thiểu"
    r"|lần lượt(?: là)?))*\s*$",
    re.IGNORECASE,
)
GROWTH_WORDS = re.compile(r"(?:tang|tang truong|toc do tang|giam)\W*(?:\w+\W+){0,3}$")
TARGET_WORDS = re.compile(r"\b(?:phan dau|muc tieu|dat ra|de ra|du kien|giao du toan|chi tieu(?:\s+\w+){0,4}\s+(?:la|giao))\b")
_TARGET_FOLDS = ("phan dau", "muc tieu", "dat ra", "de ra", "chi tieu")  # every match holds one
_VERB_END = re.compile(r"(?i)(đạt|là|có|tăng|giảm)\s*$")  # words of at most 4 letters
SENT_END = re.compile(r"[.!?…]\s+")
# "quận Đống Đa, TP. Hà Nội", "Q. Ba Đình", "TX. Sơn Tây", "ThS. Lê An": an abbreviation, not an end
_ABBREV_BEFORE = re.compile(r"(?<!\w)(?:TP|Tp|Q|P|TX|TT|H|X|ThS|TS|PGS|GS|Th\.S|BS|KS|Đ/c)$")
STOP_UNIT = {
    "so", "với", "và", "của", "trong", "đã", "được", "là", "trên", "tại", "cho", "theo", "từ",
    "đến", "các", "những", "luôn", "đạt", "tăng", "giảm", "vượt", "chiếm", "hoàn", "thành",
    "có", "không", "sẽ", "đang", "vẫn", "còn", "nay", "này", "đó", "thì", "mà", "để", "về",
    "bằng", "hơn", "gần", "khoảng", "đồng", "ngày", "giờ", "phút", "tuổi", "hằng", "hàng",
    "trở", "lên", "xuống", "ra", "vào", "bị", "nên", "như", "cùng", "sau", "trước", "mới",
}
HEADING_TARGET = re.compile(r"(?i)(mục tiêu|chỉ tiêu|phương hướng|nhiệm vụ năm|kế hoạch năm)")




@dataclass(slots=True)
class _Fig:
    start: int
    end: int
    value: float | None
    value_max: float | None
    denom: float | None
    unit: str | None
    rel_type: str | None
    rel_text: str | None
    metric_key: str | None
    mspec: tuple[str, int, int, str | None, int | None]  # for ``metric``: computed if kept
    estimate: bool
    base: str | None
    approx: str | None = None
    flags: list[str] | None = None
    average: bool = False  # a yearly average over a term ("bình quân ... /năm")
    plan: bool = False  # the plan printed in brackets after a result ("tăng 10,2% (kế hoạch 9,5-10%)")
    done: bool = False  # a count of targets after a verb of completion ("đã thực hiện đạt 15/15 chỉ tiêu")

    @property
    def metric(self) -> str:
        """The metric as written: the phrase before the figure (or, for ``other``, what it
        counts)."""
        s, start, end, unit, prior = self.mspec
        if prior is None:
            return _other_metric(s, start, end, unit)
        return _metric_phrase(s, prior, start)


_LINE = re.compile(r"[^\n]+")


def _sentences(text: str) -> list[tuple[int, int, int]]:
    """(start, end, paragraph number) of each sentence: split at line breaks, and at . ! ? …
    followed by a space and an upper-case letter or digit (not inside "30.054,4")."""
    out = []
    para = 0
    for lm in _LINE.finditer(text):
        pos = lm.start()
        for m in SENT_END.finditer(text, lm.start(), lm.end()):
            nxt = text[m.end():m.end() + 3].lstrip("\"“(-–•+ ")
            if nxt and (nxt[0].isupper() or nxt[0].isdigit()) and not (
                    text[m.start()] == "." and _ABBREV_BEFORE.search(text, max(lm.start(), m.start() - 5), m.start())):
                out.append((pos, m.start() + 1, para))
                pos = m.end()
        if pos < lm.end():
            out.append((pos, lm.end(), para))
        para += 1
    return out


_MONEY = re.compile(r"(?i)(?<!\w)(?:đồng|usd|tỷ|tỉ)(?!\w)")  # ("tỉnh" is no "tỉ")


@lru_cache(maxsize=1024)
def _is_money(unit: str | None) -> bool:
    return bool(unit) and bool(_MONEY.search(unit or ""))


SECTOR = re.compile(r"(?:nganh|khoi|linh vuc|khu vuc)\s+(?:(thuong mai|dich vu|du lich)|(cong nghiep)|(nong nghiep))")
PER_UNIT = re.compile(r"tren (?:1|mot) ?ha|/ ?ha\b|moi ha|binh quan dau nguoi|tren dau nguoi")
SHARE_OF_NOUN = re.compile(
    r"\s+(?:trường|hộ|học sinh|người|dân số|doanh nghiệp|xã|phường|thôn|tổ dân phố|gia đình|"
    r"cơ quan|đơn vị|trẻ|lao động|hồ sơ|diện tích|đảng viên|cán bộ|công chức|thủ tục|dự án|"
    r"công trình|khách|tuyến|cơ sở|số|tổng số)\b",
    re.IGNORECASE,
)
def _metric_key(base: str | None, growth: bool) -> str:
    return "other" if base is None else base


_UOC = re.compile(r"\buoc\b")
_YEAR = re.compile(r"(?:19|20)\d\d")
ELLIPSIS = re.compile(r"\s*(?:rieng|trong do|con|trong so do|rieng trong|cu the)\b")


# VERB_BEFORE's verbs, folded (no two can overlap in a text)
_VERB_FOLDS = re.compile(r"dat|bang|vuot|tang|giam|hoan thanh|thuc hien")


def _verb_before(before: str, bfold: str, plain: bool) -> re.Match[str] | None:
    """``VERB_BEFORE.search(before)`` (``VERB_BEFORE_PLAIN`` on the fold ``bfold`` of a text
    without diacritics), tried only where the fold of a verb starts."""
    match = VERB_BEFORE_PLAIN.match if plain else VERB_BEFORE.match
    s = bfold if plain else before
    for v in _VERB_FOLDS.finditer(bfold):
        m = match(s, v.start())
        if m is not None:
            return m
    return None
_TY_LE = re.compile(r"\bt[yi] le\b")
_CO_CAU = re.compile(r"co cau|ty trong")
_GROWTH_PRE = re.compile(r"toc do tang|tang truong")
_GIAI_NGAN = re.compile(r"giai ngan")
_GTSX_DT = re.compile(r"gia tri san xuat|doanh thu")
_GROWTH_GAP = re.compile(r"\s*(?:tang|tang truong|toc do tang)\s*")
_PLAN_GAP = re.compile(r"\s*(?:(?:ke hoach|du toan|chi tieu)(?: nam)?\s*)?")
_SLASH_DATE = re.compile(r"\s*/\s*\d")
_DATE_AFTER = re.compile(r"\s*(?:\d|năm\b)")
_NEXT_WORDS = re.compile(r"\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)")
_THI_DUA = re.compile(r"\s*thi đua")
# the unit printed on the last item of a list only ("61,2 triệu, ... 55 triệu đồng/người/năm")
_TRIEU_LATER = re.compile(r"\d\s*triệu\s+đồng((?:[ \t]*/[ \t]*(?:người|ha|năm|hộ|tháng|lao động|khẩu)(?!\w))*)",
                          re.IGNORECASE)
# the per-part of a rate unit: "triệu đồng/người/năm", "triệu đồng/ ha", "tạ/ha"
_PER_SUFFIX = re.compile(r"[ \t]*/[ \t]*(người|ha|héc-ta|hécta|năm|hộ|tháng|lao động|khẩu|sào|vụ)(?!\w)", re.IGNORECASE)
_HA_OF_LAND = re.compile(r"(?:tren|moi) (?:1|mot) ?ha|1 ?ha (?:dat )?canh tac|ha (?:dat )?canh tac")


def _last_item_rate(s: str, end: int, metrics: list[tuple[int, int, str]]) -> re.Match[str] | None:
    """The next amounts in triệu đồng of the list the one ending at ``end`` opens, up to the
    first with a per-part (no ";" nor metric phrase in between): that one, else None."""
    stop = s.find(";", end, end + 160)
    stop = end + 160 if stop < 0 else stop
    for tm in _TRIEU_LATER.finditer(s, end, stop):
        if any(end <= x[0] < tm.start() for x in metrics):
            return None
        if tm.group(1):
            return tm
    return None


def _rate_suffix(s: str, end: int) -> tuple[list[str], int]:
    """The per-parts after a unit at ``end`` ("/người/năm" -> ["người", "năm"]) and where they end."""
    parts: list[str] = []
    m = _PER_SUFFIX.match(s, end)
    while m is not None and len(parts) < 3:
        w = m.group(1).lower()
        parts.append("ha" if w.startswith("héc") else w)
        end = m.end()
        m = _PER_SUFFIX.match(s, end)
    return parts, end


def _digit_tokens(tokens: Tokens) -> list[int]:
    """Indices of the tokens made of digits only (one pass, shared by the two below)."""
    return list(compress(range(len(tokens.words)), map(str.isdigit, tokens.words)))


def _figure_candidates(tokens: Tokens, digits: list[int] | None = None,
                       folded: str | None = None) -> list[int]:
    """Where a ``FIGURE`` may start: at a token of digits only (its look-behind rules out a
    word character before, its end a word character after the first digit group).
    ``digits``: ``_digit_tokens(tokens)``, if known. With ``folded`` (the text of
    ``tokens``), a token right after "/", ".", "," or "-" is left out too (the look-behind
    rules it out: the "054" and "4" of "30.054,4", the "2023" of "15/7/2023"); a sentence
    starts after a line break or a space, where the look-behind sees no such character."""
    starts = tokens.starts
    idx = _digit_tokens(tokens) if digits is None else digits
    if folded is not None:
        # (and a year after "năm"/"kỳ": "năm 2024", "nhiệm kỳ 2020-2025" are never figures, as
        # ``_not_figure_before`` decides; a fifth of the candidates)
        words, ends = tokens.words, tokens.ends
        return [starts[i] for i in idx if (starts[i] == 0 or folded[starts[i] - 1] not in "/.,-") and not (
            i and len(words[i]) == 4 and words[i - 1] in ("nam", "ky") and words[i][:2] in ("19", "20")
            and ends[i - 1] + 1 == starts[i] and folded[starts[i] - 1] == " "
            and folded[starts[i] + 4:starts[i] + 5] not in (".", ","))]
    return [starts[i] for i in idx]


# the folded last words of ``_NOT_FIGURE_WORDS`` (every match of ``_not_figure_before`` ends with one)
_NOT_FIGURE_LAST = frozenset(fold(w.split()[-1]).lower() for w in _NOT_FIGURE_WORDS)


def _after_not_figure_words(tokens: Tokens, digits: list[int]) -> set[int]:
    """The starts of the digit tokens right after a token that may end a ``_NOT_FIGURE_WORDS``
    entry ("năm 2024", "số 15", "Quyết định 12"): ``_not_figure_before`` can be true only there."""
    words, starts = tokens.words, tokens.starts
    return {starts[i] for i in digits if i and words[i - 1] in _NOT_FIGURE_LAST}


def _period_digit_candidates(tokens: Tokens, digits: list[int] | None = None,
                             word_first: list[int] | None = None) -> list[int]:
    """``PERIOD_SCAN``'s digit starts ("6 tháng", "12 tháng", "5 năm"): the last two digits of
    a token of digits followed by the token "thang" or "nam" (a superset). ``digits``:
    ``_digit_tokens(tokens)``, if known; ``word_first``: the indices of the tokens in
    ``_PERIOD_WORD_FIRST`` (before the last token), if known."""
    words, starts, ends = tokens.words, tokens.starts, tokens.ends
    last = len(words) - 1
    out = []
    for i in _digit_tokens(tokens) if digits is None else digits:
        if i < last and words[i + 1] in ("thang", "nam"):
            out += [p for p in (ends[i] - 2, ends[i] - 1) if p >= starts[i]]
    # "sáu tháng", "mười hai tháng", "hiện chiếm", "hết quý" (``PERIOD_SCAN.start_class``): the
    # token before "thang", "chiem" ... (a superset: "hai" may be "hải", "het" "hết" or "hệt")
    for i in compress(range(last), map(_PERIOD_WORD_FIRST.__contains__, words)) if word_first is None else word_first:
        w, nxt = words[i], words[i + 1]
        if w == "hien":
            if nxt in _NOW_NEXT and (i == 0 or words[i - 1] != "thuc"):
                out.append(starts[i])
        elif w == "het":
            if nxt == "quy":
                out.append(starts[i])
        elif nxt == "thang" or (w == "muoi" and nxt in ("mot", "hai") and i + 2 <= last and words[i + 2] == "thang"):
            out.append(starts[i])
    return out


_PERIOD_WORD_FIRST = frozenset({"hai", "ba", "bon", "sau", "bay", "tam", "chin", "muoi", "hien", "het"})
_NOW_NEXT = frozenset({"chiem", "dat", "la", "van", "con"})


def _per_unit(sfold: str, start: int, end: int) -> bool:
    """``PER_UNIT`` in ``sfold[start:end]`` (every match holds " ha", "/ha" or "nguoi")."""
    seg = sfold[start:end]
    return (" ha" in seg or "/ha" in seg or "nguoi" in seg) and PER_UNIT.search(sfold, start, end) is not None


def _not_figure_before(before: str) -> bool:
    """``before`` (the text before a number) ends with a word that makes the number a
    document number, date, ordinal, address etc. ("số", "ngày", "Quyết định", "quý"):
    ``NOT_FIGURE_BEFORE`` (unless a verb ends it, ``_VERB_END``), tested word by word."""
    t = before.rstrip()
    if not t:
        return False
    last = t.rsplit(None, 1)[-1]
    if not last.isalpha():  # "(số", "2023,": the expressions decide
        kept = len(t)
        return bool(NOT_FIGURE_BEFORE.search(before, max(0, kept - _NOT_FIGURE_REACH))
                    and not _VERB_END.search(before, max(0, kept - 4)))
    entries = _NOT_FIGURE_BY_LAST.get(last.lower())
    if entries is None:
        return False
    if last.lower() == "số" and t[:-len(last)].rstrip().lower().endswith(" con"):
        return False  # "gấp 60 lần con số 90 tỷ đồng": the figure itself
    if last.lower() == "năm" and _YEARLY.search(t):
        return False  # "bình quân hằng năm 10,5%": a rate, not a year
    low = t[-_NOT_FIGURE_REACH:].lower()
    for e in entries:
        p = len(t) - len(e)  # where the entry starts in ``t``: after a non-word character
        if low.endswith(e) and (p <= 0 or not (t[p - 1].isalnum() or t[p - 1] == "_")):
            return not low.endswith(("đạt", "là", "có", "tăng", "giảm"))
    return False


_PER_THING = re.compile(r"\s*/\s*(?!nam\b)[a-z]")  # "triệu đồng/ha", "/người" (not "/năm")
_GROWTH_VERB = re.compile(r"\b(?:tang|giam)(?:\s+(?:binh quan|hon|tren|gan|khoang))?\s*$")
_AMOUNT_YEARLY = re.compile(r"(?:^|\W)(?:moi nam|hang nam|trung binh)\b")  # "Mỗi năm, ... đạt 1.000 tỷ đồng"
_YEARLY = re.compile(r"(?i)\b(?:hằng|hàng|mỗi|mọi)\s+năm$")
_SECTOR_AFTER = re.compile(r"\s*(?:là|thuộc|cho|của)\s+(?:ngành\s+|khu vực\s+)?")
_MULTIPLE_BEFORE = re.compile(r"\b(?:gap|tang|cao hon|lon hon|nhieu hon|bang)(?:\s+\w+){0,4}?(?:\s+(?:hon|gan|khoang|xap xi|tren|den))?\s*$"
                              r"|\blan\b[^;()\d%]{0,40}?(?:,|\bva)\s*$")  # ("... 1,9 lần so với cả nước và 1,5 lần")
# a clause that opens with a comparison continues the one before it ("... 925,46 tỷ đồng; bằng
# 107,58% so với cùng kỳ", "...; tăng thu bình quân 25,9%/năm")
# "...; phường Đông Ngạc đạt 385 tỷ đồng": a list of units, each with the figure of the first
_UNIT_START = re.compile(r"\s*(?:tai\s+)?(?:phuong|xa|quan|huyen|thi tran|thi xa)\s")
# "Trong mức tăng chung (của toàn huyện), khu vực nông, lâm nghiệp và thủy sản tăng 2,9%": the
# statistics offices' way of opening the sectors of a growth named before
_OVERALL_RISE = r"trong (?:muc|toc do) tang(?: truong)? chung(?: cua [^,;.]{1,40})?"
_CHAIN_PARA = re.compile(r"\s*(?:[-–+•]\s*)?(?:trong do|trong so do|cu the|" + _OVERALL_RISE + r")\b")
# "bằng 118% mức tăng trưởng của cùng kỳ", "giảm 3,5% mức tăng cùng kỳ": a growth rate compared
# with last year's growth rate
_RATE_OF_RATE = re.compile(r"\s*(?:so voi\s+)?muc tang")
_COMPARISON_START = re.compile(r"\s*(?:va\s+)?(?:bang|dat|tang|giam|vuot|gap|chiem|so voi)\b")
_LAN = re.compile(r"\s*lần(?!\s+thứ)\b", re.IGNORECASE)
_COMPOUND = re.compile(r"\s+(\d{1,3})\s+(?:triệu|tr)(?:\s+đồng)?(?!\w)", re.IGNORECASE)
_APPROX_OF = {"hon": "over", "tren": "over", "vuot muc": "over", "xap xi gan": "nearly", "gan": "nearly",
              "xap xi": "about", "khoang": "about", "chung": "about", "uoc khoang": "about", "duoi": "under",
              "it nhat": "at_least", "toi thieu": "at_least"}
def _approx_before(bfold: str) -> str | None:
    """The qualifier ending the folded text before a number: "hơn", "gần", "khoảng" ..."""
    if not bfold.rstrip().endswith(_APPROX_LAST):
        return None  # (most numbers have none: one test instead of a split)
    words = bfold.rsplit(None, 2)
    if not words or bfold[-1:].isalnum():
        return None
    two = " ".join(words[-2:])
    return _APPROX_OF.get(two) or _APPROX_OF.get(words[-1])


_APPROX_LAST = tuple({k.split()[-1] for k in _APPROX_OF})
_ABS_GROWTH = re.compile(r"\btang(?:\s+(?:them|hon|khoang|gan|tren|xap xi))?\s*$")
_CLAUSE_END = re.compile(r"[ \t]*(?:[,;.)]|$)")
_AT_LEAST_AFTER = re.compile(r"\s*tro len\b")
_PER_YEAR_AFTER = re.compile(r"[ \t]*(?:/[ \t]*nam|mot nam|moi nam|hang nam)\b")
_AVERAGE = re.compile(r"\b(?:binh quan|trung binh|hang nam|moi nam)\b")
_SHARE_VERB = re.compile(r"chiem(?:\s+\w+){0,3}\s*$")
_RATIO_REF = re.compile(r"so\s+(?:voi\s+)?(?:cung ky|nam truoc|nam \d{4}|ca nam)")
_SECTOR_START = re.compile(
    r"\s*(?:[-–+•]\s*)?(?:trong do\W+|rieng\W+|" + _OVERALL_RISE + r"\W+)?"
    r"(?:nganh\s+|khu vuc\s+|linh vuc\s+|khoi\s+|gia tri\s+)?"
    r"(?=cong nghiep|thuong mai|dich vu|nong|thuy san|tieu thu cong|cn\W|tm\W)")
_TUONG_UNG = re.compile(r"tuong ung")
_CO_CAU_AFTER = re.compile(r"\s*(?:trong\s+|trong tong\s+)?co cau")
# "tỷ lệ nông nghiệp giảm xuống dưới 7%", "tỷ trọng dịch vụ tăng lên 60%": the share's new level
_PAREN_CHANGE = re.compile(r"\s*\(\s*(?:tang|giam)(?:\s+(?:them|hon|khoang|gan))?\s*")
_SECTOR_SHARE_MOVE = re.compile(r"\bty (?:le|trong)(?: nganh| khu vuc)? (?:cong nghiep|xay dung|thuong mai|dich vu|nong nghiep"
                                r"|thuy san|nong\W)[^,;%]{0,30}?(?:giam|tang) (?:xuong|len)(?: con| muc)?"
                                r"(?: (?:duoi|tren|khoang|hon|gan))?\s*$")
_SECTOR_CHIEM = re.compile(r"(?:cong nghiep|xay dung|thuong mai|dich vu|nong nghiep|thuy san|lam nghiep)\W{0,3}"
                           r"(?:van\s+|hien\s+|chi\s+|con\s+)*chiem(?:\s+(?:khoang|tren|hon|gan|duoi|xap xi))?\s*$")
_STRUCTURE = re.compile(r"co cau|ty trong")
_TARGET_COUNTS = frozenset({"targets_met", "targets_exceeded"})
_CLAUSE_STOP = re.compile(r"[,;.:()]")
_DONE_BEFORE = re.compile(r"\b(?:hoan thanh|dat|vuot|thuc hien)(?:\s+[^\W\d]+){0,3}\s*$")
_DONE_AFTER = re.compile(r"(?:\s+[^\W\d]+){0,6}?\s+(?:hoan thanh|vuot|dat)\b")
_EXCEEDED = re.compile(r"(?<!va )\bvuot\b")
_PLAN_REF_WORD = re.compile(r"(?i)(?:so\s+(?:với\s+|voi\s+)?)?(?:dự toán|kế hoạch|KH|chỉ tiêu|mục tiêu|du toan|ke hoach|chi tieu|muc tieu)")
_OWN_PERIOD = re.compile(r"\b(?:nam (?:19|20)\d\d|nam nay|quy|thang|cung ky|so voi)\b")
_PCT_AFTER = re.compile(r"\s*%")
_PLAN_BRACKET = re.compile(r"\(\s*(?:theo\s+)?(?:ke hoach|kh|chi tieu|muc tieu)\b[^()%;]{0,60}$")
_PLANNED_RELATIONS = frozenset({"growth_yoy", "avg_annual_growth", "decline_yoy", "share_of_total", "growth_vs_period"})
_SHARE_MOVE_BEFORE = re.compile(r"(?:\b(?:giam|tang)(?:\s+(?:xuong|len))?(?:\s+(?:con|muc))?|\bcon|\bxuong|\blen)"
                                r"(?:\s+(?:khoang|duoi|tren|hon|gan|muc))?\s*$")


_SEPARATOR = re.compile(r"[.,]")


@lru_cache(maxsize=4096)
def _misprint(a: str) -> bool:
    """A number that cannot be right as printed: a dot followed by four digits or more
    ("2.3337", "1.4020,5"), or a group of other than three digits between separators."""
    if "." not in a and a.count(",") < 2:
        return False
    groups = _SEPARATOR.split(a)
    if len(groups) < 2:
        return False
    dots = [g for g, sep in zip(groups[1:], _SEPARATOR.findall(a)) if sep == "."]
    if any(len(g) >= 4 for g in dots):
        return True
    return len(groups) > 2 and any(len(g) != 3 for g in groups[1:-1])


_PERCENT = re.compile(r"\d+(?:[.,]\d+)?\s*%")


def _structure_keys(sfold: str) -> tuple[int, list[str]] | None:
    """For "Cơ cấu các ngành A; B; C tương ứng là: x%; y%; z%" or "cơ cấu A - B - C là x% - y% -
    z%": where the percentages start and the sectors named before them, in order (two or more
    sectors before the first percentage, none between)."""
    t = _TUONG_UNG.search(sfold)
    at = max(sfold.find("co cau"), sfold.find("ty trong"))
    if t is None and at < 0:
        return None
    first = _PERCENT.search(sfold, t.end() if t else at)
    if first is None:
        return None
    keys = [SECTOR_KEY[m.lastgroup] for m in SECTOR_WORDS.finditer(sfold, max(at, 0) if t is None else 0,
                                                                     first.start()) if m.lastgroup]
    if len(keys) < 2 or SECTOR_WORDS.search(sfold, first.end()):
        return None  # (a sector after the first percentage: each value has its own)
    return first.start(), keys


_EXCL_AFTER = re.compile(r"\s*\(\s*(?:neu\s+)?(?:loai tru|khong (?:tinh|ke|bao gom)|ngoai)\s+(?:thu\s+)?(?:tien\s+)?(?:su dung dat|sdd)")
_LAN_LUOT = re.compile(r"\blan luot\b")


def _respective_keys(sfold: str, metrics: list[tuple[int, int, str]]) -> tuple[int, int, list[tuple[str, int]], int] | None:
    """For "A và B lần lượt đạt x và y" (or "giá trị sản xuất công nghiệp, dịch vụ lần lượt tăng x%
    và y%"): where the figures start and end (the clause after "lần lượt") and the keys of A, B
    ... in order, each with where it is named (two or more metric phrases in the clause before
    it, else two or more sectors named after a production head), and where the last of them
    ends; None if there are fewer than two."""
    m = _LAN_LUOT.search(sfold)
    if m is None:
        return None
    lo = max(sfold.rfind(";", 0, m.start()), sfold.rfind(". ", 0, m.start())) + 1
    hi = sfold.find(";", m.end())
    hi = len(sfold) if hi < 0 else hi
    named = [x for x in metrics if lo <= x[0] and x[1] <= m.start()]
    keys = [(refine(k, sfold, lo, a, b), a) for a, b, k in named]
    if len(keys) < 2 and named and keys[-1][0] in PRODUCTION:
        keys = [(SECTOR_KEY[w.lastgroup], w.start()) for w in SECTOR_WORDS.finditer(sfold, named[-1][0], m.start())
                if w.lastgroup]
    return (m.end(), hi, keys, named[-1][1]) if len(keys) >= 2 else None


def _figures(s: str, base: int, sfold: str, metric_matches: list[re.Match[str]],
             carried: str | None = None, cands: list[int] | None = None, plain: bool = False,
             structure: bool = False, after_word: set[int] | None = None) -> list[_Fig]:
    """The figures of sentence ``s`` (at ``base`` in the text). ``cands``: where a figure
    may start (``FIGURE_SCAN.candidates`` of the sentence or a superset); ``plain``: the
    article is written without diacritics (comparisons are then read on the fold);
    ``carried``: the metric key the paragraph spoke of last (a chain "Trong đó, công
    nghiệp – xây dựng ...; thương mại – dịch vụ ..." names only the sector); ``structure``:
    the figures are shares of the economy's structure ("cơ cấu kinh tế"; else: the sentence
    says so); ``after_word``: the offsets in the text (``base`` + offset in ``s``) of the numbers
    right after a word that may end a ``_NOT_FIGURE_WORDS`` entry (``_after_not_figure_words``),
    if known: only those are tested with ``_not_figure_before``.

    One pass over the sentence's numbers; what does not depend on the number (the metric
    phrases, their keys) is worked out once per sentence, and what only some numbers need
    (the text before a metric phrase, the verb before a percentage) only for those."""
    figs: list[_Fig] = []
    found = FIGURE_SCAN.finditer(s, cands)
    if not found:
        return figs
    metrics = [(m.start(), m.end(), KEY_OF_GROUP[m.lastgroup or ""]) for m in metric_matches]
    append = figs.append
    not_figure_before, number, unit_match = _not_figure_before, parse_number, _UNIT_RE.match
    not_figure_after = NOT_FIGURE_AFTER.match
    structure = structure or (("co cau" in sfold or "ty trong" in sfold) and _STRUCTURE.search(sfold) is not None)
    listed = _structure_keys(sfold) if structure else None
    respective = _respective_keys(sfold, metrics) if "lan luot" in sfold else None
    resp_n: dict[bool, int] = {}
    listed_n = 0
    skip_to = 0
    for m in found:
        a, sep, b, glue = m.groups()
        if glue:
            continue
        ms, me = m.span()
        if ms < skip_to or (ms > 0 and s[ms - 1] in "-/"):
            continue
        bstart = ms - 40 if ms > 40 else 0
        before = s[bstart:ms]
        if (after_word is None or base + ms in after_word) and not_figure_before(before) \
                and not (before.rstrip()[-5:].lower() == "hoạch" and _PCT_AFTER.match(s, me)) \
                and not (not a.isdigit() and sfold[bstart:ms].rstrip().endswith(("thang", "quy", "ngay"))):
            continue  # ("Kế hoạch 24/KH-UBND"; "(kế hoạch 9,5-10%)" and "lũy kế 10 tháng 1.120,5 tỷ" are figures)
        va = number(a)
        if va is None:
            continue
        bfold = sfold[bstart:ms]
        # (the expressions below are matched at ``me`` in ``s``: none looks behind)
        slash = sep == "/"
        multiple = None
        if slash:
            if b and (_SLASH_DATE.match(s, me) or _DATE_AFTER.match(s, me)):
                continue  # a date
        elif "lần" in s[me:me + 6] and _MULTIPLE_BEFORE.search(bfold) and (multiple := _LAN.match(s, me)):
            pass  # "gấp hơn 60 lần", "tăng 1,76 lần"
        elif not_figure_after(s, me):
            continue
        um = unit_match(s, me) if multiple is None else None
        no_unit = False
        if len(a) == 4 and (b or not um) and multiple is None and _YEAR.fullmatch(a):
            continue  # a year or a span of years
        vb = number(b) if b else None
        if multiple is not None:
            unit, end = "lần", multiple.end()
        elif um is not None:
            unit, end = um.group(1), um.end()
        else:
            unit, end = None, me
            nm = _NEXT_WORDS.match(s, me)
            if not nm:
                if not slash:
                    if not (bfold.endswith(("tang ", "tang them ")) and _CLAUSE_END.match(s, me)):
                        continue
                    no_unit = True  # "..., tăng 19,5." : the unit is missing
            else:
                w = nm.group(1).split()
                if w[0].lower() in STOP_UNIT:
                    if not slash:
                        if not (w[0].lower() == "so" and bfold.endswith(("tang ", "tang them "))):
                            continue
                        no_unit = True  # "tăng 19,5 so với năm 2020": the unit is missing
                else:
                    unit = w[0] if len(w) == 1 or w[1].lower() in STOP_UNIT else " ".join(w)
                    end = nm.end()
        rate: list[str] = []  # the per-part of a rate ("/người/năm"), given to the unit once the key is known
        rate_end = end
        if unit is not None and unit.lower() == "triệu" and (tm := _TRIEU_LATER.search(s, end, end + 160)) \
                and ";" not in s[end:tm.start()]:
            unit = "triệu đồng"  # "xã A đạt 61,2 triệu, xã B 58,4 triệu đồng/người": the last item's unit
            if tm.group(1):
                rate = _rate_suffix(tm.group(1), 0)[0]
        elif unit is not None and unit not in ("%", "lần") and "/" in s[end:end + 3]:
            rate, rate_end = _rate_suffix(s, end)
        elif unit == "triệu đồng" and "/" in s[end:end + 160] and (tm := _last_item_rate(s, end, metrics)):
            # "xã A đạt 82 triệu đồng, xã B đạt 76,3 triệu đồng/người/năm": the per-part printed on the
            # last item of the list is every item's
            rate = _rate_suffix(tm.group(1), 0)[0]
        pct = unit == "%" or unit == "lần"
        denom = None
        value, value_max = va, None
        if slash and vb is not None:
            denom = vb
        elif vb is not None:
            value_max = vb
        if unit:
            if unit.lower() in ("tháng", "năm"):
                continue
            bare_ty = unit.lower() in ("tỷ", "tỉ")
            value, unit = scale_unit(value, unit)
            if value_max is not None:
                if um and fold(um.group(1)).startswith(("nghin ty", "ngan ty")):
                    value_max *= 1000
            if bare_ty and value_max is None and (cm := _COMPOUND.match(s, end)):
                value = round(value + int(cm.group(1)) / 1000, 6)  # "81.289 tỷ 961 triệu đồng"
                end = skip_to = cm.end()
        flags = ["misprint"] if no_unit or _misprint(a) or (b and _misprint(b)) else []
        approx = _approx_before(bfold)
        if "tro len" in sfold[end:end + 12] and _AT_LEAST_AFTER.match(sfold, end):
            approx = "at_least"
        rel = ((REL_AFTER_PLAIN.match(sfold, end) if plain else REL_AFTER.match(s, end))
               if pct else None)
        clause_start = s.rfind(";", 0, ms) + 1
        while clause_start > 0 and sfold[clause_start:clause_start + 1] == " " and _COMPARISON_START.match(sfold, clause_start):
            clause_start = s.rfind(";", 0, clause_start - 1) + 1
        if metrics:
            prior = [x for x in metrics if clause_start <= x[0] and x[1] <= ms]
            if not prior:  # "dành 15.000 tỷ đồng vốn đầu tư công", "100% kế hoạch thu ngân sách",
                # "đạt 13% tăng tổng giá trị sản phẩm": the metric printed right after the figure
                prior = [x for x in metrics if end <= x[0] <= end + 20
                         and (_PLAN_GAP.fullmatch(sfold, end, x[0]) or _GROWTH_GAP.fullmatch(sfold, end, x[0]))]
        else:
            prior = []
        chained = from_before = False
        if not prior and (metrics or carried) and (ELLIPSIS.match(sfold, clause_start)
                                                   or _SECTOR_START.match(sfold, clause_start)
                                                   or (clause_start > 0 and (_UNIT_START.match(sfold, clause_start)
                                                                             or _bare_predicate(sfold, clause_start, ms)))):
            # "...; riêng 6 tháng cuối năm đạt 1.760 tỷ đồng", "Trong đó, phường X thu ...",
            # "...; thương mại – dịch vụ tăng 9%": the metric of the previous clause (or
            # sentence) carries on
            prior = [x for x in metrics if x[1] <= clause_start][-1:]
            if not prior and carried:
                prior, from_before = [(clause_start, clause_start, carried)], True
            chained = True
        base_key = prior[-1][2] if prior else None
        resp_item = -1
        if respective is not None and respective[0] <= ms < respective[1] and unit is not None:
            # "thu ngân sách và chi ngân sách lần lượt đạt 1.520 tỷ đồng và 890 tỷ đồng": the k-th figure
            # (of its kind: amounts, percentages) is of the k-th metric named before "lần lượt"
            k = resp_n.get(pct, 0)
            resp_n[pct] = k + 1
            if k < len(respective[2]):
                base_key, at = respective[2][k]
                prior = [(at, respective[3], base_key)]  # (its phrase; the verb before "lần lượt" is its)
                resp_item = k
        if base_key in _PSEUDO_KEYS:
            base_key, prior = _resolve_pseudo(base_key, prior, unit, sfold, clause_start, ms, flags)
        if unit == "%" and base_key != "economic_growth" and "tang truong" in sfold[max(clause_start, ms - 90):ms] \
                and (lg := LOOSE_GROWTH.search(sfold, prior[-1][1] if prior else clause_start, ms)) is not None:
            # "kinh tế của xã duy trì mức tăng trưởng bình quân 10,4%/năm": a rate of the economy
            base_key, prior = "economic_growth", [(lg.start(), lg.end(), "economic_growth")]
        rel_type = rel_text = None
        done = False
        if base_key is not None:
            p0, p1 = prior[-1][0], prior[-1][1]
            if chained and base_key in PRODUCTION | {"economic_growth"}:
                base_key = sector(sfold, clause_start, ms) or base_key
                if base_key == "economic_growth" and not pct:
                    base_key = "production_value"
            else:
                base_key = refine(base_key, sfold, clause_start, p0, ms)
            if base_key == "budget_revenue" and "(" in sfold[end:end + 3] and _EXCL_AFTER.match(sfold, end):
                base_key = "budget_revenue_excl_land"  # "đạt 640 tỷ đồng (không tính tiền sử dụng đất)"
            if base_key == "investment" and _GIAI_NGAN.search(sfold, clause_start, ms):
                base_key = "public_investment_disbursement"
        elif unit == "%" and _GTSX_DT.search(sfold, 0, clause_start):
            # "Giá trị sản xuất ngành công nghiệp tăng 5,6%; ngành dịch vụ tăng 9,2%"
            sec = SECTOR.search(sfold, clause_start, ms)
            if sec:
                base_key = ("production_value_trade_services" if sec.group(1) else
                            "production_value_industry" if sec.group(2) else "production_value_agriculture")
                prior = [(sec.start(), sec.end(), base_key)]
        if base_key is None and (unit == "%" or (_is_money(unit) and not rate)) \
                and (sm := _SECTOR_SUBJECT.match(sfold)) is not None and sm.end() <= ms \
                and (unit != "%" or _GROWTH_VERB.search(bfold) is not None):
            # "Ngành nông nghiệp ..., năm 2021 tăng 3,7%", "Lĩnh vực thương mại - dịch vụ tăng 9,4%": the
            # sector the sentence is about is the metric
            base_key = sector(sfold, sm.start(1), sm.end(1))
            if base_key is not None:
                prior = [(sm.start(1), sm.end(1), base_key)]
        struct_at = max(sfold.rfind("co cau", 0, ms), sfold.rfind("ty trong", 0, ms)) if structure else -1
        if struct_at < 0 and unit == "%" and (
                ("co cau" in sfold[end:end + 20] and _CO_CAU_AFTER.match(sfold, end))
                or ("chiem" in bfold[-16:] and _SECTOR_CHIEM.search(bfold))
                or ("ty " in bfold and _SECTOR_SHARE_MOVE.search(bfold))):
            # "thương mại – dịch vụ chiếm 98,1% cơ cấu kinh tế", "đến năm 2030 thương mại – dịch
            # vụ chiếm trên 98%": a sector's share of the economy
            struct_at = clause_start
        if unit == "%" and (struct_at >= 0 or (listed is not None and ms >= listed[0])) \
                and not _GROWTH_VERB.search(bfold) and (
                    base_key is None or base_key in PRODUCTION or base_key == "economic_growth"
                    or struct_at > prior[-1][0] or from_before):
            # "cơ cấu: công nghiệp – xây dựng chiếm 66%; thương mại – dịch vụ 25%", "tỷ trọng
            # ngành thương mại – dịch vụ chiếm 52,65%", "... tương ứng là: 85,8%; 5,1%; 9,1%"
            key = None
            if listed is not None and ms >= listed[0]:
                key = listed[1][listed_n] if listed_n < len(listed[1]) else None
                listed_n += 1
            else:
                key = sector(sfold, max(clause_start, ms - 80), ms)  # (the last sector named before it)
                sa = _SECTOR_AFTER.match(s, end) if key is None else None
                if sa is not None:  # "còn lại 13% là nông nghiệp"
                    key = sector(sfold, sa.end(), min(len(sfold), sa.end() + 30))
                if key is None and figs and figs[-1].rel_type == "share_of_total" \
                        and _SHARE_MOVE_BEFORE.search(bfold) is not None \
                        and not any(figs[-1].end - base <= x[0] < ms for x in metrics):
                    # "tỷ trọng nông nghiệp chiếm 12,4%; đến năm 2019 giảm còn 9,1%, dự kiến năm 2020 còn
                    # 8,5%": the same share at a later date
                    key = figs[-1].base
            if key is not None:
                base_key, rel_type = key, "share_of_total"
                rel_text = s[max(clause_start, ms - 60):end].strip(" ,;:")
                prior = [(ms, ms, key)]
        if unit == "%" and rel_type is None and figs and figs[-1].rel_type == "share_of_total" \
                and _PAREN_CHANGE.fullmatch(sfold, figs[-1].end - base, ms):
            # "thương mại – dịch vụ đạt 52,65% (tăng 6,25% so với đầu nhiệm kỳ)": the change of
            # the share before it
            base_key = figs[-1].base
            prior = [(ms, ms, base_key)]
        if base_key and prior and rel_type is None:
            p1 = prior[-1][1]
            if p1 <= ms and " le" in sfold[p1:ms] and _TY_LE.search(sfold[p1:ms]):
                base_key = None  # "thu ngân sách ..., duy trì tỷ lệ hộ nghèo dưới 0,5%": another rate
            elif base_key not in PER_PERSON and base_key != "crop_yield" and (_per_unit(sfold, p1, ms) or (
                    "/" in sfold[end:end + 3] and _PER_THING.match(sfold, end))):
                base_key = None  # "trên 1 ha", "bình quân đầu người", "triệu đồng/ha": a ratio
        if base_key == "poverty_rate" and unit != "%":
            base_key = None  # "còn 512 hộ nghèo": a count, not the rate
        if unit is not None and not pct and "lượt" in unit and (base_key is None or base_key in TRADE) and (
                "khách" in unit or "khach" in sfold[clause_start:min(len(sfold), end + 30)]
                or "du lich" in sfold[clause_start:ms]):
            base_key = "tourist_arrivals"  # "đón hơn 910.000 lượt khách"
            prior = prior or [(ms, ms, base_key)]
        per_ha = _is_money(unit) and not pct and ("ha" in rate or (
            not rate and " ha" in sfold[clause_start:ms] and _HA_OF_LAND.search(sfold, clause_start, ms) is not None))
        if per_ha and "ha" not in rate:
            rate = ["ha"] + rate  # "giá trị trên 1 ha canh tác đạt 245 triệu đồng": a rate per hectare
        if per_ha and (base_key is None or base_key == "per_capita_income" or base_key in PRODUCTION):
            base_key = "agri_value_per_ha"  # "cho giá trị 265 triệu đồng/ha": output per hectare
            if not prior:
                prior = [(ms, ms, base_key)]
            if not _HA_OF_LAND.search(sfold, clause_start, ms):
                flags.append("uncertain_metric")  # (output of a model or a farm, not of the land as a whole)
        if base_key is not None and unit == "%" and rel_type is None and SHARE_OF_NOUN.match(s, end):
            base_key = None  # "80% trường công lập đạt chuẩn": a share of something else
        if base_key in MONEY and not pct and not _is_money(unit) and not no_unit:
            base_key = None  # "1,6 km" in a sentence about investment
        elif not pct and ((base_key == "sown_area" and (unit or "").lower() not in AREA_UNITS)
                          or (base_key == "crop_yield" and "ha" not in rate
                              and "/ha" not in (unit or "").replace(" ", ""))):
            base_key = None  # "diện tích ... cho thu nhập 200 triệu đồng": not the area
        if base_key == "economic_growth" and not pct:
            base_key = "grdp" if _is_money(unit) else None
        average = not pct and (("nam" in sfold[end:end + 10] and _PER_YEAR_AFTER.match(sfold, end) is not None)
                               or _AMOUNT_YEARLY.search(bfold) is not None)
        if not pct and rel_type is None and base_key is not None and (no_unit or _is_money(unit)) \
                and "tang" in bfold[-16:] and (ab := _ABS_GROWTH.search(bfold)) is not None:
            # "thu nhập ... đạt 68 triệu đồng, tăng 21,5 triệu đồng so với năm 2020": the increase
            rel_type = "growth_abs"
            rel_m = REL_AFTER_PLAIN.match(sfold, end) if plain else REL_AFTER.match(s, end)
            rel_text = s[bstart + ab.start():rel_m.end() if rel_m else end].strip(" ,")
        if pct and rel_type is None:
            vb_m = _verb_before(before, bfold, plain)
            verb = vb_m.group("verb") if vb_m else None
            vf = fold(verb) if verb else ""
            seg = sfold[prior[-1][1] if prior else max(0, ms - 40):ms]  # (after the metric phrase)
            average = ((("binh quan" in seg or "trung binh" in seg or "hang nam" in seg or "moi nam" in seg)
                        and _AVERAGE.search(seg) is not None)
                       or ("nam" in sfold[end:end + 10] and _PER_YEAR_AFTER.match(sfold, end) is not None))
            if unit == "lần":
                rel_type, rs = "multiple", bstart + (vb_m.start() if vb_m else max(0, len(bfold) - 12))
                rel_text = s[bstart + bfold.rfind("gap") if "gap" in bfold else ms:end].strip(" ,")
            elif "chiem" in bfold and _SHARE_VERB.search(bfold):
                rel_type = "share_of_total"
                rel_text = s[bstart + bfold.rfind("chiem"):end].strip(" ,")
            else:
                plain_share = vf in ("dat", "bang", "hoan thanh", "thuc hien") and not rel
                if rel or (verb and not plain_share) or (plain_share and base_key in BUDGET):
                    ref = rel.group("ref") if rel else (vb_m.group("vref") if vb_m else None)
                    rt = relation_type(verb, ref, unit)
                    if rt:
                        rel_type = rt
                        rs = bstart + vb_m.start() if vb_m else ms
                        rel_text = s[rs:rel.end() if rel else end].strip(" ,")
        seg_fold = sfold[prior[-1][0]:ms] if prior else sfold[:ms]
        if base_key in GROWABLE and rel_type not in ("share_of_total", "multiple"):
            p0 = prior[-1][0]
            pre_metric = sfold[max(0, p0 - 16):p0]
            growth = bool(
                rel_type in ("growth_yoy", "decline_yoy")
                or (unit == "%" and rel_type is None
                    and ((("tang" in seg_fold or "giam" in seg_fold) and GROWTH_WORDS.search(seg_fold[-80:]))
                         or _GROWTH_PRE.search(pre_metric) or base_key == "economic_growth"
                         or pre_metric.endswith("tang "))))  # "tăng thu ngân sách trên 20%/năm"
            if _CO_CAU.search(pre_metric):
                base_key = None  # a share of the economy's structure, not the value
        else:
            growth = rel_type in ("growth_yoy", "decline_yoy")
        key = _metric_key(base_key, growth)
        if growth and rel_type is None and unit == "%":
            rel_type = "growth_yoy"  # "tốc độ tăng giá trị sản xuất đạt 12-13%"
            rel_text = s[bstart:end].strip(" ,")
        if rel_type in ("growth_yoy", "share_of_plan") and average and "giam" not in bfold[-30:] and not (
                rel_type == "share_of_plan" and rel is not None and _PLAN_REF_WORD.match(rel.group("ref"))):
            rel_type = "avg_annual_growth"  # "tăng bình quân 11,8%/năm" ("hằng năm đạt 215% kế hoạch": of the plan)
        if rel_type == "growth_yoy" and rel is None and not average and clause_start > 0 and figs \
                and figs[-1].rel_type == "avg_annual_growth" and not _OWN_PERIOD.search(sfold, clause_start, ms):
            # "tốc độ tăng ... bình quân giai đoạn này đạt 9,8%; tốc độ tăng ... dịch vụ đạt 10,7%": a
            # later item of a list of yearly averages, with no period of its own
            rel_type, average = "avg_annual_growth", True
        if key == "economic_growth" and rel_type == "growth_yoy" and rel is None:
            rel_type = rel_text = None  # "tăng trưởng kinh tế đạt 10,8%": the rate itself, not a growth of it
        if unit == "%" and "muc tang" in sfold[end:end + 14] and _RATE_OF_RATE.match(sfold, end):
            rel_type = "growth_rate_ratio" if rel_type in (None, "share_of_plan", "ratio_yoy") else "growth_rate_diff"
            rel_text = s[bstart + (bfold.rfind(" ") + 1 if rel_text is None else 0):end + 30].strip(" ,;.") \
                if rel_text is None else rel_text
        if key == "other" and unit and "chỉ tiêu" in unit.lower() and not _THI_DUA.match(s, end):
            cut = _CLAUSE_STOP.search(sfold, end)
            after = sfold[end:cut.start() if cut else len(sfold)]
            done = _DONE_BEFORE.search(bfold) is not None
            if denom is not None or done or _DONE_AFTER.match(after):
                # "14/14 chỉ tiêu", "hoàn thành thắng lợi 18 chỉ tiêu", "có 5 chỉ tiêu vượt kế hoạch" ("đề ra 22
                # chỉ tiêu" counts the targets set: no figure)
                key = "targets_met"
                if _EXCEEDED.search(after) or (_EXCEEDED.search(bfold[-14:]) and "trong do" in sfold[clause_start:ms]):
                    key = "targets_exceeded"  # "trong đó có 04/14 chỉ tiêu hoàn thành vượt mức"
        if rate and (rate != ["năm"] or key not in MONEY or key in PER_PERSON):
            # a rate is not an amount: its unit keeps the per-part and is never scaled
            unit = unit + "/" + "/".join(rate)
            end = max(end, rate_end)
        elif unit in ("triệu đồng", "đồng") and key in MONEY and key not in PER_PERSON and not (
                "/" in sfold[end:end + 3] and _PER_THING.match(sfold, end)):
            # "868.000 triệu đồng" is 868 tỷ đồng, "125.400.000.000 đồng" 125.4 tỷ đồng
            div = 1000 if unit == "triệu đồng" else 1e9
            value, unit = round(value / div, 6), "tỷ đồng"
            value_max = round(value_max / div, 6) if value_max is not None else None
        if key in PER_PERSON:
            average = False  # "triệu đồng/người/năm" is a level, not a yearly average over a term
        if "misprint" in flags:
            value = value_max = None
        if resp_item > 0 and rel_type is None and figs and figs[-1].unit == unit:
            rel_type, average = figs[-1].rel_type, figs[-1].average  # "tăng lần lượt 10,9% và 11,4%"
            rel_text = s[ms:end].strip() if rel_type else None
        plan = False
        if figs and figs[-1].unit == unit and figs[-1].base and "(" in s[figs[-1].end - base:ms] \
                and _PLAN_BRACKET.search(sfold, figs[-1].end - base, ms) is not None:
            # "tăng bình quân 10,2% (kế hoạch 9,5-10%)": the plan of the result before, of its metric
            # and kind of comparison
            head = figs[-1]
            plan, key, base_key, average = True, head.metric_key, head.base, head.average
            rel_type = head.rel_type if head.rel_type in _PLANNED_RELATIONS else None
            rel_text = s[ms:end].strip() if rel_type else None
            prior = prior or [(ms, ms, key)]
        mspec = (s, ms, end, unit, None if key in ("other", "targets_met", "targets_exceeded") or not prior else prior[-1][0])
        near = sfold[max(0, ms - 25):ms]
        est = ("uoc" in seg_fold and _UOC.search(seg_fold) is not None) or ("uoc" in near and _UOC.search(near) is not None)
        append(_Fig(base + ms, base + end, value, value_max, denom, unit, rel_type,
                    rel_text, key, mspec, est, base_key, approx, flags,
                    average or rel_type == "avg_annual_growth", plan, done))
    return figs


# a clause of time words and a verb only ("...; ước 6 tháng đầu năm đạt 61% dự toán", "...;
# tầm nhìn đến năm 2045 đạt 30.000 USD"): the figure is of the metric of the clause before
_PREDICATE_WORDS = frozenset(
    "uoc tinh du kien luy ke tam nhin den nam thang quy dau cuoi ca het nay rieng va con sau toi trong "
    "giai doan nhiem ky i ii iii iv hon tren gan khoang xap xi vuot phan duoi xuong muc o".split())
_PREDICATE_VERBS = frozenset({"dat", "la", "vuot", "len", "tang", "giam"})
_WORD = re.compile(r"\w+")


# ``metric_words.METRICS`` keys that depend on the figure: resolved by ``_resolve_pseudo``
_PSEUDO_KEYS = frozenset({"investment_raised", "funding", "tourist_arrivals"})
_SECTOR_SUBJECT = re.compile(r"\W*(?:(?:gia tri )?san xuat|nganh|linh vuc|khu vuc|khoi)\s+"
                             r"((?:cong nghiep|tieu thu cong nghiep|thuong mai|dich vu|nong nghiep|nong|lam nghiep|lam"
                             r"|thuy san|xay dung|va|[\s,\-–])+)")
_SPENDING = frozenset({"budget_expenditure", "budget_expenditure_recurrent", "budget_expenditure_investment",
                       "public_investment_disbursement", "public_investment_plan", "investment", "social_investment",
                       "project_capital"})
_INVEST_OR_CAPITAL = re.compile(r"\b(?:dau tu|von)\b")


def _resolve_pseudo(key: str, prior: list[tuple[int, int, str]], unit: str | None, sfold: str, lo: int, ms: int,
                    flags: list[str]) -> tuple[str | None, list[tuple[int, int, str]]]:
    """The key of a metric phrase whose meaning depends on the figure: money raised ("huy động") is an investment; funding
    ("kinh phí") is a project's capital, an investment or other; visitors ("lượt khách") are
    counted or grow, and an amount of money after them is the metric named before."""
    p0 = prior[-1][0]
    if key == "investment_raised":
        if not _is_money(unit):
            return None, prior
        if not _INVEST_OR_CAPITAL.search(sfold, lo, min(len(sfold), ms + 60)):
            flags.append("uncertain_metric")  # (raised, but the text does not say for what)
        return "investment", prior
    if key == "funding":
        got = refine(key, sfold, lo, p0, ms)
        rest = [x for x in prior[:-1] if x[2] not in _PSEUDO_KEYS]
        if got == "other" and rest and rest[-1][2] in _SPENDING:
            return rest[-1][2], rest  # "chi ngân sách cho giáo dục với kinh phí 50 tỷ đồng": the spending named first
        return got, prior
    if _is_money(unit):  # tourist_arrivals: "doanh thu từ khách du lịch đạt 64 tỷ đồng"
        rest = [x for x in prior[:-1] if x[2] not in _PSEUDO_KEYS]
        return (rest[-1][2] if rest else None), (rest or prior)
    return key, prior


def _bare_predicate(sfold: str, start: int, end: int) -> bool:
    words = _WORD.findall(sfold, start, end)
    if not words or len(words) > 10:
        return False
    verb = next((k for k in range(len(words) - 1, -1, -1) if words[k] in _PREDICATE_VERBS), None)
    return verb is not None and verb >= len(words) - 3 and all(
        w in _PREDICATE_WORDS or w.isdigit() for k, w in enumerate(words) if k != verb)


_COUNT_WORD = re.compile(r"(?i)(số|tỷ lệ|tỉ lệ|tổng số|số lượng)\b")
_TAIL_CUT = re.compile(r"[,;:()]|\s[–-]\s|\s(?:đã|được|đạt|tại|trên|với|của|là|và|thuộc|trong)\s")
_LEADING_FIGURE = re.compile(r"^\S+(?:\s*(?:/|-|–|đến)\s*\S+)?\s*")


def _other_metric(s: str, start: int, end: int, unit: str | None) -> str:
    """What an 'other' figure counts: the phrase before a percentage, the noun after a count."""
    if unit == "%" or unit is None or _is_money(unit):
        return _noun_phrase(s, start) or (unit or "")
    before = _noun_phrase(s, start)
    if _COUNT_WORD.match(before):
        return before
    rest = s[start:] + " "
    cut = _TAIL_CUT.search(rest)  # (the text before the first cut)
    tail = rest[:cut.start()] if cut else rest
    tail = _LEADING_FIGURE.sub("", tail)
    return " ".join(tail.split()[:8])[:120].rstrip(" .,;…") or unit


_PHRASE_PERIOD_LOW = re.compile(r"\s+(?:\d+\s+tháng|năm\s+\d{4}|quý\s|trong\s+\d)")
_PHRASE_VERB_LOW = re.compile(r"\s+(?:ước|đạt|tăng|giảm|vượt|là|bằng|hơn|trên|có|đã|thực hiện|chiếm|mới|chỉ)\b")
_PHRASE_PERIOD = re.compile(_PHRASE_PERIOD_LOW.pattern, re.IGNORECASE)
_PHRASE_VERB = re.compile(_PHRASE_VERB_LOW.pattern, re.IGNORECASE)


def _metric_phrase(s: str, start: int, end: int) -> str:
    """The metric as written: the text from its phrase at ``start`` to the first period or verb
    after it, and at most to the figure at ``end``."""
    cut = _phrase_cut(s[start:])  # (the same for every figure of the phrase: cached)
    return s[start:start + min(cut, end - start)].strip(" ,:;-–()")[:120]


@lru_cache(maxsize=512)
def _phrase_cut(seg: str) -> int:
    """Where the first period word or verb of ``seg`` starts (its length if none)."""
    low = seg.lower()
    if len(low) != len(seg):  # (a letter whose lower case is longer: the slow way)
        period, verb, low = _PHRASE_PERIOD, _PHRASE_VERB, seg
    else:  # (the expressions without IGNORECASE on the lower-cased text: many times faster)
        period, verb = _PHRASE_PERIOD_LOW, _PHRASE_VERB_LOW
    # the text before the first match (every match holds a digit or "quý")
    m = period.search(low) if (_DIGIT.search(seg) or "quý" in low) else None
    cut = m.start() if m else len(seg)
    m = verb.search(low, 0, cut)
    return m.start() if m else cut


_PHRASE_CUT = re.compile(r"[,;:()]|\s[–-]\s|\btrong đó\b")
_DIGIT_FIRST = re.compile(r"\s*\d")
_TRAILING = "ước|đạt|tăng|giảm|vượt|là|bằng|hơn|trên|có|đã|thực hiện|chiếm|được|với|khoảng|gần|từ|mức|bình quân"
_TRAILING_VERBS = re.compile(rf"(?i)(?:\s+(?:{_TRAILING}))+\s*$")
# a match ends a text whose last non-space character is the last letter of one of the words
# (the engine decides what matches it without case)
_TRAILING_LAST = re.compile("(?i)[" + "".join(sorted({w[-1] for w in _TRAILING.split("|")})) + "]")


def _noun_phrase(s: str, end: int) -> str:
    parts = _PHRASE_CUT.split(s[:end])
    head = parts[-1]
    if len(parts) > 1 and _DIGIT_FIRST.match(head):  # "mức độ 3, 4 đạt 82%"
        head = parts[-2] + "," + head
    if _TRAILING_LAST.fullmatch(head.rstrip()[-1:]):
        head = _TRAILING_VERBS.sub("", head)
    return head.strip(" -–+•\t.")[:120]


def find_indicators(text: str, folded: str, published: date | None, hits: list[PlaceHit],
                    places: list[PlaceMention], tokens: Tokens | None = None,
                    low: str | None = None, keep_repeats: bool = True) -> list[Indicator]:
    """Every figure reported about a place, in text order. ``tokens``: ``Tokens(folded)``;
    ``low``: ``lower_same_length(text)`` (if already made); ``keep_repeats``: a figure the
    title or lead restates is a row again (convention v2; off: the convention before it)."""
    plain = folded[:3000] == text[:3000].lower()  # no diacritics: comparisons read on the fold
    primary = next((p for p in places if p.is_primary), None)
    # an article about several units in turn: a figure that names none is of the one named last
    several = {p.place_id for p in places if p.is_primary}
    several = several if len(several) >= 2 else set()
    body_start = None  # where the body starts (after the title and lead)
    city_para = -1  # the paragraph whose last figures were the whole city's ("Trong đó, ..." goes on with it)
    out: list[Indicator] = []
    ctx_period: Period | None = None
    ctx_para = -1
    article_period: Period | None = None
    target_block = False
    para_subject: Unit | None = None
    subject_para = -1
    carried_metric: str | None = None
    carried_para = -1
    para_start = 0
    title_end = text.find("\n") if "\n" in text else len(text)
    title_ids: set[int] = set()
    qualifies: dict[int, Indicator] = {}  # id(relation row) -> the row it qualifies
    from_article: set[int] = set()  # rows whose period is the article's (printed in another paragraph)
    seen_periods: set[tuple[str, str]] = set()  # the bounds of every period the article names
    last_term: Period | None = None  # the last past term (or span of years) the article names
    paras: list[int] = []  # the paragraph of each row of ``out``
    mi = fi = pi = 0  # where the next sentence's candidates start in each list
    pub_iso = published.isoformat() if published else None
    hit_starts = [h.start for h in hits]  # hits are in text order
    if tokens is None:
        tokens = Tokens(folded)
    # (every metric phrase, every period word and both unit expressions start at a word: the
    # token index finds their candidates, in one pass for all four)
    metric_starts, period_words, other_unit_starts, generic_starts, word_first = candidates_of(
        tokens, (METRIC_SCAN, PERIOD_SCAN), (OTHER_UNIT_SCAN, GENERIC_TYPE_SCAN), (_PERIOD_WORD_FIRST,))
    if low is None:
        low = lower_same_length(text)
    digits = _digit_tokens(tokens)
    period_starts = sorted(set(period_words).union(_period_digit_candidates(tokens, digits, word_first)))
    figure_starts = _figure_candidates(tokens, digits, folded)
    after_word = _after_not_figure_words(tokens, digits)
    elsewhere_memo: dict[int, tuple[int, bool]] = {}
    for s0, s1, para in _sentences(text):
        s = text[s0:s1]
        sfold = folded[s0:s1]
        stripped = s.strip()
        if not stripped:
            continue
        is_bullet = stripped[0] in "-–•+"
        if para != subject_para:
            para_subject, subject_para = None, para
            para_start = s0
        if body_start is None and para >= 2:
            body_start = s0
        city_chain = city_para == para and _CHAIN_PARA.match(sfold) is not None
        city_seen = kept_seen = False
        near = hits[bisect_left(hit_starts, s0):bisect_left(hit_starts, min(s1, s0 + SUBJECT_START))]
        if near:
            para_subject = _subject(near, s0, s1, text) or para_subject
        # (the sentences come in text order: each candidate list is walked once, and a
        # sentence without candidates costs two bisections)
        lo = bisect_left(metric_starts, s0, mi)
        mi = bisect_left(metric_starts, s1, lo)
        metric_matches = (METRIC_SCAN.finditer(sfold, [p - s0 for p in metric_starts[lo:mi]])
                          if mi > lo else [])
        lo = bisect_left(figure_starts, s0, fi)
        fi = bisect_left(figure_starts, s1, lo)
        fig_cands = [p - s0 for p in figure_starts[lo:fi]] if fi > lo else []
        if s[:1].isdigit() and (not fig_cands or fig_cands[0] != 0):
            fig_cands.insert(0, 0)  # (FIGURE's look-behind sees no character there)
        # the metric of the paragraph carries on; a paragraph opening with "Trong đó" takes the
        # one of the paragraph before
        carry = carried_metric if (para == carried_para or (para == carried_para + 1 and s0 == para_start
                                                            and _CHAIN_PARA.match(sfold))) else None
        figs = _figures(s, s0, sfold, metric_matches, carry, fig_cands, plain, after_word=after_word) if fig_cands else []
        if metric_matches:
            carried_metric, carried_para = KEY_OF_GROUP[metric_matches[-1].lastgroup or ""], para
        other_province = bool(figs) and _names_other_province(s)
        lo = bisect_left(period_starts, s0, pi)
        pi = bisect_left(period_starts, s1, lo)
        if pi > lo:
            periods = _periods(s, sfold, published, ctx_period, [p - s0 for p in period_starts[lo:pi]],
                               low[s0:s1])
            real = [p for p in periods if p.start or p.end]
        else:
            periods = real = []
        if (len(stripped) < 160 and not stripped.endswith(".") and HEADING_TARGET.search(stripped)
                and not figs):
            target_block = True
            ctx_period, ctx_para = (real[-1], para) if real else (None, -1)
            continue
        if target_block and not is_bullet:
            target_block = False
        last: dict[str, Indicator] = {}
        last_met: Indicator | None = None  # the sentence's count of targets met
        last_other: tuple[Indicator, int] | None = None  # an uncategorised amount and its end
        # a target word before a figure is a target word in the sentence (most have none)
        target_words = (bool(figs) and ("phan dau" in sfold or "muc tieu" in sfold or "dat ra" in sfold
                                        or "de ra" in sfold or "chi tieu" in sfold or "du kien" in sfold
                                        or "giao du toan" in sfold)
                        and TARGET_WORDS.search(sfold) is not None)
        for f in figs:
            period = _period_after(periods, f.end - s0, sfold) or _pick_period(periods, f.start - s0, real)
            if period is not None and _later_elsewhere(period, f.end - s0, sfold):
                # the sentence's period comes in a later clause: the one in force before it
                period = (ctx_period if (ctx_para == para or target_block) else None) or article_period or period
            period = period or (ctx_period if (ctx_para == para or target_block) else None) or article_period
            inherited = period is not None and period is article_period and para > 1
            if period is None and last_term is not None and not f.plan and not (
                    target_words and TARGET_WORDS.search(sfold[:f.start - s0])):
                # a figure without any period after a past term was named ("Nhiệm kỳ 2020 - 2025, ...",
                # a congress report): the term's (its levels: at the term's end)
                period, inherited = last_term, True
            kind = "estimate" if f.estimate else "actual"
            if (target_block or (target_words and TARGET_WORDS.search(sfold[:f.start - s0])
                                 and not (f.metric_key in _TARGET_COUNTS and f.done))
                    or (period and period.start and pub_iso and period.start > pub_iso)):
                kind = "target"  # ("trong tổng số 15 chỉ tiêu đề ra, xã đã thực hiện đạt 15/15 chỉ tiêu": done)
            qualified: Indicator | None = None
            if f.plan:
                kind = "target"
            elif f.metric_key == "targets_exceeded" and last_met is not None:
                qualified = last_met  # "14/14 chỉ tiêu, trong đó 04/14 chỉ tiêu vượt mức": of those met
                kind = last_met.kind
                if f.denom is None:
                    f.denom = last_met.value_denominator or last_met.value
            elif f.rel_type and f.base and f.base in last:
                qualified = last[f.base]  # "1.402 tỷ đồng, đạt 40% dự toán, tăng 12%"
            elif (f.rel_type and not f.base and last_other is not None
                  and _RIGHT_AFTER.fullmatch(folded, last_other[1], f.start)):
                qualified = last_other[0]  # "đạt 320 triệu đồng, tăng 5% so với năm 2022"
                f.metric_key = qualified.metric_key
            if f.metric_key == "other" and not _keep_other(f, kind == "target"):
                continue
            if _elsewhere(text, f.start, f.end, other_unit_starts, elsewhere_memo) or (
                    other_province and not any(max(s0, text.rfind(";", s0, f.start)) <= h.start < f.start
                                               for h in hits)):
                continue  # "3 tỷ đồng hỗ trợ huyện Mèo Vạc (tỉnh Hà Giang)", "tỉnh bạn ..."
            before = hits[bisect_left(hit_starts, s0):bisect_left(hit_starts, f.start)]
            if city_chain and not before:
                city_seen = True
                continue  # "... Hà Nội thu 261.000 tỷ đồng. Trong đó, thu nội địa ...": still the city's
            recent, far = _recent_unit(hits, hit_starts, f.start, several, body_start, para_start) \
                if several and not before and para_subject is None else (None, False)
            place_id, place = _place_for(text, before, s0, f.start, primary, para_subject, generic_starts, recent)
            if place_id is None:
                city_seen = city_seen or place == "city"
                continue  # not about a Hanoi unit (city-wide or another province)
            kept_seen = True
            ind = Indicator(
                place_id=place_id, place=place, metric=f.metric, metric_key=f.metric_key,
                value=f.value, value_max=f.value_max, unit=f.unit,
                period_text=period.text if period else None,
                period_start=period.start if period else None,
                period_end=period.end if period else None,
                relation=f.rel_text, kind=kind, sentence=stripped[:600],
                value_denominator=f.denom, relation_type=f.rel_type,
                relation_value=f.value if f.rel_type else None,
                period_kind="average_annual" if f.average else (period.kind if period else None),
                metric_family=family(f.metric_key), approx=f.approx, flags=list(f.flags or []),
            )
            if (ind.period_kind == "as_of" and period is not None and ind.period_end
                    and ind.metric_family in _FLOW_FAMILIES and ind.metric_key not in PER_PERSON
                    and ind.relation_type != "share_of_total" and _AS_OF_MONTH.match(period.text)):
                # "tính đến (hết) tháng 10/2022, thu ngân sách đạt ...": the year so far
                ind.period_kind, ind.period_start = "year_to_date", ind.period_end[:4] + "-01-01"
            if ind.metric_key in PRODUCTION and (ind.relation_type == "share_of_total" or (
                    qualified is not None and qualified.relation_type == "share_of_total")) and (
                    ind.period_kind in (None, "multi_year") or (
                        ind.period_kind == "year" and kind == "target"
                        and not _own_clause(period, periods, f.start - s0, sfold))):
                # a sector's share of the economy (and its change) is a level at the end of the period
                ind.period_kind, ind.period_start = "as_of", None
                ind.period_end = ind.period_end or pub_iso
            if (ind.period_kind == "as_of" and ind.period_end and period is not None and _is_money(ind.unit)
                    and ind.relation_type is None and ind.metric_family in _FLOW_FAMILIES
                    and ind.metric_key not in PER_PERSON
                    and period.text[:7].lower() == "đến năm"):
                # "đến năm 2025 thu ngân sách đạt 9.000 tỷ đồng": a yearly flow in that year
                ind.period_kind, ind.period_start = "year", ind.period_end[:4] + "-01-01"
            if ind.period_kind == "multi_year" and ind.metric_key in _LEVELS and ind.relation_type is None \
                    and ind.period_end:
                # "thu nhập bình quân đầu người đến cuối nhiệm kỳ đạt ...", "tỷ lệ hộ nghèo còn 1,2%" in a term
                # report: a level at the end of the term (or now, if it is not over)
                ind.period_kind, ind.period_start = "as_of", None
                ind.period_end = min(ind.period_end, pub_iso) if pub_iso else ind.period_end
            elif ind.period_kind in ("average_annual", "multi_year") and not ind.period_start \
                    and not ind.period_end and last_term is not None and kind != "target":
                # "tăng bình quân 7,6%/năm", "5 năm, tổng thu ...": the term printed earlier
                ind.period_text, ind.period_start, ind.period_end = last_term.text, last_term.start, last_term.end
            if place_id.startswith("hn-2025-") and ind.period_start and ind.period_start < "2025-07-01" \
                    and kind != "target":
                ind.flags.append("predecessor_period")  # a new unit's figure for a time before it existed
            if ind.relation_type in ("growth_yoy", "decline_yoy") and _versus_earlier(f.rel_text, period):
                ind.relation_type = "growth_vs_period" if ind.relation_type == "growth_yoy" else "decline_vs_period"
            if several and not before and para_subject is None and (
                    recent is None or far or place_id != recent.id):
                ind.flags.append("uncertain_place")  # (no unit named in its paragraph: the article's first)
            if inherited:
                from_article.add(id(ind))
            if qualified is not None:
                qualifies[id(ind)] = qualified
                if ind.unit == "lần" and qualified.unit == "%" and ind.relation_type == "multiple" \
                        and _OTHER_RATE.search(folded, max(0, f.start - 12), min(len(folded), f.end + 30)):
                    # "tăng 6,1% (cao hơn 1,4 lần so với cả nước)": a growth against another one ("tăng
                    # 76%, gấp 1,76 lần so với năm 2020" is the level's multiple)
                    ind.relation_type = "growth_rate_ratio"
            out.append(ind)
            paras.append(para)
            if s0 < title_end:
                title_ids.add(id(ind))
            if f.base and qualified is None and not f.plan:
                last[f.base] = ind
            if ind.metric_key == "targets_met":
                last_met = ind
            if f.unit not in ("%", "lần") and (not f.base or f.base not in _CORE_BASES):
                last_other = (ind, f.end)  # (a comparison right after it, naming no metric, is of it)
        if city_seen and not kept_seen:
            city_para = para
        elif kept_seen:
            city_para = -1
        if real and not target_block:
            ctx_period, ctx_para = real[-1], para
        for p in real:
            if p.start and p.end and not p.plan:
                seen_periods.add((p.start, p.end))
                if p.kind == "multi_year" and (not pub_iso or p.end[:4] <= pub_iso[:4]):
                    last_term = p
        if article_period is None and para <= 1:
            lead = [p for p in real if p.start and p.end and not fold(p.text).startswith(("den nam", "tu nam"))
                    and (p.kind != "multi_year" or not pub_iso or p.end[:4] <= pub_iso[:4]) and not p.plan]
            article_period = lead[0] if lead else None
        elif para > 1 and reform_period(real) is not None and (
                article_period is None or (article_period.start or "") <= REFORM_ISO <= (article_period.end or "")):
            # "Từ khi vận hành mô hình chính quyền hai cấp, ...": the rest of a new unit's report is of
            # the time since (not of the whole year its lead names)
            article_period = reform_period(real)
    _fill_periods(out, paras, title_ids, article_period, from_article)
    if len(seen_periods) >= 2:  # (one period in the whole article: what it gives is no guess)
        for ind in out:
            if id(ind) in from_article and "uncertain_period" not in ind.flags:
                ind.flags.append("uncertain_period")
    if not keep_repeats:
        return _number(_dedupe(out, title_ids, qualifies), qualifies)
    _number(out, qualifies)
    _link_restatements(out, paras)
    return out


def _restates(r: Indicator, v: float) -> bool:
    """``r``'s value, as qualified, is a rounding of ``v`` ("hơn 200" of 214,5; "gần 3.000"
    of 2.987; "khoảng 1.300" of 1.320,5; else within 5%)."""
    x = r.value
    if x is None:
        return False
    if r.approx in ("over", "at_least"):
        return x <= v <= 1.15 * x
    if r.approx in ("nearly", "under"):
        return 0.85 * x <= v <= x
    if r.approx == "about":
        return abs(v - x) <= 0.1 * abs(v)
    return abs(v - x) <= 0.05 * abs(v)


def _link_restatements(out: list[Indicator], paras: list[int]) -> None:
    """``same_as`` of a figure in the title or lead that restates one of the body ("Thu ngân
    sách hơn 3.000 tỷ đồng" above "... đạt 3.012,6 tỷ đồng"): same metric, place, unit,
    relation and kind, the value within 5%. Claims count the body's figure only."""
    for k, r in enumerate(out):
        if paras[k] > 1 or r.value is None:
            continue
        for j in range(k + 1, len(out)):
            b = out[j]
            if (paras[j] > paras[k] and b.value is not None and b.same_as is None and b.metric_key == r.metric_key
                    and b.place_id == r.place_id and b.unit == r.unit and b.relation_type == r.relation_type
                    and (b.kind == "target") == (r.kind == "target") and _restates(r, b.value)):
                r.same_as = b.id
                break
    for r in out:  # (a restatement of a restatement names the last one)
        seen = 0
        while r.same_as is not None and out[r.same_as - 1].same_as is not None and seen < len(out):
            r.same_as, seen = out[r.same_as - 1].same_as, seen + 1


_REFORM_TEXT = re.compile(r"mo hinh|van hanh|hoat dong")
REFORM_ISO = "2025-07-01"


def reform_period(ps: list[Period]) -> Period | None:
    """The period "since the two-tier model began" (or "its first year") among ``ps``, if any."""
    for p in ps:
        text = fold(p.text)
        if (p.start == REFORM_ISO or text.startswith("nam dau")) and _REFORM_TEXT.search(text):
            return p
    return None


def _fill_periods(out: list[Indicator], paras: list[int], title_ids: set[int], article: Period | None,
                  from_article: set[int] | None = None) -> None:
    """A figure printed without a period takes the period of the body figure it restates (a
    title's), else of the next figure of its paragraph that has one, else the article's (then
    its id joins ``from_article``)."""
    for k, ind in enumerate(out):
        if ind.period_start or ind.period_end:
            continue  # (a period without bounds, "hai tháng đầu vận hành", is filled too)
        src: Indicator | Period | None = None
        if id(ind) in title_ids and ind.value is not None:
            src = next((b for b in out[k + 1:] if id(b) not in title_ids and b.metric_key == ind.metric_key
                        and b.unit == ind.unit and b.value and abs(b.value - ind.value) <= 0.05 * abs(b.value)
                        and (b.period_start or b.period_end)), None)
        if src is None:
            src = next((b for j, b in enumerate(out[k + 1:], k + 1) if paras[j] == paras[k]
                        and (b.period_start or b.period_end) and b.kind == ind.kind), None)
        if src is None and article is not None and ind.kind != "target":
            ind.period_text, ind.period_start, ind.period_end = article.text, article.start, article.end
            ind.period_kind = ind.period_kind or article.kind
            if from_article is not None and paras[k] > 1:
                from_article.add(id(ind))
            continue
        if isinstance(src, Indicator):
            ind.period_text, ind.period_start, ind.period_end = src.period_text, src.period_start, src.period_end
            ind.period_kind = ind.period_kind or src.period_kind


OTHER_UNIT = re.compile(
    r"(?:\b(?:tỉnh|huyện|quận|thành phố|thị xã|xã|phường)\s+(?P<name>[A-ZĐÂĂÊÔƠƯ]\w*(?:\s+[A-ZĐÂĂÊÔƠƯ]\w*){0,3}))"
    r"|(?<!đầu tư )(?<!vốn )\bnước\s+(?:ngoài|bạn)\b|\b(?:Lào|Campuchia|Trung Quốc|Nhật Bản|Hàn Quốc)\b"
)
OTHER_UNIT_SCAN = Anchored(OTHER_UNIT, (
    "tỉnh", "huyện", "quận", "thành phố", "thị xã", "xã", "phường", "nước", "Lào", "Campuchia",
    "Trung Quốc", "Nhật Bản", "Hàn Quốc",
))


def _elsewhere(text: str, start: int, end: int, cands: list[int] | None = None,
               memo: dict[int, tuple[int, bool]] | None = None) -> bool:
    """The clause of the figure names a unit outside Hanoi. ``cands``:
    ``OTHER_UNIT_SCAN.candidates(text)``, if already known; ``memo``: for one text, the
    offset of a match -> (its end, whether it names a unit outside Hanoi) (figures of one
    clause look at the same names)."""
    left = max(text.rfind(",", 0, start), text.rfind(";", 0, start), text.rfind(".", 0, start - 1)) + 1
    limit = end + 80  # (a stop further away does not change ``endpos``)
    if cands is not None and bisect_left(cands, left) == bisect_left(cands, limit):
        return False  # no unit can start in [left, endpos): endpos <= limit
    stops = [x for x in (text.find(";", end, limit), text.find(". ", end, limit + 1), text.find("\n", end, limit))
             if x >= 0]
    right = min(stops) if stops else len(text)
    endpos = min(right, limit)
    if cands is None or memo is None:
        found = (OTHER_UNIT.finditer(text, left, endpos) if cands is None
                 else OTHER_UNIT_SCAN.finditer_range(text, left, endpos, cands))
        return any(_outside(m) for m in found)
    # ``OTHER_UNIT_SCAN.finditer_range`` with the verdict on each match kept: a match that
    # ends well before ``endpos`` (more than a name's next word) is the same match with any
    # ``endpos`` as far
    last = left
    match = OTHER_UNIT.match
    for p in cands[bisect_left(cands, left):bisect_left(cands, endpos)]:
        if p < last:
            continue
        known = memo.get(p)
        if known is not None and known[0] + _ROOM <= endpos:
            if known[1]:
                return True
            last = known[0]
            continue
        m = match(text, p, endpos)
        if m is None:
            continue
        verdict = _outside(m)
        if m.end() + _ROOM <= endpos:
            memo[p] = (m.end(), verdict)
        if verdict:
            return True
        last = m.end()
    return False


_ROOM = 30


def _outside(m: re.Match[str]) -> bool:
    """The ``OTHER_UNIT`` match names a unit outside Hanoi."""
    name = m.group("name")
    if name is None:
        return True
    if name.startswith("Hà Nội") or m.group(0).lower().startswith(("thành phố hà nội", "thành phố giao")):
        return False
    words = name.split()
    g = load()
    return not any(g.by_fold(" ".join(words[:k])) for k in range(len(words), 0, -1))


OTHER_PROVINCE = re.compile(r"\btỉnh\s+(?:bạn|láng giềng|lân cận|[A-ZĐÂĂÊÔƠƯ])")


def _names_other_province(s: str) -> bool:
    """The sentence is about another province ("các địa phương của tỉnh Hòa Bình ...")."""
    return "tỉnh" in s and OTHER_PROVINCE.search(s) is not None


_VISITORS = re.compile(r"(?i)lượt|khách")


def _keep_other(f: _Fig, target: bool) -> bool:
    """Uncategorised figures kept: shares (%), money, visitors; plain counts only as targets."""
    if f.unit in ("%",) or _is_money(f.unit):
        return True
    if f.unit and _VISITORS.search(f.unit):
        return True
    if f.denom is not None:
        return bool(f.unit and "chỉ tiêu" in f.unit.lower())
    return target and f.value_max is not None


def _dedupe(inds: list[Indicator], title_ids: set[int], qualifies: dict[int, Indicator]) -> list[Indicator]:
    """Drop repeats: the same figure twice (a title, lead or heading restating the body: the
    row that qualifies an amount is kept, else the first), and a title's rounded figure
    ("hơn 3.000 tỷ đồng", "vượt 60% dự toán") that the body states precisely (same metric and
    unit, within 5%). ``qualifies``: id(relation row) -> the row it qualifies."""
    stated = [(b.metric_key, b.unit, b.value, b.place_id) for b in inds if id(b) not in title_ids and b.value]
    inds = [i for i in inds if id(i) not in title_ids or i.value is None or not any(
        (k, u, p) == (i.metric_key, i.unit, i.place_id) and abs(v - i.value) <= 0.05 * abs(v)
        and not (v == i.value and u != "%")  # an exact repeat is merged below instead
        for k, u, v, p in stated)]

    def key(i: Indicator) -> tuple:
        return (i.metric_key, i.value, i.value_max, i.value_denominator, i.unit, i.place_id,
                i.relation_type, i.kind == "target")

    qualifying = {key(i) for i in inds if id(i) in qualifies}
    seen: dict[tuple, int] = {}
    out: list[Indicator] = []
    dropped: set[int] = set()
    for i in inds:
        k = key(i)
        if id(i) in qualifies:
            if id(qualifies[id(i)]) in dropped and k in seen:
                dropped.add(id(i))  # the restated amount's restated comparison
                continue
            seen.setdefault(k, len(out))
            out.append(i)  # each qualifies its own amount
            continue
        if k in qualifying and i.unit in ("%", "lần"):
            continue  # "giải ngân đạt 41% kế hoạch" restating "538 tỷ đồng, đạt 41% kế hoạch"
        if k in seen:  # the title or lead restates a body figure: keep what each adds
            dropped.add(id(i))
            kept = out[seen[k]]
            if kept.period_text is None and i.period_text is not None:
                kept.period_text, kept.period_start, kept.period_end = i.period_text, i.period_start, i.period_end
                kept.period_kind = i.period_kind
            continue
        seen[k] = len(out)
        out.append(i)
    return out


def _number(inds: list[Indicator], qualifies: dict[int, Indicator]) -> list[Indicator]:
    """Give the rows their ids (1, 2, ... in text order) and each relation row the id of the
    row it qualifies (none if that row was dropped as a repeat)."""
    ids = {}
    for n, i in enumerate(inds, 1):
        i.id = n
        ids[id(i)] = n
    for i in inds:
        q = qualifies.get(id(i))
        i.qualifies = ids.get(id(q)) if q is not None else None
    return inds


# between an amount and the comparison that follows it: ", tăng ", " bằng "
_CORE_BASES = BUDGET | PRODUCTION | MONEY
_OTHER_RATE = re.compile(r"cao hon|lon hon|nhieu hon|ca nuoc|thanh pho|toan quoc|binh quan chung|muc tang|toc do")
_RIGHT_AFTER = re.compile(r"\s*,?\s*(?:dat|bang|tang truong|tang|giam|vuot)?\s*")
_COMPARED = re.compile(r"(?:cung ky|so voi|nhiem ky)\s*$")


def _periods(s: str, sfold: str, published: date | None, ctx: Period | None,
             cands: list[int] | None = None, low: str | None = None) -> list[Period]:
    """Periods of the sentence, without those of comparisons ("so với cùng kỳ năm 2022")
    and terms of office ("nhiệm kỳ 2020-2025")."""
    out = []
    for p in periods_in(s, published, _year_hint(ctx), cands, low):
        pre = sfold[max(0, p.start_pos - 14):p.start_pos]
        if ("ky" in pre or "so voi" in pre) and _COMPARED.search(pre) or (
                p.text.endswith(("năm", "nay")) and p.text.lower().endswith(("cả năm", "năm nay"))
                and _PLAN_REF.search(pre)):
            continue  # "so với cùng kỳ năm 2022", "bằng 124% dự toán cả năm"
        if ("du toan" in pre or "ke hoach" in pre) and _PLAN_SHARE_REF.search(sfold, max(0, p.start_pos - 45),
                                                                           p.start_pos):
            continue  # "bằng 47% kế hoạch vốn năm 2021", "21,3% dự toán 6 tháng cuối năm": the plan's period
        if sfold.startswith("nhiem ky", p.start_pos) and not _PAST_TERM.match(
                sfold, p.start_pos) and _TERM_LABEL.search(sfold, max(0, p.start_pos - 60), p.start_pos) \
                and not (published and p.start and p.end and p.start[:4] < str(published.year)
                         and p.end[:4] <= str(published.year) and "dai hoi" in sfold[max(0, p.start_pos - 60):p.start_pos]):
            # "Đại hội ... lần thứ I, nhiệm kỳ 2025-2030", "HĐND khóa XX, nhiệm kỳ 2021-2026" (but "Nghị quyết
            # Đại hội nhiệm kỳ 2020-2025" in a 2025 congress report is the term under review)
            continue
        pre30 = sfold[max(0, p.start_pos - 30):p.start_pos]
        if ("phuong huong" in pre30 or "nhiem vu" in pre30 or "ke hoach" in pre30 or "trien khai" in pre30) \
                and _PLAN_BEFORE.search(pre30):
            p.plan = True  # "phương hướng nhiệm vụ 3 tháng cuối năm": not the period of a result
        out.append(p)
    return out


# levels (stocks, rates), not flows: within a term they are of its end
_LEVELS = frozenset({"per_capita_income", "poverty_rate", "grdp_per_capita", "businesses_active", "agri_value_per_ha"})
_AS_OF_MONTH = re.compile(r"(?i)(?:tính\s+)?đến\s+(?:hết\s+|cuối\s+)?tháng")
_FLOW_FAMILIES = frozenset({"budget", "production", "trade"})  # amounts per period (not stocks or levels)
_PLAN_REF = re.compile(r"(?:du toan|ke hoach)\s*$")
_PAST_TERM = re.compile(r"nhiem ky\s+(?:vua\s+)?qua|nhiem ky truoc")  # never a term label
_PLAN_SHARE_REF = re.compile(r"\d\s*%\s*(?:so voi\s+|cua\s+)?(?:du toan|ke hoach)(?:\s+von)?(?:\s+dau tu cong)?"
                             r"(?:\s+(?:duoc\s+)?giao|\s+thanh pho giao)?\s*(?:cua\s+|trong\s+)?$")
_TERM_LABEL = re.compile(r"(?:dai hoi|khoa [ivxl\d]+\b|hdnd|hoi dong nhan dan|ky hop|ban chap hanh|lan thu|dang bo"
                         r"|dai bieu|bau cu|bi thu|chu tich|uy vien)[^,.;:()]{0,45}?[\s,]*$")
_PLAN_BEFORE = re.compile(r"(?:phuong huong|(?<!thuc hien )nhiem vu|ke hoach|trien khai)(?:\s+\w+){0,3}\s*$")


def _year_hint(p: Period | None) -> int | None:
    if p and p.start and p.end and p.start[:4] == p.end[:4]:
        return int(p.start[:4])
    return None


def _pick_period(ps: list[Period], pos: int, real: list[Period] | None = None) -> Period | None:
    """The last period with bounds before ``pos``, else the first with bounds, else the first.
    ``real``: those of ``ps`` with bounds, if known."""
    if real is None:
        real = [p for p in ps if p.start or p.end]
    if not real:
        return ps[0] if ps else None
    before = [p for p in real if p.start_pos < pos]
    done = [p for p in before if not p.plan]
    return done[-1] if done else before[-1] if before else real[0]


def _own_clause(p: Period | None, ps: list[Period], pos: int, sfold: str) -> bool:
    """``p`` is printed in the clause of the figure at ``pos`` (no ';' between them), not
    inherited from another clause, sentence or the article."""
    if p is None or not any(q is p for q in ps):
        return False
    a, b = sorted((p.start_pos, pos))
    return ";" not in sfold[a:b]


def _later_elsewhere(p: Period | None, pos: int, sfold: str) -> bool:
    """``p`` is printed after the figure at ``pos``, in another clause ("...; riêng tháng 4
    thu 286 tỷ đồng", "(dự kiến hết quý III đạt 75%)"): not the figure's period."""
    if p is None or p.start_pos < pos:
        return False
    gap = sfold[pos:p.start_pos]
    return ";" in gap or "(" in gap or " rieng " in gap or " con " in gap


_AFTER_FIGURE = re.compile(r"\s*,?\s*(?:cua|trong|vao|nam)?\s*$")
_BASE_YEAR = re.compile(r"nam (\d{4})")
_EARLIER = re.compile(r"dau nhiem ky|nhiem ky truoc|giai doan truoc|khi (?:moi )?thanh lap|nam dau")


def _period_after(ps: list[Period], end: int, sfold: str) -> Period | None:
    """A period printed right after the figure ("90 tỷ đồng của năm 2004")."""
    for p in ps:
        if end <= p.start_pos <= end + 12 and (p.start or p.end) and _AFTER_FIGURE.fullmatch(sfold[end:p.start_pos]):
            return p
    return None


def _versus_earlier(rel_text: str | None, period: Period | None) -> bool:
    """The comparison is with a period other than the one before ("so với năm 2020" about
    2025, "so với đầu nhiệm kỳ"): growth over a span, not year on year."""
    if not rel_text:
        return False
    rf = fold(rel_text)
    if _EARLIER.search(rf):
        return True
    m = _BASE_YEAR.search(rf)
    if m is None or period is None or not period.end:
        return False
    return int(m.group(1)) < int(period.end[:4]) - 1


_LEAD_CLAUSE = re.compile(r"\s*(?:Theo|Tại|Ở|Trên địa bàn)\b")
_CLAUSE_MARK = re.compile(r"[,;:]")
_LEAD_MARK = re.compile(r"[,;:()–]")
_FORMER_AFTER = re.compile(r"\s+cũ\b")
_LEAD_ONLY = re.compile(r"[\s\-–•+“\"(]*(?:Theo|Tại|Ở|Trên địa bàn|Riêng|Với)\s*")
_ASIDE_AFTER = re.compile(r"\s*(?:[–—(]|-\s)")


def _recent_unit(hits: list[PlaceHit], hit_starts: list[int], pos: int, several: set[str],
                 body_start: int | None, para_start: int) -> tuple[Unit | None, bool]:
    """The last of the units ``several`` named in the body before ``pos``, and whether it was
    named before the paragraph at ``para_start``."""
    k = bisect_left(hit_starts, pos) - 1
    while k >= 0 and body_start is not None and hits[k].start >= body_start:
        if hits[k].unit.id in several:
            return hits[k].unit, hits[k].start < para_start
        k -= 1
    return None, False


def _place_for(text: str, hits: list[PlaceHit], s0: int, pos: int,
               primary: PlaceMention | None, subject: Unit | None = None,
               generic_starts: list[int] | None = None,
               recent: Unit | None = None) -> tuple[str | None, str | None]:
    """The unit the figure is about: named in its clause, in a leading "Theo/Tại ..." clause or
    at the start of the sentence; else (an article about several units in turn) the one of them
    named last before it (``recent``); else the article's primary unit. (None, "city") for a
    figure of the whole city or country."""
    inside = [h for h in hits if s0 <= h.start < pos]
    if len(inside) > 1:
        # "(huyện Phú Xuyên cũ)": a former unit named aside is not what the figure is about
        inside = [h for h in inside if "cũ" not in text[h.end:h.end + 5] or not _FORMER_AFTER.match(text, h.end)] \
            or inside
    if inside:
        first = inside[0]
        if first is not inside[-1] and _LEAD_ONLY.fullmatch(text, s0, first.start) \
                and _ASIDE_AFTER.match(text, first.end):
            # "Ở xã X – địa bàn hình thành từ các xã A, B (huyện C cũ) – ...": the unit the
            # sentence opens with; the others are named in an aside
            return first.unit.id, first.unit.name
        h = inside[-1]
        between = text[h.end:pos]
        lead_clause = _LEAD_CLAUSE.match(text[s0:h.start]) is not None
        if not _CLAUSE_MARK.search(between) or h.start - s0 < 40:
            return h.unit.id, h.unit.name
        if lead_clause:
            # "Ở xã X – địa bàn hình thành từ xã A (huyện B cũ) – ..., giá trị ... tăng 3,2%": the
            # unit the leading clause opens with, not the last one named in it
            first = inside[0]
            if first is not h and not _LEAD_MARK.search(text, s0, first.start):
                return first.unit.id, first.unit.name
            return h.unit.id, h.unit.name
    clause = text[max(s0, text.rfind(";", s0, pos) + 1):pos]
    if any(w in clause for w in _CITY_WORDS) and _city_subject(clause):
        return None, "city"  # "toàn thành phố Hà Nội mới giải ngân được 60,1%"
    if generic_starts is None:
        generic = [g.lower() for g in GENERIC_TYPE.findall(text, max(s0, pos - 120), pos)]
    else:
        generic = [m.group(1).lower() for m in
                   GENERIC_TYPE_SCAN.finditer_range(text, max(s0, pos - 120), pos, generic_starts)]
    if subject is not None and generic and primary is not None and generic[-1] != subject.type \
            and generic[-1] == primary.type:
        return primary.place_id, primary.name  # "... xã Hòa Xá ... Năm 2023, huyện phấn đấu ..."
    if subject is not None:
        return subject.id, subject.name
    if recent is not None and (not generic or generic[-1] == recent.type):
        return recent.id, recent.name  # "... được huyện Đan Phượng chú trọng. Năm 2021, huyện đã huy động ..."
    if primary:
        return primary.place_id, primary.name
    return None, None


GENERIC_TYPE = re.compile(r"(?<!\w)([Qq]uận|[Hh]uyện|[Tt]hị xã|[Pp]hường|[Xx]ã)(?!\s+[A-ZĐÂĂÊÔƠƯ])(?!\w)(?!\s+hội)")  # ("xã hội": society)
# (its candidates come from the token index: ``Anchored.token_candidates``)
GENERIC_TYPE_SCAN = Anchored(GENERIC_TYPE, ("quận", "huyện", "thị xã", "phường", "xã"))
CITY_SUBJECT = re.compile(r"(?:[Tt]oàn|[Cc]ả)\s+(?:thành phố|Thành phố|TP)|(?:thành phố|Thành phố|TP\.?)\s+Hà Nội\s+(?!giao)\w|"
                          r"(?:[Tt]oàn|[Cc]ả) (?:tỉnh|nước)|cấp xã của (?:thành phố|Thành phố|TP)"
                          # "9 tháng năm 2023, Hà Nội dẫn đầu ...": the city as the clause's subject
                          r"|(?:^|[,:]\s*)(?:Hà Nội|Thủ đô)\s+(?=[a-zđàáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ])"
                          # "tổng thu ngân sách của Hà Nội đạt ...": the city's
                          r"|của\s+(?:thành phố\s+|[Tt]hủ đô\s+|TP\.?\s*)?Hà Nội\b(?!\s+giao)")
_COMPARED_WITH = re.compile(r"(?i)(?:so\s+với|so|hơn|bằng|của|với|dẫn đầu)\s*$")


def _city_subject(clause: str) -> bool:
    """The clause is about the whole city or country ("toàn thành phố ...", "cả nước ..."), not
    merely compared with it ("cao hơn 1,9 lần so với cả nước")."""
    for m in CITY_SUBJECT.finditer(clause):
        if _COMPARED_WITH.search(clause, max(0, m.start() - 12), m.start()):
            continue
        if m.group(0)[:1] in ",:" and _CAPITAL_BEFORE.search(clause, max(0, m.start() - 20), m.start()):
            continue  # "huyện Sóc Sơn, Hà Nội ...": the city named after a unit, as its address
        if m.group(0)[:3] == "của" and _UNIT_OF_CITY.search(clause, max(0, m.start() - 16), m.start()):
            continue  # "một quận của Hà Nội thu ...": a unit of the city
        return True
    return False


_UNIT_OF_CITY = re.compile(r"(?i)(?:quận|huyện|phường|xã|thị xã|địa phương|đơn vị)\s*$")
_CAPITAL_BEFORE = re.compile(r"[A-ZĐ]\w*\s*$")


_CITY_WORDS = ("toàn", "Toàn", "cả", "Cả", "hành phố", "TP", "cấp xã của", "Hà Nội", "Thủ đô")  # every match of CITY_SUBJECT holds one
SUBJECT_START = 45  # a unit named this close to a sentence start is its subject
_SUBJECT_LEAD = re.compile(r"[\s\-–•+“\"(]*(?:(?:Riêng|Còn|Tại|Ở|Với|Theo|Trong đó|Đối với)\s*,?\s*)?"
                           r"(?:UBND\s+|Ủy ban nhân dân\s+)?")


def _subject(hits: list[PlaceHit], s0: int, s1: int, text: str) -> Unit | None:
    """The unit a sentence opens with ("Huyện Thạch Thất dẫn đầu ...", "Ba Vì giải ngân ...")."""
    for h in hits:
        if s0 <= h.start < min(s1, s0 + SUBJECT_START):
            lead = text[s0:h.start]
            if _SUBJECT_LEAD.fullmatch(lead):
                return h.unit
    return None
