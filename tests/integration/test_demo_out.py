"""Issue 15, item 11: ``demo --out DIR`` (and ``run``'s offline fallback into ``./demo``) never
deletes what the project did not create."""
from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
MARKER = ".hanoi-news-demo"  # crawler/demo.py writes it into every folder it makes

ROOT = Path(__file__).resolve().parents[2]


def _demo(out: Path):
    return CliRunner().invoke(cli, ["demo", "--no-serve", "--out", str(out)])


def test_a_folder_the_demo_did_not_make_is_left_alone(tmp_path):
    out = tmp_path / "Documents"
    (out / "notes").mkdir(parents=True)
    (out / "thesis.txt").write_text("không được xoá", encoding="utf-8")
    (out / "notes" / "a.txt").write_text("x", encoding="utf-8")
    result = _demo(out)
    assert result.exit_code == 1
    assert "was not made by 'hanoi-news demo'" in result.output
    assert (out / "thesis.txt").read_text(encoding="utf-8") == "không được xoá"
    assert (out / "notes" / "a.txt").exists() and not (out / "demo.db").exists()
    assert not (out / MARKER).exists()


def test_the_demo_rebuilds_its_own_folder_and_only_its_own_files(tmp_path):
    out = tmp_path / "demo"
    assert _demo(out).exit_code == 0
    assert (out / MARKER).is_file() and (out / "demo.db").is_file()
    (out / "mine.txt").write_text("kept", encoding="utf-8")  # something a user put there
    result = _demo(out)
    assert result.exit_code == 0, result.output
    assert (out / "mine.txt").read_text(encoding="utf-8") == "kept"
    assert "pass 1: laodongthudo: 16 new" in result.output  # a fresh demo archive, not the old one


def test_an_empty_folder_is_used(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert _demo(out).exit_code == 0 and (out / "demo.db").is_file()


def test_run_offline_does_not_delete_a_demo_folder_it_did_not_make(tmp_path):
    with socket.socket() as s:  # a port nothing listens on: no source is reachable
        s.bind(("127.0.0.1", 0))
        dead = s.getsockname()[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sources = tmp_path / "sources.yml"
    from tests.support.fault_server import site_sources_yaml

    sources.write_text(site_sources_yaml(f"http://127.0.0.1:{dead}"), encoding="utf-8")
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "photos.txt").write_text("ảnh gia đình", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "crawler", "run", "--port", str(port), "--sources", str(sources),
                             "--db", str(tmp_path / "archive.db"), "--data-dir", str(tmp_path / "data")],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**__import__("os").environ, "PYTHONPATH": str(ROOT)})
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:  # the old code went on to serve a demo it had rebuilt there
            proc.kill()
            proc.communicate()
    assert proc.returncode == 1, (out + err).decode()[-2000:]
    assert "was not made by 'hanoi-news demo'" in err.decode()
    assert (tmp_path / "demo" / "photos.txt").read_text(encoding="utf-8") == "ảnh gia đình"
