"""Vietnamese numbers, periods and relations.

- ``parse_number("30.054,4") -> 30054.4``; "1.402" -> 1402; "12,1" -> 12.1; "0.36" -> 0.36.
- ``scale_unit(value, "nghìn tỷ đồng") -> (value * 1000, "tỷ đồng")``.
- ``parse_period("6 tháng đầu năm 2023", published) -> Period``.
- ``parse_relation("đạt 40% dự toán") -> ("share_of_plan", 40.0)``.
Nothing here raises on odd input: it returns None.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from .text import Anchored, fold


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


@lru_cache(maxsize=4096)
def parse_number(s: str) -> float | None:
    """A number in Vietnamese (or English) formatting, or None (cached by the number as
    written: an article repeats few distinct ones)."""
    if s.isdigit() and s.isascii():
        return float(s)
    s = s.strip().replace(" ", "")
    if not s or not _NUMBER.fullmatch(s):
        return None
    dots, commas = s.count("."), s.count(",")
    try:
        if dots and commas:
            if s.rfind(",") > s.rfind("."):  # 30.054,4
                return float(s.replace(".", "").replace(",", "."))
            return float(s.replace(",", ""))  # 1,402.5 (English)
        if dots:
            groups = s.split(".")
            if all(len(g) == 3 for g in groups[1:]):
                return float(s.replace(".", ""))  # 1.402 / 12.153.000
            return float(s) if dots == 1 else None
        if commas:
            groups = s.split(",")
            if commas > 1:
                return float(s.replace(",", "")) if all(len(g) == 3 for g in groups[1:]) else None
            return float(s.replace(",", "."))  # 12,1 (Vietnamese decimal comma)
        return float(s)
    except ValueError:
        return None


_SCALES = {"nghin": 1e3, "ngan": 1e3, "trieu": 1e6, "ty": 1e9, "ti": 1e9}


def scale_unit(value: float | None, unit: str | None) -> tuple[float | None, str | None]:
    """Normalise "22 nghìn tỷ đồng" to 22000 "tỷ đồng"; "12 nghìn người" to 12000 "người"."""
    if unit is None or value is None:
        return value, unit
    factor, new = _scale(unit)
    return value * factor if factor != 1 else value, new


@lru_cache(maxsize=1024)
def _scale(unit: str) -> tuple[int, str]:
    """(multiplier, normalised unit) of a unit as written."""
    value = 1
    words = unit.split()
    f = [fold(w) for w in words]
    if len(f) >= 2 and f[0] in ("nghin", "ngan") and f[1] in ("ty", "ti"):
        return value * 1000, " ".join(["tỷ"] + words[2:]) if len(words) > 2 and f[2:] != ["dong"] else "tỷ đồng"
    if len(f) >= 2 and f[0] in ("nghin", "ngan") and f[1] == "trieu":
        return value * 1000, " ".join(["triệu"] + words[2:]) if len(words) > 2 else "triệu đồng"
    if f[0] in ("ty", "ti") and (len(f) == 1 or f[1:] == ["dong"]):  # "tỷ", "tỷ đồng", "ty dong"
        return value, "tỷ đồng"
    if f[0] in ("ty", "ti"):
        return value, " ".join(["tỷ"] + words[1:])
    return value, unit


@dataclass
class Period:
    text: str
    start: str | None
    end: str | None
    start_pos: int = 0
    kind: str | None = None  # facts_types.PERIOD_KINDS
    plan: bool = False  # the period of a plan ("phương hướng nhiệm vụ quý IV"), not of a result


def span_kind(a: date, b: date) -> str:
    """The kind of a period from day ``a`` to day ``b``: a calendar quarter, half-year, nine
    months or year when it is one ("từ 1/7 đến 31/12/2025" is the second half-year), else a
    range."""
    if a.day == 1 and a.year == b.year and b == date(b.year, b.month, calendar.monthrange(b.year, b.month)[1]):
        n = b.month - a.month + 1
        if n == 1:
            return "month"
        if a.month == 1 or (n in (3, 6) and (a.month - 1) % n == 0):
            return months_kind(n) if n != 1 else "month"
    return "range"


def months_kind(n: int) -> str:
    """The period kind of "n tháng [đầu/cuối] năm"."""
    return {3: "quarter", 6: "half_year", 9: "nine_months", 12: "year"}.get(n, "year_to_date")


REFORM_DAY = date(2025, 7, 1)  # the two-tier local government (new wards and communes) starts
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_DM = r"(?P<{d}>\d{{1,2}})\s*/\s*(?P<{m}>\d{{1,2}})(?:\s*/\s*(?P<{y}>(?:19|20)\d\d))?"
PERIOD = re.compile(
    r"(?P<range>từ\s+(?:ngày\s+)?" + _DM.format(d="rd1", m="rm1", y="ry1")
    + r"\s*(?:đến|tới|-|–)\s*(?:(?:hết\s+)?ngày\s+)?(?:(?P<rnow>nay|hiện nay)|" + _DM.format(d="rd2", m="rm2", y="ry2") + r"))"
    r"|(?P<mrange>từ\s+tháng\s+(?P<mr1>\d{1,2})(?:\s*/\s*(?P<mry1>(?:19|20)\d\d))?\s*(?:đến|tới|-|–)\s*"
    r"(?:(?P<mrnow>nay|hiện nay)|(?:hết\s+)?(?:tháng\s+)?(?P<mr2>\d{1,2})(?:\s*/\s*(?P<mry2>(?:19|20)\d\d))?)(?!\d|\s*/\s*\d{1,2}\b))"
    r"|(?P<asofdate>(?:tính\s+)?đến\s+(?:hết\s+)?ngày\s+" + _DM.format(d="ad", m="am", y="ay") + r")"
    r"|(?P<asofmonth>(?:tính\s+)?đến\s+(?:hết\s+|cuối\s+)?tháng\s+(?P<amm>\d{1,2})(?:\s*/\s*(?P<amy>(?:19|20)\d\d))?)"
    r"|(?P<asofnow>tính\s+đến\s+(?:nay|thời điểm này|hiện tại)|đến\s+nay|hiện\s+nay"
    r"|(?<!\w)(?<!thực )hiện(?=\s+(?:vẫn\s+|còn\s+)?(?:chiếm|đạt|là)\b))"
    r"|(?P<pastterm>nhiệm kỳ\s+(?:vừa\s+)?qua|nhiệm kỳ trước|cả nhiệm kỳ|giai đoạn\s+(?:vừa\s+)?qua)"
    r"|(?P<span>(?:(?:giai đoạn|nhiệm kỳ|thời kỳ|kế hoạch 5 năm|từ năm)\s+(?P<y1>(?:19|20)\d\d)\s*[-–]\s*"
    r"|từ năm\s+(?P<y1b>(?:19|20)\d\d)\s+(?:đến|tới)\s+(?:hết\s+)?(?:năm\s+)?)(?P<y2>(?:19|20)\d\d))"
    # "từ khi vận hành mô hình chính quyền địa phương hai cấp", "năm đầu thực hiện mô hình 2 cấp", "sau
    # hơn 5 tháng vận hành": since 1 July 2025 (the reform)
    r"|(?P<reform>(?:(?:kể\s+)?từ khi|sau khi|năm đầu)\s+(?:chính thức\s+)?(?:vận hành|thực hiện|triển khai|áp dụng"
    r"|hoạt động theo)\s+mô hình\s+(?:tổ chức\s+)?(?:chính quyền\s+)?(?:địa phương\s+)?(?:2|hai)\s+cấp"
    r"|sau\s+(?P<rq>hơn\s+|gần\s+)?(?P<rn>\d|một|hai|ba|bốn|năm|sáu)\s+tháng\s+(?:chính thức\s+)?(?:vận hành|hoạt động)"
    r"(?:\s+mô hình)?(?:\s+chính quyền)?(?:\s+địa phương)?(?:\s+(?:2|hai)\s+cấp)?)"
    # "ngày 1 tháng 7 năm 2025": a date, not "1 tháng" nor the year
    r"|(?P<date>\d{1,2}\s+tháng\s+\d{1,2}(?!\d|[.,]\d)(?:\s+năm\s+(?:19|20)\d\d)?)"
    r"|(?P<months>(?P<n>\d{1,2}|hai|ba|bốn|sáu|bảy|tám|chín|mười(?: một| hai)?)\s+tháng(?:\s+(?P<pos>đầu|cuối))?(?:\s+(?:năm|của năm))?(?:\s*(?P<my>(?:19|20)\d\d))?)"
    r"|(?P<since>từ năm\s+(?P<sy>(?:19|20)\d\d)(?:\s+(?:đến nay|tới nay))?)"
    r"|(?P<nyears>\d{1,2}\s+năm(?:\s+qua)?(?!\s*\d))"
    r"|(?P<toq>(?:(?:tính\s+)?đến\s+)?hết\s+quý\s+(?P<tq>iv|iii|ii|i|[1-4])(?![\w])"
    r"(?:\s*(?:[-/]|năm)\s*(?P<tqy>(?:19|20)\d\d))?)"
    r"|(?P<quarter>quý\s+(?P<q>iv|iii|ii|i|[1-4])(?![\w])(?:\s*(?:[-/]|năm)\s*(?P<qy>(?:19|20)\d\d))?)"
    r"|(?P<months2>tháng\s+(?P<tm1>\d{1,2})\s*(?:và|đến|tới|-|–)\s*(?:tháng\s+)?(?P<tm2>\d{1,2})"
    r"\s*/\s*(?P<tmy>(?:19|20)\d\d))"
    r"|(?P<month>tháng\s+(?P<m>\d{1,2})(?:\s*/\s*|\s+năm\s+)(?P<mmy>(?:19|20)\d\d))"
    r"|(?P<month1>(?<!từ )tháng\s+(?P<m1>\d{1,2})(?!\d|\s*[/–-]|[.,]\d))"  # "riêng tháng 3" (not "từ tháng 3")
    r"|(?P<ytd>từ đầu năm(?:\s+(?P<ytdy>(?:19|20)\d\d))?(?:\s+(?:đến nay|tới nay))?)"
    r"|(?P<until>đến năm\s+(?P<uy>(?:19|20)\d\d))"
    r"|(?P<year>(?:cả\s+)?năm\s+(?P<y>(?:19|20)\d\d))"
    r"|(?P<thisyear>(?:cả\s+)?năm nay|cả năm)",
)  # matched on lower-cased text (a Unicode IGNORECASE alternation is slow)
_MONTH_WORDS = {"hai": 2, "ba": 3, "bốn": 4, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10, "mười một": 11,
                "mười hai": 12}  # ("năm tháng" is left out: "năm" is as often the year)
# every alternative of PERIOD starts with one of these or with "N tháng", "N năm" (digits or words),
# "hiện chiếm / đạt / là", "hết quý"
# (few literals: each is one scan of the text, and a literal that is not there costs as much as
# one that is; "từ " and "đến " stand for "từ năm", "từ 1/7", "đến hết", "đến nay" ...)
PERIOD_SCAN = Anchored(PERIOD, (
    "giai đoạn", "nhiệm kỳ", "thời kỳ", "kế hoạch 5 năm", "từ ", "quý", "tháng", "cả", "năm",
    "tính đến", "đến ", "hiện nay", "kể từ", "sau ",
), re.compile(r"\d(?=\d?\s+(?:tháng|năm))|(?<!\w)(?:hai|ba|bốn|sáu|bảy|tám|chín|mười)(?=\s+(?:một\s+|hai\s+)?tháng)"
              r"|(?<!\w)(?<!thực )hiện(?=\s+(?:vẫn\s+|còn\s+)?(?:chiếm|đạt|là)\b)|(?<!\w)hết(?=\s+quý)"))
# (the words of ``start_class`` are found from the token index by ``indicators``: few texts
# have them, and a literal that is not there costs a scan of the text)


_LEADING_INT = re.compile(r"\d+")


def _iso(y: int, m: int, d: int) -> str:
    return date(y, m, d).isoformat()


def _month_end(y: int, m: int) -> str:
    return _iso(y, m, calendar.monthrange(y, m)[1])


def _default_year(published: date | None, start_month: int, context_year: int | None) -> int | None:
    if context_year:
        return context_year
    if published is None:
        return None
    y = published.year
    return y - 1 if date(y, start_month, 1) > published else y


def lower_same_length(text: str) -> str:
    """``text.lower()``, but a character whose lower case is longer is kept (offsets stay)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low


def periods_in(text: str, published: date | None, context_year: int | None = None,
               cands: list[int] | None = None, low: str | None = None) -> list[Period]:
    """Every period expression in ``text`` with ISO bounds where they are well defined.
    ``cands``: where a period may start (``PERIOD_SCAN``), if already known; ``low``:
    ``lower_same_length(text)``, if already known."""
    out: list[Period] = []
    if cands is not None and not cands:
        return out
    if low is None:
        low = lower_same_length(text)
    if cands is None and not any(w in low for w in ("năm", "tháng", "quý", "kỳ", "đoạn", "đến", "hiện")):
        return out
    for m in PERIOD_SCAN.finditer(low, cands):
        key = (m.group(0), published, context_year)
        bounds = _BOUNDS.get(key)
        if bounds is None:
            try:
                p = _period(m, published, context_year)
                bounds = (p.start, p.end, p.kind)
            except ValueError:
                bounds = (None, None, None)
            if len(_BOUNDS) > 8192:
                _BOUNDS.clear()
            _BOUNDS[key] = bounds
        if bounds[2] != "date":
            out.append(Period(text[m.start():m.end()].strip(), bounds[0], bounds[1], m.start(), bounds[2]))
    return out


# (matched lower-case text, published, context year) -> ISO bounds and kind: which alternative of
# PERIOD matched, and so the bounds, depend only on these (no alternative looks past its end
# in a way another could not)
_BOUNDS: dict[tuple[str, date | None, int | None], tuple[str | None, str | None, str | None]] = {}


def _day(d: str, m: str, y: str | None, published: date | None, cy: int | None) -> date | None:
    """A printed day ("2/6", "31/12/2025"), the year from the text, the context or the
    publication date (one year back if the day would fall after publication)."""
    day, month = int(d), int(m)
    if y:
        return date(int(y), month, day)
    year = _default_year(published, month, cy)
    if year is None:
        return None
    out = date(year, month, day)
    if published is not None and not cy and out > published:
        out = date(year - 1, month, day)
    return out


def _period(m: re.Match[str], published: date | None, cy: int | None) -> Period:
    t = m.group(0).strip()
    if m.group("range"):
        a = _day(m.group("rd1"), m.group("rm1"), m.group("ry1") or m.group("ry2"), published, cy)
        if m.group("rnow"):
            b = published
        else:
            b = _day(m.group("rd2"), m.group("rm2"), m.group("ry2"), published, a.year if a else cy)
        if a is None or b is None:
            return Period(t, a.isoformat() if a else None, b.isoformat() if b else None, kind="range")
        return Period(t, a.isoformat(), b.isoformat(), kind=span_kind(a, b))
    if m.group("mrange"):  # "từ tháng 3 đến nay", "từ tháng 7 đến tháng 10/2025"
        m1 = int(m.group("mr1"))
        y = int(m.group("mry1") or m.group("mry2") or 0) or _default_year(published, m1, cy)
        if y is None or not 1 <= m1 <= 12:
            return Period(t, None, None, kind="range")
        a = date(y, m1, 1)
        if m.group("mrnow"):
            b = published
        else:
            m2 = int(m.group("mr2"))
            if not m1 <= m2 <= 12:
                return Period(t, None, None, kind="range")
            b = date.fromisoformat(_month_end(y, m2))
        if b is None or b < a:
            return Period(t, a.isoformat(), None, kind="range")
        return Period(t, a.isoformat(), b.isoformat(), kind=span_kind(a, b))
    if m.group("asofdate"):
        d = _day(m.group("ad"), m.group("am"), m.group("ay"), published, cy)
        return Period(t, None, d.isoformat() if d else None, kind="as_of")
    if m.group("asofmonth"):
        mo = int(m.group("amm"))
        y = int(m.group("amy")) if m.group("amy") else _default_year(published, mo, cy)
        return Period(t, None, _month_end(y, mo) if y else None, kind="as_of")
    if m.group("asofnow"):
        return Period(t, None, published.isoformat() if published else None, kind="as_of")
    if m.group("pastterm"):
        if published is None:
            return Period(t, None, None, kind="multi_year")
        return Period(t, _iso(published.year - 5, 1, 1), _iso(published.year, 12, 31), kind="multi_year")
    if m.group("span"):
        y1 = int(m.group("y1") or m.group("y1b"))
        return Period(t, _iso(y1, 1, 1), _iso(int(m.group("y2")), 12, 31), kind="multi_year")
    if m.group("reform"):
        if published is None or published < REFORM_DAY:
            return Period(t, None, None)
        end = published if published < date(2025, 12, 1) else date(2025, 12, 31)
        if t.lower().startswith("năm đầu") and end.month == 12:
            # "trong năm đầu thực hiện mô hình hai cấp" in a year-end report: the year 2025 as a
            # whole (its growth is on the year before), not the months since 1 July
            return Period(t, _iso(2025, 1, 1), _iso(2025, 12, 31), kind="year")
        n = m.group("rn")
        if n and not m.group("rq"):  # "sau một tháng vận hành": July 2025
            n = int(n) if n.isdigit() else _MONTH_WORDS.get(n, {"một": 1, "năm": 5}.get(n, 0))
            if 1 <= n <= 6:
                end = date.fromisoformat(_month_end(2025, 6 + n))
        return Period(t, REFORM_DAY.isoformat(), end.isoformat(), kind=span_kind(REFORM_DAY, end))
    if m.group("date"):
        return Period(t, None, None, kind="date")  # (dropped by ``periods_in``)
    if m.group("months"):
        n = int(m.group("n")) if m.group("n").isdigit() else _MONTH_WORDS[m.group("n")]
        if not m.group("n").isdigit() and "năm" not in t.lower() and not m.group("my"):
            return Period(t, None, None)  # "hai tháng đầu vận hành": not months of a year
        if not 1 <= n <= 12:
            return Period(t, None, None)
        first = 12 - n + 1 if (m.group("pos") or "").lower() == "cuối" else 1
        kind = months_kind(n) if first == 1 or n in (3, 6) else "range"
        y = int(m.group("my")) if m.group("my") else _default_year(published, first, cy)
        if first > 1 and not m.group("my") and not cy and published is not None and published.month >= 4:
            y = published.year  # "6 tháng cuối năm" in a mid-year report: the months still to come
        if y is None:
            return Period(t, None, None, kind=kind)
        return Period(t, _iso(y, first, 1), _month_end(y, first + n - 1), kind=kind)
    if m.group("toq"):  # "(đến) hết quý III": from the start of the year
        q = ROMAN[m.group("tq").lower()]
        y = int(m.group("tqy")) if m.group("tqy") else _default_year(published, 3 * q - 2, cy)
        if y is None:
            return Period(t, None, None, kind=months_kind(3 * q))
        return Period(t, _iso(y, 1, 1), _month_end(y, 3 * q), kind=months_kind(3 * q))
    if m.group("months2"):  # "tháng 7 và tháng 8/2025"
        y, m1, m2 = int(m.group("tmy")), int(m.group("tm1")), int(m.group("tm2"))
        if not 1 <= m1 < m2 <= 12:
            return Period(t, None, None)
        a, b = date(y, m1, 1), date.fromisoformat(_month_end(y, m2))
        return Period(t, a.isoformat(), b.isoformat(), kind=span_kind(a, b))
    if m.group("quarter"):
        q = ROMAN[m.group("q").lower()]
        y = int(m.group("qy")) if m.group("qy") else _default_year(published, 3 * q - 2, cy)
        if y is None:
            return Period(t, None, None, kind="quarter")
        return Period(t, _iso(y, 3 * q - 2, 1), _month_end(y, 3 * q), kind="quarter")
    if m.group("month"):
        y, mo = int(m.group("mmy")), int(m.group("m"))
        return Period(t, _iso(y, mo, 1), _month_end(y, mo), kind="month")
    if m.group("month1"):
        mo = int(m.group("m1"))
        y = _default_year(published, mo, cy) if 1 <= mo <= 12 else None
        if y is None:
            return Period(t, None, None, kind="month")
        return Period(t, _iso(y, mo, 1), _month_end(y, mo), kind="month")
    if m.group("ytd"):
        y = int(m.group("ytdy")) if m.group("ytdy") else (published.year if published else None)
        if y is None:
            return Period(t, None, None, kind="year_to_date")
        end = published.isoformat() if published and published.year == y else _iso(y, 12, 31)
        return Period(t, _iso(y, 1, 1), end, kind="year_to_date")
    if m.group("since"):
        y = int(m.group("sy"))
        return Period(t, _iso(y, 1, 1), published.isoformat() if published else None, kind="multi_year")
    if m.group("nyears"):
        n = int(_LEADING_INT.match(t).group(0))
        if published is not None and t.lower().endswith("qua") and 1 < n <= 10:
            # "5 năm qua" in a 2025 report: 2020 ... 2025, like "nhiệm kỳ qua"
            return Period(t, _iso(published.year - n, 1, 1), _iso(published.year, 12, 31), kind="multi_year")
        return Period(t, None, None, kind="multi_year")
    if m.group("until"):
        return Period(t, None, _iso(int(m.group("uy")), 12, 31), kind="as_of")
    if m.group("year"):
        y = int(m.group("y"))
        return Period(t, _iso(y, 1, 1), _iso(y, 12, 31), kind="year")
    if m.group("thisyear"):
        y = cy or (published.year if published else None)
        if y is None:
            return Period(t, None, None, kind="year")
        return Period(t, _iso(y, 1, 1), _iso(y, 12, 31), kind="year")
    return Period(t, None, None)


def parse_period(text: str, published: date | None = None) -> Period | None:
    """The first period expression in ``text``, or None."""
    ps = periods_in(text, published)
    return ps[0] if ps else None


RELATION = re.compile(
    r"(?P<verb>đạt|bằng|vượt|tăng|giảm|tăng trưởng|hoàn thành|thực hiện)?\s*(?:trên|hơn|gần|khoảng)?\s*"
    r"(?P<num>\d+(?:[.,]\d+)*)\s*(?P<unit>%|lần)\s*(?P<ref>(?:so\s+(?:với|cùng)\s+)?"
    r"(?:cùng kỳ|dự toán|kế hoạch|KH|chỉ tiêu|năm trước|năm\s+\d{4}|mục tiêu))?",
    re.IGNORECASE,
)


@lru_cache(maxsize=1024)
def relation_type(verb: str | None, ref: str | None, unit: str = "%") -> str | None:
    """Classify a relation phrase by its verb and reference."""
    v = fold(verb or "")
    r = fold(ref or "")
    plan = any(w in r for w in ("du toan", "ke hoach", "kh", "chi tieu", "muc tieu"))
    if unit == "lần":
        return "multiple"
    if not plan and v in ("dat", "bang") and ("cung ky" in r or "nam truoc" in r or "so voi nam" in r
                                               or r.startswith("so nam")):
        return "ratio_yoy"  # "bằng 135,4% so cùng kỳ": the level, as a percentage of last year's
    if v.startswith("vuot"):
        return "above_plan"
    if v.startswith("giam"):
        return "decline_yoy"
    if v.startswith("tang"):
        return "growth_yoy"
    if plan or v in ("dat", "bang", "hoan thanh", "thuc hien"):
        return "share_of_plan"
    if "cung ky" in r or "nam" in r:
        return "growth_yoy"
    return None


def parse_relation(s: str) -> tuple[str | None, float | None]:
    """("share_of_plan", 40.0) for "đạt 40% dự toán"; (None, None) when none is found."""
    m = RELATION.search(s)
    if not m:
        return None, None
    return relation_type(m.group("verb"), m.group("ref"), m.group("unit")), parse_number(m.group("num"))
