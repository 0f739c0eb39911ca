"""How crawler/publish/plugins/query_cache.py answers searches, seen through Datasette's trace: phrases from
the word-pair index (crawler/publish/search_pairs.py), the same articles as FTS5 alone, and FTS5
alone while a writer has left articles unindexed; big district pages walking the date index."""
from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest
from datasette.utils import escape_fts

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import add_article, build_test_archive  # noqa: E402

from crawler.publish.app import make_datasette  # noqa: E402
from crawler.publish.search_fold import search_fold_text  # noqa: E402
from crawler.publish.search_pairs import PENDING_TABLE, sync_pairs  # noqa: E402


def get(ds, url):
    return asyncio.run(ds.client.get(url))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("pairs") / "archive.db"
    db = build_test_archive(path, filler=40)
    add_article(db, id="hanoimoi:401", title="Xã Vân Hòa đón bằng công nhận nông thôn mới",
                body_text="Xã Vân Hòa, huyện Ba Vì cũ, hoàn thành 19/19 tiêu chí.",
                published_at="2025-09-10T08:00:00+07:00", places=["Huyện Ba Vì"])
    add_article(db, id="hanoimoi:402", title="Ngày hội văn hóa các dân tộc",
                body_text="Hoạt động văn hoá, thể thao diễn ra ở quận Nam Từ Liêm.",
                published_at="2025-10-01T08:00:00+07:00", places=["Quận Nam Từ Liêm"])
    db.close()
    return path


def _traced(path):
    return make_datasette(path, settings={"trace_debug": True})


def _all_ids(ds, q, resource="news"):
    """Every id of a search, page after page, its total, and the SQL it ran."""
    ids, sqls, url = [], [], f"/archive/{resource}.json?_search={q}&_size=7&_nofacet=1&_trace=1"
    while url:
        data = get(ds, url).json()
        ids += [r[1] if resource == "news" else r[0] for r in data["rows"]]
        sqls += [t["sql"] for t in data["_trace"]["traces"]]
        nxt = data.get("next_url")
        url = "/" + nxt.split("://", 1)[-1].split("/", 1)[-1] if nxt else None
    return ids, data["filtered_table_rows_count"], sqls


def _fts_ids(path, search, resource="news"):
    conn = sqlite3.connect(path)
    conn.create_function("escape_fts", 1, escape_fts)
    return [r[0] for r in conn.execute(
        f"select id from {resource} where rowid in (select rowid from articles_fts where"
        " articles_fts match escape_fts(?)) order by published_at desc, rowid desc", [search])]


@pytest.mark.parametrize("q, searched", [
    ("van hoa", '"van hoa"'),  # the commune's name typed without marks: a phrase
    ("Vân Hòa", '"Vân Hòa"'),
    ('"tu liem"', '"tu liem"'),
    ('"van hoa" ba vi', '"van hoa" ba vi'),  # a phrase and words: both indexes
])
def test_phrase_searches_find_what_fts_finds(archive, q, searched):
    ds = _traced(archive)
    ids, total, sqls = _all_ids(ds, q)
    expected = _fts_ids(archive, searched)
    assert ids == expected and total == len(expected) and expected
    assert any("articles_pairs_fts match" in s for s in sqls)


def test_articles_table_search_uses_pairs_too(archive):
    ds = _traced(archive)
    ids, total, sqls = _all_ids(ds, "van hoa", resource="articles")
    expected = _fts_ids(archive, '"van hoa"', resource="articles")
    assert sorted(ids) == sorted(expected) and total == len(expected)
    assert any("articles_pairs_fts match" in s for s in sqls)


def test_unindexed_articles_make_search_fall_back_to_fts(tmp_path):
    """A writer that does not index pairs (a plain sqlite3 client): its article is found at
    once, by FTS5; once indexed, the pair index answers again."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    conn = sqlite3.connect(path)
    title = "Xã Vân Hòa tổng kết năm"
    conn.execute("insert into articles (id, source, url, title, body_text, search_fold,"
                 " published_at, status) values ('x:1', 'hanoimoi', 'https://x/1', ?, '', ?,"
                 " '2026-01-02T08:00:00+07:00', 'ok')", [title, search_fold_text(title, None, "")])
    conn.commit()
    assert conn.execute(f"select count(*) from {PENDING_TABLE}").fetchone()[0] == 1
    ds = _traced(path)
    ids, total, sqls = _all_ids(ds, "van hoa")
    assert "x:1" in ids and not any("articles_pairs_fts match" in s for s in sqls)
    from sqlite_utils import Database

    db = Database(path)
    assert sync_pairs(db) == 1
    db.close()
    ids2, total2, sqls2 = _all_ids(ds, "van hoa")
    assert ids2 == ids and total2 == total
    assert any("articles_pairs_fts match" in s for s in sqls2)
    conn.close()


def test_big_district_page_is_walked_and_counted_once(tmp_path):
    """A district tagged on most articles: its rows walk the date index ("+id in"), decided
    from the page's own count, which is then not run a second time."""
    path = tmp_path / "archive.db"
    db = build_test_archive(path, filler=5)
    for i in range(40):
        add_article(db, id=f"hanoimoi:hk{i}", title=f"Tin phường Hoàn Kiếm số {i}",
                    body_text="Quận Hoàn Kiếm tổ chức hội nghị.", places=["Quận Hoàn Kiếm"],
                    published_at=f"2025-0{1 + i % 9}-1{i % 10}T08:00:00+07:00")
    db.close()
    data = get(_traced(path), "/archive/news.json?_search=hoan+kiem&_nofacet=1&_trace=1").json()
    sqls = [t["sql"] for t in data["_trace"]["traces"]]
    rows_sql = [s for s in sqls if s.startswith("select rowid")]
    assert rows_sql and "+id in (select ap.article_id" in rows_sql[0]
    assert sum(s.startswith("select count(*) from news") for s in sqls) == 1
    assert not any("count(*) from article_places" in s for s in sqls)
    conn = sqlite3.connect(path)
    plain = conn.execute(rows_sql[0].replace("+id in", "id in")).fetchall()
    assert [r[1] for r in data["rows"]] == [r[1] for r in plain][:len(data["rows"])]
    tagged = conn.execute("select count(distinct ap.article_id) from article_places ap join"
                          " places p on p.id = ap.place_id where p.ascii_name = 'hoan kiem'")
    assert data["filtered_table_rows_count"] == tagged.fetchone()[0] >= 40
    conn.close()
