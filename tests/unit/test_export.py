"""``hanoi-news export`` / ``publish``: dated dumps, snapshot, checksums, data dictionary."""
from __future__ import annotations

import csv
import gzip
import hashlib
import json
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import add_article, build_test_archive  # noqa: E402

from crawler.publish.snapshot import publish, publish_archive  # noqa: E402
from crawler.publish.export import export, export_archive, snapshot  # noqa: E402


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("exp") / "archive.db"
    build_test_archive(path, filler=20).close()
    return path


@pytest.fixture(scope="module")
def exported(archive, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return export_archive(archive, out, day=date(2026, 11, 22))


def test_layout(exported):
    d = exported["directory"]
    assert d.name == "2026-11-22"
    names = {p.name for p in d.iterdir()}
    for t in ("articles", "places", "indicators", "runs", "fetches", "sources",
              "article_places", "officials", "article_officials", "place_successors"):
        assert f"{t}.csv.gz" in names and f"{t}.jsonl.gz" in names, t
    assert {"archive.db", "SHA256SUMS", "DATA_DICTIONARY.md", "data_dictionary.json"} <= names
    # internals are not exported
    assert not any(n.startswith(("articles_fts", "article_index", "_sqlite_migrations"))
                   for n in names)
    assert not any(n.endswith(".tmp") for n in names)


def test_checksums(exported):
    d = exported["directory"]
    lines = (d / "SHA256SUMS").read_text().splitlines()
    listed = {}
    for line in lines:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == {p.name for p in d.iterdir() if p.name != "SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256((d / name).read_bytes()).hexdigest() == digest


def test_rows_match_database(archive, exported):
    d = exported["directory"]
    conn = sqlite3.connect(archive)
    for table in ("articles", "places", "indicators"):
        n = conn.execute(f"select count(*) from {table}").fetchone()[0]
        with gzip.open(d / f"{table}.csv.gz", "rt", encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        with gzip.open(d / f"{table}.jsonl.gz", "rt", encoding="utf-8") as f:
            objs = [json.loads(line) for line in f]
        assert len(rows) == len(objs) == n == exported["tables"][table]
    with gzip.open(d / "articles.jsonl.gz", "rt", encoding="utf-8") as f:
        objs = {o["id"]: o for o in map(json.loads, f)}
    assert objs["hanoimoi:101"]["title"] == "Quận Đống Đa tổng kết công tác năm 2024"
    assert "search_fold" not in objs["hanoimoi:101"]
    with gzip.open(d / "articles.csv.gz", "rt", encoding="utf-8", newline="") as f:
        assert "search_fold" not in next(csv.reader(f))


def test_snapshot_is_complete_sqlite(archive, exported):
    c = sqlite3.connect(exported["directory"] / "archive.db")
    assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert c.execute("pragma journal_mode").fetchone()[0] == "delete"
    assert c.execute("select count(*) from articles").fetchone()[0] == \
        sqlite3.connect(archive).execute("select count(*) from articles").fetchone()[0]
    assert c.execute("select count(*) from articles_fts where articles_fts match "
                     "'\"dong da\"'").fetchone()[0] >= 1


def test_data_dictionary(exported):
    d = exported["directory"]
    dd = json.loads((d / "data_dictionary.json").read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in dd["tables"]}
    assert "articles" in tables and "article_index" not in tables
    for t in tables.values():
        assert t["description"], t["name"]
        assert t["license"] and t["source"], t["name"]
        for c in t["columns"]:
            assert c["description"], (t["name"], c["name"])
    assert "© their publishers" in tables["articles"]["license"]
    assert tables["indicators"]["rows"] == exported["tables"]["indicators"]
    md = (d / "DATA_DICTIONARY.md").read_text(encoding="utf-8")
    assert "## articles" in md and "| `published_at` |" in md and "+07:00" in md


def test_snapshot_consistent_while_writing(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    stop = threading.Event()

    def writer():
        from sqlite_utils import Database

        db = Database(path)
        db.conn.execute("pragma busy_timeout = 5000")
        k = 0
        while not stop.is_set():
            add_article(db, id=f"x:{k}", title=f"Tin {k}", body_text="Quận Đống Đa " * 200,
                        places=["Quận Đống Đa"])
            k += 1

    th = threading.Thread(target=writer)
    th.start()
    try:
        for i in range(5):
            snap = snapshot(path, tmp_path / f"s{i}.db")
            c = sqlite3.connect(snap)
            assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
            # every article in the snapshot has its place row: no half-written article
            orphans = c.execute("select count(*) from articles a where not exists (select 1 "
                                "from article_places p where p.article_id = a.id)").fetchone()
            assert orphans[0] == 0
            n_a = c.execute("select count(*) from articles").fetchone()[0]
            n_i = c.execute("select count(*) from article_index").fetchone()[0]
            assert n_a == n_i
            c.close()
    finally:
        stop.set()
        th.join()


def test_publish_builds_search_and_snapshot(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    c = sqlite3.connect(path)
    c.execute("update articles set search_fold = null")
    c.commit()
    c.close()
    r = publish_archive(path)
    assert r["ensure_search"]["backfilled"] == 10
    snap = tmp_path / "published" / "archive.db"
    assert r["snapshot"] == snap and snap.exists()
    digest = (tmp_path / "published" / "archive.db.sha256").read_text().split()[0]
    assert digest == hashlib.sha256(snap.read_bytes()).hexdigest()
    c = sqlite3.connect(snap)
    assert c.execute("select count(*) from articles_fts where articles_fts match "
                     "'\"bac tu liem\"'").fetchone()[0] == 1


def test_click_commands(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    runner = CliRunner()
    res = runner.invoke(publish, ["--db", str(path)])
    assert res.exit_code == 0, res.output
    assert "snapshot:" in res.output
    res = runner.invoke(export, ["--db", str(path), "--out", str(tmp_path / "exports")])
    assert res.exit_code == 0, res.output
    assert "articles: 10 rows" in res.output
    (day,) = (tmp_path / "exports").iterdir()
    assert (day / "SHA256SUMS").exists()
    res = runner.invoke(export, ["--db", str(tmp_path / "missing.db")])
    assert res.exit_code != 0
