"""Places named in an article: gazetteer matching with the 1 July 2025 reform date rule.

Input: the prepared text (NFC, tone-normalised), its fold, the publication date. Output:
``PlaceHit`` per match and ``PlaceMention`` per unit.

Rules (why, in short):
- "quận/huyện/thị xã/phường/xã/thị trấn X" and "Quận ủy/Huyện ủy/Thị ủy X" name unit X; lists
  ("các phường A, B và C") carry the type forward.
- A name is matched whatever its diacritics (all, some, none) and tone placement, but the
  written letters must agree with the gazetteer ("phương" is not "phường").
- Units in force at the publication date win; the other era is the fallback ("quận Ba Đình"
  in 2026 is the former district, "phường Ba Đình" in 2024 the future ward).
- A bare name (no type) counts only if it has 2+ syllables, is capitalised, is not part of a
  street/building/organisation name ("phố Tây Sơn", "Bệnh viện Đa khoa Đống Đa"), and
  resolves to one unit that the article also names with its type, or is an old
  district-level unit in an article dated before the reform.
- A unit followed by another province ("xã Tân Lập, huyện X, tỉnh Y") is not Hanoi's.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import compress, islice
from functools import lru_cache
from datetime import date

from ..facts_types import PlaceMention
from .gazetteer import DISTRICT_TYPES, REFORM, WARD_TYPES, Gazetteer, Unit, in_force, load
from .text import Tokens, consistent, norm_key

TOKEN = re.compile(r"\w+")
TYPE_WORDS: dict[tuple[str, ...], tuple[str, str]] = {
    # folded tokens -> (canonical written form, unit type)
    ("quan",): ("quận", "quận"),
    ("huyen",): ("huyện", "huyện"),
    ("thi", "xa"): ("thị xã", "thị xã"),
    ("phuong",): ("phường", "phường"),
    ("xa",): ("xã", "xã"),
    ("thi", "tran"): ("thị trấn", "thị trấn"),
    ("quan", "uy"): ("quận ủy", "quận"),
    ("huyen", "uy"): ("huyện ủy", "huyện"),
    ("thi", "uy"): ("thị ủy", "thị xã"),
}
ABBREVIATIONS = {"q": "quận", "h": "huyện", "tx": "thị xã", "p": "phường", "x": "xã", "tt": "thị trấn"}
_TYPE_FIRST = {k[0] for k in TYPE_WORDS} | set(ABBREVIATIONS)
# Words that make the following capitalised name a street, building or organisation.
BLOCKERS = {
    "pho", "duong", "ngo", "ngach", "hem", "dai lo", "cau", "cho", "ho", "song", "nui",
    "ben", "ga", "khu", "kdt", "lang", "thon", "xom", "benh vien", "truong", "thpt", "thcs",
    "tieu hoc", "mam non", "dai hoc", "cong ty", "tap doan", "ngan hang", "sieu thi",
    "dinh", "chua", "den", "nut giao", "tuyen", "cum", "san", "nha", "vuon", "quoc gia",
    "hop tac xa", "htx", "da khoa", "ban quan ly", "to dan pho", "khu do thi", "tpcp",
    "bv", "ctcp", "tnhh", "clb", "cau lac bo", "doi bong", "hoi", "giai",
    "huong ve", "ve phia", "qua", "nga tu", "nga ba", "thanh co", "lang co",
    "phu", "tran",  # historic units: "phủ Quốc Oai, trấn Sơn Tây"
}
PROVINCE_AFTER = re.compile(  # ", huyện Vũ Thư", " (tỉnh Thái Bình)": same sentence, name capitalised
    r"^[ \t]*[,(–-]?[ \t]*(?:(?:[Hh]uyện|[Qq]uận|[Tt]hị xã|[Tt]hành phố|TP\.?)[ \t]+"
    r"(?P<name>[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÓÒỎÕỌÉÈẺẼẸÝ][^\W\d_]*(?:[ \t]+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÓÒỎÕỌÉÈẺẼẸÝ][^\W\d_]*){0,3})"
    r"|[Tt]ỉnh[ \t]+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÓÒỎÕỌÉÈẺẼẸÝ])"
)


@dataclass
class PlaceHit:
    unit: Unit
    start: int
    end: int
    typed: bool
    address: bool = False  # a district named right after a ward, as its address ("xã X (huyện Y)")


def _tokens(folded: str) -> list[tuple[str, int, int]]:
    """(token, start, end) of every ``TOKEN``."""
    return Tokens(folded).toks


@lru_cache(maxsize=8192)
def _agrees(written: str, name: str) -> bool:
    """``written`` is ``name`` with some or all diacritics dropped (hyphens/spaces aside)."""
    written = written.replace("–", "-").replace("—", "-")
    return consistent(written.replace("-", " "), name.replace("-", " ")) or consistent(written, name)


def _capitalised(text: str, toks: list[tuple[str, int, int]], lower_doc: bool) -> bool:
    if lower_doc:
        return True
    return all(text[s].isupper() or text[s].isdigit() for _, s, _ in toks)


def _pick(units: list[Unit], types: tuple[str, ...], when: date | None,
          districts_seen: set[str]) -> Unit | None:
    cands = [u for u in units if u.type in types]
    if not cands:
        return None
    now = [u for u in cands if in_force(u, when)]
    pool = now or cands
    if len(pool) > 1:
        by_parent = [u for u in pool if u.parent_id in districts_seen]
        pool = by_parent if len(by_parent) == 1 else pool
    if len(pool) > 1:
        news = [u for u in pool if u.new]
        pool = news if len(news) == 1 else pool
    return pool[0] if len(pool) == 1 else None


def _other_province(text: str, end: int, g: Gazetteer) -> bool:
    m = PROVINCE_AFTER.match(text[end:end + 60])
    if not m:
        return False
    name = m.group("name")
    if name is None:
        return True  # "tỉnh ..."
    name = name.strip()
    if name.lower().startswith("hà nội") or name.lower().startswith("ha noi"):
        return False
    words = name.split()
    return not any(g.by_fold(" ".join(words[:k])) for k in range(len(words), 0, -1))


def _blocked(folded: str, toks: list[tuple[str, int, int]], i: int, text: str) -> bool:
    """Is the name starting at token i part of a street/building/organisation name?"""
    j = i - 1
    capital_run = 0
    items = 0  # list items passed ("các cây cầu Long Biên, Chương Dương, Thanh Trì")
    while j >= 0 and capital_run <= 4:
        w, s, e = toks[j]
        gap = folded[e:toks[j + 1][1]].strip(" -")
        if gap not in ("",):
            if gap == "," and (capital_run or j == i - 1) and items < 8 and text[s].isupper():
                items, capital_run = items + 1, 0  # the item before in a list of names
            else:
                return False  # punctuation in between: a new phrase starts
        elif w == "va" and (capital_run or j == i - 1) and items < 8 and j > 0 and text[toks[j - 1][1]].isupper():
            items, capital_run = items + 1, 0  # "..., Vĩnh Tuy và Thanh Trì"
            j -= 1
            continue
        for n in (2, 1) if not items or not text[s].isupper() else ():  # (in a list: "Chương Dương")
            if j - n + 1 >= 0 and " ".join(t[0] for t in toks[j - n + 1:j + 1]) in BLOCKERS:
                # a list of streets, bridges ... is one only after a plural ("các cây cầu",
                # "những tuyến phố", "nhiều khu đô thị"): "cầu Vĩnh Tuy, Long Biên đã ..." names
                # the district after the bridge
                return not items or _PLURAL.search(folded, max(0, toks[j - n + 1][1] - 12),
                                                   toks[j - n + 1][1]) is not None
        if not text[s].isupper():
            return False
        capital_run += 1
        j -= 1
    return False


_PLURAL = re.compile(r"\b(?:cac|nhung|nhieu|hai|ba|bon|nam)(?: (?:cay|tuyen|con|ngoi))?\s*$")


_COMMA_GAP = re.compile(r"\s*,\s*")
_LIST_INTRO = re.compile(r"\s*:\s*")
_LIST_WORDS = frozenset({"nhu", "gom"})
# a unit's former district in brackets inside a list: "Trung Liệt (quận Đống Đa cũ), và Thành Công"
_ASIDE = re.compile(r"\s*\((?:quan|huyen|thi xa)\s[^()]{2,40}\)\s*,?\s*")
_ITEM = re.compile(r"\s*(?:,|\bva\b)\s*")


def _unknown_item(text: str, folded: str, toks: list[tuple[str, int, int]], j: int, n: int) -> int | None:
    """The token after a capitalised list item of 1-3 words that the gazetteer lacks, when a
    comma or "và" follows it (the list goes on); else None."""
    for L in (1, 2, 3):
        if j + L >= n or not all(text[t[1]].isupper() for t in toks[j:j + L]):
            return None
        gap = folded[toks[j + L - 1][2]:toks[j + L][1]]
        if _ITEM.fullmatch(gap) or (toks[j + L][0] == "va" and not gap.strip()):
            k = j + L + (1 if toks[j + L][0] == "va" else 0)
            return k if k < n and text[toks[k][1]].isupper() else None
        if gap.strip():
            return None
    return None


def find_places(text: str, folded: str, when: date | None, lower_doc: bool = False,
                tokens: Tokens | None = None) -> list[PlaceHit]:
    """Every place mention, typed first, then bare names that the context supports.
    ``tokens``: ``Tokens(folded)``, if already built."""
    g = load()
    if tokens is None:
        tokens = Tokens(folded)
    toks = tokens.toks
    n = len(toks)
    hits: list[PlaceHit] = []
    used = [False] * n
    pending: list[tuple[int, int, list[Unit], tuple[str, ...]]] = []
    i = 0
    words = tokens.words
    for c in list(compress(range(n), map(_TYPE_FIRST.__contains__, words))):  # others are skipped
        if c < i:
            continue
        i = c
        tw = None
        w, ws, we = toks[i]
        if w in ABBREVIATIONS and text[ws].isupper() and text[we:we + 1] == ".":
            tw = (1, ABBREVIATIONS[w])  # "Q.Cầu Giấy", "P. Dịch Vọng", "TX.Sơn Tây"
        for k in (2, 1) if tw is None else ():
            if i + k > n:
                continue
            key = (w, toks[i + 1][0]) if k == 2 else (w,)
            if key in TYPE_WORDS and consistent(text[toks[i][1]:toks[i + k - 1][2]], TYPE_WORDS[key][0]):
                tw = (k, TYPE_WORDS[key][1])
                break
        if tw is None:
            i += 1
            continue
        k, typ = tw
        types = DISTRICT_TYPES if typ in DISTRICT_TYPES else WARD_TYPES
        j = i + k
        start = toks[i][1]
        # "(nhiều / các) phường như A, B, C", "các xã gồm A, B", "các phường: A, B": a list
        # introduced after the type word
        if j + 1 < n and toks[j][0] == "cu" and consistent(text[toks[j][1]:toks[j][2]], "cũ") \
                and (_LIST_INTRO.fullmatch(folded, toks[j][2], toks[j + 1][1]) or toks[j + 1][0] == "la"):
            j += 1  # "3 xã cũ: A, B và C", "ba xã cũ là A, B và C": the former units a new one was made of
        if j + 1 < n and (_LIST_INTRO.fullmatch(folded, toks[j - 1][2], toks[j][1])
                          or (toks[j][0] in _LIST_WORDS and not folded[toks[j][2]:toks[j + 1][1]].strip(" :"))
                          or (toks[j][0] == "la" and j > i + k and consistent(text[toks[j][1]:toks[j][2]], "là"))):
            if toks[j][0] in _LIST_WORDS or toks[j][0] == "la":
                j += 1
            if text[toks[j][1]].isupper():
                start = toks[j][1]
            else:
                j = i + k
        matched = False
        resume: int | None = None
        while j < n:
            got = None
            for L in g.lengths.get(toks[j][0], ()):  # other lengths have no candidates
                if L > n - j:
                    continue
                key = tuple(words[j:j + L])
                s, e = toks[j][1], toks[j + L - 1][2]
                written = text[s:e]
                # "Đại Hưng" and "Đại Hùng" fold alike: keep the units the letters agree with
                units = [u for u in g.candidates(key) if u.type == typ and _agrees(written, u.name)]
                if not units:
                    continue
                if not _capitalised(text, toks[j:j + L], lower_doc):
                    continue
                got = (L, units, s, e)
                break
            if got is None:
                # an item of a list the gazetteer does not know ("Cổ Nhuế" of 2024, now
                # "Cổ Nhuế 1"/"2"): skip it when a comma or "và" and another name follow
                skip = _unknown_item(text, folded, toks, j, n) if matched else None
                if skip is None:
                    break
                j = skip
                start = toks[j][1]
                continue
            L, units, s, e = got
            if not _other_province(text, e, g):
                pending.append((start, e, units, (typ,)))
            for q in range(i, j + L):
                used[q] = True
            matched = True
            j += L
            # a list carries the type forward: "phường A, B và C", also past "(quận X cũ)"
            if j < n and (aside := _ASIDE.match(folded, e)):
                k2 = j
                while k2 < n and toks[k2][1] < aside.end():
                    k2 += 1
                if k2 < n and toks[k2][0] == "va" and k2 + 1 < n:
                    k2 += 1
                if k2 < n and text[toks[k2][1]].isupper():
                    resume = j if resume is None else resume  # (the unit in brackets is read after)
                    j = k2
                    start = toks[j][1]
                    continue
            if j < n and _COMMA_GAP.fullmatch(folded[e:toks[j][1]]):
                if toks[j][0] == "va" and j + 1 < n:
                    j += 1
                start = toks[j][1]
                continue
            if j + 1 < n and toks[j][0] == "va" and consistent(text[toks[j][1]:toks[j][2]], "và") \
                    and not folded[e:toks[j][1]].strip():
                j += 1
                start = toks[j][1]
                continue
            break
        i = (j if resume is None else resume) if matched else i + 1
    districts_seen: set[str] = set()
    for start, end, units, types in pending:
        if units[0].type in DISTRICT_TYPES:
            u = _pick(units, types, when, set())
            if u:
                districts_seen.add(u.id)
    for start, end, units, types in pending:
        u = _pick(units, types, when, districts_seen)
        if u:
            hits.append(PlaceHit(u, start, end, True))
    hits.extend(_bare(text, folded, toks, used, when, hits, g, lower_doc, words, tokens.starts))
    hits.sort(key=lambda h: h.start)
    for a, b in zip(hits, hits[1:]):
        if b.typed and b.unit.level == "district" and a.unit.level != "district" \
                and _ADDRESS_GAP.fullmatch(folded, a.end, b.start):
            b.address = True
    if when is not None and when >= REFORM:
        for h in hits:  # "quận Đống Đa cũ", "huyện Đông Anh trước đây": a former unit named aside
            if not h.unit.new and h.unit.level == "district" and _FORMER_AFTER.match(folded, h.end):
                h.address = True
    return hits


_FORMER_AFTER = re.compile(r"\s*\(?\s*(?:cu|truoc day)\b")


# between a ward and the district named as its address: "xã Liên Hiệp (huyện Phúc Thọ)", "phường Kim Liên,
# quận Đống Đa cũ", "xã Tam Hiệp huyện Phúc Thọ"
_ADDRESS_GAP = re.compile(r"\s*[(,–-]?\s*(?:(?:truoc day |truoc |cu )?thuoc\s+)?")


def _bare(text: str, folded: str, toks: list[tuple[str, int, int]], used: list[bool],
          when: date | None, typed: list[PlaceHit], g: Gazetteer, lower_doc: bool,
          words: list[str], tstarts: list[int] | None = None) -> list[PlaceHit]:
    if lower_doc:
        return []
    typed_ids = {h.unit.id for h in typed}
    old_era = when is not None and when < REFORM
    out: list[PlaceHit] = []
    n = len(toks)
    i = 0
    lengths = g.multi_lengths
    # capitalised tokens that start a name of 2+ syllables (others are skipped)
    if tstarts is None:
        tstarts = [t[1] for t in toks]
    # (a token whose next one cannot follow it in a name finds no name: it is left out; one
    # pass over the token pairs, in C, instead of a loop over the ~40% of tokens that can
    # start a name)
    pairs = g.pairs
    starts = [c for c in compress(range(n - 1), map(pairs.__contains__, zip(words, islice(words, 1, None))))
              if text[tstarts[c]].isupper()]
    for c in starts:
        if c < i:
            continue
        i = c
        if used[i]:
            i += 1
            continue
        got = None
        for L in lengths[toks[i][0]]:
            if L > n - i or any(used[i:i + L]):
                continue
            cands = g.candidates(tuple(words[i:i + L]))
            if not cands:
                continue
            s, e = toks[i][1], toks[i + L - 1][2]
            key = norm_key(text[s:e].replace("-", " "))
            units = [u for u in cands if norm_key(u.name.replace("-", " ")) == key]  # exact letters
            if not units:
                continue
            if not _capitalised(text, toks[i:i + L], False):
                continue
            got = (L, units, s, e)
            break
        if got is None:
            i += 1
            continue
        L, units, s, e = got
        i += L
        # part of a longer capitalised name ("Hoàng Mai Hoa", "Tây Hồ Tây")?
        if i < n and folded[e:toks[i][1]] == " " and text[toks[i][1]].isupper():
            continue
        # the end of a person's name ("Nguyễn Thanh Xuân"): a capitalised word right before
        # (not an acronym such as "UBND Thanh Xuân")
        p = i - L - 1
        if p >= 0 and folded[toks[p][2]:s] == " " and text[toks[p][1]].isupper() \
                and text[toks[p][1] + 1:toks[p][2]].islower():
            continue
        if _blocked(folded, toks, i - L, text) or _CRAFT_BEFORE.search(folded, max(0, s - 30), s):
            continue  # ("làng nghề đồ gỗ Vân Hà": a village, not the unit)
        choice = _ward_in_context(text, folded, s, units, when, typed)
        if not choice and (first := _list_start(text, folded, toks, i - L)) < s:
            choice = _ward_in_context(text, folded, first, units, when, typed)  # (the list's context)
        if len(choice) != 1:
            districts = [u for u in units if u.level == "district"]
            choice = districts if old_era and len(districts) == 1 else []
        if len(choice) != 1:
            choice = [u for u in units if u.id in typed_ids]
        if len(choice) != 1:
            continue
        out.append(PlaceHit(choice[0], s, e, False))
    return out


def _list_start(text: str, folded: str, toks: list[tuple[str, int, int]], k: int) -> int:
    """Where the list of capitalised names that the name at token ``k`` ends starts ("đó là: Phú Yên,
    Quang Lãng, Văn Hoàng và Hồng Thái" -> "Phú Yên"): the context of the first item is every item's."""
    first = k
    for _ in range(12):  # (items)
        j = first - 1
        if j >= 1 and toks[j][0] == "va" and not folded[toks[j][2]:toks[first][1]].strip() \
                and not folded[toks[j - 1][2]:toks[j][1]].strip(" ,"):
            j -= 1  # "... và Hồng Thái", ", và Hồng Thái"
        elif j < 0 or folded[toks[j][2]:toks[first][1]].strip() != ",":
            break
        n = 0
        while j - n >= 0 and n < 4 and text[toks[j - n][1]].isupper() and (
                n == 0 or not folded[toks[j - n][2]:toks[j - n + 1][1]].strip()):
            n += 1
        if n == 0:
            break
        first = j - n + 1
    return toks[first][1]


_CRAFT_BEFORE = re.compile(r"\b(?:lang|lang nghe|(?<!nong )thon)\b[a-z ]{0,20}$")
WARD_WORD = re.compile(r"\b(phuong|xa|thi tran)\b")
# a plural ward word that opens a list of bare names: "các xã như", "3 phường", "những xã"
LIST_WARD_WORD = re.compile(r"\b(?:cac|nhung|nhieu|mot so|\d+)\s+(phuong|xa|thi tran)\b")


def _ward_in_context(text: str, folded: str, pos: int, units: list[Unit], when: date | None,
                     typed: list[PlaceHit]) -> list[Unit]:
    """A bare ward/commune name after "các xã như ...", "những phường ...": the sentence names
    the type; the unit must be unique in force (or under a district the article names)."""
    sent_start = max(folded.rfind(". ", 0, pos), folded.rfind("\n", 0, pos), pos - 80) + 1
    types = [TYPE_WORDS[tuple(m.group(1).split())][1] for m in LIST_WARD_WORD.finditer(folded, sent_start, pos)
             if consistent(text[m.start(1):m.end(1)], TYPE_WORDS[tuple(m.group(1).split())][0])]
    if not types:
        return []
    cands = [u for u in units if u.type == types[-1] and in_force(u, when)]
    if len(cands) > 1:
        seen = {h.unit.id for h in typed}
        cands = [u for u in cands if u.parent_id in seen]
    return cands if len(cands) == 1 else []


def summarise(hits: list[PlaceHit], title_end: int, lead_end: int) -> list[PlaceMention]:
    """One ``PlaceMention`` per unit; primary = named in the title, else in the lead, else
    the most mentioned unit (2+ mentions)."""
    by_id: dict[str, list[PlaceHit]] = {}
    for h in hits:
        by_id.setdefault(h.unit.id, []).append(h)
    # (a district named only as a ward's address there is not what the title or lead is about)
    in_title = {uid for uid, hs in by_id.items() if any(h.start < title_end and not h.address for h in hs)}
    in_lead = {uid for uid, hs in by_id.items() if any(h.start < lead_end and not h.address for h in hs)}
    primary = in_title or in_lead
    if len(primary) > 2:
        # a title or lead that lists many units names them in passing: those the article
        # comes back to are its subject (each of five districts reported in turn), else the first
        again = {uid for uid in primary if len(by_id[uid]) >= 2}
        primary = again or {min(primary, key=lambda uid: by_id[uid][0].start)}
    if not primary and by_id:
        best = max(len(hs) for hs in by_id.values())
        # the most mentioned unit, when it stands out (a list of twenty units named once each
        # and one named twice has no main unit)
        if best >= 3 or (best == 2 and len(by_id) <= 3):
            primary = {uid for uid, hs in by_id.items() if len(hs) == best}
    out = []
    for uid, hs in by_id.items():
        u = hs[0].unit
        out.append(PlaceMention(
            place_id=u.id, name=u.name, type=u.type, full_name=u.full_name,
            mentions=len(hs), first_offset=min(h.start for h in hs), is_primary=uid in primary,
        ))
    out.sort(key=lambda p: p.first_offset)
    return out
