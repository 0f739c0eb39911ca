"""Drift alarms: each source judged against its own history, after every run and by
``hanoi-news status``.

An alarm is a row of ``alarms`` keyed by (source, kind, subject): opened when its check
fires, updated while it keeps firing, closed when the check passes again. Checks that could
not be judged (an entry point not tried this run, too few articles, no history yet) leave
their alarm as it is. While an alarm is open, its own runs are kept out of the "usual"
figure, so a lasting fault never becomes the norm it is compared with. A lasting change that
is not a fault (the paper stopped printing bylines) is accepted with ``hanoi-news status
--accept ID``: the alarm is closed as ``accepted`` and the usual figure starts again from it.

Kinds (subject in brackets):

* ``run_failed`` -- the run reached nothing: the site unreachable, every entry point failing.
* ``run_died`` -- a run was left ``running`` by a process that died (found by ``status``,
  or when the next run starts).
* ``entry_point_failed`` [entry point] -- a feed, sitemap or listing did not answer.
* ``entry_point_empty`` [entry point] -- it answered without a single link.
* ``patterns_match_nothing`` [entry point] -- it listed links, none matches the source's
  ``article_patterns``.
* ``entry_point_low`` [entry point] -- article links per page far below its usual
  (feeds and listings; a sitemap's yield follows the calendar).
* ``field_fallback`` [field] -- a rising share of articles whose site-profile selectors
  found nothing for the field, so the generic extractor filled it.
* ``field_missing`` [date, author, body, place] -- a rising share of articles without it.
* ``parse_failures`` -- a rising share of fetched article pages that could not be parsed.
* ``breaker_open`` [host] -- the host's circuit breaker is open (requests paused).
* ``no_new_articles`` -- no new article for much longer than the usual gap.
"""
from __future__ import annotations

import logging
import os
import sqlite3
import statistics
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlite_utils import Database

from . import clock
from .run_record import FIELDS, INTERRUPTED, REACHED, STOPPED_ERROR
from .sources import Source

log = logging.getLogger(__name__)

# Thresholds (documented in the README's "Health and exit codes")
MIN_SAMPLE = 8  # articles (or pages) a share is judged on: this run's, with earlier runs if fewer
WINDOW_RUNS = 10  # at most this many recent runs make up that sample
MIN_BASELINE = 10  # articles the usual share is computed from (up to BASELINE_RUNS earlier runs)
BASELINE_RUNS = 30
RISE = 0.35  # a share opens its alarm at usual + RISE, and closes it below usual + RISE / 2
LOW_RATIO = 0.25  # an entry point's yield is low below a quarter of its usual
LOW_MIN_USUAL = 4.0  # ... when it usually gives at least this many article links per page
LOW_MIN_HISTORY = 3  # ... judged on at least this many earlier answers
SILENCE_FACTOR = 3.0  # no new article for 3x the usual longest gap (90th percentile) ...
MIN_SILENCE_HOURS = 12.0  # ... and never less than 12 hours
MIN_GAPS = 3  # gaps between runs with new articles needed to know the usual one
FALLBACK_FIELDS = ("title", "sapo", "date", "author", "body", "category")
MISSING_FIELDS = ("date", "author", "body", "place")


@dataclass
class Finding:
    kind: str
    subject: str
    measured: float | None
    usual: float | None
    unit: str
    message: str


@dataclass
class Change:
    """An alarm that opened or closed: what the notifier sends."""

    action: str  # opened | closed
    alarm_id: int
    source: str
    kind: str
    subject: str
    measured: float | None
    usual: float | None
    unit: str
    message: str

    def line(self) -> str:
        what = f"{self.kind}" + (f" [{self.subject}]" if self.subject else "")
        return f"{self.source}: {self.action.upper()} {what}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# -- public ------------------------------------------------------------------------------
def after_run(db: Database, state: Database | sqlite3.Connection | None, source: Source,
              run_id: int) -> list[Change]:
    """Judge the checks a finished run can tell, against the source's history."""
    run = _row(db, "select id, source, status, error from runs where id = ?", [run_id])
    if run is None or run["status"] == INTERRUPTED:
        return []  # a stopped run measured only part of the site: judge nothing on it
    judged: set[tuple[str, str]] = {("run_failed", ""), ("run_died", "")}
    findings: list[Finding] = []
    if run["status"] not in REACHED:
        findings.append(_run_failed(db, run))
    _entry_points(db, source.id, run_id, judged, findings)
    _shares(db, source, run_id, judged, findings)
    _breaker(state, source.base_url, judged, findings)
    _silence(db, source.id, judged, findings)
    changes = reconcile(db, source.id, judged, findings, run_id)
    return _record_deaths(db, source.id, run_id) + changes


def watch(db: Database, state: Database | sqlite3.Connection | None, source_id: str,
          base_url: str) -> list[Change]:
    """What time alone can tell, for ``status`` (a dead crawler cannot report itself): a run
    left running by a dead process, an open breaker, a silence longer than usual."""
    judged = {("run_died", "")}
    findings: list[Finding] = []
    died = _last_run_died(db, source_id)
    if died is not None:
        findings.append(Finding("run_died", "", None, None, "run",
                                f"run {died['id']} (started {died['started_at']}) never finished: "
                                f"{died['error'] or 'its process died'}"))
    _breaker(state, base_url, judged, findings)
    _silence(db, source_id, judged, findings)
    latest = _row(db, "select max(id) as id from runs where source = ?", [source_id])
    return reconcile(db, source_id, judged, findings, latest["id"] if latest else None)


def accept(db: Database, alarm_id: int) -> dict[str, Any] | None:
    """Close an open alarm as ``accepted``: what it measured is the new normal."""
    alarm = _row(db, "select * from alarms where id = ? and state = 'open'", [alarm_id])
    if alarm is None:
        return None
    with db.atomic():
        db.table("alarms").update(alarm_id, {"state": "accepted", "closed_at": clock.iso()})
    return alarm


def _accepted_from(db: Database, source_id: str, kind: str, subject: str) -> int:
    """The run the usual figure starts from: that of the latest accepted alarm, if any."""
    row = _row(db, "select max(opened_run_id) as run_id from alarms where source = ? and kind = ? "
                   "and subject = ? and state = 'accepted'", [source_id, kind, subject])
    return (row or {}).get("run_id") or 0


def open_alarms(db: Database, source_id: str) -> list[dict[str, Any]]:
    if "alarms" not in db.table_names():
        return []
    return [dict(r) for r in _rows(db, "select * from alarms where source = ? and state = 'open' "
                                       "order by opened_at, id", [source_id])]


def reconcile(db: Database, source_id: str, judged: set[tuple[str, str]], findings: list[Finding],
              run_id: int | None) -> list[Change]:
    """Open, update and close ``alarms`` rows: ``findings`` fire, the rest of ``judged`` pass."""
    now = clock.iso()
    current: dict[tuple[str, str], dict[str, Any]] = {}
    doubles = []  # a status check and a run that opened the same alarm at the same moment
    for alarm in open_alarms(db, source_id):
        key = (alarm["kind"], alarm["subject"])
        if key in current:
            doubles.append(alarm["id"])
        else:
            current[key] = alarm
    firing = {(f.kind, f.subject): f for f in findings}
    changes: list[Change] = []
    with db.atomic():
        table = db.table("alarms")
        for alarm_id in doubles:
            table.update(alarm_id, {"state": "closed", "closed_at": now, "last_checked_at": now})
        for key, f in firing.items():
            values = {"measured": f.measured, "usual": f.usual, "unit": f.unit, "message": f.message,
                      "last_checked_at": now, "last_run_id": run_id}
            if key in current:
                table.update(current[key]["id"], values)
                continue
            table.insert({"source": source_id, "kind": f.kind, "subject": f.subject, "state": "open",
                          "opened_at": now, "closed_at": None, "opened_run_id": run_id, **values})
            changes.append(Change("opened", int(table.last_pk), source_id, f.kind, f.subject, f.measured,
                                  f.usual, f.unit, f.message))
        for key in judged - set(firing):
            alarm = current.get(key)
            if alarm is None:
                continue
            table.update(alarm["id"], {"state": "closed", "closed_at": now, "last_checked_at": now,
                                       "last_run_id": run_id})
            changes.append(Change("closed", alarm["id"], source_id, alarm["kind"], alarm["subject"],
                                  alarm["measured"], alarm["usual"], alarm["unit"] or "",
                                  f"passes again (was: {alarm['message']})"))
    for change in changes:
        log.warning("alarm %s", change.line())
    return changes


# -- run-level ---------------------------------------------------------------------------
def _run_failed(db: Database, run: dict[str, Any]) -> Finding:
    counts = _row(db, "select entry_points, entry_points_answered from runs where id = ?", [run["id"]]) or {}
    tried, answered = counts.get("entry_points"), counts.get("entry_points_answered")
    why = run["error"]
    if not why:
        first = _row(db, "select entry_point, error, status_code from entry_point_runs where run_id = ? "
                         "and outcome != 'ok' order by id limit 1", [run["id"]])
        why = (f"{first['entry_point']}: {first['error'] or first['status_code']}" if first
               else "no entry point answered")
    before = [r["entry_points_answered"] for r in _rows(
        db, "select entry_points_answered from runs where source = ? and id < ? and status in "
            "('ok', 'degraded') and entry_points_answered is not null order by id desc limit ?",
        [run["source"], run["id"], BASELINE_RUNS])]
    usual = float(statistics.median(before)) if before else None
    return Finding("run_failed", "", float(answered or 0), usual, "entry points answered",
                   f"the run failed: {answered or 0} of {tried or 0} entry points answered; {why}")


def _last_run_died(db: Database, source_id: str) -> dict[str, Any] | None:
    """The source's latest run (a stop on request aside) when it died; a run still marked
    ``running`` whose process is gone is marked ``interrupted`` here."""
    for run in _rows(db, "select id, status, started_at, error, pid from runs where source = ? "
                         "order by id desc limit 20", [source_id]):
        run = dict(run)
        if run["status"] == "running":
            if process_alive(run["pid"], run["started_at"]):
                return None
            run["error"] = f"process {run['pid']} died (found by status)"
            with db.atomic():
                db.execute("update runs set status = ?, error = ?, finished_at = coalesce(finished_at, ?) "
                           "where id = ? and status = 'running'", [INTERRUPTED, run["error"], clock.iso(), run["id"]])
            return run
        if run["status"] == INTERRUPTED and run["error"] == STOPPED_ERROR:
            continue
        return run if run["status"] == INTERRUPTED else None
    return None


def _record_deaths(db: Database, source_id: str, run_id: int) -> list[Change]:
    """Runs that died just before this one (marked ``interrupted`` when it started) and that
    ``status`` did not report: kept as alarms opened and closed at once."""
    dead = []
    for run in _rows(db, "select id, status, started_at, error from runs where source = ? and id < ? "
                         "order by id desc limit 20", [source_id, run_id]):
        if run["status"] != INTERRUPTED:
            break
        if run["error"] != STOPPED_ERROR:
            dead.append(dict(run))
    changes = []
    now = clock.iso()
    for run in reversed(dead):
        if _row(db, "select 1 from alarms where source = ? and kind = 'run_died' and opened_at >= ?",
                [source_id, run["started_at"]]):
            continue  # status reported it
        message = (f"run {run['id']} (started {run['started_at']}) died without finishing; "
                   f"found when run {run_id} started")
        with db.atomic():
            table = db.table("alarms")
            table.insert({"source": source_id, "kind": "run_died", "subject": "", "state": "closed",
                          "opened_at": run["started_at"], "closed_at": now, "last_checked_at": now,
                          "opened_run_id": run["id"], "last_run_id": run_id, "measured": None, "usual": None,
                          "unit": "run", "message": message})
        changes.append(Change("closed", int(table.last_pk), source_id, "run_died", "", None, None, "run", message))
    return changes


def process_alive(pid: int | None, started_at: str | None) -> bool:
    """Is the process that started a run still there? Unknown (no pid) counts as alive; a
    pid now held by a process that started after the run is not the run's."""
    if not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    began = _process_start(pid)
    if began is None or not started_at:
        return True
    return began <= datetime.fromisoformat(started_at).timestamp() + 5


def _process_start(pid: int) -> float | None:
    """Start time (epoch seconds) of a process, from /proc (Linux); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


# -- entry points ------------------------------------------------------------------------
def _entry_points(db: Database, source_id: str, run_id: int, judged: set, findings: list) -> None:
    for ep in _rows(db, "select * from entry_point_runs where run_id = ? order by id", [run_id]):
        name, outcome = ep["entry_point"], ep["outcome"]
        judged.add(("entry_point_failed", name))
        if outcome == "unchanged" and not ep["items"]:
            continue  # 304: the same page as last time, whatever it held
        judged.update({("entry_point_empty", name), ("patterns_match_nothing", name)})
        usual = _usual_yield(db, source_id, name, run_id)
        label = f"{ep['kind']} {name}"
        if outcome == "failed":
            why = ep["error"] or f"HTTP {ep['status_code']}"
            findings.append(Finding("entry_point_failed", name, 0.0, usual, "article links per page",
                                    f"{label} did not answer: {why}"))
        elif outcome == "empty":
            findings.append(Finding("entry_point_empty", name, 0.0, usual, "article links per page",
                                    f"{label} answered HTTP {ep['status_code']} without any link"
                                    + (" (check the listing's item_selector)" if ep["kind"] == "listing" else "")))
        elif outcome == "no_match":
            findings.append(Finding("patterns_match_nothing", name, 0.0, usual, "article links per page",
                                    f"{label}: {ep['links']} links read, none matches the source's "
                                    "article_patterns"))
        if ep["kind"] in ("feed", "listing") and outcome == "ok":
            judged.add(("entry_point_low", name))
            measured = ep["items"] / max(1, ep["answered"])
            if usual is not None and usual >= LOW_MIN_USUAL and measured < usual * LOW_RATIO:
                findings.append(Finding("entry_point_low", name, round(measured, 2), usual,
                                        "article links per page",
                                        f"{label} gave {measured:.1f} article links per page, usually {usual:g}"))


def _usual_yield(db: Database, source_id: str, name: str, run_id: int) -> float | None:
    """Median article links per page of the entry point's earlier answers (before any open
    alarm about it)."""
    before = _open_since(db, source_id, name, ("entry_point_low", "entry_point_empty",
                                              "patterns_match_nothing", "entry_point_failed")) or run_id
    rows = _rows(db, "select items, answered from entry_point_runs where source = ? and entry_point = ? "
                     "and run_id < ? and run_id >= ? and outcome = 'ok' order by run_id desc limit ?",
                 [source_id, name, min(before, run_id), _accepted_from(db, source_id, "entry_point_low", name),
                  BASELINE_RUNS])
    if len(rows) < LOW_MIN_HISTORY:
        return None
    return round(statistics.median(r["items"] / max(1, r["answered"]) for r in rows), 2)


def _open_since(db: Database, source_id: str, subject: str, kinds: tuple[str, ...]) -> int | None:
    marks = ",".join("?" * len(kinds))
    row = _row(db, f"select min(opened_run_id) as run_id from alarms where source = ? and subject = ? "
                   f"and state = 'open' and kind in ({marks})", [source_id, subject, *kinds])
    return row["run_id"] if row else None


# -- shares: fields and parse failures ---------------------------------------------------
def _shares(db: Database, source: Source, run_id: int, judged: set, findings: list) -> None:
    fields = {r["field"]: r for r in _rows(db, "select * from run_fields where run_id = ?", [run_id])}
    if fields:
        series = _field_series(db, source.id, run_id)
        checks = [("field_missing", f, "missing") for f in MISSING_FIELDS]
        if source.parser != "generic":
            checks += [("field_fallback", f, "fallback") for f in FALLBACK_FIELDS]
        for kind, name, column in checks:
            rows = [(r["run_id"], r[column], r["articles"]) for r in series.get(name, [])]
            _judge_share(db, source.id, kind, name, rows, run_id, judged, findings,
                         what=("articles without " + name) if column == "missing"
                         else f"articles whose {name} came from the generic fallback")
    pages = [(r["id"], r["parse_failures"] or 0, (r["parse_failures"] or 0) + (r["articles_parsed"] or 0))
             for r in _rows(db, "select id, parse_failures, articles_parsed from runs where source = ? "
                                "and id <= ? and status in ('ok', 'degraded') order by id desc limit ?",
                            [source.id, run_id, WINDOW_RUNS + BASELINE_RUNS])]
    _judge_share(db, source.id, "parse_failures", "", pages, run_id, judged, findings,
                 what="article pages that could not be parsed")


def _field_series(db: Database, source_id: str, run_id: int) -> dict[str, list]:
    out: dict[str, list] = {name: [] for name in FIELDS}
    for r in _rows(db, "select * from run_fields where source = ? and run_id <= ? order by run_id desc "
                       "limit ?", [source_id, run_id, (WINDOW_RUNS + BASELINE_RUNS) * len(FIELDS)]):
        out.setdefault(r["field"], []).append(r)
    return out


def _judge_share(db: Database, source_id: str, kind: str, subject: str, rows: list[tuple[int, int, int]],
                 run_id: int, judged: set, findings: list, *, what: str) -> None:
    """``rows``: (run id, count, total), newest first. The window is this run (with earlier
    runs until MIN_SAMPLE); the usual share is from the runs before it (and before the
    alarm, if open)."""
    if not rows or rows[0][0] != run_id or not rows[0][2]:
        return  # this run measured nothing of it
    window, rest = [], list(rows)
    while rest and len(window) < WINDOW_RUNS and sum(r[2] for r in window) < MIN_SAMPLE:
        window.append(rest.pop(0))
    n = sum(r[2] for r in window)
    if n < MIN_SAMPLE:
        return
    opened = _open_since(db, source_id, subject, (kind,))
    start = _accepted_from(db, source_id, kind, subject)
    base = [r for r in rest if (opened is None or r[0] < opened) and r[0] >= start][:BASELINE_RUNS]
    base_n = sum(r[2] for r in base)
    if base_n < MIN_BASELINE:
        return
    measured = sum(r[1] for r in window) / n
    usual = sum(r[1] for r in base) / base_n
    judged.add((kind, subject))
    limit = usual + (RISE / 2 if opened is not None else RISE)
    if measured >= limit and measured > usual:
        findings.append(Finding(kind, subject, round(measured, 3), round(usual, 3), "share",
                                f"{measured:.0%} of {n} {what} (usually {usual:.0%} of {base_n})"))


# -- breaker and silence -----------------------------------------------------------------
def _breaker(state: Database | sqlite3.Connection | None, base_url: str, judged: set, findings: list) -> None:
    if state is None:
        return
    parts = urlsplit(base_url)
    host = f"{parts.scheme}://{parts.netloc}".lower()
    try:
        row = state.execute("select consecutive_failures, open_until, reason from hosts where host = ?",
                            [host]).fetchone()
    except sqlite3.Error:
        return
    judged.add(("breaker_open", host))
    if row and row[1] and datetime.fromisoformat(row[1]) > clock.now():
        findings.append(Finding("breaker_open", host, float(row[0] or 0), 0.0, "failures in a row",
                                f"requests to {host} paused until {row[1]}: {row[2]}"))


def _silence(db: Database, source_id: str, judged: set, findings: list) -> None:
    times = [datetime.fromisoformat(r[0]) for r in db.execute(
        "select finished_at from runs where source = ? and new_articles > 0 and finished_at is not null "
        "order by id desc limit 50", [source_id]).fetchall()]
    if len(times) < MIN_GAPS + 1:
        return
    times.sort()
    gaps = sorted((b - a).total_seconds() / 3600 for a, b in zip(times, times[1:]))
    usual = gaps[int(0.9 * (len(gaps) - 1))]
    silence = (clock.now() - times[-1]).total_seconds() / 3600
    judged.add(("no_new_articles", ""))
    if silence > max(SILENCE_FACTOR * usual, MIN_SILENCE_HOURS):
        findings.append(Finding("no_new_articles", "", round(silence, 1), round(usual, 1), "hours",
                                f"no new article for {silence:.1f} h (since {times[-1].isoformat()}); "
                                f"the usual longest gap is {usual:.1f} h"))


# -- helpers -----------------------------------------------------------------------------
def _rows(db: Database, sql: str, params: list) -> list[dict[str, Any]]:
    cur = db.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _row(db: Database, sql: str, params: list) -> dict[str, Any] | None:
    rows = _rows(db, sql, params)
    return rows[0] if rows else None


__all__ = ["Change", "Finding", "accept", "after_run", "watch", "open_alarms", "reconcile", "process_alive"]
