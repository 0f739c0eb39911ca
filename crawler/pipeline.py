"""One run of one source: discover → fetch → capture → parse → extract → store.

``run_source`` is the single function that the scheduler, the CLI, the demo and the tests
all call. Every article is written in its own transaction; a stop request (SIGINT/SIGTERM)
is honoured between requests, so a stopped run leaves no partial rows.
"""
from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Callable

import httpx
from sqlite_utils import Database

from parsers import ParseError

from . import clock, frontier, run_record, store
from .discover import Discoverer
from .fetch import Fetcher, FetchResult, Stopped, make_client
from .parse_worker import parse_page as _parse_page  # noqa: F401 - tests reach it here
from .parse_worker import read_within
from .rawstore import RawStore
from .sources import Source
from .urls import article_key

log = logging.getLogger(__name__)


class HostPaused(Exception):
    """The source's host is paused (circuit breaker, robots.txt unreadable): end the run."""


@dataclass
class RunReport:
    source: str
    mode: str
    run_id: int = 0
    status: str = "running"
    discovered: int = 0
    fetched: int = 0
    new_articles: int = 0
    updated_articles: int = 0
    unchanged_articles: int = 0
    removed_articles: int = 0
    not_modified: int = 0
    errors: int = 0
    article_failures: int = 0  # article pages that could not be fetched (left to retry)
    parse_failures: int = 0
    requests_by_kind: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    outcome: dict[str, int] = field(default_factory=dict)  # entry points tried, answered, failed, empty

    @property
    def articles_parsed(self) -> int:
        return self.new_articles + self.updated_articles + self.unchanged_articles

    def counts(self) -> dict[str, int]:
        return {"discovered": self.discovered, "fetched": self.fetched, "new_articles": self.new_articles,
                "updated_articles": self.updated_articles, "removed_articles": self.removed_articles,
                "not_modified": self.not_modified, "errors": self.errors,
                "articles_parsed": self.articles_parsed, "article_failures": self.article_failures,
                "parse_failures": self.parse_failures, **self.outcome}

    def summary(self) -> str:
        return (f"{self.source}: {self.new_articles} new, {self.updated_articles} updated, "
                f"{self.removed_articles} removed, {self.fetched} pages fetched "
                f"({self.not_modified} not modified), {self.discovered} new URLs found, "
                f"{self.errors} errors [{self.status}]")


class SourceRun:
    """The state of one run; ``run_source`` below is the public entry point."""

    def __init__(self, source: Source, db: Database, state: Database, rawstore: RawStore,
                 client: httpx.Client, stop: threading.Event, progress: Callable[[int], None] | None,
                 mode: str):
        self.source = source
        self.db = db
        self.state = state
        self.progress = progress
        self.report = RunReport(source=source.id, mode=mode)
        self.report.run_id = store.start_run(db, source, mode)
        with db.atomic():  # tells a live run from one left 'running' by a dead process
            db.table("runs").update(self.report.run_id, {"pid": os.getpid()})
        self.fields = run_record.FieldTally()
        self.paused = False
        self.fetcher = Fetcher(client, source, rawstore=rawstore, on_fetch=self._on_fetch, stop=stop,
                               state=state)
        self.discoverer = Discoverer(source, self.fetcher, state, self._known, on_new_url=self._new_url,
                                     on_batch=self._fetch_fresh)
        self.tried: set[str] = set()  # article keys requested in this run

    def _fetch_fresh(self) -> None:
        """Articles found by the last discovery step are fetched before discovery goes on, so
        a long (or endless) sitemap walk does not keep new articles waiting (issue 15)."""
        self.fetch_pending(keys=self.discoverer.take_fresh() - self.tried)

    def _new_url(self, url: str, key: str) -> None:
        """A new URL of an article already in the archive becomes one of its aliases."""
        if store.known_article_ids(self.db, [key]):
            store.add_aliases(self.db, key, [url], clock.iso())

    def _on_fetch(self, res: FetchResult) -> None:
        r = self.report
        r.requests_by_kind[res.kind] = r.requests_by_kind.get(res.kind, 0) + 1
        if res.status is not None:
            r.fetched += 1
        if res.not_modified:
            r.not_modified += 1
        if res.error or (res.status is not None and res.status >= 400 and not res.gone):
            r.errors += 1
        store.record_fetch(self.db, self.report.run_id, self.source.id, res)

    def _known(self, key: str) -> bool:
        return bool(store.known_article_ids(self.db, [key])) or frontier.is_done(self.state, key)

    # -- articles -----------------------------------------------------------------------
    def fetch_pending(self, keys: set[str] | None = None, limit: int | None = None,
                      skip: set[str] | None = None) -> list[str | None]:
        """Fetch every article still to fetch (optionally only some keys, none of ``skip``);
        returns dates."""
        dates = []
        if keys is not None and not keys:
            return dates
        for row in frontier.pending(self.state, self.source.id, limit=limit, keys=keys):
            if row["article_key"] and store.known_article_ids(self.db, [row["article_key"]]):
                frontier.mark_key(self.state, row["article_key"], "done")
                continue
            if skip and row["article_key"] in skip:
                continue
            dates.append(self.fetch_article(row["url"], row["article_key"], row["found_via"],
                                            row["first_seen_at"]))
            if self.progress:
                self.progress(1)
        return dates

    def fetch_article(self, url: str, key: str, found_via: str | None, first_seen_at: str | None,
                      revisit: bool = False) -> str | None:
        self.tried.add(key)
        res = self.fetcher.get(url, kind="revisit" if revisit else "article")
        if res.paused:
            raise HostPaused(res.error)
        if (res.gone or res.redirected_home) and not store.known_article_ids(self.db, [key]):
            # never stored: a link published before its page, or a dead link; tried again a few
            # times (MAX_ATTEMPTS) before it is given up
            why = f"HTTP {res.status}" if res.gone else f"redirected to {res.final_url}"
            frontier.mark_key(self.state, key, "retry", error=why, count_attempt=True)
            return None
        if res.gone or res.redirected_home:
            why = f"HTTP {res.status}" if res.gone else f"redirected to {res.final_url}"
            if store.mark_removed(self.db, key, res.fetched_at, why, res.capture):
                self.report.removed_articles += 1
            frontier.mark_key(self.state, key, "removed", error=why)
            return None
        if not res.ok:
            frontier.mark_key(self.state, key, "retry", error=res.error or f"HTTP {res.status}",
                              count_attempt=True)
            self.report.article_failures += 1
            return None
        return self.store_response(res, key, found_via, first_seen_at)

    def store_response(self, res: FetchResult, key: str, found_via: str | None,
                       first_seen_at: str | None) -> str | None:
        result = ingest(self.db, self.source, key=key, url=res.final_url or res.url, body=res.body,
                        content_type=res.headers.get("content-type"), fetched_at=res.fetched_at,
                        capture=res.capture, found_via=found_via, first_seen_at=first_seen_at,
                        aliases=frontier.urls_of(self.state, key))
        if result.error:
            frontier.mark_key(self.state, key, "failed", error=f"parse: {result.error}")
            self.report.errors += 1
            self.report.parse_failures += 1
            return None
        self.fields.add(result.fields)
        counter = {"new": "new_articles", "updated": "updated_articles"}.get(result.change, "unchanged_articles")
        setattr(self.report, counter, getattr(self.report, counter) + 1)
        frontier.mark_key(self.state, key, "done")
        if result.article_id != key:
            frontier.mark_key(self.state, result.article_id, "done")
        frontier.schedule_revisit(self.state, key, self.source.revisit_after_hours,
                                  datetime.fromisoformat(res.fetched_at))
        return result.published_at

    def revisit_due(self, now: datetime, limit: int = 50) -> None:
        for row in frontier.due_revisits(self.state, self.source.id, now, limit):
            frontier.count_check(self.state, row["article_key"])
            self.fetch_article(row["url"], row["article_key"], row["found_via"], row["first_seen_at"],
                               revisit=True)

    # -- modes ----------------------------------------------------------------------------
    def check_paused(self) -> None:
        if self.fetcher.is_paused(self.source.base_url):
            raise HostPaused(f"host paused by circuit breaker: {self.fetcher.pause_reason(self.source.base_url)}")

    def incremental(self) -> None:
        self.check_paused()
        d = self.discoverer
        sid = self.source.id
        d.feeds()
        # a child sitemap whose lastmod in the index has not moved since it was last read is skipped
        d.sitemaps(cursor=(
            lambda url: frontier.get_cursor(self.state, sid, f"seen-sitemap:{url}"),
            lambda url, value: frontier.set_cursor(self.state, sid, f"seen-sitemap:{url}", value)))
        d.listings_incremental()
        self.report.discovered = d.stats.new_urls
        self.fetch_pending(skip=self.tried)  # what is left: older retries, what discovery skipped
        self.revisit_due(clock.now())

    def backfill(self, until: date) -> None:
        self.check_paused()
        d = self.discoverer
        for listing in self.source.listings:
            name = f"backfill:{listing.url}"
            cursor = frontier.get_cursor(self.state, self.source.id, name)
            if cursor and cursor.startswith("done:") and cursor[5:] <= until.isoformat():
                continue
            start = cursor if cursor and not cursor.startswith("done:") else None
            for page, found, nxt in d.listing_pages(listing, start=start, conditional_first=False):
                for f in found:
                    d._remember(f)
                dates = self.fetch_pending(keys={f.key for f in found})
                known_dates = [x for x in self._dates_of({f.key for f in found}) if x]
                frontier.set_cursor(self.state, self.source.id, name, nxt or f"done:{until.isoformat()}")
                if known_dates and max(known_dates)[:10] < until.isoformat():
                    frontier.set_cursor(self.state, self.source.id, name, f"done:{until.isoformat()}")
                    break
                del dates
        sid = self.source.id
        d.sitemaps(since=until, conditional=False, cursor=(
            lambda url: frontier.get_cursor(self.state, sid, f"backfill-sitemap:{url}"),
            lambda url, value: frontier.set_cursor(self.state, sid, f"backfill-sitemap:{url}", value)))
        d.feeds()
        self.report.discovered = d.stats.new_urls
        self.fetch_pending()

    def _dates_of(self, keys: set[str]) -> list[str | None]:
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        return [r[0] for r in self.db.execute(
            f"select published_at from articles where id in ({marks})", list(keys)).fetchall()]


@dataclass
class Ingested:
    article_id: str | None = None
    change: str | None = None  # new | updated | unchanged
    published_at: str | None = None
    error: str | None = None
    fields: dict[str, str] | None = None  # ok | fallback | missing per field (run_record.FIELDS)


def ingest(db: Database, source: Source, *, key: str, url: str, body: bytes, content_type: str | None,
           fetched_at: str, capture: str | None, found_via: str | None = None,
           first_seen_at: str | None = None, aliases: list[str] | None = None) -> Ingested:
    """Decode, parse, extract and store one fetched article page. The crawl and ``reparse``
    both call this, so a reparse yields the tables the crawl wrote. A page that cannot be
    parsed becomes a ``parse_failures`` row, never a half-written article."""
    fetched_dt = datetime.fromisoformat(fetched_at)
    try:  # in a worker process, within the source's parse budget (crawler/parse_worker.py)
        article, facts, facts_error = read_within(source.politeness.parse_budget_s, body, content_type, url,
                                                  fetched_dt, source.parse_profile)
    except Exception as exc:  # a parser bug must not stop the run: it becomes a recorded failure
        error = str(exc) if isinstance(exc, ParseError) else f"parser crashed: {type(exc).__name__}: {exc}"
        if not isinstance(exc, ParseError):
            log.error("parser crashed on %s: %s", url, exc)
        store.record_parse_failure(db, source, url, fetched_at, capture, error, None)
        return Ingested(error=error)
    if facts_error:
        log.error("fact extraction failed for %s: %s", url, facts_error)
    article_id, article.canonical_url = identity(source, key, url, article.canonical_url)
    outcome = store.save_article(
        db, source=source, article_id=article_id, article=article, facts=facts,
        url=article.canonical_url or url, fetched_at=fetched_at, capture=capture,
        discovered_via=found_via, first_seen_at=first_seen_at,
        aliases=[url, article.canonical_url or "", *(aliases or [])])
    return Ingested(article_id=article_id, change=outcome.change, published_at=article.published_at,
                    fields=run_record.field_states(article, facts))


def identity(source: Source, key: str, url: str, canonical: str | None) -> tuple[str, str | None]:
    """(article id, canonical URL kept) of a page fetched from ``url`` (the last hop) for
    the frontier's ``key``. Identity comes from the fetched URL, never from what the page
    says about itself: a canonical naming another article (or another host) would let any
    page overwrite that article. The canonical is kept only when it is on the source's
    hosts and names this same article (a variant of its URL)."""
    article_id = article_key(source, url) or key
    if canonical and source.owns(canonical) and article_key(source, canonical) == article_id:
        return article_id, canonical
    return article_id, None


def run_source(source: Source, *, db: Database, state: Database, rawstore: RawStore,
               client: httpx.Client | None = None, mode: str = "incremental",
               backfill_until: date | None = None, stop: threading.Event | None = None,
               progress: Callable[[int], None] | None = None,
               on_alarms: Callable[[list], None] | None = None) -> RunReport:
    """Run one source once. Never raises for trouble with the site: it is in the report.
    Afterwards the source's alarms are judged on what the run measured (``alarms.py``);
    ``on_alarms`` receives those that opened or closed (the notifier)."""
    stop = stop or threading.Event()
    own_client = client is None
    client = client or make_client(source)
    store.sync_sources(db, [source])
    store.close_abandoned_runs(db, source.id)
    run = SourceRun(source, db, state, rawstore, client, stop, progress, mode)
    crashed = False
    try:
        if mode == "backfill":
            if backfill_until is None:
                raise ValueError("backfill needs a date")
            run.backfill(backfill_until)
        else:
            run.incremental()
    except (Stopped, KeyboardInterrupt, SystemExit) as exc:  # asked to stop (Ctrl+C in 'crawl' too)
        run.report.status = run_record.INTERRUPTED
        run.report.error = run_record.STOPPED_ERROR
        if not isinstance(exc, Stopped):
            raise
    except HostPaused as exc:
        run.paused = True
        run.report.error = str(exc)
        log.warning("%s: run ended, %s", source.id, exc)
    except Exception as exc:
        log.exception("run of %s failed", source.id)
        crashed = True
        run.report.error = f"{type(exc).__name__}: {exc}"
    finally:
        _finish(run, crashed, on_alarms)
        if own_client:
            client.close()
    return run.report


def _finish(run: SourceRun, crashed: bool, on_alarms: Callable[[list], None] | None) -> None:
    """The run's honest status, its row, its measurements and the alarms they raise."""
    r = run.report
    entries = list(run.discoverer.stats.entries.values())
    status, r.outcome = run_record.run_status(
        entries, reached_articles=r.articles_parsed + r.removed_articles + r.parse_failures,
        article_failures=r.article_failures, parse_failures=r.parse_failures, paused=run.paused)
    if r.status != run_record.INTERRUPTED:
        r.status = run_record.FAILED if crashed else status
    store.finish_run(run.db, r.run_id, r.counts(), r.status, r.error)
    log.info("run source=%s run_id=%s mode=%s status=%s new=%d updated=%d removed=%d fetched=%d "
             "not_modified=%d discovered=%d errors=%d requests=%s%s", r.source, r.run_id, r.mode, r.status,
             r.new_articles, r.updated_articles, r.removed_articles, r.fetched, r.not_modified,
             r.discovered, r.errors, ",".join(f"{k}:{v}" for k, v in sorted(r.requests_by_kind.items())),
             f" error={r.error!r}" if r.error else "")
    try:  # the health record must never cost the run itself
        from . import alarms

        run_record.record(run.db, run.source, r.run_id, entries, run.fields)
        changes = alarms.after_run(run.db, run.state, run.source, r.run_id)
        if changes and on_alarms is not None:
            on_alarms(changes)
    except Exception:
        log.exception("health record of run %s of %s failed", r.run_id, r.source)
