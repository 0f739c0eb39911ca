"""One crawl of one source with its resources opened, locked and closed around it.

Locks (``data/locks/``, OS file locks, freed when their process dies):

* ``<source>.lock``: held by whoever writes that source's articles: a crawl, or ``reparse``
  while it rebuilds that source. Two crawls of one source never run at once (the second
  says so and exits).
* ``<source>.reparse``: held by ``reparse`` while it waits for and holds ``<source>.lock``.
  A crawl that finds the source locked by a reparse waits for it instead of giving up, so a
  reparse started at any moment costs a scheduled run a delay, never the run.

A run whose process died (kill -9, power cut) stays ``running`` in ``runs`` until someone
looks: ``status`` (crawler/alarms.py: the process recorded in ``runs.pid`` is gone) and the
next run of the source mark it ``interrupted``; a run that raised is marked ``failed`` here
even when the error came from outside ``run_source``.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import httpx
from sqlite_utils import Database

from . import clock, store
from .config import PROJECT_ROOT, Settings
from .dbconn import write_transaction
from .errors import SourceBusy, StorageError
from .pipeline import RunReport, run_source
from .rawstore import RawStore
from .sources import Source
from .store import open_db, open_state

log = logging.getLogger(__name__)


def _open_lock(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False


def _held_by_other(path: Path) -> bool:
    """True when some open file (another process, or another thread here) holds ``path``."""
    if not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        if _try_lock(fd):
            fcntl.flock(fd, fcntl.LOCK_UN)
            return False
        return True
    finally:
        os.close(fd)


def _wait_lock(fd: int, stop: threading.Event | None, what: str) -> None:
    """Block until ``fd`` is locked; gives up (SourceBusy) only when asked to stop."""
    logged = False
    while not _try_lock(fd):
        if not logged:
            log.warning("%s: waiting", what)
            logged = True
        if stop is not None and stop.wait(0.2):
            raise SourceBusy(f"{what}: stopped while waiting")
        if stop is None:
            time.sleep(0.2)


@contextmanager
def source_lock(lock_dir: Path, source_id: str, *, stop: threading.Event | None = None) -> Iterator[None]:
    """The crawl's lock on one source: refused when another crawl holds it, waited for when a
    ``reparse`` of the source holds it."""
    fd = _open_lock(lock_dir / f"{source_id}.lock")
    try:
        if not _try_lock(fd):
            if not _held_by_other(lock_dir / f"{source_id}.reparse"):
                raise SourceBusy(f"another process is crawling {source_id}; try again when it has finished")
            _wait_lock(fd, stop, f"{source_id} is being reparsed; the crawl starts when it is done")
        os.ftruncate(fd, 0)
        os.write(fd, f"crawl {os.getpid()}".encode())
        yield
    finally:
        os.close(fd)


def _notifier(settings: Settings):
    """Alarm notifications, when configured (crawler/notify.py); None otherwise."""
    from .notify import notifier_for

    path = settings.sources_path
    if not path.exists() and (PROJECT_ROOT / path).exists():
        path = PROJECT_ROOT / path
    return notifier_for(path)


@contextmanager
def reparse_lock(lock_dir: Path, source_id: str) -> Iterator[None]:
    """``reparse``'s lock on one source: announces itself (``<source>.reparse``), then waits
    for a running crawl of the source to finish and keeps new ones waiting until it is done."""
    mark = _open_lock(lock_dir / f"{source_id}.reparse")
    fd = None
    try:
        _wait_lock(mark, None, f"another reparse of {source_id} is running")
        fd = _open_lock(lock_dir / f"{source_id}.lock")
        _wait_lock(fd, None, f"{source_id} is being crawled; the reparse of it starts when the crawl is done")
        os.ftruncate(fd, 0)
        os.write(fd, f"reparse {os.getpid()}".encode())
        yield
    finally:
        if fd is not None:
            os.close(fd)
        os.close(mark)


def crawl(source: Source, settings: Settings, *, mode: str = "incremental",
          backfill_until: date | None = None, stop: threading.Event | None = None,
          progress: Callable[[int], None] | None = None,
          client: httpx.Client | None = None) -> RunReport:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {settings.data_dir}: {exc}") from exc
    with source_lock(settings.lock_dir, source.id, stop=stop):
        db = open_db(settings.db_path)
        state = open_state(settings.state_path)
        before = db.execute("select coalesce(max(id), 0) from runs").fetchone()[0]
        try:
            from .publish.search_index import ensure_search
            from .facts_store import ensure_gazetteer

            ensure_gazetteer(db)
            ensure_search(db)
            return run_source(source, db=db, state=state, rawstore=RawStore(settings.warc_dir),
                              client=client, mode=mode, backfill_until=backfill_until, stop=stop,
                              progress=progress, on_alarms=_notifier(settings))
        except Exception as exc:
            # run_source records what goes wrong inside a run; this is trouble around it (the
            # database itself): the run, if it got a row, must not stay 'running'
            _mark_failed(db, source.id, before, f"{type(exc).__name__}: {exc}")
            raise
        finally:
            db.close()
            state.close()


def _mark_failed(db: Database, source_id: str, after_id: int, error: str) -> None:
    """The run this crawl started (a row of the source past ``after_id``: we hold its lock)."""
    try:
        with write_transaction(db):
            db.execute("update runs set status = 'failed', error = coalesce(error, ?), "
                       "finished_at = coalesce(finished_at, ?) where source = ? and id > ? "
                       "and status = 'running'", [error[:1000], clock.iso(), source_id, after_id])
    except Exception:  # noqa: BLE001 - the original error is the one to report
        log.exception("could not mark the run of %s failed", source_id)
