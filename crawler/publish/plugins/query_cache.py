"""Count and facet results cached, refreshed after writes without making readers wait.

Datasette 0.65 answers a table page with separate queries: the rows, ``count(*)`` and one
``group by`` per facet, each re-evaluating the filter. On a 1M-article archive the counts
and the four default facets of ``news`` cost far more than the 50 rows shown, and readers
ask for the same pages (the front page, a district) over and over.

This plugin keeps the results of those aggregate queries only (never the rows of a page, nor
of a canned query unless its SQL carries the line ``-- hanoi-news: cached``, as the
whole-archive aggregates in metadata.yml do), keyed by SQL + parameters. An entry is exact while the database file and its WAL are unchanged (size and
modification time: every commit of the crawler appends to the WAL) and younger than
``default_cache_ttl``. When the crawler has written since, the entry is *stale*:

* if it was computed less than ``HANOI_NEWS_COUNTS_MAX_STALE`` seconds ago (default 600),
  the page gets it at once and the query is run again in the background
  (stale-while-revalidate) half a second later, at most one refresh at a time per database
  and, per entry, not sooner than ten times its last run time after the previous one (so a crawler committing
  every second cannot keep a core busy with recounts);
* otherwise, or with ``HANOI_NEWS_COUNTS_MAX_STALE=0``, it is recomputed before answering.

A facet that runs out of its page-time budget (``facet_time_limit_ms``) is reported as timed
out on that page and computed in the background with the full ``sql_time_limit_ms``, so the
next reader of the page gets it. The count of a plain search is taken from the FTS index
alone (see ``_FTS_COUNT``); a search nobody asked before gets
``HANOI_NEWS_SEARCH_COUNT_MS`` (default 25 ms) for its count: a count that needs longer
(two common words: 60-100 ms at 1M articles) is left off that page (Datasette then shows
no total, JSON ``filtered_table_rows_count: null``) and counted in the background for the
next page of the same search. Background work is bounded: at most ``MAX_PENDING`` queries
wait for it; a query left out is scheduled again when a page asks for it. It yields to
readers: a background query starts only when no request has been served for ``QUIET_S``
(or after ``MAX_QUIET_WAIT_S`` of steady traffic), and stops when a request arrives, to
start again once it has been served (a 1 s facet running behind a reader's page used to make
that page wait as long). SQLite is only stopped between two of its instructions, and FTS5
seems to do much of a count inside one, so a background count may still run on for ~0.1 s.

A search whose count is not known yet walks the date index first (``search_walk_ms``); when
that finds its page, the words are common, and counting them (60-200 ms at 1M articles) is
left to the background at once instead of being tried within the budget.

So a count or facet on a page is either exact or behind the rows shown by at most a few
seconds on a page people use, and never by more than the max-stale bound. Set
``HANOI_NEWS_QUERY_CACHE=0`` to switch the cache off altogether.

Keep this file free of imports from ``crawler`` (plain ``datasette --plugins-dir plugins``).
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import OrderedDict
from typing import Any, NamedTuple

from datasette import hookimpl
from datasette.database import QueryInterrupted, Results
from datasette.utils import escape_fts

MAX_ENTRIES = 512
DEFAULT_MAX_STALE_S = 600.0
MIN_REFRESH_S = 2.0  # an entry is never recomputed more often than this
REFRESH_COST_FACTOR = 10  # ... nor more often than 10x its own run time
# A recount starts this long after the request that found its entry stale, so that it does
# not compete for the CPU with that request (1M articles, news?_search=dong da right after a
# commit: p95 105 ms with immediate recounts, 79 ms with none).
REFRESH_DELAY_S = 0.5
# ... and only once no request has been served for QUIET_S (readers first: a background
# count competes for the 2 cores and for the GIL with the page a reader waits for), or after
# MAX_QUIET_WAIT_S of steady traffic (then it no longer gives way either: a server busy
# for that long without a pause is saturated, and the counts must still move on). 30 s let
# the backlog of bench_serve's write rounds run beside its next phases: 30 new searches,
# HTML p95 159 ms with 30 s, 116 ms with 120 s (1M articles, one run each, 2026-12-03).
QUIET_S = 0.2
MAX_QUIET_WAIT_S = 120.0
# Background queries waiting or running, per database: readers typing one search after
# another must not build a queue of facets nobody will look at again.
MAX_PENDING = 16
SEARCH_COUNT_MS = 25.0  # HANOI_NEWS_SEARCH_COUNT_MS overrides (0: always count in front)
# A search whose count is not known yet first walks the date index, for at most this long,
# before Datasette's own plan (every match found and sorted by date: 0.6-0.8 s for "chỉ tiêu",
# in 220,000 of 1M articles) takes over. Walks for common words take 3-60 ms; a rare phrase of
# common syllables ("van hoa", 6,800 hits) failed either way, and paid this much on top of the
# plan (a phrase of two words is now counted first, from the word-pair index: _use_pairs,
# and the walk is only tried when that count says so). Running both at once and keeping the
# first to finish was tried (2026-12-03) and dropped: the losing plan ran on for up to
# ~450 ms after the walk had won (see below) and slowed the next pages on 2 cores.
SEARCH_WALK_MS = 100.0  # HANOI_NEWS_SEARCH_WALK_MS overrides
# When that walk finds the page, the words are common, and counting them reads doclists about
# as long as the archive: 60-200 ms at 1M articles (about 5,000 articles per ms, measured
# 2026-12-03). If that cannot fit in SEARCH_COUNT_MS, the count is left to the background at
# once rather than tried in front: a count given 25 ms was seen to run 98 ms (time limits
# are checked between SQLite instructions, and FTS5 seems to read much of a common word's
# doclist inside one).
COUNT_ARTICLES_PER_MS = 5000.0  # HANOI_NEWS_COUNT_ARTICLES_PER_MS overrides (tests)
# The facets of one page together: Datasette runs them one after another after the rows and
# the count, each with facet_time_limit_ms. A facet starting after FACET_PAGE_MS since the
# request began gets only what is left of it (at least FACET_MIN_MS, else it is left to the
# background at once): a new search whose rows and count took 60 ms does not add 4 x 120 ms
# of facets in front of the reader. Facets answered from the cache cost nothing and are
# always shown. HANOI_NEWS_FACET_PAGE_MS overrides (0: no page budget).
FACET_PAGE_MS = 80.0
# (Datasette checks a limit of 20 ms or less after every SQLite instruction, which makes the
# query itself several times slower: a shorter slot is not worth running.)
FACET_MIN_MS = 25.0
# when the request being served began (asgi_wrapper), for the page budget above
_PAGE_STARTED: contextvars.ContextVar = contextvars.ContextVar("hn_page_started", default=None)

log = logging.getLogger(__name__)


def _env_float(name: str, default: float) -> float:
    """A non-negative number from the environment, read at each use (tests set them)."""
    try:
        raw = os.environ.get(name, "").strip()
        return max(0.0, float(raw)) if raw else default
    except ValueError:
        return default


def search_count_ms() -> float:
    """Time a search's count may take in front of the reader the first time (0: no limit)."""
    return _env_float("HANOI_NEWS_SEARCH_COUNT_MS", SEARCH_COUNT_MS)


def search_walk_ms() -> float:
    """How long the rows of a search whose count is not known may walk the date index."""
    return _env_float("HANOI_NEWS_SEARCH_WALK_MS", SEARCH_WALK_MS) or SEARCH_WALK_MS


def _count_articles_per_ms() -> float:
    return _env_float("HANOI_NEWS_COUNT_ARTICLES_PER_MS", COUNT_ARTICLES_PER_MS)


def facet_page_ms() -> float:
    """Time from the start of a request after which its facets are left to the background."""
    return _env_float("HANOI_NEWS_FACET_PAGE_MS", FACET_PAGE_MS)


def _facet_time_left(limit_ms: float) -> float | None:
    """The time limit (ms) a facet of the page being served may run with, or None when the
    page's budget is spent."""
    started, budget = _PAGE_STARTED.get(), facet_page_ms()
    if started is None or not budget:
        return limit_ms
    left = budget - (time.monotonic() - started) * 1000
    return min(limit_ms, left) if left >= FACET_MIN_MS else None


def max_stale_s() -> float:
    """How old a stale count/facet may be and still be served while it is recomputed."""
    return _env_float("HANOI_NEWS_COUNTS_MAX_STALE", DEFAULT_MAX_STALE_S)


class Entry(NamedTuple):
    state: Any  # (db size, mtime), (wal size, mtime) when it was computed; None if immutable
    at: float  # time.monotonic() when its query started
    results: Any  # datasette Results, or the QueryInterrupted it raised
    cost: float  # seconds the query took
    deferred: bool = False  # not run in front of the reader (over its budget); see below


# select count(*) from ...           (table/view page count)
# select x as value, count(*) as count from ( ... )   (column / array facets)
_AGGREGATE = re.compile(
    r"^\s*select count\(\*\) from |count\(\*\) as count from \(", re.IGNORECASE
)
# Canned queries and chart queries that aggregate the whole archive opt in with this line
# (metadata.yml): their results are cached under the same rules as counts and facets.
CACHED_MARK = "-- hanoi-news: cached"


# The news page filtered by a district tag (crawler/publish/plugins/vi_search.py TAG_WHERE). SQLite drives
# such a page from the tag list (it guesses an IN subquery is small) and sorts every tagged
# article by date before taking 50: ~40,000 rows for a big district at 1M articles. When
# the district is big, walking the date index newest first and checking the tag list stops
# after ~50 * total / tagged rows instead; "+id" (no index on id for that term) makes
# SQLite do that. Only the rows query is changed, never counts or facets (those need the
# tag list as the driver), and only for districts tagged on many articles.
_TAG_TERM = re.compile(
    r"(?<![\w+.\]])id in \(select ap\.article_id from article_places ap join places p "
    r"on p\.id = ap\.place_id where p\.ascii_name = '([^']*)'\)"
)


async def _walk_date_index(cached_execute, sql: str, params) -> str:
    """The rows query of a page filtered by district tags, walking the date index when the
    page matches many articles. How many is the page's own count, which Datasette asks for
    next anyway (cached, even stale: it answers that query too); until 2026-12-03 the tag
    sizes were counted separately, a query of 20-40 ms at 1M articles on a district's first
    page, before that same count."""
    page = _date_sorted_page(sql)
    if not _TAG_TERM.search(sql) or page is None:
        return sql
    count_sql = page[1]
    try:
        total = (await cached_execute("select count(*) from article_index")).rows[0][0]
        matched = (await cached_execute(count_sql, params)).rows[0][0]
    except QueryInterrupted:
        return sql
    # walking costs ~ 50 * total / matched rows, sorting ~ 3 * matched rows
    if matched * matched <= 20 * total:
        return sql
    return _TAG_TERM.sub(lambda m: "+" + m.group(0), sql)


# A full-text search on a table page sorted by date: Datasette writes the match as
# "rowid in (select rowid from articles_fts where ... match ...)", so SQLite lists every
# matching article, looks each up and sorts them all by date to show 50: ~0.55 s for a
# phrase in 860,000 of 1M articles. When matches are that common, walking the date index
# newest first and asking FTS5 about each row ("exists (... and rowid = row)", a seek)
# stops after ~50 * total / hits probes: 4 ms. When they are rare, the walk would visit
# most of the archive (4 s for a phrase with no match), so it is chosen only when
# hits^2 > SEARCH_WALK_FACTOR * total (measured at 1M: a probe ~30 us, listing a match
# ~3 us; walking wins above ~22,000 hits). The count that decides is the page's own
# count query, once cached (until then, see _walk_for_search).
_FTS_IN = re.compile(
    r"(?<![\w+.\]])rowid in \(select rowid from (\w+) where \1 match ([^()]*(?:\([^()]*\))?)\)"
)
_PAGE_FROM = re.compile(r"^select .+? (from (\w+) where .+) order by ([\w\[\]\"]+) (?:desc|asc)"
                        r"(?:, .+)? limit \d+\s*$", re.IGNORECASE | re.DOTALL)
SEARCH_WALK_FACTOR = 500  # HANOI_NEWS_SEARCH_WALK_FACTOR overrides (0: always walk)


def _date_sorted_page(sql: str) -> tuple[str, str] | None:
    """(table, the page's count query) of a rows query sorted by ``published_at``, else None.
    The count query has the same text as Datasette's (its from-clause ends with a space), so
    that both share one cache entry."""
    m = _PAGE_FROM.match(sql)
    if not m or m.group(3).strip('[]"') != "published_at":
        return None
    return m.group(2), "select count(*) " + m.group(1) + " "


def _search_walk_factor() -> float:
    return _env_float("HANOI_NEWS_SEARCH_WALK_FACTOR", SEARCH_WALK_FACTOR)


async def _walk_for_search(cached_execute, peek, sql: str,
                           params) -> tuple[str, bool, int, str | None]:
    """The rows query to run instead of ``sql``, whether it is only a guess, to run within
    ``search_walk_ms`` before falling back to ``sql``, the number of articles, and the
    page's count query (Datasette's text), or None when ``sql`` is not a date-sorted search.

    With the page's count known (cached, even stale) the choice is made from it. Without it
    (a search nobody asked before) the walk is likely, not sure, to be the fast plan: common
    words make it stop after a few ms, a rare phrase of common syllables makes it visit most
    of the archive. (With ``HANOI_NEWS_SEARCH_COUNT_MS=0`` the count is always run first.)"""
    page = _date_sorted_page(sql)
    if page is None or len(_FTS_IN.findall(sql)) != 1:
        return sql, False, 0, None
    table, count_sql = page
    try:
        total = (await cached_execute("select count(*) from article_index")).rows[0][0]
        # (a phrase in the pair index is counted from one short list: first, within budget)
        if peek(count_sql, params) is None and (
                not search_count_ms() or f" {PAIRS_TABLE} match " in count_sql):
            await cached_execute(count_sql, params)
    except QueryInterrupted:
        pass
    except Exception:  # no article_index: keep Datasette's query
        return sql, False, 0, count_sql
    counted = peek(count_sql, params)
    guess = counted is None or counted.deferred or isinstance(counted.results, QueryInterrupted)
    if not guess and counted.results.rows[0][0] ** 2 <= _search_walk_factor() * total:
        return sql, False, total, count_sql
    return _FTS_IN.sub(
        lambda f: f"exists (select 1 from {f.group(1)} hn_fts where hn_fts.{f.group(1)} match "
                  f"{f.group(2)} and hn_fts.rowid = {table}.rowid)", sql), guess, total, count_sql


# Datasette's search term is "match escape_fts(:search)": in the walk's per-row probe that
# is a call into Python for every row probed (1,000-2,000 rows for "tu liem"). Escaped once
# here instead: a new search's walk 42 -> 35 ms ("so với", 1M articles).
_ESCAPED_MATCH = re.compile(r"match escape_fts\(:(\w+)\) and hn_fts\.rowid")


def _escape_once(walk: str, params):
    """The walk with ``escape_fts(:p)`` replaced by a parameter holding its value."""
    names = set(_ESCAPED_MATCH.findall(walk))
    if not names or not isinstance(params, dict) or not names <= set(params):
        return walk, params
    out = dict(params)
    for name in names:
        out["hn_escaped_" + name] = escape_fts(params[name])
    return _ESCAPED_MATCH.sub(lambda m: f"match :hn_escaped_{m.group(1)} and hn_fts.rowid",
                              walk), out


class GaveWay(Exception):
    """A background query stopped because a reader's request arrived (``_run_stoppable``)."""


async def _run_stoppable(db, sql: str, params, truncate: bool, page_size, give_way) -> Results:
    """Datasette's ``execute`` (same rows, same ``sql_time_limit_ms``) for a query that also
    stops, raising ``GaveWay``, as soon as ``give_way()`` is true (checked with the time limit,
    every 1,000 SQLite instructions). Datasette's own time limit cannot be cut short from
    outside, hence a progress handler of our own."""
    ds = db.ds
    gave_way = threading.Event()
    deadline = time.perf_counter() + ds.sql_time_limit_ms / 1000
    max_rows = ds.max_returned_rows
    if max_rows == (page_size or ds.page_size):
        max_rows += 1

    def stopped() -> int:
        if give_way():
            gave_way.set()
            return 1
        return 1 if time.perf_counter() >= deadline else 0

    def in_thread(conn):
        conn.set_progress_handler(stopped, 1000)
        try:
            cursor = conn.execute(sql, params if params is not None else {})
            if max_rows and truncate:
                rows = cursor.fetchmany(max_rows + 1)
                return Results(rows[:max_rows], len(rows) > max_rows, cursor.description)
            return Results(cursor.fetchall(), False, cursor.description)
        finally:
            conn.set_progress_handler(None, 1000)

    try:
        return await db.execute_fn(in_thread)
    except sqlite3.OperationalError as exc:
        if gave_way.is_set():
            raise GaveWay(sql) from exc
        if exc.args == ("interrupted",):
            raise QueryInterrupted(exc, sql, params) from exc
        raise


# A quoted phrase of two words (a place name turned into a phrase by vi_search: "van hoa",
# "tu liem") is looked up in the word-pair index (crawler/publish/search_pairs.py) instead: one token
# whose list holds only the articles with the phrase, where FTS5 compares the positions of
# two words found in most articles (33-884 ms to count at 1M articles, 0.2-2 ms from the
# pair index, measured 2026-12-03). Same matches: the pairs are those of search_fold, where
# an FTS5 phrase without "đ" matches whenever it matches in title, sapo or body_text.
# Phrases with "đ" (FTS5 keeps it, search_fold folds it to "d"), single words and longer
# phrases stay with FTS5. Used only while no article waits to be indexed (the crawler
# indexes in the transaction that saves an article).
PAIRS_TABLE = "articles_pairs_fts"
PAIRS_PENDING = "articles_pairs_pending"
_SEARCH_TERM = re.compile(r"(?<![\w+.\]])rowid in \(select rowid from articles_fts where "
                          r"articles_fts match escape_fts\(:search\)\)")
_QUOTED = re.compile(r'"([^"]*)"')
_WORD_TOKEN = re.compile(r"[^\W_]+")


def _fts5_tokens(text: str) -> list[str]:
    """What FTS5's unicode61 tokenizer (remove_diacritics 2) makes of ``text``: lower case,
    no marks; "đ" stays."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.lower())
                   if not unicodedata.combining(c))
    return _WORD_TOKEN.findall(bare)


def _use_pairs(sql: str, params):
    """``(sql, params)`` with the two-word phrases of ``?_search=`` matched in the pair
    index, or None when the search has none."""
    m = _SEARCH_TERM.search(sql)
    if not m or not isinstance(params, dict) or not isinstance(params.get("search"), str):
        return None
    pairs, rest = [], []
    for term in _QUOTED.findall(escape_fts(params["search"])):
        toks = _fts5_tokens(term)
        if len(toks) == 2 and "đ" not in toks[0] + toks[1]:
            pairs.append(f'"{toks[0]}_{toks[1]}"')
        else:
            rest.append(f'"{term}"')
    if not pairs:
        return None
    clause = (f"rowid in (select rowid from {PAIRS_TABLE} where {PAIRS_TABLE} "
              "match :hn_pairs)")
    out = dict(params, hn_pairs=" AND ".join(pairs))
    if rest:
        clause += (" and rowid in (select rowid from articles_fts where articles_fts "
                   "match :hn_rest)")
        out["hn_rest"] = " ".join(rest)
    return sql[:m.start()] + clause + sql[m.end():], out


# The count of a plain search ("select count(*) from news where rowid in (select rowid from
# articles_fts where articles_fts match ...)") is the number of FTS matches: `news` is a view
# of article_index, which has one row per article, and the FTS index one row per article
# (both kept by triggers; `publish --rebuild-fts` repairs an index left stale by a writer
# that bypassed them). Counting in the index alone skips one lookup per match: at 1M
# articles, a two-word search matching 442,000 articles 475 -> 61 ms.
_FTS_COUNT = re.compile(
    r"^select count\(\*\) from (news|articles) where rowid in \(select rowid from (\w+) "
    r"where \2 match ([^()]*(?:\([^()]*\))?)\)\s*$")


def _count_in_fts(sql: str) -> str:
    m = _FTS_COUNT.match(sql)
    if not m:
        return sql
    return f"select count(*) from {m.group(2)} where {m.group(2)} match {m.group(3)}"


# A column facet is "select col as value, count(*) as count from (<the page's query>) where
# col is not null group by col ...". Each filtered row costs ~3 us (1M articles), so when the
# page's count (already cached: Datasette counts before it facets) says the filter matches
# more rows than the facet time budget covers, running the facet in front of the reader
# would only end in "timed out" after the budget: it is reported timed out at once and
# computed in the background instead.
_FACET_INNER = re.compile(r"^\s*select \S+ as value, count\(\*\) as count from \(\s*select .+? "
                          r"(from \w+ (?:where .+?)?)\s*\)\s*where \S+ is not null", re.DOTALL)
FACET_ROWS_PER_MS = 330  # measured: ~3 us per row of a filtered news facet at 1M articles


def _facet_rows_per_ms() -> float:  # HANOI_NEWS_FACET_ROWS_PER_MS overrides (tests, tuning)
    return _env_float("HANOI_NEWS_FACET_ROWS_PER_MS", FACET_ROWS_PER_MS)


def _facet_count_sql(sql: str) -> str | None:
    m = _FACET_INNER.match(sql)
    if not m:
        return None
    from_sql = m.group(1).rstrip()
    return f"select count(*) {from_sql} "


def _state(path: str):
    out = []
    for p in (path, path + "-wal"):
        try:
            st = os.stat(p)
            out.append((st.st_size, st.st_mtime_ns))
        except OSError:
            out.append(None)
    return tuple(out)


def _freeze(params):
    if params is None:
        return ()
    if isinstance(params, dict):
        return tuple(sorted((k, repr(v)) for k, v in params.items()))
    return tuple(repr(v) for v in params)


def _answer(results):
    if isinstance(results, QueryInterrupted):
        raise results
    return results


def _deferred(sql, params) -> QueryInterrupted:
    """What a query left to the background raises in front of the reader ("timed out")."""
    exc = QueryInterrupted(sqlite3.OperationalError("interrupted"), sql, params)
    exc.hn_deferred = True
    return exc


def _is_search_count(sql: str) -> bool:
    return sql.startswith("select count(*) ") and "_fts match " in sql


def _activity(datasette) -> dict:
    """Requests being served and when the last one ended (kept by ``asgi_wrapper``)."""
    activity = getattr(datasette, "_hn_activity", None)
    if activity is None:
        activity = datasette._hn_activity = {"active": 0, "last": 0.0}
    return activity


async def _reader_quiet(datasette) -> None:
    """Return once no request is being served and none has ended for ``QUIET_S``, or after
    ``MAX_QUIET_WAIT_S`` at most."""
    activity = _activity(datasette)
    deadline = time.monotonic() + MAX_QUIET_WAIT_S
    while time.monotonic() < deadline:
        if activity["active"]:
            await asyncio.sleep(QUIET_S)
            continue
        idle = time.monotonic() - activity["last"]
        if idle >= QUIET_S:
            return
        await asyncio.sleep(QUIET_S - idle)


def install(datasette) -> None:
    """Wrap ``execute`` of every file-backed database once (idempotent)."""
    if os.environ.get("HANOI_NEWS_QUERY_CACHE", "1") == "0":
        return
    for db in list(datasette.databases.values()):
        if getattr(db, "_hn_query_cache", None) is not None or not db.path:
            continue
        if getattr(db, "is_memory", False):
            continue
        cache: OrderedDict = OrderedDict()
        db._hn_query_cache = cache
        db._hn_refreshing = refreshing = {}  # key -> asyncio.Task
        db._hn_cache_stats = stats = {"refreshed": 0}
        activity = _activity(datasette)
        original = db.execute

        def make(original=original, cache=cache, db=db, refreshing=refreshing, stats=stats):
            locks: dict = {}  # one refresh at a time per event loop (tests run several)

            def reader_waiting() -> bool:  # (called from a read thread: a plain int read)
                return activity["active"] > 0

            def peek(sql, params) -> Entry | None:
                """The cached entry of an aggregate query, exact or stale, if any."""
                return cache.get((sql, _freeze(params), False))

            def store(key, entry: Entry) -> None:
                cache[key] = entry
                cache.move_to_end(key)
                while len(cache) > MAX_ENTRIES:
                    cache.popitem(last=False)

            async def run(sql, params, kwargs, give_way=None) -> Entry:
                # state taken before the query: a commit during it makes the entry stale
                state = _state(db.path) if db.is_mutable else None
                started = time.monotonic()
                try:
                    if give_way is None:
                        results = await original(_count_in_fts(sql), params, **kwargs)
                    else:  # (with no custom_time_limit: sql_time_limit_ms, as original's)
                        results = await _run_stoppable(db, _count_in_fts(sql), params,
                                                       kwargs["truncate"], kwargs["page_size"],
                                                       give_way)
                except QueryInterrupted as exc:
                    # over its time limit: it would be again on the same data, so the page
                    # says "timed out" at once instead of waiting for the limit every time
                    results = exc
                except sqlite3.OperationalError as exc:
                    # a very short limit can stop SQLite while it opens the FTS table
                    # ("vtable constructor failed"): that is being out of time too
                    if not kwargs.get("custom_time_limit") or "vtable constructor" not in str(exc):
                        raise
                    results = QueryInterrupted(exc, sql, params)
                return Entry(state, started, results, time.monotonic() - started)

            async def refresh(key, sql, params, kwargs) -> None:
                try:
                    await asyncio.sleep(REFRESH_DELAY_S)
                    loop = asyncio.get_running_loop()
                    if loop not in locks:
                        locks.clear()
                        locks[loop] = asyncio.Lock()
                    async with locks[loop]:
                        patient_until = time.monotonic() + MAX_QUIET_WAIT_S
                        while True:
                            await _reader_quiet(datasette)
                            # a reader arriving stops it, and it starts again once they are
                            # served (after MAX_QUIET_WAIT_S of that, it runs to the end)
                            patient = time.monotonic() < patient_until
                            try:
                                # behind the page, a facet may take up to sql_time_limit_ms
                                entry = await run(
                                    sql, params, dict(kwargs, custom_time_limit=None),
                                    give_way=reader_waiting if patient else None)
                                break
                            except GaveWay:
                                continue
                        if not (isinstance(entry.results, QueryInterrupted) and CACHED_MARK in sql):
                            store(key, entry)  # an interrupted canned query keeps its last answer
                        stats["refreshed"] += 1
                except asyncio.CancelledError:
                    raise
                except Exception:  # the stale entry stays; the next request tries again
                    log.warning("background recount failed: %s", sql[:200], exc_info=True)
                finally:
                    refreshing.pop(key, None)

            def schedule(key, hit: Entry, now: float, sql, params, kwargs,
                         force: bool = False) -> None:
                if key in refreshing or len(refreshing) >= MAX_PENDING:
                    return
                if not force and now - hit.at < max(MIN_REFRESH_S,
                                                    REFRESH_COST_FACTOR * hit.cost):
                    return
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:  # pragma: no cover - execute is always awaited in a loop
                    return
                refreshing[key] = loop.create_task(refresh(key, sql, params, kwargs))

            walks: OrderedDict = OrderedDict()  # (count query, params) -> the walk won

            def remember(search_key, won: bool) -> None:
                walks[search_key] = won
                walks.move_to_end(search_key)
                while len(walks) > MAX_ENTRIES:
                    walks.popitem(last=False)

            def defer(sql: str, params) -> None:
                """Leave the count query ``sql`` to the background, unless known."""
                key = (sql, _freeze(params), False)
                if key in cache:
                    return
                now = time.monotonic()
                entry = Entry(_state(db.path) if db.is_mutable else None, now,
                              _deferred(sql, params), 0.0, True)
                store(key, entry)
                schedule(key, entry, now, sql, params,
                         dict(truncate=False, custom_time_limit=None, page_size=None,
                              log_sql_errors=True), force=True)

            pairs_ok: dict = {}  # database state -> whether the pair index can be used

            async def pairs_ready() -> bool:
                state = _state(db.path) if db.is_mutable else "immutable"
                if state not in pairs_ok:
                    try:
                        res = await original(
                            f"select exists (select 1 from {PAIRS_PENDING}), (select count(*)"
                            f" from sqlite_master where name = '{PAIRS_TABLE}')",
                            log_sql_errors=False)
                        ok = not res.rows[0][0] and res.rows[0][1] == 1
                    except Exception:  # no pair index (an archive not published yet)
                        ok = False
                    pairs_ok.clear()
                    pairs_ok[state] = ok
                return pairs_ok[state]

            async def execute(sql, params=None, truncate=False, custom_time_limit=None,
                              page_size=None, log_sql_errors=True):
                kwargs = dict(truncate=truncate, custom_time_limit=custom_time_limit,
                              page_size=page_size, log_sql_errors=log_sql_errors)
                if isinstance(sql, str) and "match escape_fts(:search))" in sql:
                    paired = _use_pairs(sql, params)
                    if paired is not None and await pairs_ready():
                        sql, params = paired
                if not isinstance(sql, str) or not (_AGGREGATE.search(sql)
                                                    or CACHED_MARK in sql):
                    if isinstance(sql, str) and "p.ascii_name = '" in sql:
                        sql = await _walk_date_index(execute, sql, params)
                    elif isinstance(sql, str) and "_fts match " in sql:
                        walk, guess, total, count_sql = await _walk_for_search(
                            execute, peek, sql, params)
                        walk, walk_params = _escape_once(walk, params)
                        if not guess:
                            sql, params = walk, walk_params
                        elif not custom_time_limit:  # (a reader's _timelimit: Datasette's plan)
                            # what the walk did the last time for this search (any page of
                            # it), while its count is still being computed behind
                            search_key = (count_sql, _freeze(params))
                            walked = walks.get(search_key)
                            results = None
                            if walked is not False:
                                try:
                                    results = await original(walk, walk_params, **dict(
                                        kwargs, custom_time_limit=None if walked else
                                        search_walk_ms()))
                                except (QueryInterrupted, sqlite3.OperationalError):
                                    pass
                                remember(search_key, results is not None)
                            if results is not None:
                                if total > search_count_ms() * _count_articles_per_ms():
                                    # common words in a big archive: their count would not
                                    # fit its budget, and is left to the background at once
                                    defer(count_sql, params)
                                return results
                            # rare matches after all: Datasette's own plan
                    return await original(sql, params, **kwargs)
                ttl = float(datasette.setting("default_cache_ttl") or 0) or 60.0
                key = (sql, _freeze(params), bool(truncate))
                state = _state(db.path) if db.is_mutable else None
                hit = cache.get(key)
                now = time.monotonic()
                if hit is not None:
                    if hit.state == state and now - hit.at < ttl:  # exact
                        cache.move_to_end(key)
                        if hit.deferred:  # its background run was left out of a full queue
                            schedule(key, hit, now, sql, params, kwargs, force=True)
                        return _answer(hit.results)
                    if now - hit.at < max_stale_s():  # stale: answer now, recount behind
                        cache.move_to_end(key)
                        schedule(key, hit, now, sql, params, kwargs)
                        return _answer(hit.results)
                if custom_time_limit:  # a facet: will it fit in its page-time budget?
                    left = _facet_time_left(custom_time_limit)
                    count_sql = _facet_count_sql(sql)
                    counted = cache.get((count_sql, _freeze(params), False)) if count_sql else None
                    if left is None or counted is not None and (
                            counted.deferred  # its count alone was over budget
                            or (not isinstance(counted.results, QueryInterrupted)
                                and counted.results.rows[0][0]
                                > _facet_rows_per_ms() * left)):
                        entry = Entry(state, now, _deferred(sql, params), 0.0, True)
                        store(key, entry)
                        schedule(key, entry, now, sql, params, kwargs, force=True)
                        raise entry.results
                    kwargs["custom_time_limit"] = custom_time_limit = left
                budget = search_count_ms()
                if (hit is None and not custom_time_limit and budget and _is_search_count(sql)):
                    # a search nobody asked before: its count gets a budget, then the background
                    entry = await run(sql, params, dict(kwargs, custom_time_limit=budget))
                    if isinstance(entry.results, QueryInterrupted):
                        entry = Entry(state, now, _deferred(sql, params), entry.cost, True)
                        store(key, entry)
                        schedule(key, entry, now, sql, params, kwargs, force=True)
                        raise entry.results
                else:
                    entry = await run(sql, params, kwargs)
                if isinstance(entry.results, QueryInterrupted) and CACHED_MARK in sql:
                    # a whole-archive query over sql_time_limit_ms (a cold cache, a busy
                    # box): the reader gets Datasette's "interrupted" page, and the next
                    # reader tries again instead of getting that answer from the cache
                    raise entry.results
                store(key, entry)
                if isinstance(entry.results, QueryInterrupted) and custom_time_limit:
                    # a facet over its page-time budget (facet_time_limit_ms): the page says
                    # so now, and the facet is computed behind it for the next reader
                    entry = entry._replace(deferred=True)
                    store(key, entry)
                    schedule(key, entry, now, sql, params, kwargs, force=True)
                return _answer(entry.results)

            return execute

        db.execute = make()


@hookimpl
def startup(datasette):
    install(datasette)


@hookimpl
def asgi_wrapper(datasette):
    install(datasette)
    activity = _activity(datasette)

    def wrap(app):
        async def counted(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            activity["active"] += 1
            token = _PAGE_STARTED.set(time.monotonic())
            try:
                return await app(scope, receive, send)
            finally:
                _PAGE_STARTED.reset(token)
                activity["active"] -= 1
                activity["last"] = time.monotonic()

        return counted

    return wrap


# Read connections: memory-mapped reads (no read() copy per page), a larger page cache and
# in-memory temporary B-trees for group by / order by. Per connection; the file stays
# read-only for Datasette.
PRAGMAS = (
    "pragma mmap_size = 1073741824",  # 1 GiB window per connection (address space only)
    "pragma cache_size = -65536",  # 64 MiB page cache per connection
    "pragma temp_store = memory",
)


@hookimpl
def prepare_connection(conn, database, datasette):
    for sql in PRAGMAS:
        try:
            conn.execute(sql)
        except Exception:  # pragma: no cover - never fatal
            pass
