"""The archive as a reader sees it, through Datasette's ASGI client: the article page, the
place page, a figure's page, the raw capture, the place feed (checked with feedparser), and
the canned queries and chart queries that show figures."""
from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import feedparser
import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser as HTMLParser

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import (NEW_WARD_DONG_DA, XSS_TITLE, add_reader_articles,  # noqa: E402
                         build_test_archive)

from crawler.publish.app import make_datasette  # noqa: E402

DONG_DA = "hn-pre2025-006-quan-dong-da"
ARTICLE = "/archive/articles/kinhtedothi~3A401"


def get(ds, url, **kw):
    return asyncio.run(ds.client.get(url, **kw))


def html(ds, url):
    r = get(ds, url)
    assert r.status_code == 200, (url, r.status_code, r.text[:500])
    return HTMLParser(r.text)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("reader") / "archive.db"
    db = build_test_archive(path, filler=20)
    add_reader_articles(db, warc_root=path.parent / "data" / "warc")
    db.close()
    return path


@pytest.fixture(scope="module")
def ds(archive):
    return make_datasette(archive)


# --- the article page ------------------------------------------------------------------------


def test_article_page_reads_like_an_article(ds):
    page = html(ds, ARTICLE)
    assert page.css_first("h1").text() == "Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán"
    head = page.css_first(".hn-head").text()
    assert "Kinh tế & Đô thị" in head  # the paper's name, not its id
    assert "05/07/2024 14:10" in head and "structured data (JSON-LD)" in head
    assert "By Minh Anh, Thu Hà" in head  # names, not the stored JSON array
    assert page.css_first("a.hn-original").attributes["href"] == \
        "https://kinhtedothi.vn/dong-da-thu-ngan-sach-401.html"
    # the body as paragraphs, lead first
    paras = [p.text() for p in page.css(".hn-text > p:not(.hn-note)")]
    assert paras[0] == "Quận Đống Đa công bố kết quả thu ngân sách nửa đầu năm 2024."
    assert len(paras) == 5 and paras[-1].startswith("Chủ tịch UBND quận Đống Đa Lê Văn Hòa")
    # images with captions and credits
    captions = [c.text() for c in page.css("figure.hn-image figcaption")]
    assert captions == ["Hội nghị sơ kết 6 tháng của quận Đống Đa. Photo: Minh Anh",
                        "Người dân làm thủ tục tại bộ phận một cửa. Photo: Thu Hà"]
    assert page.css_first(".hn-officials").text().count("Lê Văn Hòa") == 1


def test_article_places_link_to_place_pages(ds):
    page = html(ds, ARTICLE)
    links = {a.text(): a.attributes["href"] for a in page.css(".hn-places a")}
    assert links["Quận Đống Đa"] == f"/archive/places/{DONG_DA}"
    assert "Quận Ba Đình" in links
    for href in links.values():
        assert get(ds, href).status_code == 200


def test_each_figure_is_marked_in_the_text_and_linked_to_its_row(ds, archive):
    page = html(ds, ARTICLE)
    conn = sqlite3.connect(archive)
    ids = {v: i for i, v in conn.execute(
        "select id, value from indicators where article_id = 'kinhtedothi:401'")}
    marks = {m.attributes["id"]: (m.text(), m.css_first("a").attributes["href"])
             for m in page.css(".hn-text mark.figure")}
    assert marks[f"fig-{ids[6214.0]}"] == ("6.214 tỷ đồng", f"/archive/indicators/{ids[6214.0]}")
    assert marks[f"fig-{ids[58.6]}"][0] == "58,6%"  # the comparison, a figure of its own
    assert marks[f"fig-{ids[11380.0]}"][0] == "11.380 tỷ đồng"
    assert marks[f"fig-{ids[52000.0]}"][0] == "52.000 tỷ đồng"
    assert marks[f"fig-{ids[41.0]}"][0] == "41%"
    # a figure whose sentence is not in the text is listed, never marked elsewhere (the 8
    # of "Ngày 8/1" is a date)
    assert f"fig-{ids[8.0]}" not in marks
    assert "Ngày 8/1" in page.text()
    aside = page.css_first(f"#figure-{ids[8.0]}").text()
    assert "not found in the text" in aside
    # every figure of the aside links to its row, which answers
    for a in page.css(".hn-figures a[href^='/archive/indicators/']"):
        assert get(ds, a.attributes["href"]).status_code == 200


def test_article_versions_say_what_changed_and_when(ds):
    page = html(ds, ARTICLE)
    rows = page.css(".hn-versions tbody tr")
    assert len(rows) == 2
    second = rows[1].text()
    assert "06/07/2024 08:00" in second and "content" in second
    assert "58% dự toán" in rows[1].css_first("del").text()
    assert "58,6% dự toán" in rows[1].css_first("ins").text()
    assert "words added" in second


def test_other_papers_copies_from_article_clusters(ds):
    page = html(ds, ARTICLE)
    copies = page.css_first(".hn-copies")
    link = copies.css_first("a")
    assert link.text() == "Quận Đống Đa: thu ngân sách nửa đầu năm đạt 6.214 tỷ đồng"
    assert link.attributes["href"] == "/archive/articles/anninhthudo~3A405"
    assert "100% shared" in copies.text()  # the same text: found by the clusters


def test_article_page_without_clusters_table_says_so(tmp_path):
    path = tmp_path / "archive.db"
    db = build_test_archive(path, filler=3)
    db["article_clusters"].drop()  # an archive whose clusters were never computed
    db.close()
    small = make_datasette(path)
    page = html(small, "/archive/articles/hanoimoi~3A101")
    assert "not computed for this archive" in page.css_first(".hn-copies").text()
    assert page.css_first("h1").text() == "Quận Đống Đa tổng kết công tác năm 2024"
    assert page.css(".hn-text mark.figure")  # 4.520 tỷ đồng


def test_raw_capture_is_served_read_only_and_sandboxed(ds):
    page = html(ds, ARTICLE)
    href = page.css_first("a.hn-capture").attributes["href"]
    assert href.startswith("/-/capture/archive/kinhtedothi/2024-07-06.warc.gz/")
    r = get(ds, href)
    assert r.status_code == 200
    assert "sandbox" in r.headers["content-security-policy"]
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "https://kinhtedothi.vn/dong-da-thu-ngan-sach-401.html" in r.text
    # the captured page is only inside the sandboxed frame, escaped: its script never runs here
    assert "<script>window.__captured" not in r.text
    text = get(ds, href + "?as=text")
    assert text.headers["content-type"].startswith("text/plain")
    assert "<script>window.__captured = 1</script>" in text.text
    assert get(ds, "/archive/articles/kinhtedothi~3A401", params={}).status_code == 200


@pytest.mark.parametrize("path", [
    "/-/capture/archive/kinhtedothi/2024-07-06.warc.gz/1",  # not where a record starts
    "/-/capture/archive/kinhtedothi/2030-01-01.warc.gz/0",  # no such file
    "/-/capture/archive/../2024-07-06.warc.gz/0",
    "/-/capture/archive/%2E%2E/2024-07-06.warc.gz/0",
    "/-/capture/archive/..%2F..%2Fetc/2024-07-06.warc.gz/0",
    "/-/capture/archive/kinhtedothi/..%2F..%2Farchive.db/0",
    "/-/capture/archive/kinhtedothi/2024-07-06.warc.gz/-1",
    "/-/capture/nodb/kinhtedothi/2024-07-06.warc.gz/0",
])
def test_raw_capture_refuses_what_is_not_a_capture(ds, path):
    good = html(ds, ARTICLE).css_first("a.hn-capture").attributes["href"]
    assert get(ds, good).status_code == 200  # the capture route is there ...
    r = asyncio.run(ds.client.get(path, follow_redirects=True))
    assert r.status_code == 404, (path, r.status_code)  # ... and serves nothing else


def test_stored_html_stays_text_on_the_article_page(ds):
    r = get(ds, "/archive/articles/laodongthudo~3A666")
    assert r.status_code == 200
    assert "<script>window.__xss" not in r.text
    assert 'onerror="window.__xss' not in r.text
    page = HTMLParser(r.text)
    assert page.css_first("h1").text() == XSS_TITLE  # the headline, shown as text
    assert "<img src=x onerror" in page.css_first(".hn-lead").text()


# --- the place page --------------------------------------------------------------------------


def test_district_page_shows_its_succession(ds):
    page = html(ds, f"/archive/places/{DONG_DA}")
    assert page.css_first("h1").text() == "Quận Đống Đa"
    succession = page.css_first(".hn-succession")
    rows = {r.css_first("td a").text(): r.css("td")[1].text() for r in succession.css("tbody tr")}
    assert "Phường Đống Đa" in rows and "Phường Láng" in rows
    # what the new ward was before: wards of the old districts
    assert "Phường Láng Hạ (Đống Đa)" in rows["Phường Láng"]
    for a in succession.css("a"):
        assert get(ds, a.attributes["href"]).status_code == 200
    assert len(page.css(".hn-children li")) >= 17  # its wards until 2025


def test_new_ward_page_shows_what_it_was_formed_from(ds):
    page = html(ds, f"/archive/places/{NEW_WARD_DONG_DA}")
    assert page.css_first("h1").text() == "Phường Đống Đa"
    assert "since 01/07/2025" in page.css_first(".hn-head").text()
    before = [a.text() for a in page.css(".hn-succession a")]
    assert "Quận Đống Đa" in before
    assert page.css_first(".hn-latest a").text() == \
        "Phường Đống Đa sau ba tháng vận hành chính quyền hai cấp"
    assert get(ds, "/archive/places/hn-nowhere").status_code == 404


def test_place_page_lists_latest_articles_officials_feed_and_map(ds):
    page = html(ds, f"/archive/places/{DONG_DA}")
    latest = [a.text() for a in page.css(".hn-latest li > a")]
    assert 0 < len(latest) <= 20
    # newest first (the generated filler articles come in between)
    assert latest.index("Đống Đa thu ngân sách nửa đầu năm 2025") < \
        latest.index("Quận Đống Đa: thu ngân sách nửa đầu năm đạt 6.214 tỷ đồng")
    assert "Lê Văn Hòa" in page.css_first(".hn-officials").text()
    feed = page.css_first("link[rel=alternate][type='application/atom+xml']").attributes["href"]
    assert feed == f"/archive/place_feed.atom?place={DONG_DA}"
    assert page.css_first("a.hn-feed").attributes["href"] == feed
    points = yaml.safe_load(page.css_first("#hn-map").attributes["data-points"])
    assert points[0]["role"] == "this" and abs(points[0]["lat"] - 21.01) < 0.05
    assert {p["role"] for p in points} >= {"this", "successor", "ward"}


def test_place_figures_keep_periods_of_one_kind_together(ds):
    page = html(ds, f"/archive/places/{DONG_DA}")
    section = page.css_first("#metric-budget_revenue")
    assert section is not None
    series = {s.attributes["data-series"]: s for s in page.css(".hn-series")}
    # the half-years, the year and the five-year total are three series, each its own chart
    half = series["tỷ đồng · half-year"]
    assert [td.text() for td in half.css("td.num a")] == ["6.950 tỷ đồng", "6.214 tỷ đồng"]
    assert "tỷ đồng · year" in series and "tỷ đồng · several years" in series
    assert "52.000 tỷ đồng" in series["tỷ đồng · several years"].text()
    assert "52.000" not in half.text() and "11.380" not in half.text()
    spec = yaml.safe_load(half.css_first(".hn-chart").attributes["data-spec"])
    assert {v["value"] for v in spec["data"]["values"]} == {6214.0, 6950.0}
    assert all(v["href"].startswith("/archive/indicators/") for v in spec["data"]["values"])
    # a percentage is never drawn with amounts
    assert not any(label.startswith("%") and "tỷ đồng" in label for label in series)


# --- a figure's page -------------------------------------------------------------------------


def test_figure_page_shows_its_sentence_and_links_its_article(ds, archive):
    fid = sqlite3.connect(archive).execute(
        "select id from indicators where article_id = 'kinhtedothi:401' and value = 6214").fetchone()[0]
    page = html(ds, f"/archive/indicators/{fid}")
    quote_ = page.css_first(".hn-sentence")
    assert quote_.css_first("mark").text() == "6.214 tỷ đồng"
    link = page.css_first("a.hn-article-link")
    assert link.text() == "Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán"
    assert link.attributes["href"] == f"/archive/articles/kinhtedothi~3A401#fig-{fid}"
    assert "half-year" in page.css_first(".hn-head").text()


# --- feeds -----------------------------------------------------------------------------------


def _feed(ds, place):
    r = get(ds, "/archive/place_feed.atom", params={"place": place})
    return r, feedparser.parse(r.content)


@pytest.mark.parametrize("place", [DONG_DA, "Quận Đống Đa", "dong da"])
def test_place_feed_is_valid_atom_named_after_the_place(ds, place):
    r, feed = _feed(ds, place)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/atom+xml")
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert "Quận Đống Đa" in feed.feed.title
    titles = [e.title for e in feed.entries]
    assert "Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán" in titles
    entry = next(e for e in feed.entries if e.id == "tag:hanoi-news,2025:kinhtedothi:401")
    assert [a.name for a in entry.authors] == ["Minh Anh", "Thu Hà"]
    assert entry.link.endswith("/archive/articles/kinhtedothi~3A401")
    assert all(not a.name.startswith("[") for e in feed.entries for a in e.get("authors", []))


def test_feed_of_a_place_without_articles_is_valid_and_empty(ds):
    r, feed = _feed(ds, "hn-2025-00577-xa-bat-trang")
    assert r.status_code == 200
    assert not feed.bozo and feed.version == "atom10"
    assert feed.entries == [] and "Bát Tràng" in feed.feed.title


def test_feed_of_an_unknown_place_is_404_with_a_message(ds):
    r = get(ds, "/archive/place_feed.atom", params={"place": "Nowhere"})
    assert r.status_code == 404
    assert "No place called" in r.text and "Nowhere" in r.text


def test_feed_without_a_place_is_400_with_a_message(ds):
    for params in ({}, {"place": ""}):
        r = get(ds, "/archive/place_feed.atom", params=params)
        assert r.status_code == 400
        assert "Which place?" in r.text


def test_saved_queries_help_links_answer(ds):
    for query in ("place_feed", "latest_for_place"):
        page = html(ds, f"/archive/{query}")
        links = [a.attributes["href"] for a in page.css(".query-description a, "
                                                        "p a[href*='place_feed']")]
        assert any("place_feed.atom" in h for h in links), (query, links)
        for href in links:
            r = get(ds, href)
            assert r.status_code == 200, (query, href, r.status_code)
            if ".atom" in href:
                assert not feedparser.parse(r.content).bozo


# --- figures in canned queries and charts ----------------------------------------------------


def test_indicator_over_time_carries_series_sentence_and_article(ds):
    rows = get(ds, "/archive/indicator_over_time.json",
               params={"metric_key": "budget_revenue", "_shape": "array"}).json()
    mine = [r for r in rows if r["article_id"] == "kinhtedothi:401"]
    assert {r["series"] for r in mine} == {"tỷ đồng · half-year", "tỷ đồng · year",
                                           "tỷ đồng · several years"}
    for r in mine:
        assert r["title"] and r["sentence"] and r["article_page"].startswith(
            "/archive/articles/kinhtedothi~3A401#fig-")


@pytest.mark.parametrize("query, column, expected", [
    ("budget_revenue?place=dong+da", "title", "kinhtedothi~3A401#fig-"),
    ("indicator_over_time?metric_key=budget_revenue", "title", "kinhtedothi~3A401#fig-"),
    ("growth_over_time?metric=", "title", "hanoimoi~3A404#fig-"),
    ("latest_for_place?place=dong+da", "title", "kinhtedothi~3A401"),
    ("search?q=thu+ngan+sach", "title", "kinhtedothi~3A401"),
    ("officials_by_place?place=dong+da", "last_article", "kinhtedothi~3A401"),
])
def test_canned_query_pages_link_titles_to_article_pages(ds, query, column, expected):
    page = html(ds, f"/archive/{query}")
    links = [a.attributes["href"] for a in page.css(f"td.col-{column} a")]
    assert links and all(h.startswith("/archive/articles/") for h in links), query
    assert any(expected in h for h in links), (query, links[:5])
    for href in links[:3]:
        assert get(ds, href.split("#")[0]).status_code == 200


def test_indicator_chart_never_mixes_series(ds):
    meta = get(ds, "/-/metadata.json").json()
    chart = meta["plugins"]["datasette-dashboards"]["overview"]["charts"]["indicator"]
    for series in ("", "tỷ đồng · half-year", "tỷ đồng · several years"):
        rows = get(ds, "/archive.json", params={"sql": chart["query"], "metric": "budget_revenue",
                                                "series": series, "_shape": "array"}).json()
        assert rows, series
        assert len({r["series"] for r in rows}) == 1, series
        assert len({r["unit"] for r in rows}) == 1, series
        if series:
            assert {r["series"] for r in rows} == {series}


def test_figures_view_period_kinds(archive, ds):
    rows = get(ds, "/archive.json", params={
        "sql": "select period_text, period_kind from figures where article_id = 'kinhtedothi:401'",
        "_shape": "array"}).json()
    kinds = {r["period_text"]: r["period_kind"] for r in rows}
    assert kinds == {"6 tháng đầu năm 2024": "half_year", "năm 2023": "year",
                     "giai đoạn 2021-2025": "multi_year", "năm 2024": "year"}


def test_column_descriptions_are_folded_on_table_pages(ds):
    page = html(ds, "/archive/news")
    help_ = page.css_first("details.hn-column-help")
    assert help_ is not None and "columns mean" in help_.css_first("summary").text()
    assert "Publication month, YYYY-MM" in help_.text()
    assert "open" not in help_.attributes


def test_pages_follow_the_issue_14_columns(tmp_path):
    """indicators with period_kind, approx, qualifies_id… (one row per printed figure) and the
    metrics table: the figures view takes them as they are, the pages show them."""
    path = tmp_path / "archive.db"
    db = build_test_archive(path, filler=3)
    amount, pct = [r[0] for r in db.execute(
        "select id from indicators where article_id = 'hanoimoi:101' order by id")]
    # the kind as printed wins over the one computed from the bounds
    db.execute("update indicators set period_kind = 'year_to_date', approx = 'over' "
               "where id = ?", [amount])
    label = db.execute("select description_en from metrics where key = 'budget_revenue'"
                       ).fetchone()[0]
    db.conn.commit()
    db.close()
    small = make_datasette(path)
    rows = get(small, "/archive.json", params={
        "sql": "select id, period_kind, approx, series, qualifies_id from figures "
               "where article_id = 'hanoimoi:101' order by id", "_shape": "array"}).json()
    assert rows == [
        {"id": amount, "period_kind": "year_to_date", "approx": "over",
         "series": "tỷ đồng · months of a year", "qualifies_id": None},
        {"id": pct, "period_kind": "year", "approx": None, "series": "% of plan · year",
         "qualifies_id": amount}]
    article = html(small, "/archive/articles/hanoimoi~3A101")
    marks = {m.attributes["id"]: m.text() for m in article.css(".hn-text mark.figure")}
    assert marks == {f"fig-{amount}": "4.520 tỷ đồng", f"fig-{pct}": "112%"}
    assert "over 4.520 tỷ đồng" in article.css_first(f"#figure-{amount}").text()
    figure = html(small, f"/archive/indicators/{pct}")
    assert figure.css_first(f"a[href='/archive/indicators/{amount}']") is not None
    place = html(small, f"/archive/places/{DONG_DA}")
    assert label and place.css_first("#metric-budget_revenue").text() == label


def test_place_page_section_out_of_time_says_so_instead_of_failing(ds, monkeypatch):
    """A section over sql_time_limit_ms (a cold cache at a million articles) leaves a note,
    and the rest of the page is served."""
    from datasette.database import QueryInterrupted

    from crawler.publish import pages

    async def too_slow(*args, **kwargs):
        raise QueryInterrupted(None, "select …", {})

    monkeypatch.setattr(pages, "_place_figures", too_slow)
    r = get(ds, f"/archive/places/{DONG_DA}")
    assert r.status_code == 200
    page = HTMLParser(r.text)
    assert "Still gathering this place's figures" in page.css_first(".hn-pending").text()
    assert page.css(".hn-latest li")  # the other sections are there
