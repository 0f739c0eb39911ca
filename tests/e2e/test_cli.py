"""Issue 2 end to end: the CLI builds the demo archive; Datasette's client reads it; bad
input gets one plain line and a non-zero exit code."""
from __future__ import annotations

import asyncio
import socket

import pytest
from click.testing import CliRunner

from crawler.cli import cli


def test_demo_builds_an_archive_that_datasette_serves(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(cli, ["demo", "--no-serve", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "pass 2" in result.output and " 0 new" in result.output.split("pass 2")[1]
    db_path = out / "demo.db"
    assert db_path.exists()

    from crawler.publish.app import make_datasette

    ds = make_datasette(db_path, demo=True)

    async def fetch():
        return await ds.client.get("/demo/articles.json?_shape=array&_size=100")

    response = asyncio.run(fetch())
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) >= 12
    assert any(r["id"] == "laodongthudo:157025" for r in rows)

    async def growth():
        return await ds.client.get("/demo/growth_over_time.json?metric=production_value&_shape=array")

    # seed 000: "giá trị sản xuất … 30.054,4 tỷ đồng, tăng 12,1% so với cùng kỳ" (growth printed
    # next to the amount) is found by the growth query like a growth printed on its own
    growth_rows = asyncio.run(growth()).json()
    assert {"place": "Bắc Từ Liêm", "date": "2023-06-30", "growth_pct": 12.1} in [
        {k: r[k] for k in ("place", "date", "growth_pct")} for r in growth_rows]
    assert all(r["metric"] == "production_value" for r in growth_rows)

    # the home page links to the whole database: the demo has published it
    home = asyncio.run(ds.client.get("/")).text
    assert "/-/snapshot/demo.db" in home
    snap = asyncio.run(ds.client.get("/-/snapshot/demo.db"))
    assert snap.status_code == 200 and snap.content[:16] == b"SQLite format 3\x00"


def test_missing_database_folder_is_one_plain_line(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "--db", str(tmp_path / "nope" / "archive.db"),
                                      "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "does not exist" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_status_on_a_missing_database(tmp_path):
    result = CliRunner().invoke(cli, ["status", "--db", str(tmp_path / "archive.db")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
    assert not (tmp_path / "archive.db").exists()


@pytest.mark.parametrize("content, words", [
    ("sources: [\n  - id: x\n    name: [unclosed\n", "not valid YAML"),
    ("just a string\n", "top-level 'sources:'"),
    ("sources:\n  - id: x\n    name: X\n", "missing"),
    ("sources:\n  - {id: x, name: X, base_url: 'https://x.vn', parser: generic, article_patterns: ['('] }\n",
     "source #1"),
])
def test_malformed_sources_yml(tmp_path, content, words):
    path = tmp_path / "sources.yml"
    path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "--sources", str(path), "--db", str(tmp_path / "a.db"),
                                      "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 1
    assert words in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "a.db").exists(), "nothing is written when the config is bad"


def test_port_in_use(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["demo", "--port", str(port), "--out", str(tmp_path / "d")])
    assert result.exit_code == 1
    assert f"port {port}" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", ["run", "demo"])
@pytest.mark.parametrize("port", ["70000", "0", "-1"])
def test_a_port_out_of_range_is_a_usage_error(tmp_path, command, port):
    result = CliRunner().invoke(cli, [command, "--port", port, "--out" if command == "demo" else "--db",
                                      str(tmp_path / ("d" if command == "demo" else "a.db"))])
    assert result.exit_code == 2, result.output
    assert "--port" in result.output and "range" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "d").exists() and not (tmp_path / "a.db").exists()
