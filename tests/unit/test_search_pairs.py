"""The word-pair index (crawler/publish/search_pairs.py) and the search rewrite that uses it
(crawler/publish/plugins/query_cache.py): same matches as FTS5's own phrase search, whoever writes."""
from __future__ import annotations

import importlib.util
import itertools
import random
import sqlite3
import sys
from pathlib import Path

import pytest
from datasette.utils import escape_fts
from sqlite_utils import Database

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import prepare  # noqa: E402

from crawler.publish.search_index import ensure_search, search_fold_text  # noqa: E402
from crawler.publish.search_pairs import (PAIRS_TABLE, PENDING_TABLE, build_pairs,  # noqa: E402
                                  pair_text, pairs_in_place, sync_pairs)

_spec = importlib.util.spec_from_file_location("query_cache", ROOT / "crawler" / "publish" / "plugins" / "query_cache.py")
qc = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qc)

# syllables that fold together (văn/vân/vạn, hóa/hoa/hòa, từ/tư/tu, đa/da/đã), so that
# folded phrases collide the way they do in real text
SYLLABLES = ["văn", "vân", "vạn", "hóa", "hoa", "Hòa", "từ", "tư", "Tu", "liêm", "Liêm",
             "đa", "da", "đã", "Đống", "đồng", "dong", "xã", "phường", "2025"]


def test_pair_text():
    assert pair_text("quan tu liem, ha noi") == "quan_tu tu_liem liem_ha ha_noi"
    assert pair_text("van hoa van hoa") == "van_hoa hoa_van"  # each pair once
    assert pair_text("mot") == "" and pair_text("") == "" and pair_text(None) == ""
    assert pair_text("so_lieu a") == "so_lieu lieu_a"  # "_" separates, as in FTS5


def _text(rng: random.Random) -> str:
    words = [rng.choice(SYLLABLES) for _ in range(rng.randint(0, 12))]
    return " ".join(w + rng.choice(["", "", "", ",", "."]) for w in words)


def _new_archive(path: Path) -> Database:
    db = Database(path)
    prepare(db)
    ensure_search(db)
    return db


def _insert(conn, rng, i):
    title, body = _text(rng), _text(rng)
    conn.execute("insert into articles (id, source, url, title, body_text, search_fold,"
                 " published_at, status) values (?, 'hanoimoi', ?, ?, ?, ?, '2024-01-01', 'ok')",
                 [f"a{i}", f"https://x/{i}", title, body, search_fold_text(title, None, body)])


def _pairs_match_fts(conn) -> None:
    """Every two-syllable phrase without "đ": the pair index and FTS5 agree."""
    checked = 0
    for a, b in itertools.product(SYLLABLES, repeat=2):
        phrase = f'"{a} {b}"'
        paired = qc._use_pairs("rowid in (select rowid from articles_fts where articles_fts"
                               " match escape_fts(:search))", {"search": phrase})
        if paired is None:
            assert "đ" in (a + b).lower()
            continue
        fts = {r[0] for r in conn.execute(
            "select rowid from articles_fts where articles_fts match ?", [escape_fts(phrase)])}
        pairs = {r[0] for r in conn.execute(
            f"select rowid from {PAIRS_TABLE} where {PAIRS_TABLE} match ?",
            [paired[1]["hn_pairs"]])}
        assert pairs == fts, phrase
        checked += bool(fts)
    assert checked > 20  # the comparison was not over empty sets only


def test_pairs_follow_any_writer_and_match_fts_phrases(tmp_path):
    """Inserts, updates (twice before indexing, too), deletes and a rowid reused, all by a
    plain sqlite3 client: the triggers leave them pending, sync_pairs indexes them, and the
    pair index then answers every phrase exactly as FTS5 does."""
    path = tmp_path / "a.db"
    _new_archive(path).close()
    rng = random.Random(5)
    conn = sqlite3.connect(path)
    for i in range(120):
        _insert(conn, rng, i)
    conn.commit()
    assert conn.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0] == 120
    db = Database(path)
    assert sync_pairs(db) == 120
    assert db.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0] == 0
    _pairs_match_fts(db.conn)
    for round_ in range(3):
        ids = [r[0] for r in conn.execute("select id from articles")]
        for aid in rng.sample(ids, 30):
            for _ in range(rng.randint(1, 2)):  # the second update must not lose the first
                title, body = _text(rng), _text(rng)
                conn.execute("update articles set title = ?, body_text = ?, search_fold = ?"
                             " where id = ?", [title, body, search_fold_text(title, None, body),
                                               aid])
        for aid in rng.sample(ids, 10):
            conn.execute("delete from articles where id = ?", [aid])
        top = conn.execute("select max(rowid) from articles").fetchone()[0]
        conn.execute("delete from articles where rowid = ?", [top])  # its rowid comes back
        for i in range(10):
            _insert(conn, rng, 1000 * (round_ + 1) + i)
        conn.commit()
        assert sync_pairs(db) > 0
        _pairs_match_fts(db.conn)
    conn.close()
    db.close()


def test_the_crawler_indexes_in_the_same_transaction(tmp_path):
    """A write that fails rolls its pairs back with it; one that commits leaves nothing
    pending."""
    db = _new_archive(tmp_path / "a.db")
    rng = random.Random(1)
    with db.atomic():
        _insert(db.conn, rng, 1)
        assert sync_pairs(db) == 1
    assert db.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0] == 0
    with pytest.raises(RuntimeError):
        with db.atomic():
            _insert(db.conn, rng, 2)
            sync_pairs(db)
            raise RuntimeError("crash mid-write")
    assert db.execute("select count(*) from articles").fetchone()[0] == 1
    _pairs_match_fts(db.conn)


def test_ensure_search_builds_repairs_and_syncs(tmp_path):
    db = _new_archive(tmp_path / "a.db")
    assert pairs_in_place(db)
    rng = random.Random(2)
    for i in range(20):
        _insert(db.conn, rng, i)
    db.conn.commit()
    assert ensure_search(db).get("pairs_synced") == 20
    db.execute("drop trigger articles_pairs_au")  # a writer meanwhile is not followed
    db.execute("update articles set search_fold = 'van hoa' where rowid = 1")
    db.conn.commit()
    assert not pairs_in_place(db)
    assert ensure_search(db)["pairs"] == "built"  # rebuilt from the articles as they are
    assert pairs_in_place(db) and build_pairs(db) == 20
    _pairs_match_fts(db.conn)


@pytest.mark.parametrize("search, pairs, rest", [
    ("tu liem", None, None),  # two words: FTS
    ('"tu liem"', '"tu_liem"', None),
    ('"Vân Hòa"', '"van_hoa"', None),
    ('"van hoa" "tu liem" le', '"van_hoa" AND "tu_liem"', '"le"'),
    ('"Đống Đa"', None, None),  # "đ": FTS5 keeps it, search_fold does not
    ('"bac tu liem"', None, None),  # three words: FTS
    ('"van, hoa"', '"van_hoa"', None),  # punctuation inside, as FTS5 reads it
])
def test_search_rewrite(search, pairs, rest):
    sql = ("select count(*) from news where rowid in (select rowid from articles_fts where "
           "articles_fts match escape_fts(:search))")
    out = qc._use_pairs(sql, {"search": search})
    if pairs is None:
        assert out is None
        return
    new_sql, params = out
    assert params["hn_pairs"] == pairs and params.get("hn_rest") == rest
    assert ("articles_fts match :hn_rest" in new_sql) == bool(rest)
    assert qc._count_in_fts(new_sql).startswith(
        "select count(*) from articles_pairs_fts" if not rest else "select count(*) from news")


def test_publish_rebuild_fts_rebuilds_the_pair_index_too(tmp_path):
    """``hanoi-news publish --rebuild-fts`` repairs a pair index left wrong by a writer that
    bypassed the triggers (here: rows deleted from it directly)."""
    from crawler.publish.snapshot import publish_archive

    path = tmp_path / "a.db"
    db = _new_archive(path)
    rng = random.Random(3)
    for i in range(30):
        _insert(db.conn, rng, i)
    db.conn.commit()
    sync_pairs(db)
    db.execute(f"insert into {PAIRS_TABLE}({PAIRS_TABLE}) values ('delete-all')")
    db.conn.commit()
    assert not db.execute(f"select count(*) from {PAIRS_TABLE} where {PAIRS_TABLE}"
                          " match 'van_hoa OR hoa_van OR tu_liem'").fetchone()[0]
    assert publish_archive(path, write_snapshot=False)["ensure_search"].get("pairs") is None
    report = publish_archive(path, rebuild_fts=True, write_snapshot=False)
    assert report["ensure_search"]["pairs"] == "built"
    _pairs_match_fts(db.conn)
    db.close()


def test_datasette_can_count_the_pair_index_and_old_indexes_are_rebuilt(tmp_path, capsys):
    """Datasette counts every table on its database page; an index it cannot scan printed
    'table does not support scanning' on every start and every database page. An archive
    built with that definition is rebuilt by ensure_search."""
    import asyncio

    from crawler.publish.app import make_datasette

    db = _new_archive(tmp_path / "archive.db")
    rng = random.Random(3)
    with db.conn:
        for i in range(20):
            _insert(db.conn, rng, i)
    ensure_search(db)
    with db.conn:  # the definition used until 2026-12 (columnsize=0)
        db.execute(f"drop table [{PAIRS_TABLE}]")
        db.execute(f"create virtual table [{PAIRS_TABLE}] using fts5(pairs, content='', detail=none,"
                   " columnsize=0, tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")")
    assert not pairs_in_place(db)
    assert ensure_search(db)["pairs"] == "built"
    with_pairs = sum(1 for (f,) in db.execute("select search_fold from articles") if pair_text(f))
    db.close()

    ds = make_datasette(tmp_path / "archive.db")
    counts = asyncio.run(ds.databases["archive"].table_counts(limit=1000))
    assert counts[PAIRS_TABLE] == with_pairs > 0
    assert asyncio.run(ds.client.get("/archive")).status_code == 200
    assert "does not support scanning" not in capsys.readouterr().out
