"""Issue 3: kill -9 the crawler at random moments during a backfill, restart it each time; the
databases stay sound and the final archive equals an uninterrupted crawl's."""
from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.sources import load_sources
from tests.support.fault_server import GeneratedSite, site_sources_yaml

ROOT = Path(__file__).resolve().parents[2]
UNTIL = "2025-06-05"


def _archive(db_path: Path) -> set[tuple[str, str]]:
    conn = sqlite3.connect(db_path)
    try:
        return set(conn.execute("select id, content_hash from articles"))
    except sqlite3.OperationalError:  # killed before the schema was created
        return set()
    finally:
        conn.close()


def _last_run(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    conn = sqlite3.connect(db_path, timeout=5)
    try:
        return conn.execute("select coalesce(max(id), 0) from runs").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


@pytest.mark.slow
def test_kill_9_during_backfill_loses_and_doubles_nothing(tmp_path):
    rng = random.Random(int(os.environ.get("CRASH_SEED", "7")))
    with GeneratedSite(90, per_page=10, latency_s=0.01) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=6), encoding="utf-8")
        # the reference: one uninterrupted backfill
        ref = Settings(db_path=tmp_path / "ref.db", data_dir=tmp_path / "ref-data")
        report = crawl(load_sources(sources)[0], ref, mode="backfill", backfill_until=date.fromisoformat(UNTIL))
        assert report.status == "ok", report.summary()
        expected = _archive(ref.db_path)
        assert 55 <= len(expected) <= 75  # the backfill stopped near the date, not at the end of the site

        db, data = tmp_path / "archive.db", tmp_path / "data"
        cmd = [sys.executable, "-m", "crawler", "crawl", "--backfill-until", UNTIL,
               "--sources", str(sources), "--db", str(db), "--data-dir", str(data)]
        kills = 0  # kills that landed while the backfill was unfinished
        progress = []
        for _ in range(60):
            before = _last_run(db)
            proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            # kill at a random moment of the crawl itself, not of the interpreter's start-up
            deadline = time.monotonic() + 60
            while _last_run(db) == before and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            time.sleep(rng.uniform(0.0, 1.3))
            killed = proc.poll() is None
            if killed:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
            else:
                out, err = proc.communicate()
                assert proc.returncode == 0, err.decode()[-2000:]
            for path in (db, data / "state.db"):
                if path.exists():
                    assert _integrity(path) == "ok"
            n = len(_archive(db)) if db.exists() else 0
            progress.append(n)
            if killed and n < len(expected):
                kills += 1
            if kills >= 10 or (not killed and n == len(expected)):
                break
        assert kills >= 10, progress
        # finish: one last uninterrupted run
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, timeout=120)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        assert _archive(db) == expected
        conn = sqlite3.connect(db)
        # nothing doubled: one first version per article, no second one (the site did not change)
        assert conn.execute("select count(*) from article_versions").fetchone()[0] == len(expected)
        assert conn.execute("select count(*) from articles a where not exists "
                            "(select 1 from images i where i.article_id = a.id)").fetchone()[0] == 0
        # runs cut short are marked, not left 'running'
        assert conn.execute("select count(*) from runs where status = 'running'").fetchone()[0] == 0
        assert conn.execute("select count(*) from runs where status = 'interrupted'").fetchone()[0] >= 10
        conn.close()
        # the raw store survived the kills too: a replay rebuilds the same archive
        from crawler.rawstore import RawStore
        from crawler.reparse import reparse
        from crawler.store import open_db, open_state

        dbh = open_db(db, create=False)
        reparse(dbh, open_state(data / "state.db"), RawStore(data / "warc"), load_sources(sources))
        dbh.close()
        assert _archive(db) == expected
        # the kills landed during the backfill, not only after it
        assert len([n for n in progress if 0 < n < len(expected)]) >= 5, progress
