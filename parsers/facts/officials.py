"""Officials: person names with their titles and organisations, in the orders papers use.

Input: prepared text, place hits and the article's places. Output: one ``OfficialMention``
per person (all roles kept, "nguyên" flagged).

Orders handled (a "role" is title + organisation, roles are joined by commas):
- A: role[, role...] NAME ...      "Bí thư Quận ủy, Chủ tịch HĐND quận Tây Hồ Lê Thị Thu Hằng"
- B: [ông|bà|đồng chí] NAME, role[, role...]   also with "–", "-" or "(" after the name
A name is 2-4 capitalised syllables starting with a Vietnamese surname, and never a place.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress

from ..facts_types import OfficialMention, PlaceMention
from .gazetteer import load
from .places import PlaceHit
from .text import Anchored, Tokens, fold, fold_key, norm_key, tone_normalize

SURNAMES = set(tone_normalize(s) for s in """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh
Trương Đinh Lâm Phùng Mai Tô Hà Tạ Lương Lưu Cao Kiều Chu Quách Thái Triệu Tăng Lại La Đàm
Tống Thân Khuất Khổng Nghiêm Nông Lò Hứa Mạc Doãn Giang Vi Kim Viên Bạch Lục Hầu Diệp
Châu Cù Đồng Ninh Âu Tiêu Hàn Bế Trình Phí Nhữ Đậu Lã Lữ Mạch Tôn Thạch Ma Giáp Đường
Khúc Bành Lạc Khương Cấn Chử Thiều Ứng Nhâm Sầm Mẫn Văn Tào Tiết Phó Lạng Lỗ Hán Đường Yên
Hoa Lục Âu Mẫn Khổng Lò Đèo Hàm Tòng Vàng Sùng Giàng Thào Quản Thiệu Vy Bạc Lành
Uông Ngọ Ân Bàn Biện Cái Cầm Chế Chiêm Chung Công Cung Diêm Dư Đan Đới Hạ Hạng Hồng Khiếu
Kha Lăng Mã Ngụy Nhan Quan Thịnh Từ Mông Lường Quàng Điêu Mùa Lầu Sình Chảo Ôn Khà
""".split())
PROVINCES = {norm_key(s) for s in """
An Giang|Bà Rịa - Vũng Tàu|Bà Rịa|Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|
Bình Định|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Cần Thơ|Đà Nẵng|Đắk Lắk|Đắk Nông|Điện Biên|
Đồng Nai|Đồng Tháp|Gia Lai|Hà Giang|Hà Nam|Hà Tĩnh|Hải Dương|Hải Phòng|Hậu Giang|Hòa Bình|
Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|Lâm Đồng|Lạng Sơn|Lào Cai|Long An|Nam Định|
Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|Quảng Nam|Quảng Ngãi|Quảng Ninh|
Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|Thừa Thiên Huế|Huế|
Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái|Hồ Chí Minh|Sài Gòn|Hà Tây
""".replace("\n", "").split("|") if s.strip()}
COMMON_SURNAMES = {tone_normalize(s) for s in
                   "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý".split()}
NOT_NAMES = {norm_key(s) for s in (
    "Hà Nội", "Việt Nam", "Trung ương", "Thủ đô", "Thành ủy", "Quốc hội", "Chính phủ",
    "Mặt trận", "Tổ quốc", "Hồ Chí Minh", "Đông Nam Á", "Đảng", "Nhà nước",
)}
_HEADS = [
    "Tổng Bí thư", "Bí thư", "Chủ tịch", "Chủ nhiệm", "Tổng Giám đốc", "Giám đốc",
    "Trưởng Ban", "Trưởng phòng", "Trưởng Công an", "Trưởng đoàn", "Trưởng khoa", "Trưởng thôn", "Trưởng Văn phòng",
    "Chánh Văn phòng", "Chánh án", "Chánh Thanh tra", "Viện trưởng",
    "Chi cục trưởng", "Cục trưởng", "Vụ trưởng", "Đội trưởng", "Hạt trưởng", "Trạm trưởng",
    "Ủy viên", "Thủ tướng", "Bộ trưởng", "Thứ trưởng", "Hiệu trưởng", "Chỉ huy trưởng",
    "Chính ủy", "Tư lệnh", "Tổ trưởng", "Đại biểu Quốc hội", "Đại biểu HĐND",
    "Thượng tướng", "Trung tướng", "Thiếu tướng", "Đại tá", "Thượng tá", "Trung tá",
    "Thiếu tá", "Tổng Thư ký", "Thư ký", "Trưởng", "Kế toán trưởng", "Người phát ngôn",
    "Chủ tịch nước",
]
# "Thành ủy viên, Bí thư ...": a membership before the first post, skipped when the name is
# looked for before the roles (not a title: "Quận ủy" would make every district party
# committee a title candidate)
_MEMBER_BEFORE = re.compile(r"(?i)\s*[–—-]?\s*(?:(?:thành|quận|huyện|thị|đảng)\s+[uủ]y\s+viên|TUV|ĐUV|QUV|HUV)\s*,\s*$")
# memberships and ranks: held with a post, never the title itself ("Ủy viên Bộ Chính trị, Bí
# thư Thành ủy": the title is "Bí thư"); a person with only these keeps the first
_MEMBERSHIP = re.compile(r"(?i)^(?:nguyên\s+)?(?:ủy viên|uỷ viên|thành ủy viên|quận ủy viên|huyện ủy viên|thị ủy viên"
                         r"|đảng ủy viên|đại biểu|thượng tướng|trung tướng|thiếu tướng|đại tướng|đại tá|thượng tá"
                         r"|trung tá|thiếu tá|uy vien|thanh uy vien|dai bieu|trung tuong|thieu tuong|dai ta)\b")
# abbreviated titles, upper case in the text, before the body they head ("PCT UBND quận")
_ABBREVIATED = {"pct": "Phó Chủ tịch", "ct": "Chủ tịch", "pbt": "Phó Bí thư", "bt": "Bí thư",
                "pgđ": "Phó Giám đốc", "gđ": "Giám đốc", "pgd": "Phó Giám đốc", "gd": "Giám đốc"}
_ABBR_RE = (r"(?:pct|pbt|pgđ|pgd|ct|bt|gđ|gd)(?=\s+(?:ubnd|hđnd|hdnd|ủy ban|uy ban|quận ủy|huyện ủy|thành ủy|đảng ủy"
            r"|quan uy|huyen uy|thanh uy|dang uy|mttq|sở|so|ban|hội|hoi|công ty|cong ty))")
_HEAD_RE = "|".join(sorted((re.escape(tone_normalize(h)) for h in _HEADS), key=len, reverse=True))
# without diacritics a lone "Truong" is as often "Trường" (a school) as "Trưởng": not a title there
_HEAD_PLAIN = "|".join(sorted((re.escape(fold(h)) for h in _HEADS if h != "Trưởng"), key=len, reverse=True))
# titles are matched on lower-cased text, without IGNORECASE and with "nguyên" checked apart:
# a Unicode case-insensitive alternation tried at every offset is the slowest step otherwise
_TITLE_LOW = re.compile(
    rf"(?<!\w)(?:quyền\s+)?(?:(?:phó\s+)?(?:{_HEAD_RE.lower()})(?:\s+(?:thường\s+trực|chuyên\s+trách))?|{_ABBR_RE})(?!\w)"
)
_FORMER = re.compile(r"\bnguyên\s+$")
# every title starts with "phó" or a head word
_TITLE_SCAN = Anchored(_TITLE_LOW, ("phó", "quyền", *_ABBREVIATED, *{tone_normalize(h).lower() for h in _HEADS}))


class _T:
    """A title match in the original text (start/end include a leading "nguyên")."""

    def __init__(self, text: str, s: int, e: int, former_start: int | None) -> None:
        self._text, self._s, self._e, self._f = text, s, e, former_start

    def start(self) -> int:
        return self._f if self._f is not None else self._s

    def end(self) -> int:
        return self._e

    def group(self, name: str) -> str | None:
        if name == "title":
            return self._text[self._s:self._e]
        return self._text[self._f:self._s] if self._f is not None else None


_NGUYEN = re.compile(r"nguyên\s+")
_NGUYEN_PLAIN = re.compile(r"nguyen\s+")
_TITLE_PLAIN = re.compile(rf"(?<!\w)(?:quyen\s+)?(?:pho\s+)?(?:{_HEAD_PLAIN})(?:\s+thuong\s+truc)?(?!\w)")
_FORMER_PLAIN = re.compile(r"\bnguyen\s+$")
_TITLE_SCAN_PLAIN = Anchored(_TITLE_PLAIN, ("pho", "quyen", *{fold(h) for h in _HEADS if h != "Trưởng"}))


def _title_search(text: str, low: str, pos: int, anchored: bool = False,
                  cands: list[int] | None = None, lex: _Lex | None = None) -> _T | None:
    """Find (or, anchored, match at ``pos``) a title, with "nguyên" before it; ``cands``:
    ``lex.title_scan.candidates(low)``, for a search; ``low``: the lower-cased text (the
    folded text for ``_PLAIN``)."""
    lex = lex or _ACCENTED
    if anchored:
        f = lex.former_re.match(low[pos:pos + 12])
        if f and lex.plain and not text[pos:pos + 1].islower():
            f = None  # "Nguyen" is a surname, "nguyen" is "nguyên"
        m = lex.title_re.match(low, pos + (f.end() if f else 0))
        if not m:
            return None
        return _T(text, m.start(), m.end(), pos if f else None)
    m = lex.title_re.search(low, pos) if cands is None else lex.title_scan.search(low, pos, cands)
    if not m:
        return None
    f = _FORMER.search(low, max(0, m.start() - 10), m.start()) if not lex.plain else (
        _FORMER_PLAIN.search(low, max(0, m.start() - 10), m.start()))
    if f and lex.plain and not text[f.start():f.start() + 1].islower():
        f = None
    return _T(text, m.start(), m.end(), f.start() if f else None)
WORD = re.compile(r"[^\W\d_]+")
HARD_STOP = re.compile(r"[.;:!?()\[\]\n“”\"]|\s[–—-]\s|\s[–—]|[–—]\s")
ORG_LOWER = set(norm_key(w) for w in """
ủy ban nhân dân quận huyện phường xã thị trấn thành phố bộ hành thường trực vụ kiểm tra
tổ quốc và đảng chấp đồng mặt trận văn phòng công an tỉnh trung ương khóa nhiệm kỳ
cơ sở chi đoàn thanh niên phụ nữ nông cựu chiến binh liên đoàn lao động tuyên giáo dân vận
tổ chức nội chính tài chính kế hoạch đầu tư y tế giáo dục đào tạo quản lý xây dựng
đô thị môi trường tư pháp thanh tra kinh tế số an ninh quân sự chỉ huy nước phủ
hiệp hội liên bệnh viện đại học sở ngành chuyên trách bộ phận tiểu văn kiện công tác nông thôn
thương mại dịch vụ văn hóa thông tin thể thao du lịch lao động thương binh xã hội nội vụ trị khoa
cục thuế hải quan kho bạc thống kê điều phối chi lễ hội chỉ đạo đoàn đại biểu tâm phục
""".split())
# an upper-case initial, accented ones included ("Ánh", "Ứng", "Ý")
_UP = "A-ZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
NEXT_PERSON = re.compile(rf"\b(?:và|cùng)\s+(?:ông|bà|đồng chí|anh|chị)\s+[{_UP}]")


@dataclass(frozen=True)
class _Lex:
    """The words officials are recognised by, for text with diacritics (``_ACCENTED``:
    titles on the lower-cased text, words compared with ``norm_key``) or without
    (``_PLAIN``: titles on the folded text, words compared folded; "Chu tich UBND quan
    Hoang Mai Nguyen Hong Son")."""
    plain: bool
    title_re: re.Pattern[str]
    title_scan: Anchored
    former_re: re.Pattern[str]
    surnames: frozenset[str]
    common_surnames: frozenset[str]
    not_names: frozenset[str]
    provinces: frozenset[str]
    org_lower: frozenset[str]

    def key(self, s: str) -> str:
        return fold_key(s) if self.plain else norm_key(s)

    def surname(self, w: str) -> bool:
        return (fold(w) if self.plain else w) in self.surnames


_ACCENTED = _Lex(False, _TITLE_LOW, _TITLE_SCAN, _NGUYEN, frozenset(SURNAMES), frozenset(COMMON_SURNAMES),
                 frozenset(NOT_NAMES), frozenset(PROVINCES), frozenset(ORG_LOWER))
_PLAIN = _Lex(True, _TITLE_PLAIN, _TITLE_SCAN_PLAIN, _NGUYEN_PLAIN, frozenset(map(fold, SURNAMES)),
              frozenset(map(fold, COMMON_SURNAMES)), frozenset(map(fold_key, NOT_NAMES)),
              frozenset(map(fold_key, PROVINCES)), frozenset(map(fold_key, ORG_LOWER)))


def _title_words(heads: list[str]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """The folded first word of the one-word titles, and the folded first two words of the
    others and of "phó" + a title: a title match starts at a token whose word is one of the
    first, or whose word and the next are one of the second."""
    words = [fold(tone_normalize(h)).split() for h in heads]
    singles = frozenset(w[0] for w in words if len(w) == 1)
    pairs = frozenset({(w[0], w[1]) for w in words if len(w) >= 2} | {("pho", w[0]) for w in words})
    return singles, pairs


def _with_prefixes(words: tuple[frozenset[str], frozenset[tuple[str, str]]]) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Abbreviations start a title alone; "quyền" before any title."""
    singles, pairs = words
    return singles | {fold(a) for a in _ABBREVIATED} | {"quyen"}, pairs


_TITLE_WORDS = {False: _with_prefixes(_title_words(_HEADS)),
                True: _with_prefixes(_title_words([h for h in _HEADS if h != "Trưởng"]))}


def _title_candidates(tokens: Tokens, lex: _Lex) -> list[int]:
    """``lex.title_scan.token_candidates(tokens)`` without the tokens that cannot start a
    title for the word after them ("giảm" not before "đốc", "phố" not before a title; most
    of them): each is one failed match less for ``_title_search``."""
    singles, pairs = _TITLE_WORDS[lex.plain]
    words, starts = tokens.words, tokens.starts
    last = len(words) - 1
    return [starts[i] for i in compress(range(len(words)), map(lex.title_scan.first_words.__contains__, words))
            if words[i] in singles or (i < last and (words[i], words[i + 1]) in pairs)]
PERSON_INTRO = re.compile(r"(?:\b(?:ông|bà|anh|chị|đồng chí|đ/c|các đồng chí)\s*:?\s*)$", re.IGNORECASE)
PERSON_INTRO_PLAIN = re.compile(r"(?:\b(?:ong|ba|anh|chi|dong chi|d/c|cac dong chi)\s*:?\s*)$", re.IGNORECASE)


class _Hits(list):
    """Place hits in text order, with their start offsets and longest span (for ``_overlaps``)."""

    def __init__(self, hits: list[PlaceHit]) -> None:
        super().__init__(hits)
        self.starts = [h.start for h in hits]
        self.span = max((h.end - h.start for h in hits), default=0)


def _overlaps(hits: list[PlaceHit], s: int, e: int) -> bool:
    """Some hit overlaps text[s:e]."""
    if isinstance(hits, _Hits):  # only hits starting in (s - longest span, e) can overlap
        lo, hi = bisect_left(hits.starts, s - hits.span), bisect_left(hits.starts, e)
        return any(hits[j].end > s for j in range(lo, hi))
    return any(h.start < e and s < h.end for h in hits)


@dataclass
class _Person:
    name: str
    roles: list[tuple[str, str | None, bool]]  # (title, organisation, former)
    start: int
    sentence: str


def _cap_words(text: str, start: int, end: int) -> list[tuple[str, int, int]]:
    # (the spans taken in C: one call per word instead of three)
    return [(text[a:b], a, b) for a, b in map(_SPAN, WORD.finditer(text, start, end))]


_SPAN = re.Match.span


def _is_cap(w: str) -> bool:
    return w[0].isupper()


def _name_at_end(text: str, run: list[tuple[str, int, int]], hits: list[PlaceHit],
                 lex: _Lex | None = None) -> tuple[int, int] | None:
    """The person name ending a run of capitalised words, as (start, end) offsets."""
    lex = lex or _ACCENTED
    best: tuple[int, int, str] | None = None
    for k in range(min(4, len(run)), 1, -1):
        first = run[-k]
        if not lex.surname(first[0]):
            continue
        s, e = first[1], run[-1][2]
        if lex.key(text[s:e]) in lex.not_names or _overlaps(hits, s, e):
            continue
        prefix = run[:-k]
        if not prefix or _is_place(" ".join(w for w, _, _ in prefix), lex.plain):
            return s, e
        if lex.key(text[s:e]) in lex.provinces:
            continue
        common = (fold(first[0]) if lex.plain else first[0]) in lex.common_surnames
        best_common = best is not None and (fold(best[2]) if lex.plain else best[2]) in lex.common_surnames
        if best is None or (common and not best_common):
            best = (s, e, first[0]) if best is None or common else best
    return (best[0], best[1]) if best else None


@lru_cache(maxsize=4096)
def _is_place(words: str, plain: bool = False) -> bool:
    lex = _PLAIN if plain else _ACCENTED
    key = lex.key(words)
    if key in lex.not_names or key.endswith(("hà nội", "việt nam", "ha noi", "viet nam")):
        return True
    if any(key.endswith(p) for p in lex.provinces):
        return True
    parts = words.split()
    g = load()
    return any(g.by_fold(" ".join(parts[i:])) for i in range(len(parts)))


def _run_before(text: str, end: int) -> list[tuple[str, int, int]]:
    """Capitalised words immediately before ``end`` (separated by single spaces)."""
    words = _cap_words(text, max(0, end - 60), end)
    run: list[tuple[str, int, int]] = []
    pos = end
    for w in reversed(words):
        if text[w[2]:pos].strip() or not _is_cap(w[0]):
            break
        run.insert(0, w)
        pos = w[1]
    return run


def _split_role(text: str, s: int, e: int, title_end: int, hits: list[PlaceHit],
                allow_name: bool, lex: _Lex | None = None) -> tuple[str | None, tuple[int, int] | None]:
    """Organisation after a title in text[title_end:e] and, for order A, a trailing name."""
    lex = lex or _ACCENTED
    words = _cap_words(text, title_end, e)
    org_words: list[tuple[str, int, int]] = []
    i = 0
    while i < len(words):
        w = words[i]
        if _is_cap(w[0]):
            j = i
            while j + 1 < len(words) and _is_cap(words[j + 1][0]) and not text[words[j][2]:words[j + 1][1]].strip():
                j += 1
            run = words[i:j + 1]
            if allow_name and not (len(run) == 2 and org_words and fold(org_words[-1][0]) in _TYPE_BEFORE_NAME
                                   and run[0][1] - org_words[-1][2] == 1 and run[0][0] not in lex.common_surnames
                                   and fold(run[0][0]) not in lex.common_surnames):
                # (two words right after "huyện", "quận" ... not opening with a common surname are a unit's
                # name, known or not: "UBND huyện Từ Liêm"; "HĐND quận Nguyễn Anh Cường" is a person)
                nm = _name_at_end(text, run, hits, lex)
                if nm and (j + 1 == len(words) or not _is_cap(words[j + 1][0])):
                    org_words += [x for x in run if x[2] <= nm[0]]
                    org = text[org_words[0][1]:org_words[-1][2]] if org_words else None
                    return _clean_org(org), nm
            org_words += run
            i = j + 1
            continue
        if lex.key(w[0]) in lex.org_lower or (fold(w[0]) in ("uy",)):
            org_words.append(w)
            i += 1
            continue
        if org_words and allow_name and (fm := _FILLER.match(text, w[1])) is not None:
            # "nguyên Bí thư Quận ủy X qua các thời kỳ Trần Văn A": words between the body and
            # the name
            while i < len(words) and words[i][1] < fm.end():
                i += 1
            continue
        break
    org = text[org_words[0][1]:org_words[-1][2]] if org_words else None
    return _clean_org(org), None


_TYPE_BEFORE_NAME = frozenset({"quan", "huyen", "phuong", "xa", "tran", "tinh", "pho"})
_FILLER = re.compile(r"(?i)(?:qua\s+)?(?:các|những)\s+(?:thời\s+kỳ|nhiệm\s+kỳ|khóa|khoá)\s+(?=[A-ZĐ])")


_ORG_TAIL = re.compile(r"(?:\s+(?:và|của|tại|cùng|nhiệm kỳ|khóa|khoá))+$")


def _clean_org(org: str | None) -> str | None:
    if not org:
        return None
    org = _ORG_TAIL.sub("", org.strip(" ,"))
    return org or None


def _clauses(text: str, start: int, lex: _Lex | None = None) -> tuple[int, int]:
    """Start and end of the text span around ``start`` bounded by hard stops."""
    lex = lex or _ACCENTED
    pos = start
    while True:
        m = HARD_STOP.search(text, pos)
        if not m:
            return start, len(text)
        nxt = text[m.end():m.end() + 30].lstrip()
        # "Trưởng phòng Tài chính - Kế hoạch quận ...": a dash inside a department's name
        if m.group().strip() in "-–—" and nxt[:1].isupper() and text[m.start() - 1:m.start()].isalpha() \
                and not lex.title_re.match(fold(nxt) if lex.plain else nxt.lower()) and _prev_cap(text, m.start()):
            pos = m.end()
            continue
        return start, m.start()


_LETTERS = re.compile(r"[^\W\d_]+")


def _prev_cap(text: str, pos: int) -> bool:
    """One of the two words before ``pos`` is capitalised ("Tài chính - Kế hoạch")."""
    words = _LETTERS.findall(text[max(0, pos - 30):pos])[-2:]
    return any(w[0].isupper() for w in words)


_NAMED_BEFORE = re.compile(r"(?i)\b(?:ông|bà|anh|chị|đồng chí)\s+(?:\S+\s+){0,3}\S+,\s*$")


def find_officials(text: str, folded: str, hits: list[PlaceHit],
                   places: list[PlaceMention], tokens: Tokens | None = None,
                   low: str | None = None) -> list[OfficialMention]:
    """Every titled person, merged per normalised name."""
    people: list[_Person] = []
    hits = _Hits(sorted(hits, key=lambda h: h.start))
    pos = 0
    n = len(text)
    lex = _PLAIN if folded[:3000] == text[:3000].lower() else _ACCENTED  # no diacritics: _PLAIN
    if lex.plain:
        low = folded
    elif low is None:
        low = text.lower()
        if len(low) != len(text):  # a character whose lower case is longer: keep offsets exact
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    scan = lex.title_scan
    title_starts = scan.candidates(low) if tokens is None else _title_candidates(tokens, lex)
    while pos < n:
        m = _title_search(text, low, pos, cands=title_starts, lex=lex)
        if not m:
            break
        t0 = m.group("title")
        if t0[:6].lower() in ("quyền ", "quyen "):
            t0 = t0[6:].lstrip()
        if t0.lower() in _ABBREVIATED and not t0.isupper():
            pos = m.end()
            continue  # "ct", "bt" in running text are not titles
        if not t0[0].isupper() and not m.group("former"):
            # lower-case titles are common words: only after "nguyên" or "bà X, phó chủ tịch ..."
            if not _NAMED_BEFORE.search(
                             text[max(0, m.start() - 50):m.start()]):
                pos = m.end()
                continue
        chain_start = m.start()
        _, stop = _clauses(text, m.end(), lex)
        roles: list[tuple[str, str | None, bool]] = []
        name_span = None
        cur = m
        # what this pass reads, for ``_recut_roles`` to reuse: the organisation of each part
        # (title end, part end) -> org, and the title matched at an offset
        orgs: dict[tuple[int, int], str | None] = {}
        titles: dict[int, _T | None] = {}
        while True:
            part_end = text.find(",", cur.end(), stop)
            part_end = stop if part_end < 0 else part_end
            org, nm = _split_role(text, cur.start(), part_end, cur.end(), hits, allow_name=True, lex=lex)
            orgs[(cur.end(), part_end)] = org  # (with a name found there is no recut)
            roles.append((_title(cur.group("title")), org, bool(cur.group("former"))))
            if nm:
                name_span = nm
                break
            if NEXT_PERSON.search(text, cur.end(), part_end):
                break  # "..., nguyên Bí thư Huyện ủy và bà Trần Thị Hoa, nguyên ...": a new person
            if part_end >= stop:
                # "Bí thư Đảng ủy - Chủ tịch HĐND phường X Lê Minh Khoa": two posts joined by a dash
                dash = _DASH_JOIN.match(text, stop) if text[stop:stop + 2].lstrip()[:1] in _DASHES else None
                nxt = _title_search(text, low, dash.end(), anchored=True, lex=lex) if dash else None
                if nxt is None:
                    break
                _, stop = _clauses(text, nxt.end(), lex)
                cur = nxt
                continue
            q = _skip_link(text, part_end + 1)
            nxt = titles[q] = _title_search(text, low, q, anchored=True, lex=lex)
            if not nxt or nxt.start() >= stop:
                break
            cur = nxt
        end_pos = name_span[1] if name_span else cur.end()
        if name_span is None:
            name_span = _name_before(text, chain_start, hits, lex)
            if name_span:
                roles = _recut_roles(text, low, chain_start, stop, hits, lex, orgs, titles)
            elif (after := _INTRO_AFTER.match(text, part_end)) is not None:
                name_span = _name_after(text, after.end(), hits, lex)
                if name_span:
                    end_pos = name_span[1]
        if name_span and name_span[1] == end_pos and text[end_pos:end_pos + 1] == "," \
                and all(_MEMBERSHIP.match(r[0]) for r in roles):
            # "Thiếu tướng Trần Quốc Hưng, UVTV Thành ủy, Giám đốc CATP": a rank before the name, the
            # posts after it
            more, after = _roles_after(text, low, name_span[1], hits, lex)
            if more:
                roles, end_pos = roles + more, after
        if name_span:
            sent = _sentence(text, name_span[0])
            people.append(_Person(text[name_span[0]:name_span[1]], roles, name_span[0], sent))
            if name_span[1] == end_pos:  # (the name after the roles)
                for other in _names_sharing(text, low, name_span[1], hits, lex):
                    people.append(_Person(text[other[0]:other[1]], list(roles), other[0], sent))
                    end_pos = other[1]
        pos = max(end_pos, m.end())
    p = low.find("theo ")
    while p >= 0:  # "Theo ông Đỗ Văn Khải, ...": an official quoted by name
        m = _QUOTED_BY_NAME.match(text, p) if low.startswith(_QUOTED_NEXT, p + 5) else None
        p = low.find("theo ", p + 5)
        if m is None:
            continue
        nm = _name_after(text, m.end(), hits, lex)
        if nm and text[nm[1]:nm[1] + 1] == ",":
            people.append(_Person(text[nm[0]:nm[1]], [], nm[0], _sentence(text, nm[0])))
    return _merge(people, hits, places)


_QUOTED_BY_NAME = re.compile(r"(?<!\w)[Tt]heo\s+(?:lời\s+)?(?:ông|bà|đồng chí)\s+(?=[" + _UP + r"])")
_QUOTED_NEXT = ("ông", "bà", "đồng", "lời")
_UNIT_WORDS = (" quận", " huyện", " phường", " xã", " Quận", " Huyện", " Phường", " Xã")
_DASH_JOIN = re.compile(r"\s*[–—-]\s*")
_DASHES = ("-", "–", "—")
# memberships written short, skipped between the posts after a name: "UVTV Thành ủy", "TUV"
_MEMBER_ABBR = re.compile(r"\s*,\s*(?:UVTV|UV\s?BTV|UVBTV|TUV|ĐUV|HUV|QUV|ĐB|ĐBQH)(?:\s+[^,.;()]{0,40})?(?=,)")


def _roles_after(text: str, low: str, pos: int, hits: list[PlaceHit],
                 lex: _Lex) -> tuple[list[tuple[str, str | None, bool]], int]:
    """The posts printed after a name at ``pos`` (", Giám đốc Công an thành phố, ..."), past
    memberships written short; and where they end."""
    roles: list[tuple[str, str | None, bool]] = []
    while len(roles) < 4:
        mb = _MEMBER_ABBR.match(text, pos)
        if mb is not None:
            pos = mb.end()
            continue
        if text[pos:pos + 1] != ",":
            break
        q = _skip_link(text, pos + 1)
        t = _title_search(text, low, q, anchored=True, lex=lex)
        if t is None:
            break
        _, stop = _clauses(text, t.end(), lex)
        part_end = text.find(",", t.end(), stop)
        part_end = stop if part_end < 0 else part_end
        org, _ = _split_role(text, t.start(), part_end, t.end(), hits, allow_name=False, lex=lex)
        roles.append((_title(t.group("title")), org, bool(t.group("former"))))
        pos = part_end
    return roles, pos


_NAME_LIST_SEP = re.compile(r"\s*(?:,\s*(?:và\s+)?|\s+và\s+)(?=[" + _UP + r"])")


def _names_sharing(text: str, low: str, pos: int, hits: list[PlaceHit], lex: _Lex) -> list[tuple[int, int]]:
    """Names listed after the one at ``pos`` that share its roles ("nguyên Bí thư Quận ủy X
    Trần Văn A, Nguyễn Thị B"): each a name (a surname and one to three capitalised words)
    that no title follows."""
    out: list[tuple[int, int]] = []
    while len(out) < 6:
        sep = _NAME_LIST_SEP.match(text, pos)
        if sep is None:
            break
        if _title_search(text, low, sep.end(), anchored=True, lex=lex) is not None:
            break  # "..., Phó Chủ tịch Nguyễn Thị B": a title, not a name
        nm = _name_after(text, sep.end(), hits, lex)
        if nm is None:
            break
        rest = text[nm[1]:nm[1] + 3]
        if rest[:1].isalnum() or rest.lstrip(" ")[:1] in ("(", "-", "–"):
            break  # a longer name, or one with its own role ("Trần Văn B - Phó Chủ tịch")
        q = _skip_link(text, nm[1] + 1) if text[nm[1]:nm[1] + 1] == "," else None
        if q is not None and _title_search(text, low, q, anchored=True, lex=lex) is not None:
            break  # "..., Trần Văn B, Phó Chủ tịch ...": B has a title of his own
        out.append(nm)
        pos = nm[1]
    return out


def _recut_roles(text: str, low: str, start: int, stop: int,
                 hits: list[PlaceHit], lex: _Lex | None = None,
                 orgs: dict[tuple[int, int], str | None] | None = None,
                 titles: dict[int, _T | None] | None = None) -> list[tuple[str, str | None, bool]]:
    """The roles of the chain at ``start`` read again without looking for a name in them.
    ``orgs``, ``titles``: what the first pass read (``find_officials``), reused where this
    pass reads the same part: its organisation is the same when that pass found no name in
    it (``_split_role`` then never stopped early), and an anchored title at an offset is the
    same match."""
    roles = []
    pos = start
    while pos < stop:
        q = _skip_link(text, pos)
        if titles is not None and q in titles:
            m = titles[q]
        else:
            m = _title_search(text, low, q, anchored=True, lex=lex)
        if not m or m.start() >= stop:
            break
        part_end = text.find(",", m.end(), stop)
        part_end = stop if part_end < 0 else part_end
        key = (m.end(), part_end)
        if orgs is not None and key in orgs:
            org = orgs[key]
        else:
            org, _ = _split_role(text, m.start(), part_end, m.end(), hits, allow_name=False, lex=lex)
        roles.append((_title(m.group("title")), org, bool(m.group("former"))))
        tail = text[m.end():part_end]
        if org is not None and len(tail.strip()) > len(org) + 1:
            break  # the role phrase ended inside this part ("... Hà Nội dự hội nghị")
        pos = part_end + 1
    return roles


LINK = re.compile(r"\s*(?:(?:nay|hiện|đồng thời|sau đó|trước đó)\s+là|kiêm|và)?\s*", re.IGNORECASE)


def _skip_link(text: str, pos: int) -> int:
    """Skip the words that join two roles: ", nay là Chủ tịch ...", ", kiêm ..."."""
    m = LINK.match(text, pos)
    return m.end() if m else pos


_CANON = {norm_key(h): h for h in _HEADS}


@lru_cache(maxsize=4096)
def _title(t: str) -> str:
    """Canonical spelling of a title: "Phó bí thư thường trực" -> "Phó Bí thư Thường trực"
    (cached: articles repeat a few titles)."""
    words = " ".join(t.split())
    if fold(words) in _ABBREVIATED or words.lower() in _ABBREVIATED:
        return _ABBREVIATED.get(words.lower()) or _ABBREVIATED[fold(words)]
    if norm_key(words).startswith(("quyền ", "quyen ")):
        return words[:6].lower() + _title(words[6:].strip())
    prefix, rest = "", words
    if norm_key(words).startswith("phó "):
        prefix, rest = "Phó ", words[4:]
    suffix = ""
    if norm_key(rest).endswith(" thường trực"):
        rest, suffix = rest[: -len(" thường trực")], " Thường trực"
    elif norm_key(rest).endswith(" chuyên trách"):
        rest, suffix = rest[: -len(" chuyên trách")], " Chuyên trách"
    return prefix + _CANON.get(norm_key(rest), rest[0].upper() + rest[1:]) + suffix


_NAME_SEP = re.compile(r"(\S)\s*(?:,|\(|[–—-])\s*$")
_LA = r"(?:(?:nay|hiện|hiện nay|đang)?\s*là|(?:được\s+(?:[^\W\d]+\s+){0,3})?(?:giữ|làm|đảm nhiệm)(?:\s+chức(?:\s+(?:danh|vụ))?)?)"
_NAME_LA = re.compile(r"(\S)\s+" + _LA + r"\s*$")
_MEMBER_LA = re.compile(r"(?i)\s*,\s*(?:(?:thành|quận|huyện|thị|đảng)\s+[uủ]y\s+viên|TUV|ĐUV|QUV|HUV)\s*,\s*"
                        + _LA + r"\s*$")
_INTRO_LA = re.compile(rf"\b(?:[Ôô]ng|[Bb]à|[Aa]nh|[Cc]hị|[Đđ]ồng chí)\s+(?:[{_UP}]\w*\s+){{1,3}}[{_UP}]\w*\s+" + _LA + r"\s*$")
# "Chủ tịch UBND huyện X, ông Nguyễn Văn A, cho biết": the name after the roles
_INTRO_AFTER = re.compile(rf"\s*,?\s*(?:ông|bà|đồng chí)\s+(?=[{_UP}])")


def _name_after(text: str, pos: int, hits: list[PlaceHit], lex: _Lex) -> tuple[int, int] | None:
    """The 2-4 capitalised words at ``pos`` when they start with a surname (after "ông")."""
    words = []
    for w, a, b in _cap_words(text, pos, min(len(text), pos + 60)):
        if (words and text[words[-1][2]:a].strip()) or not _is_cap(w):
            break
        words.append((w, a, b))
        if len(words) == 4:
            break
    if len(words) < 2 or not lex.surname(words[0][0]):
        return None
    s, e = words[0][1], words[-1][2]
    if lex.key(text[s:e]) in lex.not_names or _overlaps(hits, s, e):
        return None
    return s, e


def _name_before(text: str, chain_start: int, hits: list[PlaceHit],
                 lex: _Lex | None = None) -> tuple[int, int] | None:
    lex = lex or _ACCENTED
    before = text[max(0, chain_start - 80):chain_start]
    mb = _MEMBER_BEFORE.search(before) if ("viên" in before[-20:] or "UV" in before[-8:]) else None
    if mb is None and ("viên" in before or "UV" in before):
        # "đồng chí X, Thành ủy viên, giữ chức Bí thư ...": the membership, then the verb
        mb = _MEMBER_LA.search(before)
    if mb is not None:  # "Đồng chí X - Thành ủy viên, Bí thư ...": the name is before the membership
        chain_start -= len(before) - mb.start()
        before = text[max(0, chain_start - 80):chain_start]
        if not before.rstrip().endswith((",", "-", "–", "(")):
            before += " -"
    m = _NAME_SEP.search(before)
    if not m:  # "anh Nguyễn Văn Nam nay là Bí thư ...": only after ông/bà/anh/chị/đồng chí
        m = _NAME_LA.search(before)
        if not m or not _INTRO_LA.search(before):
            return None
    end = max(0, chain_start - 80) + m.start(1) + 1
    run = _run_before(text, end)
    if not run or len(run) > 6:
        run = run[-4:]
    # "ông X", "đồng chí X": the run is the name; else it must start with a surname
    for k in range(min(4, len(run)), 1, -1):
        sub = run[-k:]
        s, e = sub[0][1], sub[-1][2]
        if lex.key(text[s:e]) in lex.not_names or _overlaps(hits, s, e):
            continue
        intro = (PERSON_INTRO_PLAIN if lex.plain else PERSON_INTRO).search(text[max(0, s - 20):s])
        if lex.surname(sub[0][0]) and (intro or k == len(run)):
            return s, e
        if intro and k == len(run):
            return s, e
    return None


def _sentence(text: str, pos: int) -> str:
    s = max(text.rfind(". ", 0, pos), text.rfind("\n", 0, pos))
    e_candidates = [x for x in (text.find(". ", pos), text.find("\n", pos)) if x >= 0]
    e = min(e_candidates) + 1 if e_candidates else len(text)
    return text[s + 1:e].strip()[:500]


def _main_role(roles: list[tuple[str, str | None, bool]]) -> tuple[str | None, str | None, bool]:
    """The title of a person: the first current post that is not a membership or a rank,
    else the first former post, else the first role."""
    posts = [r for r in roles if not _MEMBERSHIP.match(r[0])]
    current = [r for r in posts if not r[2]]
    return (current or posts or roles or [(None, None, False)])[0]


_POLICE_CITY = re.compile(r"(?:CATP|CA\s?TP|Công an (?:TP\.?|thành phố|Thành phố))(?:\s+Hà Nội)?(?:\s+và\s.*)?$")
_BARE_UNIT_END = re.compile(r"(?i)(?<=\w )(quận|huyện|phường|xã)$")
_TP = re.compile(r"\bTP\.?(?=\s|$)")
_CITY_BODY = re.compile(r"(?i)^(?:Thành ủy|Thành uỷ|(?:UBND|HĐND|Ủy ban MTTQ Việt Nam|Ủy ban Mặt trận Tổ quốc Việt Nam"
                        r"|Ủy ban nhân dân|Hội đồng nhân dân|Công an|Bộ Chỉ huy Quân sự) thành phố)$")
_BARE_BODY = re.compile(r"(?i)^(?:(?P<district>Quận ủy|Quận uỷ|Huyện ủy|Huyện uỷ|Thị ủy|Thị uỷ)"
                        r"|(?:UBND|HĐND|Ủy ban nhân dân|Hội đồng nhân dân|Đảng ủy|Đảng uỷ|Ủy ban MTTQ(?: Việt Nam)?)"
                        r"(?:\s+(?P<type>quận|huyện|thị xã|phường|xã|thị trấn))?)$")
_UNIT_IN_ORG = re.compile(r"(?i)\b(quận|huyện|thị xã|phường|xã|thị trấn)\s+([A-ZĐÂĂÊÔƠƯ][^\s,;]*(?:\s+[A-ZĐÂĂÊÔƠƯ][^\s,;]*)*)")
_TYPE_OF_BODY = {"quận ủy": "quận", "quận uỷ": "quận", "huyện ủy": "huyện", "huyện uỷ": "huyện",
                 "thị ủy": "thị xã", "thị uỷ": "thị xã"}


# the body a national title belongs to when the text names none
_NATIONAL_BODY = {"tong bi thu": "Ban Chấp hành Trung ương Đảng", "thu tuong": "Chính phủ",
                  "chu tich nuoc": "Nhà nước"}


def _complete_org(org: str | None, title: str | None, roles: list[tuple[str, str | None, bool]],
                  places: list[PlaceMention]) -> str | None:
    """The organisation with its level spelt out: "UBND TP" -> "UBND thành phố Hà Nội",
    "Thành ủy" -> "Thành ủy Hà Nội", "Đảng ủy" of a person who also chairs "HĐND phường X"
    -> "Đảng ủy phường X", "Quận ủy" -> "Quận ủy <the article's district>"; "Trưởng Ban" of
    "Tuyên giáo Thành ủy" -> "Ban Tuyên giáo Thành ủy Hà Nội"."""
    if not org:
        return _NATIONAL_BODY.get(fold(title or ""))
    if org[:2] in ("CA", "Cô") and _POLICE_CITY.match(org):
        return "Công an thành phố Hà Nội"  # "Giám đốc CATP"
    org = _TP.sub("thành phố", org)
    if title and fold(title).endswith("truong ban") and not fold(org).startswith("ban "):
        org = "Ban " + org
    elif title and fold(title).endswith("truong phong") and not fold(org).startswith("phong "):
        org = "Phòng " + org  # "Trưởng phòng Kinh tế phường" -> "Phòng Kinh tế phường ..."
    if org.endswith(_UNIT_WORDS) and _BARE_UNIT_END.search(org):  # "Phòng Kinh tế phường": the article's unit
        typ = _BARE_UNIT_END.search(org).group(1).lower()
        prim = [p for p in places if p.is_primary and p.type == typ]
        if len(prim) == 1:
            org = f"{org} {prim[0].name}"
    if _CITY_BODY.match(org) or (fold(org).endswith(("thanh uy", "thanh pho")) and "ha noi" not in fold(org)):
        return org + " Hà Nội"
    bare = _BARE_BODY.match(org)
    if bare is None:
        return org
    typ = bare.group("type") or _TYPE_OF_BODY.get(bare.group("district").lower() if bare.group("district") else "")
    for _, other, _ in roles:  # the unit another role of the person names
        m = _UNIT_IN_ORG.search(other or "")
        if m and (typ is None or m.group(1).lower() == typ):
            head = org if bare.group("type") else f"{org} {m.group(1).lower()}" if not bare.group("district") else org
            return f"{head} {m.group(2)}"
    prim = [p for p in places if p.is_primary and (typ is None or p.type == typ)]
    if len(prim) == 1:
        p = prim[0]
        if bare.group("district") or bare.group("type"):
            return f"{org} {p.name}"
        return f"{org} {p.type} {p.name}"
    return org


def _merge(people: list[_Person], hits: list[PlaceHit], places: list[PlaceMention]) -> list[OfficialMention]:
    out: dict[str, OfficialMention] = {}
    all_roles: dict[str, list[tuple[str, str | None, bool]]] = {}
    ids = {h.unit.id for h in hits}
    memo: dict[str, str | None] = {}
    for p in people:
        key = fold(p.name).replace(" ", "-")
        roles = [f"{'nguyên ' if f else ''}{t}{' ' + o if o else ''}" for t, o, f in p.roles]
        place_id = _role_place(p, hits, places, ids, memo)
        if key not in out:
            out[key] = OfficialMention(name=p.name, title=None, organisation=None, roles=roles,
                                       place_id=place_id, sentence=p.sentence)
            all_roles[key] = list(p.roles)
            continue
        o = out[key]
        for r in roles:
            if norm_key(r) not in {norm_key(x) for x in o.roles}:
                o.roles.append(r)
        all_roles[key] += [r for r in p.roles if r not in all_roles[key]]
        o.place_id = o.place_id or place_id
    for key, o in out.items():
        title, org, former = _main_role(all_roles[key])
        o.title, o.is_former = title, bool(former)
        o.organisation = _complete_org(org, title, all_roles[key], places)
    return list(out.values())


def _org_place(org: str, ids: set[str]) -> str | None:
    """The first unit of ``ids`` named in ``org`` (longest name first at each word)."""
    g = load()
    words = org.split()
    for i in range(len(words)):
        for L in range(min(4, len(words) - i), 0, -1):
            for u in g.by_fold(" ".join(words[i:i + L])):
                if u.id in ids:
                    return u.id
    return None


_UNIT_BODY = re.compile(r"(?i)\b(quận|huyện|thị xã|phường|xã|thị ủy)\b")


def _role_place(p: _Person, hits: list[PlaceHit], places: list[PlaceMention],
                ids: set[str] | None = None, memo: dict[str, str | None] | None = None) -> str | None:
    """The unit named in the person's organisations, else the article's primary unit for
    district/ward bodies ("Quận ủy", "UBND quận") that name none. ``ids``: the units of
    ``hits``; ``memo``: organisation -> unit, for one article (several people share one)."""
    if ids is None:
        ids = {h.unit.id for h in hits}
    for _, org, _ in p.roles:
        if not org:
            continue
        if memo is None or org not in memo:
            found = _org_place(org, ids)
            if memo is None:
                if found:
                    return found
                continue
            memo[org] = found
        if memo[org]:
            return memo[org]
    for _, org, _ in p.roles:
        if org and _UNIT_BODY.search(org):
            prim = [pl for pl in places if pl.is_primary]
            if len(prim) == 1:
                return prim[0].place_id
    return None
