"""Vietnamese search: query rewriting (crawler/publish/plugins/vi_search.py) and ensure_search."""
from __future__ import annotations

import importlib.util
import sqlite3
import sys
from pathlib import Path

import pytest
from sqlite_utils import Database

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import add_article, build_test_archive, prepare  # noqa: E402

from crawler.publish.search_index import ensure_search, search_fold_text  # noqa: E402
from parsers.textnorm import fold  # noqa: E402

_spec = importlib.util.spec_from_file_location("vi_search", ROOT / "crawler" / "publish" / "plugins" / "vi_search.py")
vi = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(vi)


@pytest.mark.parametrize("text", ["Đống Đa", "Hoà Bình hòa bình", "Bắc Từ Liêm", "ĐƯỜNG",
                                  "Quận 1 – Hà Nội"])
def test_plugin_fold_matches_textnorm(text):
    assert vi.vi_fold(text) == fold(text)


@pytest.mark.parametrize("q, expected", [
    ("dong da", '"dong da"'),
    ("Đống Đa", '"Đống Đa"'),
    ("đống đa họp", '"đống đa" họp'),
    ("bac tu liem truong hoc", '"bac tu liem" truong hoc'),
    ("hội đồng đã", "hội đồng đã"),  # accented, and not the place's marks
    ("Đống da", "Đống da"),  # mixed: left alone
    ('"dong da" ung hoa', '"dong da" "ung hoa"'),
    ("Ứng Hoà", '"Ứng Hoà"'),  # old tone placement of Ứng Hòa
    ("dong* da", "dong* da"),
    ("", ""),
])
def test_quote_place_names(q, expected):
    assert vi.quote_place_names(q) == expected


@pytest.mark.parametrize("q, expected", [
    ("dong da", 'search_fold : ("dong da")'),
    ("Đống Đa họp", 'search_fold : ("dong da" AND "hop")'),
    ('"quan dong da"', 'search_fold : ("quan dong da")'),
    ("truong*", 'search_fold : ("truong"*)'),
    ("hòa giải", 'search_fold : ("hoa" AND "giai")'),
    ('a "unbalanced', 'search_fold : ("a" AND "unbalanced")'),
])
def test_vi_fts_query(q, expected):
    assert vi.vi_fts_query(q) == expected


@pytest.mark.parametrize("q, places", [
    ("dong da", ["dong da"]), ("Đống Đa", ["dong da"]), ("hội đồng đã", []),
    ('"đồng đã"', []), ("bac tu liem va nam tu liem", ["bac tu liem", "nam tu liem"]),
    ("ha noi", []), ("thanh cong", []),
])
def test_query_places(q, places):
    assert vi.query_places(q) == places


def test_ward_names_from_places_table_become_phrases():
    gaz = vi.Gazetteer(["Cổ Nhuế 1", "Thành Công"])
    assert vi.quote_place_names("co nhue 1 hop", gaz) == '"co nhue 1" hop'
    assert vi.vi_fts_query("thanh cong lon", gaz) == 'search_fold : ("thanh cong" AND "lon")'


def test_fts_queries_are_valid_fts5():
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(search_fold, x)")
    conn.execute("insert into t values ('quan dong da hop', 'y')")
    for q in ["dong da", 'a "b', "***", "", "OR AND NOT", "x*", "(", "đống đa*", "'; drop"]:
        conn.execute("select count(*) from t where t match ?", [vi.vi_fts_query(q)]).fetchone()


def _count(db, q):
    return db.execute("select count(*) from articles_fts where articles_fts match ?",
                      [q]).fetchone()[0]


def test_ensure_search_creates_and_is_idempotent(tmp_path):
    db = Database(tmp_path / "a.db")
    prepare(db)
    did = ensure_search(db)
    assert did["fts"] == "created" and did["view_news"] == "created"
    assert ensure_search(db) == {"backfilled": 0}
    assert db.journal_mode == "wal"
    sql = db.execute("select sql from sqlite_master where name='articles_fts'").fetchone()[0]
    assert "remove_diacritics 2" in sql and "search_fold" in sql


def test_ensure_search_repairs_wrong_tokenizer_and_missing_triggers(tmp_path):
    db = Database(tmp_path / "a.db")
    prepare(db)
    add_article(db, id="x:1", title="Quận Bắc Từ Liêm", body_text="Tin Bắc Từ Liêm",
                places=["Quận Bắc Từ Liêm"])
    db["articles"].enable_fts(["title", "body_text"], create_triggers=True)  # rd1, no fold
    assert ensure_search(db)["fts"] == "repaired"
    assert _count(db, '"bac tu liem"') == 1
    db.execute("drop trigger articles_au")
    assert ensure_search(db)["fts"] == "repaired"
    assert {"articles_ai", "articles_ad", "articles_au"} <= set(
        r[0] for r in db.execute("select name from sqlite_master where type='trigger'"))


def test_backfill_and_triggers_keep_index_current(tmp_path):
    db = Database(tmp_path / "a.db")
    prepare(db)
    ensure_search(db)
    # a writer that forgets search_fold
    db["articles"].insert({"id": "x:1", "title": "Đống Đa mở đường", "sapo": "",
                           "body_text": "Đường mới", "published_at": "2024-01-02T08:00:00+07:00",
                           "source": "hanoimoi"})
    assert _count(db, '"dong da"') == 0
    assert ensure_search(db)["backfilled"] == 1
    assert _count(db, '"dong da"') == 1
    assert db.execute("select search_fold from articles").fetchone()[0] == search_fold_text(
        "Đống Đa mở đường", "", "Đường mới")
    # article_index follows articles and article_places
    row = db.execute("select month, place from article_index where article_id='x:1'").fetchone()
    assert row == ("2024-01", None)
    pid = db.execute("select id from places where full_name='Quận Đống Đa'").fetchone()[0]
    db["article_places"].insert({"article_id": "x:1", "place_id": pid, "is_primary": 1,
                                 "mentions": 1}, pk=("article_id", "place_id"))
    assert db.execute("select place from news where id='x:1'").fetchone()[0] == "Đống Đa"
    db.execute("update articles set published_at='2024-03-01T00:00:00+07:00' where id='x:1'")
    assert db.execute("select month from news where id='x:1'").fetchone()[0] == "2024-03"
    db.execute("delete from article_places where article_id='x:1'")
    assert db.execute("select place from news where id='x:1'").fetchone()[0] is None
    db.execute("delete from articles where id='x:1'")
    assert db.execute("select count(*) from article_index").fetchone()[0] == 0
    assert _count(db, '"dong da"') == 0


def test_upsert_updates_search(tmp_path):
    db = Database(tmp_path / "a.db")
    prepare(db)
    ensure_search(db)
    add_article(db, id="x:1", title="Hoàng Mai", body_text="Một", places=["Quận Hoàng Mai"])
    add_article(db, id="x:1", title="Tây Hồ", body_text="Hai", places=["Quận Tây Hồ"])
    assert _count(db, '"hoang mai"') == 0 and _count(db, '"tay ho"') == 1
    assert db.execute("select place from news").fetchall() == [("Tây Hồ",)]


def test_news_view_facets_do_not_touch_articles(tmp_path):
    db = build_test_archive(tmp_path / "a.db", filler=5)
    plan = db.execute("explain query plan select place, count(*) from (select * from news) "
                      "group by place").fetchall()
    assert all(" f " in f" {r[3]} " for r in plan if r[3].startswith(("SCAN", "SEARCH"))), plan
    plan = db.execute("explain query plan select * from news order by published_at desc "
                      "limit 51").fetchall()
    assert any("article_index_published" in r[3] for r in plan), plan


@pytest.mark.parametrize("q, districts, rest", [
    ("dong da", ["dong da"], ""),
    ("Đống Đa họp", ["dong da"], "họp"),
    ("hội đồng đã", [], "hội đồng đã"),
    ('"bac tu liem" truong', ["bac tu liem"], "truong"),
    ("ha noi moi", [], "ha noi moi"),
    ("ba dinh hoan kiem", ["ba dinh", "hoan kiem"], ""),
    ("tu liem", [], "tu liem"),  # old district, not in the gazetteer: stays a phrase search
])
def test_split_districts(q, districts, rest):
    assert vi.split_districts(q) == (districts, rest)


def test_changed_trigger_definitions_are_replaced(tmp_path):
    db = Database(tmp_path / "a.db")
    prepare(db)
    ensure_search(db)
    db.execute("drop trigger article_index_ad")
    db.execute("create trigger article_index_ad after delete on articles begin select 1; end")
    assert ensure_search(db).get("triggers") == "replaced"
    add_article(db, id="x:1", title="Tin", body_text="Tin", places=["Quận Tây Hồ"])
    db.execute("delete from articles where id = 'x:1'")
    assert db.execute("select count(*) from article_index").fetchone()[0] == 0


def test_ensure_search_rebuilds_old_article_index_layout(tmp_path):
    """Archives from before 2026-11 keyed article_index by article_id, without the text."""
    db = build_test_archive(tmp_path / "a.db", filler=3)
    n = db.execute("select count(*) from articles").fetchone()[0]
    with db.conn:
        db.execute("drop view news")
        db.execute("drop table article_index")
        db.execute("create table article_index (article_id text primary key, "
                   "art_rowid integer not null, published_at text, month text, source text, "
                   "category text, status text, place_id text, place text)")
    did = ensure_search(db)
    assert did["article_index"] == "rebuilt" and did["indexed"] == n
    assert db["article_index"].pks == ["art_rowid"]
    row = db.execute("select title, place from news where id = 'hanoimoi:101'").fetchone()
    assert row == ("Quận Đống Đa tổng kết công tác năm 2024", "Đống Đa")
    assert ensure_search(db) == {"backfilled": 0}
