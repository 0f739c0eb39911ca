"""Text helpers for fact extraction: length-preserving normalisation and folding.

Every function here maps a string to one of the *same length*, so that an offset found in a
normalised or folded copy is an offset in the (NFC) original.

- ``tone_normalize``: one tone-mark placement for the open syllables oa/oe/uy
  ("Hoà" -> "Hòa", "Thuỷ" -> "Thủy"), the placement the gazetteer uses.
- ``fold``: lower case ASCII ("Đống Đa" -> "dong da").
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate, compress, islice

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x00C0, 0x1F00):
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0]
        if base.isascii() and base.isalpha():
            table[cp] = base.lower()
    for up in range(ord("A"), ord("Z") + 1):
        table[up] = chr(up).lower()
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    return table


_FOLD = _build_fold_table()
# The same table as a list indexed by code point (unchanged characters map to themselves):
# ``str.translate`` is about twice as fast with it than with the dict, which misses on most
# characters (a character past the list's end raises IndexError and is left unchanged).
_FOLD_LIST = [_FOLD.get(cp, chr(cp)) for cp in range(0x2100)]


def fold(s: str) -> str:
    """Lower-case ASCII skeleton of ``s`` with the same length (for NFC input)."""
    return s.translate(_FOLD_LIST)


def _strip_tone(ch: str) -> tuple[str, str | None]:
    d = unicodedata.normalize("NFD", ch)
    tone = next((c for c in d if c in _TONES), None)
    if tone is None:
        return ch, None
    return unicodedata.normalize("NFC", "".join(c for c in d if c != tone)), tone


def _add_tone(ch: str, tone: str) -> str:
    return unicodedata.normalize("NFC", ch + tone)


# "hoà", "hoè", "thuỷ" at the end of a word (no final consonant): tone on the 2nd vowel.
# (The look-behind comes after the first vowel so that the regex engine can skip to an o/u.
# No IGNORECASE: every class lists both cases already, and without it the engine scans for
# the first character's class about twice as fast.)
_NEW_STYLE = re.compile(r"([oOuU])(?<![qgQG][oOuU])([àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ])(?!\w)")


def _to_old_style(m: re.Match[str]) -> str:
    first, second = m.group(1), m.group(2)
    pair = (first + _strip_tone(second)[0]).lower()
    if pair not in ("oa", "oe", "uy"):
        return m.group(0)
    base, tone = _strip_tone(second)
    assert tone is not None
    return _add_tone(first, tone) + base


def tone_normalize(s: str) -> str:
    """Move the tone of open oa/oe/uy syllables to the first vowel (Hoà -> Hòa)."""
    return _NEW_STYLE.sub(_to_old_style, s)


@lru_cache(maxsize=4096)
def norm_key(s: str) -> str:
    """Comparison key keeping diacritics: NFC, tone-normalised, lower case, single spaces."""
    s = tone_normalize(unicodedata.normalize("NFC", s)).lower()
    return " ".join(s.split())


def fold_key(s: str) -> str:
    """Comparison key without diacritics."""
    return " ".join(fold(unicodedata.normalize("NFC", s)).split())


_SLUG_PART = re.compile(r"[a-z0-9]+")


def slug(s: str) -> str:
    """'Nguyễn Hữu Tuyên' -> 'nguyen-huu-tuyen'."""
    return "-".join(_SLUG_PART.findall(fold(unicodedata.normalize("NFC", s))))


@lru_cache(maxsize=8192)
def consistent(written: str, canonical: str) -> bool:
    """True when ``written`` is ``canonical`` with some or all diacritics dropped (cached: the
    steps compare the same few type words and names many times).

    Both are compared tone-normalised and lower-cased, so "Hoà"/"Hòa", "Đống Đa", "Dong Da"
    and "Đống da" all match "Đống Đa", while "phương" does not match "phường".
    """
    w, c = norm_key(written), norm_key(canonical)
    if w == c:
        return True
    if len(w) != len(c):
        return False
    for a, b in zip(w, c):
        if a != b and a != fold(b):
            return False
    return True


def prepare(text: str) -> str:
    """NFC, tone-normalised working copy (same length as the NFC text)."""
    return tone_normalize(unicodedata.normalize("NFC", text))


_TOKEN_SPLIT = re.compile(r"(\w+)")
_WORD_RE = re.compile(r"\w+")
_ASCII_TOKEN_SPLIT = re.compile(r"([0-9A-Za-z_]+)")
_NON_ASCII_WORD = re.compile(r"[^\W\x00-\x7f]")


class Tokens:
    """The ``\\w+`` tokens of a folded text (built from one split: no Match objects), shared
    by the steps of one extraction: ``words`` (folded), ``starts``, ``ends`` and ``toks``
    (``(word, start, end)`` tuples)."""

    __slots__ = ("words", "starts", "ends", "toks")

    def __init__(self, folded: str) -> None:
        # gap, token, gap, token, ..., gap; an ASCII class is twice as fast as ``\w`` and finds
        # the same tokens when no gap holds a word character beyond ASCII (a folded text has
        # none but in foreign names)
        parts = _ASCII_TOKEN_SPLIT.split(folded)
        if not folded.isascii():
            gaps = "".join(parts[0::2])
            if not gaps.isascii() and _NON_ASCII_WORD.search(gaps):
                parts = _TOKEN_SPLIT.split(folded)
        offsets = list(accumulate(map(len, parts), initial=0))
        self.words, self.starts, self.ends = parts[1::2], offsets[1:-1:2], offsets[2::2]
        self.toks = list(zip(self.words, self.starts, self.ends))


_UNIONS: dict[tuple[int, ...], frozenset[str]] = {}


def candidates_of(tokens: Tokens, by_words: tuple["Anchored", ...],
                  by_tokens: tuple["Anchored", ...] = (), by_sets: tuple[frozenset[str], ...] = ()) -> list[list[int]]:
    """``scan.word_candidates(tokens)`` for each scan of ``by_words``,
    ``scan.token_candidates(tokens)`` for each of ``by_tokens`` and the indices of the tokens
    (but the last) whose word is in each set of ``by_sets``, in that order, from one pass over
    the tokens for the first words of them all (then a check of those few for each)."""
    key = tuple(map(id, by_words + by_tokens + by_sets))
    union = _UNIONS.get(key)
    if union is None:
        union = _UNIONS[key] = frozenset().union(*(s._word_sets()[2] for s in by_words),
                                                 *(s.first_words for s in by_tokens), *by_sets)
    words, starts = tokens.words, tokens.starts
    last = len(words) - 1
    hot = list(compress(range(len(words)), map(union.__contains__, words)))
    out = []
    for scan in by_words:
        singles, seconds, _ = scan._word_sets()
        out.append([starts[i] for i in hot if words[i] in singles
                    or (i < last and words[i + 1] in seconds.get(words[i], ()))])
    for scan in by_tokens:
        fw = scan.first_words
        out.append([starts[i] for i in hot if words[i] in fw])
    for ws in by_sets:
        out.append([i for i in hot if i < last and words[i] in ws])
    return out


class Anchored:
    """``pattern.finditer`` tried only where a match can start.

    Every match of ``pattern`` must start with one of the literal strings ``starts`` (or, with
    ``start_class``, at a match of that pattern, e.g. ``\\d``), and no match may be empty.
    ``finditer`` then returns the same matches as ``pattern.finditer`` (same offsets, groups,
    ``\\b`` and look-behind context), but finds the candidate offsets with ``str.find``
    instead of letting the regex engine try every offset, which for a long alternation
    without a common first literal is the slow part. ``candidates`` of a whole text can be
    computed once and passed, cut to one sentence with ``window``, for each sentence, unless
    ``start_class`` looks behind (the text before the sentence would then decide).
    """

    def __init__(self, pattern: re.Pattern[str], starts: tuple[str, ...],
                 start_class: re.Pattern[str] | None = None) -> None:
        # a literal that another one starts ("trưởng ban" / "trưởng") adds no offsets
        starts = tuple(sorted({a for a in starts if not any(b != a and a.startswith(b) for b in starts)}))
        self.pattern, self.starts, self.start_class = pattern, starts, start_class
        # with ``word_start``: every match starts a word whose folded form is one of these
        self.first_words = frozenset(fold(a.split()[0]) for a in starts)
        self._words: tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]] | None = None  # (word_candidates)

    def candidates(self, s: str, class_starts: list[int] | None = None) -> list[int]:
        """Sorted offsets in ``s`` where a match may start (a superset of the real starts).
        ``class_starts``: a superset of the matches of ``start_class``, if known otherwise."""
        cands: list[int] = []
        for lit in self.starts:
            p = s.find(lit)
            while p >= 0:
                cands.append(p)
                p = s.find(lit, p + 1)
        if class_starts is not None:
            cands += class_starts
        elif self.start_class is not None:
            cands += [m.start() for m in self.start_class.finditer(s)]
        return sorted(set(cands))

    def token_candidates(self, tokens: Tokens) -> list[int]:
        """``candidates`` from the text's tokens, for a pattern whose every match starts at the
        start of a word and with one of ``starts`` followed by a non-word character (after
        ``(?<!\\w)`` or ``\\b``): the starts of the tokens whose folded form is the folded first
        word of one of ``starts`` (a superset; one pass over the tokens instead of one scan
        of the text per literal)."""
        assert self.start_class is None
        return list(compress(tokens.starts, map(self.first_words.__contains__, tokens.words)))

    def word_candidates(self, tokens: Tokens) -> list[int]:
        """``candidates`` from the text's tokens, for a pattern whose every match starts at the
        start of a word with one of ``starts``: the starts of the tokens that are the one
        word of a one-word literal, or the first two words of a longer one (a superset; two
        passes over the tokens in C instead of one scan of the text per literal, which costs
        as much for a literal that is not there)."""
        singles, seconds, firsts = self._word_sets()
        words, starts = tokens.words, tokens.starts
        # (one pass in C over the tokens for the possible first words, then a check of the few)
        last = len(words) - 1
        return [starts[i] for i in compress(range(len(words)), map(firsts.__contains__, words))
                if words[i] in singles or (i < last and words[i + 1] in seconds[words[i]])]

    def _word_sets(self) -> tuple[frozenset[str], dict[str, frozenset[str]], frozenset[str]]:
        """(one-word literals, second words of the longer ones by their first, all first words)"""
        if self._words is None:
            singles, pairs = set(), set()
            for a in self.starts:
                w = _WORD_RE.findall(fold(a))
                (singles.add(w[0]) if len(w) == 1 else pairs.add((w[0], w[1])))
            seconds: dict[str, set[str]] = {}
            for a, b in pairs:
                seconds.setdefault(a, set()).add(b)
            self._words = (frozenset(singles), {a: frozenset(b) for a, b in seconds.items() if a not in singles},
                           frozenset(singles) | frozenset(seconds))
        return self._words

    @staticmethod
    def window(cands: list[int], start: int, end: int) -> list[int]:
        """The candidates in ``[start, end)`` of a text, as offsets in ``text[start:end]``."""
        return [p - start for p in cands[bisect_left(cands, start):bisect_left(cands, end)]]

    def finditer(self, s: str, cands: list[int] | None = None) -> list[re.Match[str]]:
        """The matches of ``pattern.finditer(s)``; ``cands``: ``candidates(s)`` or a superset
        of them computed on a text that ``s`` is a part of (``window``)."""
        out: list[re.Match[str]] = []
        last = 0
        match = self.pattern.match
        for p in self.candidates(s) if cands is None else cands:
            if p >= last:
                m = match(s, p)
                if m is not None:
                    out.append(m)
                    last = m.end()
        return out

    def finditer_range(self, s: str, pos: int, endpos: int, cands: list[int]) -> list[re.Match[str]]:
        """The matches of ``pattern.finditer(s, pos, endpos)``, with ``cands = candidates(s)``
        (computed once for the whole of ``s``; a look-behind sees ``s`` before ``pos``)."""
        out: list[re.Match[str]] = []
        last = pos
        match = self.pattern.match
        for p in cands[bisect_left(cands, pos):bisect_left(cands, endpos)]:
            if p >= last:
                m = match(s, p, endpos)
                if m is not None:
                    out.append(m)
                    last = m.end()
        return out

    def search(self, s: str, pos: int, cands: list[int]) -> re.Match[str] | None:
        """``pattern.search(s, pos)``, with ``cands = candidates(s)``."""
        match = self.pattern.match
        for p in cands[bisect_left(cands, pos):]:
            m = match(s, p)
            if m is not None:
                return m
        return None
