"""One crawl of one source with its resources opened, locked and closed around it."""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

import httpx

from .config import PROJECT_ROOT, Settings
from .errors import SourceBusy, StorageError
from .pipeline import RunReport, run_source
from .rawstore import RawStore
from .sources import Source
from .store import open_db, open_state


@contextmanager
def source_lock(lock_dir: Path, source_id: str) -> Iterator[None]:
    """An OS file lock: two processes never crawl one source at once; freed if one dies."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_dir / f"{source_id}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SourceBusy(f"another process is crawling {source_id}; try again when it has finished") from exc
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
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


def crawl(source: Source, settings: Settings, *, mode: str = "incremental",
          backfill_until: date | None = None, stop: threading.Event | None = None,
          progress: Callable[[int], None] | None = None,
          client: httpx.Client | None = None) -> RunReport:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"cannot create the data folder {settings.data_dir}: {exc}") from exc
    with source_lock(settings.lock_dir, source.id):
        db = open_db(settings.db_path)
        state = open_state(settings.state_path)
        try:
            from .publish.search_index import ensure_search
            from .facts_store import ensure_gazetteer

            ensure_gazetteer(db)
            ensure_search(db)
            return run_source(source, db=db, state=state, rawstore=RawStore(settings.warc_dir),
                              client=client, mode=mode, backfill_until=backfill_until, stop=stop,
                              progress=progress, on_alarms=_notifier(settings))
        finally:
            db.close()
            state.close()
