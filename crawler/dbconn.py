"""How the project opens its SQLite files and writes to them, with several writers at once.

``archive.db`` has many writers: one crawl per source (threads under ``run``, processes from
cron), ``publish``, ``reparse``, a second process starting up and migrating. SQLite lets one
writer in at a time and, in WAL mode, never makes a reader wait. A writer waits for its turn
up to ``busy_timeout`` -- except in one case: a transaction opened with a plain (deferred)
``BEGIN`` that reads first and writes afterwards. If another writer committed after its first
read, its snapshot is stale and SQLite answers ``database is locked`` (SQLITE_BUSY_SNAPSHOT)
at once, whatever ``busy_timeout`` says. sqlite-utils' ``db.atomic()`` opens such a
transaction, and its table methods read the schema before they write, so nearly every write
of the crawler was one of them (issue 15: two crawls at once lost 17 runs of 30).

Every write transaction here starts with ``BEGIN IMMEDIATE`` instead, which takes the write
lock before the first read and therefore waits for it:

* :func:`write_transaction` -- the one helper: ``BEGIN IMMEDIATE`` ... ``COMMIT`` (a savepoint
  when a transaction is already open);
* :class:`Database` -- a ``sqlite_utils.Database`` whose ``atomic()`` is that helper, so the
  library's own ``insert``/``upsert``/``update``/``create`` and every ``with db.atomic()``
  in the crawler take the lock first;
* :func:`connect` -- sets ``isolation_level="IMMEDIATE"`` so the implicit transactions of
  Python's sqlite3 (``with db.conn:``, a lone ``INSERT``) begin the same way, and a
  ``busy_timeout`` long enough for the longest writer: ``WRITE_WAIT_S`` (default 600 s,
  ``HANOI_NEWS_WRITE_WAIT_S``); ``publish``'s FTS ``optimize`` holds the lock 45 s on a
  1M-article archive (docs/PUBLISHING.md), the crawl waits instead of dying.

A writer that keeps a read statement open while it opens a write transaction would still get
SQLITE_BUSY_SNAPSHOT; read with ``fetchall()`` (or exhaust the cursor) before writing.

One more case answers at once: switching a file to WAL. ``PRAGMA journal_mode=WAL`` reads the
header and then upgrades to a write lock, and SQLite refuses that upgrade without waiting when
another connection is doing the same (it would deadlock otherwise). Two processes opening a new
archive together (two crawls from cron on a fresh install) did just that: measured with three
processes released by one barrier on a fresh file, 99 of 600 opens failed with ``database is
locked``. :func:`enable_wal` asks first (a WAL file needs no switch) and retries the switch
until ``WRITE_WAIT_S``.
"""
from __future__ import annotations

import os
import random
import secrets
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlite_utils

WRITE_WAIT_S = float(os.environ.get("HANOI_NEWS_WRITE_WAIT_S", "600"))


def _conn(db: "sqlite_utils.Database | sqlite3.Connection") -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


@contextmanager
def write_transaction(db: "sqlite_utils.Database | sqlite3.Connection") -> Iterator[None]:
    """One write transaction that waits for the write lock (``BEGIN IMMEDIATE``), commits on
    success and rolls back on any exception. Nested: a savepoint of the open transaction."""
    conn = _conn(db)
    if conn.in_transaction:
        name = f"hn_{secrets.token_hex(8)}"
        conn.execute(f"savepoint {name}")
        try:
            yield
        except BaseException:
            if conn.in_transaction:  # an error may have ended the whole transaction already
                conn.execute(f"rollback to {name}")
                conn.execute(f"release {name}")
            raise
        else:
            conn.execute(f"release {name}")
        return
    conn.execute("begin immediate")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute("rollback")
        raise
    else:
        try:
            conn.execute("commit")
        except BaseException:
            if conn.in_transaction:
                conn.execute("rollback")
            raise


class Database(sqlite_utils.Database):
    """sqlite-utils' Database whose ``atomic()`` takes the write lock first."""

    @contextmanager
    def atomic(self) -> Iterator["Database"]:  # type: ignore[override]
        with write_transaction(self.conn):
            yield self


def enable_wal(conn: sqlite3.Connection, wait_s: float | None = None) -> str:
    """Put the file in WAL mode, waiting (up to ``wait_s``, default ``WRITE_WAIT_S``) while other
    connections switch it at the same moment. Returns the journal mode the file ends in (a file
    system without shared memory may refuse WAL: the mode stays as it was)."""
    deadline = time.monotonic() + (WRITE_WAIT_S if wait_s is None else wait_s)
    pause = 0.005
    while True:
        try:
            mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
            if mode == "wal":
                return mode
            return str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
        except sqlite3.OperationalError as exc:
            busy = "locked" in str(exc) or "busy" in str(exc)
            if not busy or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * (0.5 + random.random()))
        pause = min(pause * 2, 0.5)


def connect(path: str | Path, *, foreign_keys: bool = False, wal: bool = True) -> Database:
    """Open a SQLite file for reading and writing alongside other writers (see above)."""
    conn = sqlite3.connect(str(path), timeout=WRITE_WAIT_S, check_same_thread=False,
                           isolation_level="IMMEDIATE")
    db = Database(conn)
    db.execute(f"PRAGMA busy_timeout={int(WRITE_WAIT_S * 1000)}")
    if wal:
        enable_wal(conn)
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: crash-safe, no fsync per commit
    if foreign_keys:
        db.execute("PRAGMA foreign_keys=ON")
    return db
