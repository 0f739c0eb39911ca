"""Issue 3: kill -9 the crawler at random moments during a backfill, restart it each time; the
databases stay sound and the final archive equals an uninterrupted crawl's.

Issue 15 strengthened it: several seeds; a kill -9 in the middle of a WARC write (a slow disk
makes the write long enough to land in), whose torn tail the next writer must cut (the test
fails when that repair is switched off); a kill -9 of ``publish`` never leaves a snapshot
with another snapshot's checksum; a crawl killed midway is shown ``interrupted`` by
``status``, and one that raised is ``failed``."""
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


SEEDS = [int(x) for x in os.environ.get("CRASH_SEEDS", "7,11,23").split(",")]


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_kill_9_during_backfill_loses_and_doubles_nothing(tmp_path, seed):
    rng = random.Random(seed)
    wanted_kills = 6
    with GeneratedSite(90, per_page=10, latency_s=0.01) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=6), encoding="utf-8")
        # the reference: one uninterrupted backfill (at full speed: only the crawl killed is slow)
        fast = tmp_path / "fast.yml"
        fast.write_text(site_sources_yaml(site.base_url, rate=200), encoding="utf-8")
        ref = Settings(db_path=tmp_path / "ref.db", data_dir=tmp_path / "ref-data")
        report = crawl(load_sources(fast)[0], ref, mode="backfill", backfill_until=date.fromisoformat(UNTIL))
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
            if kills >= wanted_kills or (not killed and n == len(expected)):
                break
        assert kills >= wanted_kills, progress
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
        assert conn.execute("select count(*) from runs where status = 'interrupted'").fetchone()[0] >= wanted_kills
        conn.close()
        # the raw store survived the kills too: a replay rebuilds the same archive
        from crawler.rawstore import RawStore
        from crawler.reparse import reparse
        from crawler.store import open_db, open_state

        dbh = open_db(db, create=False)
        report = reparse(dbh, open_state(data / "state.db"), RawStore(data / "warc"), load_sources(sources))
        dbh.close()
        assert _archive(db) == expected
        assert report.complete, report.problems()  # no torn record left in the middle of a file
        # the kills landed during the backfill, not only after it
        assert len([n for n in progress if 0 < n < len(expected)]) >= wanted_kills // 2, progress


# -- a kill -9 in the middle of a WARC write ---------------------------------------------------
# The child appends records of 200 KB (random bytes: gzip cannot shrink them) through a file
# that writes 4 KB at a time with a pause, as a slow disk would, and prints each reference
# once its write returned. Killed at a random moment, it mostly dies inside a write.
_WRITER = """
import hashlib, os, sys, time
sys.path.insert(0, sys.argv[2])
import crawler.rawstore as rawstore

class SlowFile:
    def __init__(self, fh):
        self.fh = fh
    def write(self, data):
        view = memoryview(data)
        for i in range(0, len(view), 4096):
            self.fh.write(view[i:i + 4096])
            self.fh.flush()
            time.sleep(0.0005)
        return len(view)
    def __getattr__(self, name):
        return getattr(self.fh, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self.fh.__exit__(*exc)

real_open = open
rawstore.open = lambda path, mode="r", *a, **k: (SlowFile(real_open(path, mode, *a, **k)) if "a" in mode
                                                 else real_open(path, mode, *a, **k))
store = rawstore.RawStore(sys.argv[1])
i = 0
while True:
    body = os.urandom(200_000)
    ref = store.write("s", f"http://x/a-{os.getpid()}-{i}.html", 200, "OK", [], body, "2025-01-01T10:00:00+07:00")
    print(ref, hashlib.sha256(body).hexdigest(), flush=True)
    i += 1
"""


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_a_torn_warc_tail_is_cut_by_the_next_writer(tmp_path, seed):
    import hashlib

    from crawler.rawstore import RawStore

    rng = random.Random(seed)
    path = tmp_path / "s" / "2025-01-01.warc.gz"
    written: dict[str, str] = {}
    torn = 0
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), str(ROOT)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        first = proc.stdout.readline().decode()  # its first record is written: it is under way
        assert first, proc.communicate()[1].decode()[-2000:]
        time.sleep(rng.uniform(0.0, 0.4))
        proc.send_signal(signal.SIGKILL)
        out, _err = proc.communicate()
        for line in (first + out.decode()).splitlines():
            ref, digest = line.split()
            written[ref] = digest
        marker = int(path.with_name(path.name + ".end").read_text())
        torn += path.stat().st_size > marker  # the kill landed inside a write
        # the next writer (another process: a fresh RawStore) appends after the repair
        ref = RawStore(tmp_path).write("s", f"http://x/after-{len(written)}.html", 200, "OK", [],
                                       b"<p>after</p>", "2025-01-01T11:00:00+07:00")
        written[ref] = hashlib.sha256(b"<p>after</p>").hexdigest()
    assert torn >= 2, f"only {torn} of 6 kills landed inside a write"
    damage: list = []
    seen = {c.ref: hashlib.sha256(c.body).hexdigest() for c in RawStore(tmp_path).iter_captures(damage=damage)}
    assert not damage, [str(d) for d in damage]  # no torn record left between two good ones
    # every record whose write returned, byte for byte; besides them only records complete
    # on disk whose writer died before it could say so (at most one per kill)
    assert written.items() <= seen.items()
    assert len(seen) - len(written) <= 6


# -- a kill -9 of publish ----------------------------------------------------------------------
_PUBLISHER = """
import os, sys
sys.path.insert(0, sys.argv[2])
sys.path.insert(0, os.path.join(sys.argv[2], "bench"))
import crawler.publish.snapshot as snapshot
from bench_serve import add_article
from crawler.store import open_db
mode = sys.argv[3]
if mode == "die-in-checksum":  # the moment between the snapshot and its checksum
    snapshot.sha256_file = lambda path: os._exit(9)
    snapshot.publish_archive(sys.argv[1])
i = 0
while True:  # publish after publish, the archive changing in between
    db = open_db(sys.argv[1])
    add_article(db, id=f"hanoimoi:{900000 + os.getpid() * 100 + i}", title=f"Bài thêm {i}",
                body_text="Quận Tây Hồ họp bàn về ngân sách. " * 200)
    db.close()
    snapshot.publish_archive(sys.argv[1])
    i += 1
"""


def _pair_agrees(tmp_path: Path) -> bool:
    import hashlib

    snap = tmp_path / "published" / "archive.db"
    digest = (tmp_path / "published" / "archive.db.sha256").read_text().split()[0]
    return hashlib.sha256(snap.read_bytes()).hexdigest() == digest


def _served_pair_agrees(path: Path) -> bool:
    import asyncio
    import hashlib

    from crawler.publish.app import make_datasette

    ds = make_datasette(path)

    async def both():
        return (await ds.client.get("/-/snapshot/archive.db"), await ds.client.get("/-/snapshot/archive.db.sha256"))

    snap, digest = asyncio.run(both())
    assert snap.status_code == 200 and digest.status_code == 200
    return hashlib.sha256(snap.content).hexdigest() == digest.text.split()[0] == snap.headers.get(
        "x-checksum-sha256", digest.text.split()[0])


def _archive_for_publish(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_serve import build_test_archive

    from crawler.publish.snapshot import publish_archive

    path = tmp_path / "archive.db"
    build_test_archive(path, filler=100).close()
    publish_archive(path)
    assert _pair_agrees(tmp_path)
    return path


def test_publish_killed_after_the_snapshot_leaves_a_matching_checksum(tmp_path):
    path = _archive_for_publish(tmp_path)
    before = (tmp_path / "published" / "archive.db.sha256").read_text()
    from bench_serve import add_article

    from crawler.store import open_db

    db = open_db(path)
    add_article(db, id="hanoimoi:999001", title="Bài mới", body_text="Quận Tây Hồ họp bàn.")
    db.close()
    proc = subprocess.run([sys.executable, "-c", _PUBLISHER, str(path), str(ROOT), "die-in-checksum"],
                          capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()[-2000:]
    assert _pair_agrees(tmp_path)  # the old pair, whole
    assert (tmp_path / "published" / "archive.db.sha256").read_text() == before
    assert _served_pair_agrees(path)


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_publish_killed_at_random_moments_never_mismatches(tmp_path, seed):
    rng = random.Random(seed)
    path = _archive_for_publish(tmp_path)
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", _PUBLISHER, str(path), str(ROOT), "loop"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.8, 1.6))
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert _pair_agrees(tmp_path)
        assert _served_pair_agrees(path)


# -- runs that died or raised, as status shows them ---------------------------------------------
def test_a_crawl_killed_midway_is_shown_interrupted_by_status(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from crawler.cli import cli

    with GeneratedSite(40, latency_s=0.05) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=10), encoding="utf-8")
        db = tmp_path / "archive.db"
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", "--sources", str(sources),
                                 "--db", str(db), "--data-dir", str(tmp_path / "data")],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while _archive(db) == set() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        conn = sqlite3.connect(db)
        assert conn.execute("select status from runs").fetchall() == [("running",)]  # as the kill left it
        conn.close()
        result = CliRunner().invoke(cli, ["status", "--db", str(db), "--sources", str(sources),
                                          "--no-notify"])
        assert result.exit_code == 3, result.output  # a dead last run: unhealthy
        conn = sqlite3.connect(db)
        assert conn.execute("select status from runs").fetchall() == [("interrupted",)]
        conn.close()
        row = next(line for line in result.output.splitlines() if line.startswith("testsite"))
        assert "interrupted" in row, result.output


def test_a_crawl_running_now_is_not_marked(tmp_path):
    """The other side of the check above: a run whose process is alive stays 'running'."""
    from crawler.status import health
    from crawler.store import open_db

    with GeneratedSite(3) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url), encoding="utf-8")
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        crawl(load_sources(sources)[0], settings)
        db = open_db(settings.db_path)
        db.execute("update runs set status = 'running', pid = ?", [os.getpid()])
        db.conn.commit()
        health(db, ["testsite"])
        assert db.execute("select status from runs").fetchall() == [("running",)]
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        db.execute("update runs set pid = ?", [dead.pid])
        db.conn.commit()
        health(db, ["testsite"])
        assert db.execute("select status from runs").fetchall() == [("interrupted",)]


def test_a_crawl_that_raised_is_failed_not_running(tmp_path, monkeypatch):
    import crawler.store as store

    def broken_finish(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    with GeneratedSite(5) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url), encoding="utf-8")
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        monkeypatch.setattr(store, "finish_run", broken_finish)
        with pytest.raises(sqlite3.OperationalError):
            crawl(load_sources(sources)[0], settings)
    conn = sqlite3.connect(settings.db_path)
    assert conn.execute("select status, error from runs").fetchall() == [
        ("failed", "OperationalError: disk I/O error")]
    conn.close()
