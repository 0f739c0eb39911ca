"""Pure discovery parsing: listing pages, RSS/Atom feeds, sitemaps (plain, index, news, gzip).

Inputs are page text or raw bytes plus the URL they came from; outputs are absolute URLs
with dates as ISO 8601 strings. Junk input gives empty results; the only exception that
can escape is ``ParseError``: raised for a feed or sitemap that carries a document type
declaration or entity declarations anywhere (no feed or sitemap needs one; they are how
"billion laughs" and external-entity documents work). defusedxml reads the XML: the
standard library's parser with DTDs, entities and external references forbidden; a
document expat cannot read is read by regular expressions, which expand nothing, after the
same refusal.
"""
from __future__ import annotations

import gzip
import io
import re
import zlib
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as defused_fromstring
from selectolax.lexbor import LexborHTMLParser

from .article import ParseError
from .dates import parse_date, to_iso
from .nesting import check_nesting
from .text import clean_text, decode_html
from .urls import absolute_url

LISTING_ITEMS = "div.col_category div.list_news .list_news_title h2 a"
LISTING_NEXT = "div.__MB_ARTICLE_PAGING a:last-child"
MAX_XML_BYTES = 50 * 1024 * 1024
_LOC = re.compile(r"<loc>\s*(?:<!\[CDATA\[)?\s*(.*?)\s*(?:\]\]>)?\s*</loc>", re.S | re.I)
_LASTMOD = re.compile(r"<lastmod>\s*(.*?)\s*</lastmod>", re.S | re.I)
_NEWS_DATE = re.compile(r"<news:publication_date>\s*(.*?)\s*</news:publication_date>", re.S | re.I)
_BLOCK = re.compile(r"<(url|sitemap|item|entry)\b.*?</\1>", re.S | re.I)
_TAG_TEXT = r"<{0}\b[^>]*>\s*(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?\s*</{0}>"
_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.I)
_DECLARATION_BYTES = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)


def parse_listing(html: str | bytes, base_url: str, item_selector: str | None = None,
                  next_selector: str | None = None, *,
                  article_pattern: str | re.Pattern[str] | None = None) -> tuple[list[str], str | None]:
    """Article links (absolute, in page order, unique) and the next page's URL, if any.

    Tries ``item_selector`` (default: the laodongthudo listing), then every link whose
    absolute URL matches ``article_pattern``. ``ParseError`` for a page nested too deep
    (``nesting.check_nesting``).
    """
    try:
        text = decode_html(html) if html else ""
    except ParseError:
        return [], None
    if "<" not in text:
        return [], None
    check_nesting(text)  # ParseError for a page too deep to build a tree of in time
    tree = LexborHTMLParser(text)
    links = _hrefs(tree, item_selector or LISTING_ITEMS, base_url)
    if not links and article_pattern is not None:
        pattern = re.compile(article_pattern) if isinstance(article_pattern, str) else article_pattern
        links = [u for u in _hrefs(tree, "a[href]", base_url) if pattern.search(u)]
    next_links = _hrefs(tree, next_selector or LISTING_NEXT, base_url)
    next_url = next_links[-1] if next_links else None
    if next_url and _same_page(next_url, base_url):
        next_url = None
    return links, next_url


def _hrefs(tree: LexborHTMLParser, selector: str, base_url: str) -> list[str]:
    try:
        nodes = tree.css(selector)
    except ValueError:
        return []
    out: list[str] = []
    for node in nodes:
        href = (node.attributes.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = _absolute(base_url, href)
        if url and url not in out:
            out.append(url)
    return out


def _absolute(base_url: str, href: str) -> str | None:
    return absolute_url(base_url, clean_text(href))


def _same_page(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def parse_feed(xml_bytes: bytes | str, *, now: datetime | None = None) -> list[dict[str, Any]]:
    """Items of an RSS 2.0 or Atom feed: ``{url, title, published_at, guid}``.

    Dates later than ``now`` (default: the clock) are dropped, as on article pages."""
    root = _xml_root(xml_bytes)
    if root is not None:
        items = [_feed_item(el, now) for el in root.iter() if _local(el.tag) in ("item", "entry")]
    else:
        items = [_feed_item_regex(m.group(0), now) for m in _BLOCK.finditer(_xml_text(xml_bytes))
                 if m.group(1).lower() in ("item", "entry")]
    return [item for item in items if item["url"]]


def _feed_item(el: ElementTree.Element, now: datetime | None) -> dict[str, Any]:
    fields: dict[str, str] = {}
    url = None
    for child in el:
        name = _local(child.tag)
        if name == "link":
            href = child.attrib.get("href")
            rel = child.attrib.get("rel", "alternate")
            if href and rel == "alternate" and url is None:
                url = href
            elif not href and (child.text or "").strip() and url is None:
                url = child.text
        elif name not in fields:
            fields[name] = "".join(child.itertext())
    guid = fields.get("guid") or fields.get("id")
    if url is None and guid and guid.strip().startswith("http"):
        url = guid
    raw_date = fields.get("pubDate") or fields.get("published") or fields.get("updated") \
        or fields.get("date")
    return {"url": _absolute("", url or "") if url else None,
            "title": clean_text(fields.get("title")) or None,
            "published_at": feed_date(raw_date, now=now), "guid": clean_text(guid) or None}


def _feed_item_regex(block: str, now: datetime | None) -> dict[str, Any]:
    def grab(tag: str) -> str | None:
        match = re.search(_TAG_TEXT.format(tag), block, re.S | re.I)
        return clean_text(match.group(1)) if match else None

    url = grab("link")
    if not url:
        href = re.search(r"<link\b[^>]*href=[\"']([^\"']+)", block, re.I)
        url = href.group(1) if href else None
    guid = grab("guid") or grab("id")
    return {"url": _absolute("", url) if url else None, "title": grab("title"),
            "published_at": feed_date(grab("pubDate") or grab("published") or grab("updated"),
                                      now=now),
            "guid": guid}


def feed_date(raw: str | None, *, now: datetime | None = None) -> str | None:
    """RFC-822 (RSS) or ISO 8601 (Atom) -> ISO 8601 in Hanoi time; None if unreadable or
    later than ``now``."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        found = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        found = None
    # The RFC-822 reading, when there is one, goes through the same checks as any date.
    parsed = parse_date(found.isoformat() if found is not None else raw, now=now)
    return to_iso(parsed) if parsed else None


def parse_sitemap(xml_bytes: bytes | str, *, now: datetime | None = None
                  ) -> tuple[list[tuple[str, str | None]], list[tuple[str, str | None, str | None]]]:
    """``(child sitemaps [(url, lastmod)], urls [(url, lastmod, news_publication_date)])``.

    Dates later than ``now`` (default: the clock) are dropped."""
    children: list[tuple[str, str | None]] = []
    urls: list[tuple[str, str | None, str | None]] = []
    root = _xml_root(xml_bytes)
    if root is not None:
        for el in root.iter():
            name = _local(el.tag)
            if name not in ("sitemap", "url"):
                continue
            values = {_local(c.tag): (c.text or "").strip() for c in el}  # not image:loc
            news = next((c.text for c in el.iter() if _local(c.tag) == "publication_date"), None)
            _add_entry(name, values.get("loc"), values.get("lastmod"), news, children, urls, now)
    else:
        text = _xml_text(xml_bytes)
        for match in _BLOCK.finditer(text):
            block = match.group(0)
            loc, lastmod, news = (_first(p, block) for p in (_LOC, _LASTMOD, _NEWS_DATE))
            _add_entry(match.group(1).lower(), loc, lastmod, news, children, urls, now)
    return children, urls


def _add_entry(kind: str, loc: str | None, lastmod: str | None, news: str | None,
               children: list[tuple[str, str | None]],
               urls: list[tuple[str, str | None, str | None]], now: datetime | None) -> None:
    url = _absolute("", loc or "")
    if not url:
        return
    if kind == "sitemap":
        children.append((url, _iso(lastmod, now)))
    elif kind == "url":
        urls.append((url, _iso(lastmod, now), _iso(news, now)))


def _iso(raw: str | None, now: datetime | None) -> str | None:
    found = parse_date(raw, now=now) if raw else None
    return to_iso(found) if found else None


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return clean_text(match.group(1)) if match else None


def _maybe_gunzip(data: bytes) -> bytes:
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            return handle.read(MAX_XML_BYTES)  # bounded: no gzip bombs
    except (OSError, EOFError, zlib.error):
        return b""


def _xml_text(data: bytes | str) -> str:
    if isinstance(data, str):
        _refuse_declarations(data)
        return data
    data = _maybe_gunzip(data)
    _refuse_declarations(data)
    try:
        return decode_html(data)
    except ParseError:
        return ""


def _refuse_declarations(data: bytes | str) -> None:
    """``ParseError`` for a document with a DOCTYPE or an ENTITY declaration anywhere."""
    pattern = _DECLARATION_BYTES if isinstance(data, bytes) else _DECLARATION
    if pattern.search(data):
        raise ParseError("XML with a document type or entity declaration: refused "
                         "(no feed or sitemap needs one)")


def _xml_root(data: bytes | str) -> ElementTree.Element | None:
    raw: bytes | str = _maybe_gunzip(data) if isinstance(data, bytes) else data
    if not raw.strip():
        return None
    _refuse_declarations(raw)
    try:
        return defused_fromstring(raw.strip(), forbid_dtd=True)
    except DefusedXmlException as exc:  # what the scan above let through (another spelling)
        raise ParseError(f"XML refused: {type(exc).__name__}") from exc
    except (ElementTree.ParseError, ValueError, RecursionError):
        return None


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
