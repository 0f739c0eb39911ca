"""Discovery: feeds, sitemaps and listing pages → candidate article URLs in the frontier.

Every URL records how it was found (feed / sitemap / listing), where, and when first seen.
Conditional GETs (ETag / Last-Modified) make a no-op run cost one cheap request per entry
point; paging stops after ``stop_after_known`` known articles in a row.

Against endless or hostile sites (issue 15) one run reads at most ``max_sitemaps_per_run``
sitemap files, none nested deeper than ``max_sitemap_depth``, and adds at most
``max_urls_per_run`` new URLs (politeness settings); the rest waits for the next run. After
every feed, sitemap file and listing page ``on_batch`` is called, so the run fetches the
articles found so far before discovering more. A sitemap index that answers 304 is walked
from the children it listed last time (kept in the ``sitemap-children:<url>`` cursor).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

from sqlite_utils import Database

from parsers import ParseError
from parsers.discovery import parse_feed, parse_listing, parse_sitemap

from . import frontier
from .fetch import Fetcher, FetchResult
from .sources import Listing, Source
from .urls import DEFAULT_PORTS, article_key, normalize, refusal

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
                 is_known: Callable[[str], bool], on_new_url: Callable[[str, str], None] | None = None,
                 on_batch: Callable[[], None] | None = None):
        self.on_new_url = on_new_url
        self.on_batch = on_batch
        self.source = source
        self.fetcher = fetcher
        self.state = state
        self.is_known = is_known
        self.stats = DiscoveryStats()
        self.fresh: list[str] = []  # keys of new URLs not yet handed to ``take_fresh``
        self.sitemaps_read = 0
        self._capped: set[str] = set()  # caps already reported in this run

    @property
    def full(self) -> bool:
        """Has this run added as many new URLs as it may?"""
        return self.stats.new_urls >= self.source.politeness.max_urls_per_run

    def take_fresh(self) -> set[str]:
        """The keys of the new URLs found since the last call."""
        keys, self.fresh = set(self.fresh), []
        return keys

    def _batch_done(self) -> None:
        if self.on_batch is not None and self.fresh:
            self.on_batch()

    def _cap(self, name: str, url: str, kind: str, why: str) -> None:
        """Report a per-run cap once per run: a ``fetches`` row (no request) and a log line."""
        if name in self._capped:
            return
        self._capped.add(name)
        log.warning("%s: %s; %s", self.source.id, why, url)
        self.fetcher.refuse(url, kind, why)
        if len(self.stats.errors) < 50:
            self.stats.errors.append(f"{url}: {why}")

    # -- helpers ------------------------------------------------------------------------
    def _get(self, url: str, kind: str, conditional: bool, validate: bool = True) -> FetchResult:
        """GET an entry point; its validators are saved at once, or (``validate`` False) by
        the caller once it has read all of it."""
        etag, lm = frontier.validators(self.state, url) if conditional else (None, None)
        res = self.fetcher.get(url, kind=kind, etag=etag, last_modified=lm)
        self.stats.page(url, kind, res)
        if res.not_modified:
            self.stats.not_modified += 1
        elif res.ok:
            if validate:
                frontier.save_validators(self.state, url, res.headers)
        elif len(self.stats.errors) < 50:  # the full story is in fetches; keep run state small
            self.stats.errors.append(f"{url}: {res.error or res.status}")
        return res

    def _remember(self, found: Found) -> bool:
        if self.full:
            self._cap("urls", found.url, "article", f"not added: the cap of "
                      f"{self.source.politeness.max_urls_per_run} new URLs per run is reached; "
                      "the rest waits for the next run")
            return False
        self.stats.found += 1
        new = frontier.add(self.state, source_id=self.source.id, url=found.url, key=found.key,
                           found_via=found.via, found_on=found.on, lastmod=found.lastmod)
        self.stats.new_urls += int(new)
        self.stats.entry(found.on).new_urls += int(new)
        if new:
            self.fresh.append(found.key)
        if new and self.on_new_url is not None:
            self.on_new_url(found.url, found.key)
        return new

    def _candidate(self, url: str, via: str, on: str, lastmod: str | None = None) -> Found | None:
        """The article a link stands for, when it is one of the source's (by parsed host,
        never by string prefix: ``https://site.vn.evil.example/`` and ``https://site.vn@evil/``
        are not the site's). A link on the source's host that the fetcher would refuse (a
        malformed port, another port) is a ``fetches`` row, not a frontier entry."""
        entry = self.stats.entry(on)
        entry.links += 1
        url = self._resolve(url)
        if url is None or not self.source.owns(url):
            return None
        try:
            shape = normalize(url)  # AMP and tracking variants match as their article
        except ValueError:
            shape = url  # a malformed port: judged by its path, refused below
        if self.source.article_match(shape) is None:
            return None
        fetch = self.fetch_url(url)
        why = refusal(self.source, fetch)
        if why:  # an article link on the source's host, not fetchable (another port, malformed)
            self.fetcher.refuse(fetch, "article", f"refused: {why} (link on {on})")
            return None
        key = article_key(self.source, url)
        if key is None:
            return None
        entry.items += 1
        return Found(fetch, key, via, on, lastmod)

    def _resolve(self, url: str) -> str | None:
        try:
            return self.source.absolute(url)
        except ValueError:
            return None

    def fetch_url(self, url: str) -> str:
        """URLs on the source's own hosts (default port) are fetched through its base URL (a
        mirror or the fixture server in the demo serves the same paths). Others are left as
        they are: the fetcher refuses what is not in the source's scope."""
        try:
            base = urlsplit(self.source.base_url)
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            return url
        default = port is None or port == DEFAULT_PORTS.get(parts.scheme)
        if (parts.hostname or "") in self.source.hosts and default and parts.netloc != base.netloc:
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    # -- entry points ---------------------------------------------------------------------
    def feeds(self) -> None:
        for feed in self.source.feeds:
            url = self._resolve(feed) or feed
            self.stats.entry_points += 1
            res = self._get(url, "feed", conditional=True)
            if not res.ok:
                continue
            for item in self._read(parse_feed, res):
                found = self._candidate(item["url"], "feed", url, item.get("published_at"))
                if found:
                    self._remember(found)
            self._batch_done()

    def _read(self, parse: Callable, res: FetchResult):
        """``parse(res.body)``; a document refused by the parser (a DTD, entities) gives
        nothing and is noted."""
        try:
            return parse(res.body)
        except ParseError as exc:
            self._unreadable(res, exc)
            return [] if parse is parse_feed else ([], [])

    def _unreadable(self, res: FetchResult, exc: ParseError) -> None:
        """A fetched entry point the parser refused: a ``fetches`` row (no new request)."""
        log.warning("%s: %s refused: %s", self.source.id, res.url, exc)
        if len(self.stats.errors) < 50:
            self.stats.errors.append(f"{res.url}: {exc}")
        self.fetcher.refuse(res.url, res.kind, f"refused after reading: {exc}")

    def sitemaps(self, *, since: date | None = None, conditional: bool = True,
                 cursor: tuple[Callable[[str], str | None], Callable[[str, str], None]] | None = None) -> None:
        """Walk sitemap indexes to their children (monthly, numbered, Google News files). In
        incremental mode only children that changed (conditional GET) are read; with ``since``
        only children newer than it. With ``cursor`` (get, set) a child already read to the
        end with the same lastmod is skipped, so an interrupted backfill does not read it again.
        Breadth first, within the per-run caps (module doc)."""
        pol = self.source.politeness
        todo: list[tuple[str, str | None, int]] = [
            (self._resolve(s) or s, None, 0) for s in self.source.sitemaps]
        seen: set[str] = set()
        while todo and not self.full:
            url, child_lastmod, depth = todo.pop(0)
            if url in seen or any(x in url for x in self.source.sitemap_exclude):
                continue
            seen.add(url)
            mark = f"done:{child_lastmod}" if child_lastmod else None
            if cursor and mark and cursor[0](url) == mark:
                continue
            if depth > pol.max_sitemap_depth:
                self._cap("depth", url, "sitemap", f"not read: sitemaps nested deeper than "
                          f"{pol.max_sitemap_depth} (max_sitemap_depth)")
                continue
            if self.sitemaps_read >= pol.max_sitemaps_per_run:
                self._cap("sitemaps", url, "sitemap", f"not read: the cap of {pol.max_sitemaps_per_run} "
                          "sitemaps per run is reached; the rest waits for the next run")
                return
            self.sitemaps_read += 1
            self.stats.entry_points += 1
            res = self._get(url, "sitemap", conditional=conditional, validate=False)
            if res.not_modified:
                children, urls = self._children_read_before(url), []
            elif res.ok:
                children, urls = self._read(parse_sitemap, res)
                self._remember_children(url, children)
            else:
                continue
            self.stats.entry(url).children += len(children)
            for child, lastmod in children:
                if since and lastmod and lastmod[:10] < since.isoformat():
                    continue
                resolved = self._resolve(child)
                child_url = self.fetch_url(resolved) if resolved else child
                self.stats.entry(child_url, "sitemap", parent=url)
                todo.append((child_url, lastmod, depth + 1))
            for item in urls:
                loc, lastmod, news_date = item[0], item[1], item[2] if len(item) > 2 else None
                when = news_date or lastmod
                if since and when and when[:10] < since.isoformat():
                    continue
                found = self._candidate(loc, "sitemap", url, when)
                if found:
                    self._remember(found)
            if not self.full:  # read to the end: the next run may skip it while it is unchanged
                if res.ok:
                    frontier.save_validators(self.state, url, res.headers)
                if cursor and mark:
                    cursor[1](url, mark)
            self._batch_done()

    def _children_read_before(self, url: str) -> list[tuple[str, str | None]]:
        value = frontier.get_cursor(self.state, self.source.id, f"sitemap-children:{url}")
        try:
            return [(str(c), m) for c, m in json.loads(value)] if value else []
        except (ValueError, TypeError):
            return []

    def _remember_children(self, url: str, children: list[tuple[str, str | None]]) -> None:
        """An index's children, for the next run that gets 304 for it."""
        name = f"sitemap-children:{url}"
        value = json.dumps(children, ensure_ascii=False) if children else None
        if value or frontier.get_cursor(self.state, self.source.id, name):
            frontier.set_cursor(self.state, self.source.id, name, value)

    def listing_pages(self, listing: Listing, start: str | None = None,
                      conditional_first: bool = True) -> Iterator[tuple[str, list[Found], str | None]]:
        """Yield (page_url, found_on_page, next_page_url) page by page."""
        first = self._resolve(listing.url) or listing.url
        url = start or first
        pages = 0
        previous: set[str] = set()
        if url != first:  # a backfill resumed from its cursor: still this listing's page
            self.stats.entry(url, "listing", parent=first)
        while url and pages < listing.pagination.max_pages and not self.full:
            pages += 1
            self.stats.entry_points += 1
            res = self._get(url, "listing", conditional=conditional_first and url == first)
            if not res.ok:
                return
            html = res.body.decode("utf-8", errors="replace")
            try:
                links, nxt = parse_listing(html, res.final_url or url, listing.item_selector,
                                           listing.pagination.next_selector)
            except ParseError as exc:
                self._unreadable(res, exc)
                return
            found = [f for f in (self._candidate(l, "listing", url) for l in links) if f]
            keys = {f.key for f in found}
            if not found or keys == previous:
                yield url, found, None
                return
            previous = keys
            if nxt is None and listing.pagination.template and not listing.pagination.next_selector:
                nxt = listing.pagination.template.format(
                    url=first, offset=pages * listing.pagination.page_size, page=pages + 1)
            nxt = self._resolve(nxt) if nxt else None
            nxt = self.fetch_url(nxt) if nxt else None
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
                self._batch_done()
                if stop or self.full:
                    break
