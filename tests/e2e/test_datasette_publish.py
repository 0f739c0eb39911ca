"""The published archive through Datasette's ASGI client: metadata, search, canned queries,
feeds, downloads, charts, safety. The archive is built in tmp_path (bench/bench_serve.py)."""
from __future__ import annotations

import asyncio
import csv
import io
import re
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import XSS_TITLE, add_article, build_test_archive  # noqa: E402

from crawler.publish.snapshot import publish_archive  # noqa: E402
from crawler.publish.app import load_metadata, make_datasette  # noqa: E402


def get(ds, url, **kw):
    return asyncio.run(ds.client.get(url, **kw))


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("pub") / "archive.db"
    build_test_archive(path).close()
    return path


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(archive)


def ids(resp):
    return [r["id"] for r in resp.json()]


def first_and_after(ds, load):
    """What ``await load(ds)`` gives at once, and again once the background work it left
    (crawler/publish/plugins/query_cache.py: deferred counts and facets) is done."""
    async def scenario():
        first = await load(ds)
        await asyncio.gather(*ds.get_database("archive")._hn_refreshing.values())
        return first, await load(ds)

    return asyncio.run(scenario())


# --- metadata ----------------------------------------------------------------------------


def test_home_page_shows_title_licence_and_source(ds):
    r = get(ds, "/")
    assert r.status_code == 200
    assert "Hanoi local news archive" in r.text
    assert "© their publishers" in r.text
    assert "laodongthudo.vn" in r.text


def test_every_published_table_and_column_is_described(archive, ds):
    meta = get(ds, "/-/metadata.json").json()
    tables_meta = meta["databases"]["archive"]["tables"]
    conn = sqlite3.connect(archive)
    visible = get(ds, "/archive.json").json()
    names = [t["name"] for t in visible["tables"] if not t["hidden"]]
    names += [v["name"] for v in visible["views"]]
    assert "news" in names and "articles" in names
    for name in names:
        tm = tables_meta.get(name)
        assert tm, f"{name} not in metadata.yml"
        for key in ("description", "license", "license_url", "source", "source_url"):
            assert tm.get(key), f"{name}: {key} missing"
        cols = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        missing = [c for c in cols if not tm.get("columns", {}).get(c)]
        assert not missing, f"{name}: columns without description {missing}"
    assert "© their publishers" in tables_meta["articles"]["license"]
    assert "CC BY" in tables_meta["indicators"]["license"]


def test_internal_tables_hidden_crawl_log_visible(ds):
    data = get(ds, "/archive.json").json()
    hidden = {t["name"] for t in data["tables"] if t["hidden"]}
    shown = {t["name"] for t in data["tables"] if not t["hidden"]}
    assert {"articles_fts", "_sqlite_migrations", "article_index"} <= hidden
    assert {"runs", "fetches", "parse_failures", "articles", "places", "indicators"} <= shown


def test_search_fold_not_shown_to_readers(ds):
    r = get(ds, "/archive/articles.json?_size=2")
    assert "search_fold" not in r.json()["columns"]
    r = get(ds, "/archive/news.json?_size=2")
    assert "search_fold" not in r.json()["columns"]
    assert "search_fold" not in get(ds, "/archive/articles.csv?_size=2").text.splitlines()[0]


def test_news_view_has_default_facets_and_sort(ds):
    data = get(ds, "/archive/news.json?_size=5&_shape=objects").json()
    assert set(data["facet_results"]) == {"source", "place", "category", "month"}
    dates = [r["published_at"] for r in data["rows"]]
    assert dates == sorted(dates, reverse=True)
    places = {f["value"] for f in data["facet_results"]["place"]["results"]}
    assert "Đống Đa" in places


# --- search ------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["dong da", "Đống Đa", "đống đa", '"dong da"', "DONG DA"])
def test_builtin_search_dong_da(ds, q):
    r = get(ds, "/archive/news.json", params={"_search": q, "_size": "max", "_shape": "objects"})
    assert r.status_code == 200
    found = [row["id"] for row in r.json()["rows"]]
    assert "hanoimoi:101" in found
    # "Hội đồng đã" (folded: hoi dong da) is not about Đống Đa
    assert "hanoimoi:102" not in found


@pytest.mark.parametrize("q", ["bac tu liem", "Bắc Từ Liêm", '"bac tu liem"'])
def test_builtin_search_bac_tu_liem(ds, q):
    r = get(ds, "/archive/news.json", params={"_search": q, "_size": "max", "_shape": "objects"})
    assert "kinhtedothi:201" in [row["id"] for row in r.json()["rows"]]


@pytest.mark.parametrize("q", ["hoa giai", "hòa giải", "hoà giải"])
def test_builtin_search_tone_placement_and_no_marks(ds, q):
    r = get(ds, "/archive/news.json", params={"_search": q, "_size": "max", "_shape": "objects"})
    assert "anninhthudo:301" in [row["id"] for row in r.json()["rows"]]


def test_unquoted_place_is_not_every_article_with_da_and_dong(ds):
    """The precision trap (STACK.md §1): dong da as two AND-ed folded words."""
    loose = get(ds, "/archive/news.json", params={"_search": "dong da", "_searchmode": "raw",
                                                    "_size": "0"})
    # _searchmode=raw is rewritten too; compare with the raw FTS count instead
    total = get(ds, "/archive/news.json?_size=0").json()["filtered_table_rows_count"]
    r = get(ds, "/archive/news.json", params={"_search": "dong da", "_size": "0"})
    n = r.json()["filtered_table_rows_count"]
    assert loose.status_code == 200
    assert 0 < n < total / 2
    raw = get(ds, "/archive.json", params={
        "sql": "select count(*) as n from articles_fts where articles_fts match 'dong da'",
        "_shape": "array"}).json()[0]["n"]
    assert raw > n


def test_search_box_shows_rewritten_phrase(ds):
    # a multi-word place that is not a district stays a full-text search, as a phrase
    r = get(ds, "/archive/news", params={"_search": "ha noi"})
    assert r.status_code == 200
    assert "&#34;ha noi&#34;" in r.text or '&quot;ha noi&quot;' in r.text


def test_district_name_becomes_a_place_filter(ds):
    r = get(ds, "/archive/news", params={"_search": "Đống Đa tổng kết"})
    assert r.status_code == 200
    assert "p.ascii_name = &#39;dong da&#39;" in r.text or "p.ascii_name = 'dong da'" in r.text
    assert "tổng kết" in r.text  # the rest stays in the search box
    rows = get(ds, "/archive/news.json", params={"_search": "Đống Đa tổng kết",
                                                 "_shape": "array"}).json()
    assert "hanoimoi:101" in [row["id"] for row in rows]
    rows = get(ds, "/archive/news.json", params={"_search": "dong da cau giay",
                                                 "_shape": "array"}).json()
    assert "hanoimoi:101" not in [row["id"] for row in rows]


def test_canned_search_ranks_by_relevance(ds):
    r = get(ds, "/archive/search.json", params={"q": "dong da", "_shape": "array"})
    assert r.status_code == 200, r.text
    found = ids(r)
    assert found[0] == "hanoimoi:101"
    assert "hanoimoi:102" not in found
    rel = [row["relevance"] for row in r.json()]
    assert rel == sorted(rel, reverse=True)
    r = get(ds, "/archive/search.json", params={"q": "hội đồng đã thông qua",
                                                "_shape": "array"})
    assert ids(r)[0] == "hanoimoi:102"
    r = get(ds, "/archive/search.json", params={"q": "Bắc Từ Liêm trường", "_shape": "array"})
    assert ids(r) == ["kinhtedothi:201"]


def test_search_csv_export(ds):
    r = get(ds, "/archive/news.csv", params={"_search": "dong da", "_stream": "on",
                                             "_size": "max"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert "hanoimoi:101" in [row["id"] for row in rows]


# --- canned queries and feeds --------------------------------------------------------------


@pytest.mark.parametrize("place", ["Đống Đa", "dong da", "Quận Đống Đa"])
def test_latest_for_place(ds, place):
    r = get(ds, "/archive/latest_for_place.json", params={"place": place, "_shape": "array"})
    assert r.status_code == 200, r.text
    assert "hanoimoi:101" in ids(r)
    assert "hanoimoi:102" not in ids(r)


def test_place_feed_atom(ds):
    r = get(ds, "/archive/place_feed.atom", params={"place": "dong da"})
    assert r.status_code == 200
    assert "xml" in r.headers["content-type"]
    assert "<feed" in r.text and "Quận Đống Đa tổng kết" in r.text
    assert "tag:hanoi-news,2025:hanoimoi:101" in r.text


def test_budget_officials_indicator_queries(ds):
    rows = get(ds, "/archive/budget_revenue.json", params={"place": "", "_shape": "array"}).json()
    got = {(r["place"], r["year"], r["period_kind"], r["kind"]): r for r in rows}
    dong_da = got[("Đống Đa", "2024", "year", "actual")]
    assert dong_da["value"] == 4520.0
    # in which article was that reported? its title, its page here (at the figure), its URL
    assert dong_da["title"] == "Quận Đống Đa tổng kết công tác năm 2024"
    assert dong_da["article_page"].startswith("/archive/articles/hanoimoi~3A101#fig-")
    assert dong_da["url"].endswith("hanoimoi:101.html")
    assert got[("Bắc Từ Liêm", "2023", "year", "actual")]["value"] == 3100.0
    rows = get(ds, "/archive/budget_revenue.json",
               params={"place": "bac tu liem", "_shape": "array"}).json()
    assert {r["place"] for r in rows} == {"Bắc Từ Liêm"}
    rows = get(ds, "/archive/officials_by_place.json",
               params={"place": "Đống Đa", "_shape": "array"}).json()
    assert "Nguyễn Văn Tuấn" in [r["name"] for r in rows]
    rows = get(ds, "/archive/indicator_over_time.json",
               params={"metric_key": "budget_revenue", "_shape": "array"}).json()
    assert {"Đống Đa", "Bắc Từ Liêm"} <= {r["place"] for r in rows}


# --- charts ------------------------------------------------------------------------------


def test_dashboard_and_its_chart_queries(ds):
    meta = get(ds, "/-/metadata.json").json()
    dash = meta["plugins"]["datasette-dashboards"]["overview"]
    r = get(ds, "/-/dashboards/overview", params={"metric": "budget_revenue"})
    assert r.status_code == 200
    for name, chart in dash["charts"].items():
        if chart.get("library") != "vega-lite":
            continue
        assert chart["db"] == "archive"
        r = get(ds, "/archive.json", params={"sql": chart["query"], "metric": "budget_revenue",
                                             "_shape": "array"})
        assert r.status_code == 200, (name, r.text)
        assert r.json(), f"chart {name} has no data"


# --- downloads ---------------------------------------------------------------------------


def test_csv_streams_all_rows_and_json(ds, archive):
    n = sqlite3.connect(archive).execute("select count(*) from articles").fetchone()[0]
    r = get(ds, "/archive/articles.csv?_stream=on&_size=max&_dl=1")
    assert r.status_code == 200
    assert "attachment" in r.headers.get("content-disposition", "")
    assert len(list(csv.DictReader(io.StringIO(r.text)))) == n
    r = get(ds, "/archive/indicators.json?_shape=array&_size=max")
    assert r.status_code == 200 and len(r.json()) >= 2
    r = get(ds, "/archive/search.csv", params={"q": "dong da", "_dl": "1"})
    assert r.status_code == 200 and "hanoimoi:101" in r.text


def test_snapshot_download_after_publish(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    assert get(ds, "/-/snapshot/archive.db").status_code == 404
    report = publish_archive(path)
    r = get(ds, "/-/snapshot/archive.db")
    assert r.status_code == 200
    assert "attachment" in r.headers["content-disposition"]
    snap = tmp_path / "dl.db"
    snap.write_bytes(r.content)
    c = sqlite3.connect(snap)
    assert c.execute("pragma integrity_check").fetchone()[0] == "ok"
    assert c.execute("select count(*) from articles").fetchone()[0] == 10
    assert report["snapshot"] == tmp_path / "published" / "archive.db"
    assert get(ds, "/-/snapshot/archive.db.sha256").text.split()[0]
    # the whole-file download also works when the snapshot is served immutable
    ids_ = make_datasette(report["snapshot"], immutable=True)
    r = get(ids_, "/archive.db")
    assert r.status_code == 200 and r.content[:16] == b"SQLite format 3\x00"


# --- read-only and safe ------------------------------------------------------------------


@pytest.mark.parametrize("sql", [
    "delete from articles", "update articles set title = 'x'", "drop table articles",
    "insert into sources (id) values ('x')", "with x as (select 1) delete from articles",
    "select 1; delete from articles", "pragma writable_schema=1", "vacuum",
])
def test_writes_refused(ds, archive, sql):
    before = sqlite3.connect(archive).execute("select count(*) from articles").fetchone()[0]
    r = get(ds, "/archive.json", params={"sql": sql})
    assert r.status_code in (400, 403)
    after = sqlite3.connect(archive).execute("select count(*) from articles").fetchone()[0]
    assert before == after


def test_time_limit_and_settings(ds):
    s = get(ds, "/-/settings.json").json()
    assert s["sql_time_limit_ms"] == 3000 and s["allow_csv_stream"] is True
    assert s["max_csv_mb"] == 0
    r = get(ds, "/archive.json", params={
        "sql": "with recursive c(x) as (select 1 union all select x + 1 from c) "
               "select count(*) from c", "_timelimit": "200"})
    assert r.status_code == 400
    assert "interrupted" in r.text.lower() or "too long" in r.text.lower()


def test_robots_blocked(ds):
    r = get(ds, "/robots.txt")
    assert r.status_code == 200 and "Disallow: /" in r.text


def test_stored_html_is_escaped(ds):
    for url in ("/archive/news?_search=tieu+de", "/archive/articles/laodongthudo:666",
                "/archive/search?q=tieu+de"):
        r = get(ds, url)
        assert r.status_code == 200, url
        assert "<script>window.__xss" not in r.text, url
        assert 'onerror="window.__xss' not in r.text, url
        assert "&lt;script&gt;window.__xss" in r.text, url
    r = get(ds, "/archive/place_feed.atom", params={"place": "tay ho"})
    assert "<script>window.__xss" not in r.text
    assert XSS_TITLE.startswith("<script>")


def test_consistent_reads_while_crawler_writes(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    stop = threading.Event()
    errors: list[BaseException] = []

    def writer():
        from sqlite_utils import Database

        db = Database(path)
        db.conn.execute("pragma busy_timeout = 5000")
        k = 0
        try:
            while not stop.is_set():
                add_article(db, id=f"hanoimoi:w{k}", title=f"Bài mới {k} về quận Đống Đa",
                            body_text="Quận Đống Đa " * 50, places=["Quận Đống Đa"],
                            published_at=f"2025-01-01T{k % 24:02d}:00:00+07:00")
                k += 1
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    th = threading.Thread(target=writer)
    th.start()
    try:
        deadline = time.time() + 3
        seen = 0
        while time.time() < deadline:
            r = get(ds, "/archive/news.json?_size=100&_shape=array&id__startswith=hanoimoi:w")
            assert r.status_code == 200, r.text
            rows = r.json()
            # an article is never visible without its place or its text
            assert all(row["place"] == "Đống Đa" and row["title"] for row in rows)
            r = get(ds, "/archive/news.json", params={"_search": "bai moi", "_size": "0"})
            assert r.status_code == 200, r.text
            seen = max(seen, len(rows))
    finally:
        stop.set()
        th.join()
    assert not errors
    assert seen > 0


# --- demo ---------------------------------------------------------------------------------


def test_demo_database_key_and_titles(tmp_path):
    path = tmp_path / "demo.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path, demo=True)
    home = get(ds, "/")
    assert "DEMO" in home.text
    r = get(ds, "/demo/search.json", params={"q": "dong da", "_shape": "array"})
    assert r.status_code == 200 and ids(r)[0] == "hanoimoi:101"
    meta = get(ds, "/-/metadata.json").json()
    assert "demo" in meta["databases"] and "archive" not in meta["databases"]
    assert meta["plugins"]["datasette-dashboards"]["overview"]["charts"]["per-month"]["db"] \
        == "demo"
    assert "/demo/sources" in meta["databases"]["demo"]["tables"]["articles"]["source_url"]
    assert get(ds, "/-/dashboards/overview?metric=budget_revenue").status_code == 200
    assert "DEMO" in meta["databases"]["demo"]["description"]


def test_metadata_template_is_valid_yaml_with_one_database():
    raw = yaml.safe_load((ROOT / "metadata.yml").read_text(encoding="utf-8"))
    assert list(raw["databases"]) == ["archive"]
    meta = load_metadata("x")
    assert list(meta["databases"]) == ["x"] and "x-templates" not in meta


def test_news_rows_link_to_article_pages(ds):
    r = get(ds, "/archive/news", params={"_search": "dong da"})
    assert 'href="/archive/articles/hanoimoi~3A101"' in r.text
    assert get(ds, "/archive/articles/hanoimoi~3A101").status_code == 200


def test_old_district_name_is_a_phrase_search(ds):
    rows = get(ds, "/archive/news.json", params={"_search": "tu liem", "_shape": "array"}).json()
    assert "kinhtedothi:201" in [r["id"] for r in rows]  # Bắc Từ Liêm


async def _news_state(ds):
    resp = await ds.client.get("/archive/news.json?_size=1&_search=dong+da&_sort_desc=published_at")
    data = resp.json()
    months = {f["value"]: f["count"] for f in data["facet_results"]["month"]["results"]}
    return data["filtered_table_rows_count"], months.get("2031-01", 0), data["rows"][0][1]


def _write_dong_da_article(path):
    from sqlite_utils import Database

    db = Database(path)
    add_article(db, id="hanoimoi:cache1", title="Quận Đống Đa mới", body_text="Quận Đống Đa.",
                places=["Quận Đống Đa"], published_at="2031-01-02T08:00:00+07:00")
    db.close()


def test_counts_and_facets_exact_when_max_stale_is_zero(tmp_path, monkeypatch):
    """HANOI_NEWS_COUNTS_MAX_STALE=0: a cached count/facet is dropped at the first write."""
    monkeypatch.setenv("HANOI_NEWS_COUNTS_MAX_STALE", "0")
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)

    async def scenario():
        n, jan, _ = await _news_state(ds)
        assert (await _news_state(ds))[:2] == (n, jan)  # served from the cache, same answer
        _write_dong_da_article(path)
        return n, jan, await _news_state(ds)

    n, jan, after = asyncio.run(scenario())
    assert after == (n + 1, jan + 1, "hanoimoi:cache1")


def test_stale_counts_are_served_then_recounted_in_the_background(tmp_path, monkeypatch):
    """After a write, a page gets its cached counts/facets at once (rows always fresh) and a
    background recount brings them up to date for the next reader."""
    monkeypatch.delenv("HANOI_NEWS_COUNTS_MAX_STALE", raising=False)
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)

    async def scenario():
        n, jan, _ = await _news_state(ds)
        _write_dong_da_article(path)
        await asyncio.sleep(2.2)  # past the plugin's minimum refresh interval (2 s)
        db = ds.get_database("archive")
        before = db._hn_cache_stats["refreshed"]
        during = await _news_state(ds)  # stale counts, fresh rows; schedules the recount
        await asyncio.gather(*db._hn_refreshing.values())
        return n, jan, during, db._hn_cache_stats["refreshed"] - before, await _news_state(ds)

    n, jan, during, refreshed, after = asyncio.run(scenario())
    assert during == (n, jan, "hanoimoi:cache1")
    assert refreshed >= 2  # the count and the month facet at least
    assert after == (n + 1, jan + 1, "hanoimoi:cache1")


def test_news_is_one_table_with_article_rowids(archive):
    conn = sqlite3.connect(archive)
    view = conn.execute("select sql from sqlite_master where name = 'news'").fetchone()[0]
    assert "articles" not in view.split("from", 1)[1].replace("article_index", "")
    assert conn.execute(
        "select count(*) from news n join articles a on a.rowid = n.rowid and a.id = n.id "
        "and a.title is n.title").fetchone()[0] == conn.execute(
        "select count(*) from articles").fetchone()[0]



def _load_plugin(name):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "crawler" / "publish" / "plugins" / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_big_district_page_walks_the_date_index(archive):
    """query_cache rewrites the rows query of a big district to "+id in (...)": same rows,
    counts and facets untouched."""
    qc, vi = _load_plugin("query_cache"), _load_plugin("vi_search")
    where = vi.TAG_WHERE.format(name="dong da")
    page = f"select rowid, * from news where {where} order by published_at desc limit 51"
    fast = qc._TAG_TERM.sub(lambda m: "+" + m.group(0), page)
    assert fast != page and "+id in (select ap.article_id" in fast
    assert qc._TAG_TERM.findall(f"select count(*) from news where {where}") == ["dong da"]
    assert not qc._AGGREGATE.search(page) and qc._AGGREGATE.search(
        f"select count(*) from news where {where}")
    conn = sqlite3.connect(archive)
    plan = " ".join(r[3] for r in conn.execute("explain query plan " + fast))
    assert "article_index_published" in plan and "TEMP B-TREE" not in plan
    assert conn.execute(fast).fetchall() == conn.execute(page).fetchall()
    assert any("hanoimoi:101" in r for r in conn.execute(fast))


def test_warm_up_caches_the_front_pages(tmp_path):
    from crawler.publish.app import warm_up

    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    timings = asyncio.run(warm_up(ds))
    assert set(timings) == {"/", "/archive", "/archive/news"}
    cached = [key[0] for key in ds.get_database("archive")._hn_query_cache]
    assert any("count(*) from news" in sql for sql in cached)  # the news page's row count
    assert sum("as value, count(*) as count" in sql for sql in cached) >= 4  # its 4 facets


@pytest.mark.parametrize("q", ["tu liem", "Đống Đa", '"hoi nghi"', "ngân sách", "xyzzy"])
def test_search_walking_the_date_index_returns_the_same_pages(ds, monkeypatch, q):
    """query_cache may answer a date-sorted search by walking the date index and probing FTS
    per row (common terms). Pages, their order and the paging must be exactly Datasette's."""

    def pages(factor):
        monkeypatch.setenv("HANOI_NEWS_SEARCH_WALK_FACTOR", factor)
        out, url = [], f"/archive/news.json?_search={q}&_size=3&_nofacet=1"
        for _ in range(40):
            data = get(ds, url).json()
            out.append(([r[1] for r in data["rows"]], data["filtered_table_rows_count"]))
            if not data.get("next_url"):
                break
            url = data["next_url"].split("://", 1)[-1].split("/", 1)[-1]
            url = "/" + url
        return out

    walked, plain = pages("0"), pages("1e18")
    assert walked == plain
    assert sum(len(rows) for rows, _ in plain) == plain[0][1]
    # the count (taken from the FTS index alone) is the number of news rows that match
    from datasette.utils import escape_fts

    query = get(ds, f"/archive/news.json?_search={q}&_size=1").json()["query"]
    if "search" in query["params"]:  # place names become a place filter instead
        conn = sqlite3.connect(ds.get_database("archive").path)
        conn.create_function("escape_fts", 1, escape_fts)
        joined = conn.execute("select count(*) from news where rowid in (select rowid from "
                              "articles_fts where articles_fts match escape_fts(:search))",
                              query["params"]).fetchone()[0]
        assert plain[0][1] == joined


@pytest.mark.parametrize("q, index", [("ngân sách", "articles_fts"),
                                      ("tu liem", "articles_pairs_fts")])
def test_common_search_is_rewritten_to_probe_fts_per_row(ds, monkeypatch, q, index):
    """Words probe the FTS index per row; a two-word phrase (a place name) the pair index."""
    monkeypatch.setenv("HANOI_NEWS_SEARCH_WALK_FACTOR", "0")
    traced = make_datasette(ds.get_database("archive").path, settings={"trace_debug": True})
    data = get(traced, f"/archive/news.json?_search={q}&_nofacet=1&_trace=1").json()
    rows_sql = [t["sql"] for t in data["_trace"]["traces"] if t["sql"].startswith("select rowid")]
    assert rows_sql and f"exists (select 1 from {index} hn_fts" in rows_sql[0]


def test_an_interrupted_canned_query_is_not_served_from_the_cache(tmp_path):
    """A cached whole-archive query that ran over sql_time_limit_ms (a cold page cache, a
    busy box) gives that reader Datasette's "interrupted" page, and is not cached: the next
    reader runs it again instead of getting the interruption from the cache."""
    from datasette.database import QueryInterrupted

    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    slow = ("-- hanoi-news: cached\nwith recursive c(x) as (select 1 union all select x + 1 "
            "from c limit 100000000) select count(*) from c")

    async def twice():
        await ds.invoke_startup()
        db = ds.get_database("archive")
        ds._settings["sql_time_limit_ms"] = 50
        cached = []
        for _ in range(2):
            with pytest.raises(QueryInterrupted):
                await db.execute(slow)
            cached.append([key for key in db._hn_query_cache if key[0] == slow])
        return cached

    assert asyncio.run(twice()) == [[], []]


def test_marked_canned_aggregates_are_cached_and_others_not(tmp_path):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    first = get(ds, "/archive/budget_revenue.json?place=&_shape=array").json()
    get(ds, "/archive/latest_for_place.json?place=Đống Đa&_shape=array")
    cached = [key[0] for key in ds.get_database("archive")._hn_query_cache]
    assert any("-- hanoi-news: cached" in sql and "budget_revenue" in sql for sql in cached)
    assert not any("latest" in sql or "order by a.published_at desc" in sql for sql in cached
                   if "-- hanoi-news: cached" not in sql and "count(*)" not in sql)
    assert get(ds, "/archive/budget_revenue.json?place=&_shape=array").json() == first
    assert any(r["place"] == "Bắc Từ Liêm" and r["year"] == "2023" for r in first)


def test_facets_beyond_their_budget_are_finished_in_the_background(tmp_path, monkeypatch):
    """A facet predicted (from the page's count) to exceed facet_time_limit_ms is reported as
    timed out at once and computed behind the page; the next reader gets the same facet as a
    plain run would give."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    url = "/archive/news.json?_search=hoi+dong&_size=1"

    async def facets(ds):
        data = (await ds.client.get(url)).json()
        return {name: [(f["value"], f["count"]) for f in r["results"]]
                for name, r in data["facet_results"].items()}

    plain = asyncio.run(facets(make_datasette(path)))
    assert set(plain) == {"source", "place", "category", "month"}
    monkeypatch.setenv("HANOI_NEWS_FACET_ROWS_PER_MS", "0")  # every facet is "too big"
    first, after = first_and_after(make_datasette(path), facets)
    assert first == {}  # all four reported as timed out, none computed in front of the reader
    assert after == plain


def test_facets_after_the_page_budget_are_finished_in_the_background(tmp_path, monkeypatch):
    """Once HANOI_NEWS_FACET_PAGE_MS has gone by since the request began, the page's facets
    are left to the background (its rows and count are not); the next reader gets them, the
    same as a page without that budget, and the HTML says they are still being computed."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    url = "/archive/news.json?_search=hoi+dong&_size=2"

    async def page(ds):
        data = (await ds.client.get(url)).json()
        return (data["filtered_table_rows_count"], [r[1] for r in data["rows"]],
                {name: [(f["value"], f["count"]) for f in r["results"]]
                 for name, r in data["facet_results"].items()})

    plain = asyncio.run(page(make_datasette(path)))
    assert plain[0] > 2 and set(plain[2]) == {"source", "place", "category", "month"}
    monkeypatch.setenv("HANOI_NEWS_FACET_PAGE_MS", "0.001")  # spent before the first facet
    first, after = first_and_after(make_datasette(path), page)
    assert first[:2] == plain[:2] and first[2] == {}
    assert after == plain

    async def html(ds):
        return (await ds.client.get("/archive/news?_search=tong+ket")).text

    first_html, after_html = first_and_after(make_datasette(path), html)
    assert "Still computing these facets" in first_html
    assert "timed out" not in first_html
    assert "Still computing" not in after_html and 'id="facet-place"' in after_html


def test_place_filter_reads_as_a_place_and_a_new_search_replaces_it(ds):
    r = get(ds, "/archive/news", params={"_search": "dong da tổng kết"})
    html = r.text
    assert int(r.headers["content-length"]) == len(r.content)
    assert "Place: <strong>Đống Đa</strong>" in html and "<h3>1 place filter</h3>" in html
    assert "<code>id in (select ap.article_id" not in html
    assert 'name="_search" value="dong da tổng kết"' in html
    search_form, rest = html.split("</form>", 1)
    assert 'name="_where"' not in search_form  # searching again starts from the new text
    assert 'name="_where"' in rest  # the CSV export form keeps the filter
    # the same filter arriving in the URL (the filter form's redirect, a bookmark)
    clause = _load_plugin("vi_search").TAG_WHERE.format(name="dong da")
    r2 = get(ds, "/archive/news", params={"_where": clause, "_search": "tổng kết"})
    assert "Place: <strong>Đống Đa</strong>" in r2.text
    assert 'name="_search" value="Đống Đa tổng kết"' in r2.text
    assert get(ds, "/archive/news.json", params={"_search": "dong da"}).json()["rows"]


def test_new_search_count_over_budget_comes_from_the_background(tmp_path, monkeypatch):
    """A search nobody asked before gets HANOI_NEWS_SEARCH_COUNT_MS for its count: past it
    the page has rows (the same as with an exact count) and no total, and the total is
    counted behind the page for the next reader; its facets are deferred with it."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    url = "/archive/news.json?_search=hoi+dong&_size=3"

    async def page(ds):
        data = (await ds.client.get(url)).json()
        return ([r[1] for r in data["rows"]], data["filtered_table_rows_count"],
                sorted(data["facet_results"]))

    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0")  # no budget: Datasette's own way
    rows, count, facets = asyncio.run(page(make_datasette(path)))
    assert rows and count > len(rows) and facets == ["category", "month", "place", "source"]

    for walk_ms in ("0.000001", "1000"):  # the walk given up (Datasette's plan) or finished
        monkeypatch.setenv("HANOI_NEWS_SEARCH_WALK_MS", walk_ms)
        monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0.000001")  # every count is "slow"
        first, after = first_and_after(make_datasette(path), page)
        assert first == (rows, None, [])
        assert after == (rows, count, facets)
    # a walk that finds the page means common words: in an archive too big to count them
    # within the budget, the count is not even tried in front
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "60000")
    monkeypatch.setenv("HANOI_NEWS_COUNT_ARTICLES_PER_MS", "0.000001")
    first, after = first_and_after(make_datasette(path), page)
    assert first == (rows, None, []) and after == (rows, count, facets)


def test_a_background_query_gives_way_to_a_reader(tmp_path):
    """``_run_stoppable`` (how background counts and facets run) stops a query as soon as a
    reader is waiting, instead of letting it compete with the reader's page; it keeps
    Datasette's time limit otherwise."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=1).close()
    db = make_datasette(path).get_database("archive")
    qc = _load_plugin("query_cache")
    endless = ("with recursive c(x) as (select 1 union all select x + 1 from c "
               "limit 1000000000000) select count(*) from c")
    reader = {"waiting": False}

    async def background():
        run = asyncio.ensure_future(qc._run_stoppable(db, endless, None, False, None,
                                                      give_way=lambda: reader["waiting"]))
        await asyncio.sleep(0.3)
        assert not run.done()
        reader["waiting"] = True  # a request arrives: the background query stops at once
        start = time.monotonic()
        with pytest.raises(qc.GaveWay):
            await run
        return time.monotonic() - start

    assert asyncio.run(background()) < 0.5  # (sql_time_limit_ms would stop it after 3 s)
    quick = asyncio.run(qc._run_stoppable(db, "select 42 as n", None, True, None, lambda: False))
    assert [tuple(r) for r in quick.rows] == [(42,)] and quick.columns == ["n"]
    limited = make_datasette(path, settings={"sql_time_limit_ms": 50}).get_database("archive")
    with pytest.raises(qc.QueryInterrupted):
        asyncio.run(qc._run_stoppable(limited, endless, None, True, None, lambda: False))

def test_a_search_remembers_whether_its_walk_found_the_page(tmp_path, monkeypatch):
    """While a search's count is still pending, its next pages do what its walk did the
    first time: walk again without the walk's time limit when it found the page, go straight
    to Datasette's plan when it did not (instead of paying the limit again)."""
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0.000001")  # every count is "slow"
    url = "/archive/news.json?_search=hoi+dong&_size=3&_nofacet=1&_trace=1"

    def rows_sql(data):
        return [t["sql"] for t in data["_trace"]["traces"] if t["sql"].startswith("select rowid")]

    for first_limit, walks in (("0.000001", False), ("1000", True)):
        ds = make_datasette(path, settings={"trace_debug": True})
        monkeypatch.setenv("HANOI_NEWS_SEARCH_WALK_MS", first_limit)
        first = get(ds, url).json()
        monkeypatch.setenv("HANOI_NEWS_SEARCH_WALK_MS", "1000" if not walks else "0.000001")
        again = get(ds, url).json()  # (the count left to the background is still pending)
        assert first["filtered_table_rows_count"] is None is again["filtered_table_rows_count"]
        assert [r[1] for r in again["rows"]] == [r[1] for r in first["rows"]]
        walked = ["hn_fts" in sql for sql in rows_sql(again)]
        assert walked == ([True] if walks else [False])


def test_background_queue_is_bounded(tmp_path, monkeypatch):
    """Many different searches in a row leave at most MAX_PENDING background queries; one left
    out is scheduled when its page is asked for again."""
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0.000001")
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    db = ds.get_database("archive")
    words = ["hoi", "dong", "nhan", "dan", "quan", "phuong", "ngan", "sach", "ke", "hoach"]

    async def scenario():
        seen = []
        for i, a in enumerate(words):
            for b in words[i + 1:]:
                await ds.client.get(f"/archive/news.json?_search={a}+{b}&_size=1")
                seen.append(len(db._hn_refreshing))
        last = f"/archive/news.json?_search={words[-2]}+{words[-1]}&_size=1"
        await asyncio.gather(*db._hn_refreshing.values())
        await ds.client.get(last)  # its count was left out of the full queue: scheduled now
        await asyncio.gather(*db._hn_refreshing.values())
        return seen, (await ds.client.get(last)).json()["filtered_table_rows_count"]

    seen, count = asyncio.run(scenario())
    assert max(seen) == 16 and count is not None


def test_background_work_waits_until_no_reader_is_served(tmp_path, monkeypatch):
    """A count left to the background starts only once no request has been served for
    QUIET_S: while pages keep being asked for, it waits (up to MAX_QUIET_WAIT_S)."""
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0.000001")
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    ds = make_datasette(path)
    db = ds.get_database("archive")

    async def scenario():
        await ds.client.get("/archive/news.json?_search=hoi+dong&_size=1")
        assert db._hn_refreshing  # the count was left to the background
        started = time.monotonic()
        while time.monotonic() - started < 1.5:  # a reader asks for a page every 0.1 s
            await ds.client.get("/archive/news.json?_size=1&_nofacet=1&_nocount=1")
            await asyncio.sleep(0.1)
        busy = db._hn_cache_stats["refreshed"]
        await asyncio.gather(*db._hn_refreshing.values())  # readers gone: it runs now
        return busy, db._hn_cache_stats["refreshed"]

    busy, after = asyncio.run(scenario())
    assert busy == 0 and after >= 1


def test_search_page_without_its_total_says_it_is_still_counting(tmp_path, monkeypatch):
    path = tmp_path / "archive.db"
    build_test_archive(path, filler=5).close()
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0.000001")
    first = get(make_datasette(path), "/archive/news", params={"_search": "hoi dong"})
    monkeypatch.setenv("HANOI_NEWS_SEARCH_COUNT_MS", "0")
    counted = get(make_datasette(path), "/archive/news", params={"_search": "hoi dong"})
    assert "Still counting the matches" in first.text and "<h3>Matching rows" in first.text
    assert int(first.headers["content-length"]) == len(first.content)
    assert "Still counting" not in counted.text
    assert re.search(r"<h3>\s*[\d,]+ rows\s+where search matches", counted.text)
