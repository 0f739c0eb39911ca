"""Issue 3: ``hanoi-news run`` (scheduler + Datasette) exits cleanly within 5 s on SIGINT or
SIGTERM in the middle of a crawl, and leaves no partial rows."""
from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.fault_server import GeneratedSite, site_sources_yaml

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(db, timeout=5)
        try:
            return conn.execute("select count(*) from articles").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_stops_cleanly_mid_crawl(tmp_path, sig):
    with GeneratedSite(400, per_page=20, latency_s=0.02) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=30), encoding="utf-8")
        db = tmp_path / "archive.db"
        cmd = [sys.executable, "-m", "crawler", "run", "--port", str(_free_port()), "--db", str(db),
               "--data-dir", str(tmp_path / "data"), "--sources", str(sources)]
        proc = subprocess.Popen(cmd, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while _count(db) < 5 and time.monotonic() < deadline and proc.poll() is None:
                time.sleep(0.2)
            assert proc.poll() is None, proc.communicate()[1].decode()[-2000:]
            assert _count(db) >= 5, "the crawl did not start"
            started = time.monotonic()
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=15)
            took = time.monotonic() - started
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, err.decode()[-2000:]
        assert took < 5.0, f"exit took {took:.1f}s"
        assert b"Traceback" not in err, err.decode()[-2000:]
        conn = sqlite3.connect(db)
        assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        n = conn.execute("select count(*) from articles").fetchone()[0]
        assert 5 <= n < 400  # stopped mid-crawl
        # no article without its version row or its images
        assert conn.execute("select count(*) from articles a where not exists "
                            "(select 1 from article_versions v where v.article_id = a.id)").fetchone()[0] == 0
        assert conn.execute("select count(*) from articles a where image_count != "
                            "(select count(*) from images i where i.article_id = a.id)").fetchone()[0] == 0
        assert conn.execute("select count(*) from runs where status = 'running'").fetchone()[0] == 0
        assert conn.execute("select status from runs order by id desc limit 1").fetchone()[0] == "interrupted"
