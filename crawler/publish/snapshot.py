"""``hanoi-news publish``: make the archive ready to serve and write a download snapshot.

1. :func:`.search_index.ensure_search`: fold missing ``search_fold`` values, create or
   repair the FTS index and its triggers, the word-pair index (search_pairs.py),
   ``article_index`` and the ``news`` view;
2. optimise: merge the b-trees of both FTS indexes (``optimize``) and ``pragma optimize``
   (planner stats);
3. snapshot with the SQLite backup API into ``published/<db>.db`` next to the archive, swapped
   in atomically, with ``<db>.db.sha256``. Datasette serves it at ``/-/snapshot/<db>.db``
   (crawler/publish/plugins/snapshot_download.py) while it keeps serving the live archive.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

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
    db = Database(db_path)
    db.conn.execute("pragma busy_timeout = 30000")  # the crawler may be writing
    try:
        t = time.time()
        report["ensure_search"] = ensure_search(db, rebuild_pairs=rebuild_fts)
        report["ensure_search_s"] = round(time.time() - t, 2)
        t = time.time()
        with db.conn:
            if rebuild_fts:
                db.execute(f"insert into [{FTS_TABLE}]([{FTS_TABLE}]) values ('rebuild')")
            for table in (FTS_TABLE, PAIRS_TABLE):
                db.execute(f"insert into [{table}]([{table}]) values ('optimize')")
        db.execute("pragma optimize")
        report["optimize_s"] = round(time.time() - t, 2)
    finally:
        db.close()
    if write_snapshot:
        t = time.time()
        dest = Path(snapshot_to) if snapshot_to else snapshot_path(db_path)
        snapshot(db_path, dest)
        digest = sha256_file(dest)
        dest.with_name(dest.name + ".sha256").write_text(f"{digest}  {dest.name}\n")
        report["snapshot"] = dest
        report["snapshot_bytes"] = dest.stat().st_size
        report["snapshot_s"] = round(time.time() - t, 2)
    return report


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
