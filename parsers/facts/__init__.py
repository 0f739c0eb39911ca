"""Facts in an article's plain text: places, officials, indicators.

``extract(text, published) -> Facts`` is pure: it reads only the bundled gazetteer
(``hanoi_units.json``, loaded once). Offsets refer to the NFC form of ``text``.
"""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from itertools import islice

from ..facts_types import Facts, Indicator, PlaceMention
from .indicators import find_indicators
from .numbers import lower_same_length
from .officials import find_officials
from .places import find_places, summarise
from .text import Tokens, fold, prepare

__all__ = ["extract"]
MAX_CHARS = 200_000  # longer inputs are cut: no article is this long


def _sections(text: str) -> tuple[int, int]:
    """End offsets of the title (first line) and of the lead (next paragraph, ~500 chars)."""
    title_end = text.find("\n")
    if title_end < 0:
        title_end = min(len(text), 300)
    rest = text[title_end:]
    stripped = len(rest) - len(rest.lstrip())
    lead_start = title_end + stripped
    para_end = text.find("\n", lead_start)
    if para_end < 0:
        para_end = len(text)
    lead_end = min(para_end, lead_start + 600)
    return title_end, lead_end


def _lower_doc(text: str) -> bool:
    """Fewer than 0.5% of the letters of the first 3,000 characters are upper case."""
    sample = text[:3000]
    enough = 0.005 * len(sample)  # (letters <= len(sample)): this many upper-case letters decide
    if len(list(islice(filter(str.isupper, sample), int(enough) + 1))) >= enough:
        return False
    letters = sum(map(str.isalpha, sample))
    return letters > 0 and sum(map(str.isupper, sample)) < 0.005 * letters


def extract(text: str, published: date | None = None, *, keep_repeats: bool = True) -> Facts:
    """Places, officials and indicators stated in ``text`` (title + lead + body).
    ``keep_repeats``: every printed occurrence of a figure is a row (convention v2); False
    drops a title's or lead's restatement of a body figure (the convention before)."""
    if not isinstance(text, str) or not text.strip():
        return Facts()
    if isinstance(published, datetime):
        published = published.date()
    elif isinstance(published, str):  # tolerate "2023-07-20T10:15:00+07:00"
        try:
            published = date.fromisoformat(published[:10])
        except ValueError:
            published = None
    elif not isinstance(published, date):
        published = None
    text = unicodedata.normalize("NFC", text)[:MAX_CHARS]
    work = prepare(text)
    folded = fold(work)
    title_end, lead_end = _sections(work)
    tokens = Tokens(folded)  # (shared: places walk them, the others find word starts in them)
    hits = find_places(work, folded, published, _lower_doc(work), tokens)
    places = summarise(hits, title_end, lead_end)
    low = lower_same_length(work)
    officials = find_officials(work, folded, hits, places, tokens, low)
    indicators = find_indicators(work, folded, published, hits, places, tokens, low, keep_repeats)
    _units_in_turn(places, indicators)
    return Facts(places=places, officials=officials, indicators=indicators)


def _units_in_turn(places: list[PlaceMention], indicators: list[Indicator]) -> None:
    """Units the article reports figures for in turn are primary too (convention: "several
    only when the article reports figures or events for each of them in turn"): two or more
    units besides the primary one, each the place of an amount of its own."""
    primary = {p.place_id for p in places if p.is_primary}
    own = {i.place_id for i in indicators
           if i.place_id and i.place_id not in primary and i.relation_type is None and i.value is not None}
    if len(own) >= 2:
        for p in places:
            if p.place_id in own:
                p.is_primary = True
