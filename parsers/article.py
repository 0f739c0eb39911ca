"""The article record every parser returns, and the error it raises.

This module is the contract between ``parsers`` and ``crawler``: the crawler stores
these fields in the ``articles`` and ``images`` tables (see docs/DESIGN.md).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


class ParseError(ValueError):
    """The input cannot be read as an article page at all (empty, not HTML, binary)."""


@dataclass
class Image:
    """One picture of an article, in reading order."""

    position: int
    url: str | None
    caption: str | None = None
    credit: str | None = None  # "Ảnh: Kim Tiến" -> "Kim Tiến"


@dataclass
class Article:
    """One parsed article page. Missing fields are ``None`` (or empty lists)."""

    url: str
    canonical_url: str | None = None
    site_article_id: str | None = None  # the numeric id in the URL, when the site has one
    title: str | None = None
    sapo: str | None = None  # the lead paragraph
    body_text: str | None = None  # paragraphs joined by "\n\n", NFC, no captions/boxes
    authors: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)  # agencies, "Theo ..." sources
    published_at: str | None = None  # ISO 8601 with offset, e.g. 2023-07-20T10:15:00+07:00
    updated_at: str | None = None
    date_source: str | None = None  # json-ld | meta | byline | url | feed | first-seen
    category: str | None = None
    tags: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    lang: str | None = None
    parser: str | None = None  # profile name, e.g. "laodongthudo" or "generic"
    parser_version: str | None = None
    extraction: str | None = None  # which step of the fallback chain gave the body
    # where each field came from: json-ld | meta | profile | generic | html-title | body |
    # url | first-seen (generic = the site profile had nothing and the fallback was used)
    field_sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
