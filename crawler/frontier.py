"""The crawl frontier and validators in state.db: what was found, how, when, and what is due."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable, Iterator

from sqlite_utils import Database

from . import clock
from .dbconn import write_transaction

MAX_ATTEMPTS = 5


def add(state: Database, *, source_id: str, url: str, key: str, found_via: str, found_on: str | None,
        lastmod: str | None = None) -> bool:
    """Record a discovered article URL. Returns True when the URL is new to the frontier."""
    now = clock.iso()
    with write_transaction(state):
        cur = state.execute(
            "insert or ignore into frontier (url, source, article_key, found_via, found_on, first_seen_at, "
            "last_seen_at, lastmod, status, attempts, checks_done) values (?,?,?,?,?,?,?,?,'new',0,0)",
            [url, source_id, key, found_via, found_on, now, now, lastmod])
        if cur.rowcount:
            return True
        state.execute("update frontier set last_seen_at = ?, lastmod = coalesce(?, lastmod) where url = ?",
                      [now, lastmod, url])
        return False


def pending(state: Database, source_id: str, limit: int | None = None,
            keys: set[str] | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
    """One row per article key still to fetch, oldest discovery first.

    A generator reading the frontier in batches (keyset on rowid), so a backfill of a
    large site never holds the whole frontier in memory."""
    seen: set[str] = set()
    n = 0
    if keys is not None:
        rows: Iterable[dict[str, Any]] = []
        wanted = sorted(keys)
        for i in range(0, len(wanted), 500):
            chunk = wanted[i:i + 500]
            marks = ",".join("?" * len(chunk))
            rows = [*rows, *state.query(
                f"select rowid as _rowid, * from frontier where source = ? and status in ('new', 'retry') "
                f"and article_key in ({marks}) order by rowid", [source_id, *chunk])]
        batches: Iterable[list[dict[str, Any]]] = [sorted(rows, key=lambda r: r["_rowid"])]
    else:
        batches = _batches(state, source_id, batch)
    for rows in batches:
        for row in rows:
            if row["article_key"] in seen:
                continue
            seen.add(row["article_key"])
            yield row
            n += 1
            if limit and n >= limit:
                return


def _batches(state: Database, source_id: str, batch: int) -> Iterator[list[dict[str, Any]]]:
    last = 0
    while True:
        rows = list(state.query(
            "select rowid as _rowid, * from frontier where source = ? and status in ('new', 'retry') "
            "and rowid > ? order by rowid limit ?", [source_id, last, batch]))
        if not rows:
            return
        last = rows[-1]["_rowid"]
        yield rows


def urls_of(state: Database, key: str) -> list[str]:
    """Every URL of one article key, in the order they were found."""
    return [r[0] for r in state.execute("select url from frontier where article_key = ? order by rowid", [key])]


def mark_key(state: Database, key: str, status: str, *, error: str | None = None,
             next_check_at: str | None = None, count_attempt: bool = False) -> None:
    """Set the status of every URL of one article key."""
    with write_transaction(state):
        if count_attempt:
            state.execute("update frontier set attempts = attempts + 1 where article_key = ?", [key])
            row = state.execute("select max(attempts) from frontier where article_key = ?", [key]).fetchone()
            if status == "retry" and row and row[0] and row[0] >= MAX_ATTEMPTS:
                status = "failed"
        state.execute("update frontier set status = ?, last_error = ?, next_check_at = ? where article_key = ?",
                      [status, error, next_check_at, key])


def schedule_revisit(state: Database, key: str, revisit_hours: tuple[float, ...], fetched: datetime) -> None:
    """After a fetch, set when the article is next checked for revisions (1 h, 1 day, 7 days)."""
    row = state.execute("select max(checks_done) from frontier where article_key = ?", [key]).fetchone()
    done = int(row[0] or 0) if row else 0
    nxt = None
    if done < len(revisit_hours):
        nxt = (fetched + timedelta(hours=revisit_hours[done])).isoformat(timespec="seconds")
    with write_transaction(state):
        state.execute("update frontier set next_check_at = ? where article_key = ?", [nxt, key])


def due_revisits(state: Database, source_id: str, now: datetime, limit: int = 50) -> list[dict[str, Any]]:
    rows = state.query(
        "select * from frontier where source = ? and status = 'done' and next_check_at is not null "
        "and next_check_at <= ? order by next_check_at limit ?",
        [source_id, now.isoformat(timespec="seconds"), limit * 4])
    seen, out = set(), []
    for row in rows:
        if row["article_key"] not in seen:
            seen.add(row["article_key"])
            out.append(row)
        if len(out) >= limit:
            break
    return out


def count_check(state: Database, key: str) -> None:
    with write_transaction(state):
        state.execute("update frontier set checks_done = checks_done + 1 where article_key = ?", [key])


def is_done(state: Database, key: str) -> bool:
    row = state.execute("select 1 from frontier where article_key = ? and status in ('done', 'removed', 'failed') "
                        "limit 1", [key]).fetchone()
    return row is not None


# -- conditional GET validators ------------------------------------------------------------
def validators(state: Database, url: str) -> tuple[str | None, str | None]:
    row = state.execute("select etag, last_modified from validators where url = ?", [url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def save_validators(state: Database, url: str, headers: dict[str, str]) -> None:
    etag, lm = headers.get("etag"), headers.get("last-modified")
    if not etag and not lm:
        return
    with write_transaction(state):
        state.table("validators").upsert(
            {"url": url, "etag": etag, "last_modified": lm, "checked_at": clock.iso()}, pk="url")


# -- cursors (backfill) ---------------------------------------------------------------------
def get_cursor(state: Database, source_id: str, name: str) -> str | None:
    row = state.execute("select value from cursors where source = ? and name = ?", [source_id, name]).fetchone()
    return row[0] if row else None


def set_cursor(state: Database, source_id: str, name: str, value: str | None) -> None:
    with write_transaction(state):
        state.table("cursors").upsert(
            {"source": source_id, "name": name, "value": value, "updated_at": clock.iso()},
            pk=("source", "name"))
