"""Issue 16: a run whose process died is seen (by ``status``, or by the next run), and alarms
reach a notification address through Apprise (a local endpoint, never the network)."""
from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from click.testing import CliRunner

from crawler import clock
from crawler.cli import cli
from tests.support.fault_server import site_sources_yaml
from tests.support.health_site import Crawls, HealthSite

ROOT = Path(__file__).resolve().parents[2]
ENV = "HANOI_NEWS_NOTIFY"


def _running_run(db_path: Path) -> tuple[int, int] | None:
    if not db_path.exists():
        return None
    conn = sqlite3.connect(db_path, timeout=5)
    try:
        row = conn.execute("select id, pid from runs where status = 'running' order by id desc limit 1").fetchone()
        n = conn.execute("select count(*) from articles").fetchone()[0]
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()
    return row if row and n >= 3 else None


def test_a_crawl_killed_mid_run_makes_status_exit_3(tmp_path):
    with HealthSite(200, latency_s=0.02) as site:
        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url, rate=20), encoding="utf-8")
        db, data = tmp_path / "archive.db", tmp_path / "data"
        args = ["--sources", str(sources), "--db", str(db), "--data-dir", str(data)]
        proc = subprocess.Popen([sys.executable, "-m", "crawler", "crawl", *args], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 60
            while (run := _running_run(db)) is None and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert run is not None, proc.communicate()[1].decode()[-2000:]
            assert run[1] == proc.pid  # the run knows its process
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
        result = CliRunner().invoke(cli, ["status", "--json", *args])
        assert result.exit_code == 3, result.output
        [row] = json.loads(result.stdout)["sources"]
        assert row["health"] == "UNHEALTHY" and row["last_status"] == "interrupted"
        [alarm] = [a for a in row["alarms"] if a["kind"] == "run_died"]
        assert f"run {run[0]}" in alarm["message"] and f"process {proc.pid} died" in alarm["message"]
        conn = sqlite3.connect(db)
        assert conn.execute("select status from runs where id = ?", [run[0]]).fetchone()[0] == "interrupted"
        conn.close()
        # the next run finishes: the alarm closes, the source is healthy again
        done = subprocess.run([sys.executable, "-m", "crawler", "crawl", *args], cwd=ROOT, capture_output=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        result = CliRunner().invoke(cli, ["status", *args])
        assert result.exit_code == 0, result.output


def test_a_dead_run_found_by_the_next_run_is_kept_as_an_alarm(tmp_path):
    with HealthSite(10) as site:
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        db = c.db()
        runs = db.table("runs")
        with db.atomic():  # a run left behind by a process that died (kill -9, power cut)
            runs.insert({"source": "testsite", "mode": "incremental", "status": "running",
                         "started_at": clock.iso(), "pid": _dead_pid()})
        dead_id = runs.last_pk
        site.grow(2)
        assert c.run().status == "ok"
        rows = c.db().execute("select state, message, opened_run_id from alarms where kind = 'run_died'").fetchall()
        assert len(rows) == 1 and rows[0][0] == "closed" and rows[0][2] == dead_id
        assert f"run {dead_id}" in rows[0][1] and "died" in rows[0][1]


def test_a_live_run_is_not_taken_for_a_dead_one(tmp_path):
    from crawler.alarms import process_alive

    assert process_alive(None, clock.iso())  # no pid recorded (older runs): not judged dead
    started = clock.iso()
    assert not process_alive(_dead_pid(), started)
    later = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:  # a pid now held by a process younger than the run is not the run's process
        time.sleep(0.1)
        assert process_alive(later.pid, clock.iso(clock.now()))
        assert not process_alive(later.pid, "2020-01-01T00:00:00+07:00")
    finally:
        later.kill()
        later.wait()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


# -- notifications -----------------------------------------------------------------------------
class Inbox:
    """A local HTTP endpoint that keeps what Apprise's json:// posts to it."""

    def __init__(self):
        self.messages: list[dict] = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                inbox.messages.append(json.loads(body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"json://127.0.0.1:{self.server.server_address[1]}/hooks/hanoi"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_alarms_are_sent_to_the_configured_address(tmp_path, monkeypatch):
    inbox = Inbox()
    try:
        monkeypatch.setenv(ENV, inbox.url)
        with HealthSite(10) as site:
            c = Crawls(site, tmp_path)
            assert c.run().status == "ok"
            assert inbox.messages == []  # nothing to say
            site.faults["/sitemap.xml"] = __import__("tests.support.fault_server", fromlist=["Fault"]).Fault(
                "status", status=500)
            c.run()
            [msg] = inbox.messages
            assert "testsite" in msg["title"] and "opened" in msg["title"]
            assert "entry_point_failed [/sitemap.xml]" in msg["message"]
            site.faults.clear()
            c.run()
            assert len(inbox.messages) == 2 and "closed" in inbox.messages[1]["title"]
    finally:
        inbox.close()


def test_status_notifies_a_dead_run_through_sources_yml(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    inbox = Inbox()
    try:
        with HealthSite(5) as site:
            c = Crawls(site, tmp_path)
            c.run()
            db = c.db()
            with db.atomic():
                db.table("runs").insert({"source": "testsite", "mode": "incremental", "status": "running",
                                         "started_at": clock.iso(), "pid": _dead_pid()})
            sources = tmp_path / "sources.yml"
            sources.write_text(site_sources_yaml(site.base_url) + f"\nnotify: ['{inbox.url}']\n", encoding="utf-8")
            from crawler.notify import notify_urls

            assert notify_urls(sources) == [inbox.url]
            args = ["status", "--db", str(c.settings.db_path), "--data-dir", str(c.settings.data_dir),
                    "--sources", str(sources)]
            assert CliRunner().invoke(cli, args + ["--no-notify"]).exit_code == 3
            assert inbox.messages == []  # --no-notify; the alarm is open now
            db.execute("update alarms set state = 'closed'")
            db.conn.commit()
            assert CliRunner().invoke(cli, args).exit_code == 3
            [msg] = inbox.messages
            assert "run_died" in msg["message"]
    finally:
        inbox.close()


def test_notifications_are_off_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    from crawler.notify import notifier_for, notify_urls

    assert notify_urls(ROOT / "sources.yml") == []

    assert notifier_for(ROOT / "sources.yml") is None


def test_an_alarm_opened_twice_at_once_is_kept_once(tmp_path):
    """``status`` and a run may open the same alarm at the same moment: one row stays open."""
    from crawler.alarms import Finding, reconcile

    with HealthSite(3) as site:
        c = Crawls(site, tmp_path)
        c.run()
    db = c.db()
    finding = Finding("no_new_articles", "", 30.0, 2.0, "hours", "no new article for 30 h")
    for _ in range(2):  # two writers that each saw no open alarm
        with db.atomic():
            db.table("alarms").insert({"source": "testsite", "kind": finding.kind, "subject": "", "state": "open",
                                       "opened_at": clock.iso(), "message": finding.message})
    reconcile(db, "testsite", {("no_new_articles", "")}, [finding], 1)
    assert db.execute("select count(*) from alarms where state = 'open'").fetchone()[0] == 1
    reconcile(db, "testsite", {("no_new_articles", "")}, [], 2)
    assert db.execute("select count(*) from alarms where state = 'open'").fetchone()[0] == 0


def test_ctrl_c_during_a_crawl_leaves_an_interrupted_run_not_a_running_one(tmp_path):
    import pytest

    from crawler.crawl import crawl

    with HealthSite(10) as site:
        c = Crawls(site, tmp_path)

        def ctrl_c(_n):
            raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            crawl(c.source, c.settings, progress=ctrl_c)
    row = c.db().execute("select status, error from runs").fetchone()
    assert row == ("interrupted", "stopped on request")  # a stop, not a death: no alarm
    assert c.db().execute("select count(*) from alarms").fetchone()[0] == 0
