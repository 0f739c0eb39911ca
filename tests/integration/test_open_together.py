"""Issue 15, item 1: processes that open a new archive at the same moment (two crawls from
cron on a fresh install, a crawl and ``publish``) must all get in.

Switching a file to WAL upgrades a read lock to a write lock, and SQLite answers ``database is
locked`` at once, without waiting for ``busy_timeout``, to the second connection doing it at the
same moment (CI lost a crawl this way). Here four processes are released by one barrier on
a fresh file, 40 times for each case; with the old ``connect`` every run of this file failed
(three runs: 2 to 4 of 160 opens failed in 6 of the 9 cases, once with the very message CI
printed).
"""
from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from crawler.dbconn import connect
from crawler.store import open_db

PROCESSES = 4
TRIES = 40


def _open(kind: str, path: str, barrier, results) -> None:
    try:
        barrier.wait(timeout=30)
        if kind == "connect":
            db = connect(path)
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
            db.close()
            results.put(("ok", mode))
        else:
            db = open_db(path)
            tables = set(db.table_names())
            db.close()
            results.put(("ok", "articles" in tables))
    except Exception as exc:  # noqa: BLE001 - the failure is what the test counts
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _context():
    """Children forked from a single-threaded server (the test process has threads: a plain
    fork could deadlock a child), the project already imported there (a fork costs
    milliseconds, so the barrier still releases them together)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["crawler.dbconn", "crawler.store", __name__])
    return ctx


def _together(kind: str, path: Path) -> list[tuple[str, object]]:
    ctx = _context()
    barrier, results = ctx.Barrier(PROCESSES), ctx.Queue()
    procs = [ctx.Process(target=_open, args=(kind, str(path), barrier, results)) for _ in range(PROCESSES)]
    for p in procs:
        p.start()
    out = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return out


@pytest.mark.parametrize("kind,existing", [("connect", False), ("connect", True), ("open_db", False)])
def test_processes_opening_one_new_file_together_all_get_in(tmp_path, kind, existing):
    failures, outcomes = [], []
    for i in range(TRIES):
        path = tmp_path / f"try{i}.db"
        if existing:  # a file another tool made in rollback mode
            conn = sqlite3.connect(path)
            conn.execute("create table x (a)")
            conn.commit()
            conn.close()
        results = _together(kind, path)
        failures += [r[1] for r in results if r[0] == "error"]
        outcomes += [r[1] for r in results if r[0] == "ok"]
    assert not failures, f"{len(failures)} of {TRIES * PROCESSES} opens failed: {failures[:3]}"
    assert outcomes == (["wal"] if kind == "connect" else [True]) * (TRIES * PROCESSES)
