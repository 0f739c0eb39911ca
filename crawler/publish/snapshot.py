"""``hanoi-news publish``: make the archive ready to serve and write a download snapshot.

1. :func:`.search_index.ensure_search`: fold missing ``search_fold`` values, create or
   repair the FTS index and its triggers, the word-pair index (search_pairs.py),
   ``article_index`` and the ``news`` view;
2. optimise: merge the b-trees of both FTS indexes (``optimize``) and ``pragma optimize``
   (planner stats);
3. snapshot with the SQLite backup API into ``published/<db>.db`` next to the archive, with
   ``<db>.db.sha256``. Datasette serves it at ``/-/snapshot/<db>.db``
   (crawler/publish/plugins/snapshot_download.py) while it keeps serving the live archive.

The snapshot and its checksum change together, in one rename (issue 15): each publish writes
both into a new folder ``published/<db>.db.versions/<time>-<sha>/``, then swaps the symlink
``published/<db>.db.current`` to it. ``published/<db>.db`` and ``published/<db>.db.sha256``
are fixed symlinks through ``<db>.db.current``, and the download route resolves
``<db>.db.current`` once per request, so a kill -9 at any moment leaves the old pair or the
new one, never a file with another file's checksum. The previous version is kept for
downloads still running; older ones are removed.
"""
from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click

from ..dbconn import connect, write_transaction
from .search_index import FTS_TABLE, ensure_search
from .search_pairs import PAIRS_TABLE
from .export import sha256_file, snapshot


def snapshot_path(db_path: str | Path) -> Path:
    p = Path(db_path)
    return p.parent / "published" / f"{p.stem}.db"


def publish_archive(db_path: str | Path, *, snapshot_to: str | Path | None = None,
                    rebuild_fts: bool = False, write_snapshot: bool = True) -> dict[str, Any]:
    """Returns timings and what was done, e.g. {"ensure_search": {...}, "snapshot": Path}."""
    db_path = Path(db_path)
    report: dict[str, Any] = {}
    db = connect(db_path)  # the crawler may be writing: every write waits for its turn
    try:
        t = time.time()
        report["ensure_search"] = ensure_search(db, rebuild_pairs=rebuild_fts)
        report["ensure_search_s"] = round(time.time() - t, 2)
        t = time.time()
        with write_transaction(db):
            if rebuild_fts:
                db.execute(f"insert into [{FTS_TABLE}]([{FTS_TABLE}]) values ('rebuild')")
            for table in (FTS_TABLE, PAIRS_TABLE):
                db.execute(f"insert into [{table}]([{table}]) values ('optimize')")
        with write_transaction(db):  # it reads, then may ANALYZE: the write lock first
            db.execute("pragma optimize")
        report["optimize_s"] = round(time.time() - t, 2)
    finally:
        db.close()
    if write_snapshot:
        t = time.time()
        dest = Path(snapshot_to) if snapshot_to else snapshot_path(db_path)
        publish_snapshot(db_path, dest)
        report["snapshot"] = dest
        report["snapshot_bytes"] = dest.stat().st_size
        report["snapshot_s"] = round(time.time() - t, 2)
    return report


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _swap_symlink(link: Path, target: str) -> None:
    """Point ``link`` at ``target`` in one rename (a reader sees the old link or the new)."""
    if link.is_symlink() and os.readlink(link) == target:
        return
    tmp = link.with_name(f".{link.name}.{secrets.token_hex(4)}.tmp")
    os.symlink(target, tmp)
    os.replace(tmp, link)


def publish_snapshot(db_path: str | Path, dest: Path) -> Path:
    """Write the snapshot of ``db_path`` and its checksum as one version, and make it the
    current one with one rename (see the module's docstring). Returns the version folder."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    versions = dest.parent / f"{dest.name}.versions"
    versions.mkdir(exist_ok=True)
    lock = os.open(dest.parent / f".{dest.name}.publish.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two publishes at once take turns
        work = versions / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
        work.mkdir()
        try:
            snapshot(db_path, work / dest.name)
            digest = sha256_file(work / dest.name)
            (work / f"{dest.name}.sha256").write_text(f"{digest}  {dest.name}\n")
            for f in (work / dest.name, work / f"{dest.name}.sha256"):
                _fsync_file(f)
            _fsync_dir(work)
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
            final = versions / f"{stamp}-{digest[:12]}"
            os.rename(work, final)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        current = dest.with_name(f"{dest.name}.current")
        previous = os.readlink(current) if current.is_symlink() else None
        _swap_symlink(current, f"{versions.name}/{final.name}")  # the one rename that publishes
        # the names readers know, made once (an older layout had plain files here)
        _swap_symlink(dest, f"{current.name}/{dest.name}")
        _swap_symlink(dest.with_name(f"{dest.name}.sha256"), f"{current.name}/{dest.name}.sha256")
        _fsync_dir(dest.parent)
        keep = {final.name} | ({Path(previous).name} if previous else set())
        for old in versions.iterdir():
            stale_tmp = old.name.startswith(".tmp-") and time.time() - old.stat().st_mtime > 86400
            if (not old.name.startswith(".tmp-") and old.name not in keep) or stale_tmp:
                shutil.rmtree(old, ignore_errors=True)
        return final
    finally:
        os.close(lock)


@click.command("publish")
@click.option("--db", "db_path", default="archive.db", show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="Archive to publish.")
@click.option("--snapshot", "snapshot_to", default=None, type=click.Path(dir_okay=False),
              help="Where to write the download snapshot [default: published/<db>.db].")
@click.option("--rebuild-fts", is_flag=True,
              help="Rebuild the whole search index (and the word-pair index) first.")
@click.option("--no-snapshot", is_flag=True, help="Only build search and optimise.")
def publish(db_path: str, snapshot_to: str | None, rebuild_fts: bool, no_snapshot: bool) -> None:
    """Build search (FTS, views), optimise, and write the downloadable snapshot."""
    r = publish_archive(db_path, snapshot_to=snapshot_to, rebuild_fts=rebuild_fts,
                        write_snapshot=not no_snapshot)
    click.echo(f"search: {r['ensure_search'] or 'up to date'} ({r['ensure_search_s']} s), "
               f"optimised in {r['optimize_s']} s")
    if "snapshot" in r:
        click.echo(f"snapshot: {r['snapshot']} ({r['snapshot_bytes'] / 1e6:.1f} MB), "
                   f"served at /-/snapshot/{Path(db_path).stem}.db")
