"""Pure parsing: ``(html, url) -> Article`` and ``(text, published) -> Facts``.

Nothing in this package does I/O on the network or the database: every function can be
tested on a string. ``crawler`` imports from here, never the other way round.
"""
from __future__ import annotations

from datetime import date, datetime

from .article import Article, Image, ParseError
from .facts_types import Facts, Indicator, OfficialMention, PlaceMention
from .profiles.base import Profile

__all__ = [
    "Article", "Image", "ParseError", "Facts", "Indicator", "OfficialMention",
    "PlaceMention", "Profile", "parse", "extract_facts",
]


def parse(html: str | bytes, url: str, *, fetched_at: datetime | None = None,
          profile: "str | Profile | None" = None) -> Article:
    """Parse one article page. Raises ``ParseError`` only for input that is not a page.

    The site profile is chosen by the URL's host, or by name with ``profile`` (a source's
    ``parser:``), for copies of a site served elsewhere (a mirror, the demo's fixture site),
    or is given as a ``Profile`` (a source's ``selectors:``, ``Source.parse_profile``).
    """
    from .extract import parse_article

    return parse_article(html, url, fetched_at=fetched_at, profile_name=profile)


def extract_facts(text: str, published: date | None = None) -> Facts:
    """Places, officials and indicators stated in an article's plain text."""
    from .facts import extract

    return extract(text, published)
