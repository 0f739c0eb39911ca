"""Bounds on the SQL the public may type, so that it cannot starve or exhaust the server.

Datasette lets anyone run read-only SQL (``?sql=`` on a database, ``?_where=`` on a table).
Its time limit (``sql_time_limit_ms``) is checked between SQLite instructions, so one
instruction that allocates a huge value is not stopped in time: ``select
length(hex(zeroblob(400000000)))`` ran 4.4 s at about 2 GB, two at once 3.8 GB; and six
3-second queries held every SQL thread, so the news page went from 13 ms to 2.7 s. The
crawler runs in the same process (``hanoi-news run``), so the server's memory is its memory.

* **Values**: every read connection refuses a string or blob longer than
  ``HANOI_NEWS_SQL_MAX_VALUE_MB`` (default 32 MB; the longest article is a few hundred KB),
  with SQLite's own "string or blob too big", before it allocates it.
* **Memory**: SQLite's heap in this process is capped at ``HANOI_NEWS_SQLITE_HEAP_MB``
  (default 2048; 0 = no cap; ``pragma hard_heap_limit``): a query that would need more fails
  with "out of memory" instead of taking the machine.
* **Threads and cores**: at most ``HANOI_NEWS_ADHOC_SQL_CONCURRENCY`` requests with typed SQL
  run at once (default: half the CPU cores, at least one; of the 4 SQL threads); another waits
  up to ``HANOI_NEWS_ADHOC_SQL_WAIT_S`` (default 2 s) for a place and is then answered 429 with
  ``Retry-After``. Pages, canned queries, feeds and downloads never wait behind typed SQL for a
  thread, and keep a core (bench/bench_sql_guard.py on 2 cores, six 3-second queries at once:
  news page p95 5.7-6.1 s without the guard, 221 ms with two slots, 103 ms with one).

``HANOI_NEWS_SQL_GUARD=0`` switches all three off (``bench/bench_sql_guard.py`` compares).
"""
from __future__ import annotations

import asyncio
import os
import sqlite3
from urllib.parse import parse_qsl

from datasette import hookimpl
from datasette.utils.asgi import Response

ADHOC_PARAMS = {"sql", "_where"}


def _env_number(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


def max_value_bytes() -> int:
    return int(_env_number("HANOI_NEWS_SQL_MAX_VALUE_MB", 32) * 1_000_000)


def enabled() -> bool:
    return os.environ.get("HANOI_NEWS_SQL_GUARD", "1") != "0"


def is_adhoc(scope) -> bool:
    """A request that carries SQL typed by its sender."""
    query = scope.get("query_string", b"").decode("latin-1")
    return bool(query) and any(k in ADHOC_PARAMS for k, _ in parse_qsl(query, keep_blank_values=True))


@hookimpl
def prepare_connection(conn, database, datasette):
    if not enabled():
        return
    try:
        conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_value_bytes())
    except (AttributeError, sqlite3.Error):  # pragma: no cover - Python < 3.11 has no setlimit
        pass


@hookimpl
def startup(datasette):
    heap_mb = int(_env_number("HANOI_NEWS_SQLITE_HEAP_MB", 2048))
    if enabled() and heap_mb > 0:
        conn = sqlite3.connect(":memory:")
        try:  # process-wide: any connection sets it for all
            conn.execute(f"pragma hard_heap_limit = {heap_mb * 1024 * 1024}")
        finally:
            conn.close()


@hookimpl
def asgi_wrapper(datasette):
    limit = max(1, int(_env_number("HANOI_NEWS_ADHOC_SQL_CONCURRENCY", (os.cpu_count() or 2) // 2)))
    wait_s = max(0.0, _env_number("HANOI_NEWS_ADHOC_SQL_WAIT_S", 2.0))
    slots: dict[asyncio.AbstractEventLoop, asyncio.Semaphore] = {}

    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") != "http" or not enabled() or not is_adhoc(scope):
                return await app(scope, receive, send)
            loop = asyncio.get_running_loop()
            slot = slots.setdefault(loop, asyncio.Semaphore(limit))
            try:
                if slot.locked():
                    await asyncio.wait_for(slot.acquire(), wait_s)
                else:
                    await slot.acquire()  # free: taken without waiting
            except asyncio.TimeoutError:
                response = Response.text(
                    f"{limit} queries typed by readers are already running; try again in a few "
                    "seconds (pages, canned queries and downloads are not affected).",
                    status=429, headers={"Retry-After": "5"})
                return await response.asgi_send(send)
            try:
                return await app(scope, receive, send)
            finally:
                slot.release()

        return guarded

    return wrap
