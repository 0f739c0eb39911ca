"""Discovery: feeds, sitemaps and listing pages → candidate article URLs in the frontier.

Every URL records how it was found (feed / sitemap / listing), where, and when first seen.
Conditional GETs (ETag / Last-Modified) make a no-op run cost one cheap request per entry
point; paging stops after ``stop_after_known`` known articles in a row.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from parsers.discovery import parse_feed, parse_listing, parse_sitemap

from . import frontier
from .fetch import Fetcher, FetchResult
from .sources import Listing, Source
from .urls import article_key

log = logging.getLogger(__name__)


@dataclass
class Found:
    url: str
    key: str
    via: str
    on: str
    lastmod: str | None = None


@dataclass
class EntryYield:
    """What one configured entry point (a feed, a sitemap with its children, a listing with
    its next pages) gave in one run: the health checks judge it against its history."""

    kind: str
    url: str
    pages: int = 0  # requests made for it (its own URL, children, next pages)
    answered: int = 0  # of those, answered 2xx
    not_modified: int = 0  # answered 304
    failed: int = 0  # no answer, an HTTP error, or refused (robots.txt, paused host)
    links: int = 0  # links or items read on its pages
    items: int = 0  # of those, article URLs of the source (its article patterns)
    new_urls: int = 0
    children: int = 0  # child sitemaps listed
    status: int | None = None  # of its own URL
    error: str | None = None  # of its own URL


@dataclass
class DiscoveryStats:
    entry_points: int = 0
    not_modified: int = 0
    found: int = 0
    new_urls: int = 0
    errors: list[str] = field(default_factory=list)
    entries: dict[str, EntryYield] = field(default_factory=dict)  # by the entry point's URL
    entry_of: dict[str, str] = field(default_factory=dict)  # page URL -> its entry point's URL

    def entry(self, page_url: str, kind: str = "", parent: str | None = None) -> EntryYield:
        """The entry point a page belongs to (``parent``'s, else its own)."""
        if page_url not in self.entry_of:
            self.entry_of[page_url] = self.entry_of.get(parent, parent) if parent else page_url
        key = self.entry_of[page_url]
        return self.entries.setdefault(key, EntryYield(kind=kind, url=key))

    def page(self, url: str, kind: str, res: FetchResult) -> None:
        e = self.entry(url, kind)
        e.pages += 1
        if res.not_modified:
            e.not_modified += 1
        elif res.ok:
            e.answered += 1
        else:
            e.failed += 1
        if url == e.url and e.status is None and e.error is None:  # its own URL, first answer
            e.status = res.status
            e.error = res.error or (None if res.ok or res.not_modified else f"HTTP {res.status}")


class Discoverer:
    def __init__(self, source: Source, fetcher: Fetcher, state: Database,
                 is_known: Callable[[str], bool], on_new_url: Callable[[str, str], None] | None = None):
        self.on_new_url = on_new_url
        self.source = source
        self.fetcher = fetcher
        self.state = state
        self.is_known = is_known
        self.stats = DiscoveryStats()

    # -- helpers ------------------------------------------------------------------------
    def _get(self, url: str, kind: str, conditional: bool) -> FetchResult:
        etag, lm = frontier.validators(self.state, url) if conditional else (None, None)
        res = self.fetcher.get(url, kind=kind, etag=etag, last_modified=lm)
        self.stats.page(url, kind, res)
        if res.not_modified:
            self.stats.not_modified += 1
        elif res.ok:
            frontier.save_validators(self.state, url, res.headers)
        elif len(self.stats.errors) < 50:  # the full story is in fetches; keep run state small
            self.stats.errors.append(f"{url}: {res.error or res.status}")
        return res

    def _remember(self, found: Found) -> bool:
        self.stats.found += 1
        new = frontier.add(self.state, source_id=self.source.id, url=found.url, key=found.key,
                           found_via=found.via, found_on=found.on, lastmod=found.lastmod)
        self.stats.new_urls += int(new)
        self.stats.entry(found.on).new_urls += int(new)
        if new and self.on_new_url is not None:
            self.on_new_url(found.url, found.key)
        return new

    def _candidate(self, url: str, via: str, on: str, lastmod: str | None = None) -> Found | None:
        entry = self.stats.entry(on)
        entry.links += 1
        url = self.source.absolute(url)
        if not self.source.owns(url) and not url.startswith(self.source.base_url):
            return None
        key = article_key(self.source, url)
        if key is None:
            return None
        entry.items += 1
        return Found(self.fetch_url(url), key, via, on, lastmod)

    def fetch_url(self, url: str) -> str:
        """URLs on the source's own hosts are fetched through its base URL (a mirror or the
        fixture server in the demo serves the same paths)."""
        base = urlsplit(self.source.base_url)
        parts = urlsplit(url)
        if (parts.hostname or "") in self.source.hosts and parts.netloc != base.netloc:
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    # -- entry points ---------------------------------------------------------------------
    def feeds(self) -> None:
        for feed in self.source.feeds:
            url = self.source.absolute(feed)
            self.stats.entry_points += 1
            res = self._get(url, "feed", conditional=True)
            if not res.ok:
                continue
            for item in parse_feed(res.body):
                found = self._candidate(item["url"], "feed", url, item.get("published_at"))
                if found:
                    self._remember(found)

    def sitemaps(self, *, since: date | None = None, conditional: bool = True,
                 cursor: tuple[Callable[[str], str | None], Callable[[str, str], None]] | None = None) -> None:
        """Walk sitemap indexes to their children (monthly, numbered, Google News files). In
        incremental mode only children that changed (conditional GET) are read; with ``since``
        only children newer than it. With ``cursor`` (get, set) a child already read to the
        end with the same lastmod is skipped, so an interrupted backfill does not read it again."""
        todo: list[tuple[str, str | None]] = [(self.source.absolute(s), None) for s in self.source.sitemaps]
        seen: set[str] = set()
        while todo:
            url, child_lastmod = todo.pop(0)
            if url in seen or any(x in url for x in self.source.sitemap_exclude):
                continue
            seen.add(url)
            mark = f"done:{child_lastmod}" if child_lastmod else None
            if cursor and mark and cursor[0](url) == mark:
                continue
            self.stats.entry_points += 1
            res = self._get(url, "sitemap", conditional=conditional)
            if not res.ok:
                continue
            children, urls = parse_sitemap(res.body)
            self.stats.entry(url).children += len(children)
            for child, lastmod in children:
                if since and lastmod and lastmod[:10] < since.isoformat():
                    continue
                child_url = self.fetch_url(self.source.absolute(child))
                self.stats.entry(child_url, "sitemap", parent=url)
                todo.append((child_url, lastmod))
            for item in urls:
                loc, lastmod, news_date = item[0], item[1], item[2] if len(item) > 2 else None
                when = news_date or lastmod
                if since and when and when[:10] < since.isoformat():
                    continue
                found = self._candidate(loc, "sitemap", url, when)
                if found:
                    self._remember(found)
            if cursor and mark:
                cursor[1](url, mark)

    def listing_pages(self, listing: Listing, start: str | None = None,
                      conditional_first: bool = True) -> Iterator[tuple[str, list[Found], str | None]]:
        """Yield (page_url, found_on_page, next_page_url) page by page."""
        url = start or self.source.absolute(listing.url)
        first = self.source.absolute(listing.url)
        pages = 0
        previous: set[str] = set()
        if url != first:  # a backfill resumed from its cursor: still this listing's page
            self.stats.entry(url, "listing", parent=first)
        while url and pages < listing.pagination.max_pages:
            pages += 1
            self.stats.entry_points += 1
            res = self._get(url, "listing", conditional=conditional_first and url == first)
            if not res.ok:
                return
            html = res.body.decode("utf-8", errors="replace")
            links, nxt = parse_listing(html, res.final_url or url, listing.item_selector,
                                       listing.pagination.next_selector)
            found = [f for f in (self._candidate(l, "listing", url) for l in links) if f]
            keys = {f.key for f in found}
            if not found or keys == previous:
                yield url, found, None
                return
            previous = keys
            if nxt is None and listing.pagination.template and not listing.pagination.next_selector:
                nxt = listing.pagination.template.format(
                    url=first, offset=pages * listing.pagination.page_size, page=pages + 1)
            nxt = self.fetch_url(self.source.absolute(nxt)) if nxt else None
            if nxt:
                self.stats.entry(nxt, "listing", parent=first)
            yield url, found, nxt
            url = nxt

    def listings_incremental(self) -> None:
        for listing in self.source.listings:
            known_run = 0
            for _page, found, _next in self.listing_pages(listing):
                stop = False
                for f in found:
                    self._remember(f)
                    if self.is_known(f.key):
                        known_run += 1
                        if known_run >= self.source.stop_after_known:
                            stop = True
                    else:
                        known_run = 0
                if stop:
                    break
