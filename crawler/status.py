"""Health of each source: its open alarms, last run, last success (the last run that reached
the site), failures in a row, articles per day, completeness, and (from state.db) paused
hosts and the frontier backlog.

A source is healthy when it has been crawled and has no open alarm (``alarms.py``; a failed
or dead last run is an alarm too). ``hanoi-news status`` first runs the checks that time
alone can tell (``alarms.watch``: a run left by a dead process, an open breaker, a long
silence), so a cron job running it notices a crawler that can no longer report itself.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import alarms, clock
from .run_record import INTERRUPTED, MIN_BODY_CHARS, REACHED, STOPPED_ERROR

HEALTHY, UNHEALTHY, NEVER = "healthy", "UNHEALTHY", "never crawled"
EXIT_HEALTHY, EXIT_UNHEALTHY = 0, 3  # 1: could not check (no archive, bad sources.yml); 2: usage


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
    health: str = HEALTHY
    last_run_at: str | None = None
    last_error: str | None = None
    alarms: list[dict[str, Any]] = field(default_factory=list)  # open ones

    @property
    def healthy(self) -> bool:
        return self.health == HEALTHY

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


def health(db: Database, source_ids: Iterable[str], *, state_path: str | Path | None = None,
           watch: bool = True, on_alarms: Callable[[list], Any] | None = None) -> list[SourceHealth]:
    """Health of each source. With ``watch`` the time-based checks run first (and may open or
    close alarms; ``on_alarms`` receives those changes)."""
    out = []
    has_places = "article_places" in db.table_names()
    state = _open_state(state_path)
    now = clock.iso()
    since_7d = clock.iso(clock.now().replace(microsecond=0) - timedelta(days=7))
    since_24h = clock.iso(clock.now().replace(microsecond=0) - timedelta(days=1))
    try:
        for sid in source_ids:
            base = db.execute("select base_url from sources where id = ?", [sid]).fetchone()
            if watch and base:
                changes = alarms.watch(db, state, sid, base[0])
                if changes and on_alarms is not None:
                    on_alarms(changes)
            h = _one(db, sid, has_places, since_7d, since_24h)
            if state is not None:
                _state_figures(state, h, base[0] if base else None, now)
            h.alarms = alarms.open_alarms(db, sid)
            if h.last_status is None:
                h.health = NEVER
            elif h.alarms or h.last_status == "failed" or _died(h):
                h.health = UNHEALTHY
            out.append(h)
    finally:
        if state is not None:
            state.close()
    return out


def _died(h: SourceHealth) -> bool:
    return h.last_status == INTERRUPTED and h.last_error != STOPPED_ERROR


def _one(db: Database, sid: str, has_places: bool, since_7d: str, since_24h: str) -> SourceHealth:
    reached = ",".join(f"'{s}'" for s in REACHED)
    last_ok = db.execute(f"select max(finished_at) from runs where source = ? and status in ({reached})",
                         [sid]).fetchone()[0]
    runs = db.execute("select status, started_at, error from runs where source = ? "
                      "order by id desc limit 100", [sid]).fetchall()
    latest = next((r for r in runs if not (r[0] == INTERRUPTED and r[2] == STOPPED_ERROR)),
                  runs[0] if runs else None)
    failures = 0
    for status, _started, error in runs:
        if status == INTERRUPTED and error == STOPPED_ERROR or status == "running":
            continue  # a clean shutdown, or the run going on now
        if status == "failed" or status == INTERRUPTED:
            failures += 1
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
    return SourceHealth(
        source=sid, articles=n, last_success=last_ok, consecutive_failures=failures,
        per_day_7d=recent / 7, with_date=share("date_source is not null and date_source != 'first-seen'"),
        with_author=share("authors is not null and authors != '[]'"),
        with_body=share(f"length(body_text) >= {MIN_BODY_CHARS}"), with_place=place_share,
        last_status=latest[0] if latest else None, last_run_at=latest[1] if latest else None,
        last_error=latest[2] if latest else None, removed=removed, fetch_errors_24h=errors)


def _state_figures(state: sqlite3.Connection, h: SourceHealth, base_url: str | None, now: str) -> None:
    h.backlog = state.execute("select count(distinct article_key) from frontier where source = ? and "
                              "status in ('new', 'retry')", [h.source]).fetchone()[0]
    h.gave_up = state.execute("select count(distinct article_key) from frontier where source = ? and "
                              "status = 'failed'", [h.source]).fetchone()[0]
    if base_url:
        parts = urlsplit(base_url)
        host = f"{parts.scheme}://{parts.netloc}".lower()
        row = state.execute("select open_until, reason from hosts where host = ? and open_until > ?",
                            [host, now]).fetchone()
        if row:
            h.paused_hosts = f"{host} until {row[0]} ({row[1]})"


def _open_state(path: str | Path | None) -> sqlite3.Connection | None:
    if path is None or not Path(path).exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True, timeout=10)
        conn.execute("select 1 from frontier limit 1")
        return conn
    except sqlite3.Error:
        return None


def exit_code(rows: list[SourceHealth]) -> int:
    return EXIT_HEALTHY if all(r.healthy for r in rows) else EXIT_UNHEALTHY


def to_json(rows: list[SourceHealth]) -> str:
    return json.dumps({"healthy": exit_code(rows) == EXIT_HEALTHY, "checked_at": clock.iso(),
                       "sources": [r.to_dict() for r in rows]}, ensure_ascii=False, indent=2)


def _alarm_line(a: dict[str, Any]) -> str:
    what = a["kind"] + (f" [{a['subject']}]" if a.get("subject") else "")
    usual = ""
    if a.get("usual") is not None and a.get("unit") == "share":
        usual = f"  (measured {a['measured']:.0%}, usually {a['usual']:.0%})"
    elif a.get("usual") is not None:
        usual = f"  (measured {a['measured']:g}, usually {a['usual']:g} {a.get('unit') or ''})".rstrip()
    return f"    ! #{a['id']} {what} since {a['opened_at']}: {a['message']}{usual}"


def format_table(rows: list[SourceHealth]) -> str:
    head = (f"{'source':<14} {'health':<13} {'last run':<12} {'last success':<26} {'fail':>4} {'articles':>8} "
            f"{'/day':>6} {'date':>5} {'author':>6} {'body':>5} {'place':>5} {'backlog':>7} {'gave up':>7} "
            f"{'err 24h':>7}")
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.source:<14} {r.health:<13} {(r.last_status or '-'):<12} {(r.last_success or 'never'):<26} "
                     f"{r.consecutive_failures:>4} {r.articles:>8} {r.per_day_7d:>6.1f} {r.with_date:>5.0%} "
                     f"{r.with_author:>6.0%} {r.with_body:>5.0%} {r.with_place:>5.0%} {r.backlog:>7} "
                     f"{r.gave_up:>7} {r.fetch_errors_24h:>7}")
        if r.paused_hosts:
            lines.append(f"    paused: {r.paused_hosts}")
        if r.health == UNHEALTHY and r.last_status in ("failed", INTERRUPTED) and r.last_error:
            lines.append(f"    last run ({r.last_run_at}): {r.last_status}: {r.last_error}")
        lines += [_alarm_line(a) for a in r.alarms]
    bad = [r.source for r in rows if not r.healthy]
    lines.append("")
    lines.append(f"{len(bad)} of {len(rows)} source(s) unhealthy: {', '.join(bad)} (exit {EXIT_UNHEALTHY})"
                 if bad else f"all {len(rows)} source(s) healthy")
    return "\n".join(lines)
