"""Health of each source: last success, failures in a row, articles per day, completeness,
and (from state.db) paused hosts and the frontier backlog."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import clock

FAILED_RUNS = ("failed", "paused", "interrupted")


@dataclass
class SourceHealth:
    source: str
    articles: int
    last_success: str | None
    consecutive_failures: int
    per_day_7d: float
    with_date: float
    with_author: float
    with_body: float
    with_place: float
    last_status: str | None = None
    removed: int = 0
    backlog: int = 0  # URLs found and not fetched yet
    gave_up: int = 0  # URLs that failed every attempt
    paused_hosts: str = ""
    fetch_errors_24h: int = 0


def health(db: Database, source_ids: list[str], *, state_path: str | Path | None = None) -> list[SourceHealth]:
    out = []
    has_places = "article_places" in db.table_names()
    state = _open_state(state_path)
    now = clock.iso()
    since_7d = clock.iso(clock.now().replace(microsecond=0) - __import__("datetime").timedelta(days=7))
    since_24h = clock.iso(clock.now().replace(microsecond=0) - __import__("datetime").timedelta(days=1))
    for sid in source_ids:
        last_ok = db.execute("select max(finished_at) from runs where source = ? and status like 'ok%'",
                             [sid]).fetchone()[0]
        failures = 0
        statuses = [r[0] for r in db.execute("select status from runs where source = ? and status != 'running' "
                                             "order by id desc limit 100", [sid])]
        for status in statuses:
            if status in FAILED_RUNS:
                failures += 1
            elif status == "stopped":
                continue  # a clean shutdown is neither
            else:
                break
        n = db.execute("select count(*) from articles where source = ?", [sid]).fetchone()[0]
        recent = db.execute("select count(*) from articles where source = ? and first_seen_at >= ?",
                            [sid, since_7d]).fetchone()[0]
        removed = db.execute("select count(*) from articles where source = ? and status = 'removed'",
                             [sid]).fetchone()[0]
        errors = db.execute("select count(*) from fetches where source = ? and fetched_at >= ? and "
                            "(error is not null or status_code >= 500 or status_code in (403, 429))",
                            [sid, since_24h]).fetchone()[0]

        def share(where: str) -> float:
            if not n:
                return 0.0
            k = db.execute(f"select count(*) from articles where source = ? and ({where})", [sid]).fetchone()[0]
            return k / n

        place_share = share("id in (select article_id from article_places)") if has_places else 0.0
        h = SourceHealth(
            source=sid, articles=n, last_success=last_ok, consecutive_failures=failures,
            per_day_7d=recent / 7, with_date=share("date_source is not null and date_source != 'first-seen'"),
            with_author=share("authors is not null and authors != '[]'"),
            with_body=share("length(body_text) > 200"), with_place=place_share,
            last_status=statuses[0] if statuses else None, removed=removed, fetch_errors_24h=errors)
        if state is not None:
            h.backlog = state.execute("select count(distinct article_key) from frontier where source = ? and "
                                      "status in ('new', 'retry')", [sid]).fetchone()[0]
            h.gave_up = state.execute("select count(distinct article_key) from frontier where source = ? and "
                                      "status = 'failed'", [sid]).fetchone()[0]
            base = db.execute("select base_url from sources where id = ?", [sid]).fetchone()
            if base:
                parts = urlsplit(base[0])
                host = f"{parts.scheme}://{parts.netloc}".lower()
                row = state.execute("select open_until, reason from hosts where host = ? and open_until > ?",
                                    [host, now]).fetchone()
                if row:
                    h.paused_hosts = f"{host} until {row[0]} ({row[1]})"
        out.append(h)
    if state is not None:
        state.close()
    return out


def _open_state(path: str | Path | None) -> sqlite3.Connection | None:
    if path is None or not Path(path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=10)
        conn.execute("select 1 from frontier limit 1")
        return conn
    except sqlite3.Error:
        return None


def format_table(rows: list[SourceHealth]) -> str:
    head = (f"{'source':<14} {'articles':>8} {'last success':<26} {'last run':<15} {'fail':>4} {'/day':>6} "
            f"{'date':>5} {'author':>6} {'body':>5} {'place':>5} {'backlog':>7} {'gave up':>7} {'err 24h':>7}")
    lines = [head, "-" * len(head)]
    notes = []
    for r in rows:
        lines.append(f"{r.source:<14} {r.articles:>8} {(r.last_success or 'never'):<26} {(r.last_status or '-'):<15} "
                     f"{r.consecutive_failures:>4} {r.per_day_7d:>6.1f} {r.with_date:>5.0%} {r.with_author:>6.0%} "
                     f"{r.with_body:>5.0%} {r.with_place:>5.0%} {r.backlog:>7} {r.gave_up:>7} {r.fetch_errors_24h:>7}")
        if r.paused_hosts:
            notes.append(f"{r.source}: paused: {r.paused_hosts}")
    return "\n".join(lines + notes)
