"""Issue 15, whole runs against a hostile host (tests/support/hostile_server.py): nothing
outside the source is requested or archived, bad URLs are rows and the run goes on,
endless sitemaps are capped without keeping articles waiting, a page too deep or too slow
to parse is a recorded failure, a canonical never moves an article, XML with entities is
refused, and a sitemap index that answers 304 still has its children checked."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.store import open_db, open_state
from parsers.nesting import MAX_DEPTH
from tests.support.hostile_server import DEEP, JS_REDIRECT, OPTIONS, HostileSite, hostile_source


@pytest.fixture
def site():
    with HostileSite(4) as s:
        yield s


def _crawl(tmp_path: Path, source):
    settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
    report = crawl(source, settings)
    return report, open_db(settings.db_path, create=False), open_state(settings.state_path)


def _ids(db) -> set[str]:
    return {r[0] for r in db.execute("select id from articles")}


def _own(site, *ns: int) -> set[str]:
    return {f"hostile:{100000 + n}" for n in ns}


def test_nothing_outside_the_source_is_requested_or_archived(tmp_path, site):
    port = site.base_url.rsplit(":", 1)[1]
    site.listing_extra = [
        f"{site.base_url}@evil.example/tin-9-100009.html",  # starts with the base URL; host evil.example
        f"http://127.0.0.1.evil.example:{port}/tin-8-100008.html",
        f"{site.victim_url}/tin-7-100007.html",  # another port of this machine
    ]
    site.sitemap_children = [f"{site.victim_url}/sitemap-a.xml", "http://evil.example/sitemap-b.xml",
                             f"{site.base_url}/sitemaps/articles.xml"]
    site.redirect_to_victim = {2}  # an article that redirects to another service
    source = hostile_source(site.base_url, listings=("/listing",), sitemaps=("/sitemap.xml",))
    report, db, state = _crawl(tmp_path, source)
    assert site.victim_hits == []
    assert _ids(db) == _own(site, 1, 3, 4), report.summary()
    assert all(u.startswith(site.base_url + "/") for (u,) in db.execute("select url from articles"))
    assert all(u.startswith(site.base_url + "/") for (u,) in state.execute("select url from frontier"))
    refused = {u: e for u, e in db.execute(
        "select url, error from fetches where status_code is null and error like 'refused%'")}
    assert f"{site.victim_url}/sitemap-a.xml" in refused and "http://evil.example/sitemap-b.xml" in refused
    assert f"{site.victim_url}/tin-7-100007.html" in refused
    redirect = db.execute("select status_code, error from fetches where url = ?",
                          [site.base_url + site.article_path(2)]).fetchone()
    assert redirect[0] == 301 and redirect[1].startswith(f"redirect to {site.victim_url}/") and "refused" in redirect[1]
    hosts = {r[0] for r in state.execute("select host from hosts")}
    assert hosts == {site.base_url}  # no robots.txt asked of anyone else


def test_bad_urls_are_rows_and_every_run_goes_on(tmp_path, site):
    site.listing_extra = ["http://127.0.0.1:abc/tin-5-100005.html", JS_REDIRECT, "http://[::1/tin-6-100006.html"]
    source = hostile_source(site.base_url, listings=("/listing",))
    for _ in range(2):  # and the next run too
        report, db, _state = _crawl(tmp_path, source)
        assert report.status in ("ok", "degraded") and report.error is None, report.summary()
    assert _ids(db) == _own(site, 1, 2, 3, 4)
    errors = [e for (e,) in db.execute("select error from fetches where error is not null")]
    assert any("malformed URL" in e and "abc" in e for e in errors)
    assert any(e.startswith("redirect to javascript:alert(1) refused") for e in errors)


def test_an_endless_sitemap_chain_is_capped_and_articles_are_fetched_as_found(tmp_path):
    with HostileSite(0, chain_length=300) as site:
        source = hostile_source(site.base_url, sitemaps=("/chain/0.xml",), max_sitemaps_per_run=20,
                                max_sitemap_depth=10_000)
        report, db, _state = _crawl(tmp_path, source)
        chain = site.requests("/chain/")
        assert len(chain) == 20, report.summary()
        assert len(_ids(db)) == 20  # one article per sitemap read
        first_article = site.requests().index(next(p for p in site.requests() if p.startswith("/chain-tin-")))
        last_sitemap = max(i for i, p in enumerate(site.requests()) if p.startswith("/chain/"))
        assert first_article < last_sitemap  # articles did not wait for the end of discovery
        capped = db.execute("select url, error from fetches where error like '%sitemaps per run%'").fetchall()
        assert capped == [(f"{site.base_url}/chain/20.xml", capped[0][1])]


def test_sitemap_depth_and_new_urls_per_run_are_capped(tmp_path):
    with HostileSite(4, chain_length=300) as site:
        source = hostile_source(site.base_url, sitemaps=("/chain/0.xml",), max_sitemap_depth=3)
        report, db, _state = _crawl(tmp_path, source)
        assert site.requests("/chain/") == [f"/chain/{k}.xml" for k in range(4)], report.summary()
        assert db.execute("select count(*) from fetches where error like '%nested deeper than 3%'").fetchone()[0] == 1
        source = hostile_source(site.base_url, sitemaps=("/sitemaps/articles.xml",), max_urls_per_run=3)
        (tmp_path / "b").mkdir()
        report, db, _state = _crawl(tmp_path / "b", source)
        assert report.discovered == 3 and len(_ids(db)) == 3
        report, db, _state = _crawl(tmp_path / "b", source)  # the rest in the next run
        assert len(_ids(db)) == 4


def test_pages_too_deep_or_too_slow_to_parse_are_recorded_failures(tmp_path):
    with HostileSite(2, deep_levels=100_000, options=60_000) as site:
        site.listing_extra = [DEEP, OPTIONS]
        source = hostile_source(site.base_url, listings=("/listing",), max_bytes=3_000_000, parse_budget_s=0.5)
        report, db, _state = _crawl(tmp_path, source)
        assert _ids(db) == _own(site, 1, 2), report.summary()
        failures = dict(db.execute("select url, error from parse_failures").fetchall())
        assert f"nested deeper than {MAX_DEPTH}" in failures[site.base_url + DEEP]
        assert "longer than the budget of 0.5 s" in failures[site.base_url + OPTIONS]


def test_a_canonical_never_moves_an_article(tmp_path, site):
    site.canonical = {2: site.base_url + site.article_path(1),  # "I am article 1"
                      3: "http://evil.example/tin-3-100003.html"}  # "I live elsewhere"
    source = hostile_source(site.base_url, sitemaps=("/sitemap.xml",))
    report, db, _state = _crawl(tmp_path, source)
    rows = {r[0]: r[1:] for r in db.execute("select id, title, url, canonical_url from articles")}
    assert set(rows) == _own(site, 1, 2, 3, 4), report.summary()
    assert not rows["hostile:100001"][0].startswith("Bài giả mạo")
    assert rows["hostile:100002"] == ("Bài giả mạo 2", site.base_url + site.article_path(2), None)
    assert rows["hostile:100003"][1:] == (site.base_url + site.article_path(3), None)
    assert rows["hostile:100004"][2] == site.base_url + site.article_path(4)  # its own canonical is kept
    owners = dict(db.execute("select url, article_id from article_urls").fetchall())
    assert all(v == "hostile:100001" for k, v in owners.items() if k.endswith(site.article_path(1)))


def test_xml_with_a_dtd_is_refused_wherever_it_is(tmp_path, site):
    source = hostile_source(site.base_url, sitemaps=("/entities.xml",))
    report, db, _state = _crawl(tmp_path, source)
    assert _ids(db) == set(), report.summary()  # the entity named article 1: never expanded
    error = db.execute("select error from fetches where url like '%/entities.xml' and status_code is null").fetchone()[0]
    assert "refused after reading" in error and "document type or entity declaration" in error


def test_a_sitemap_index_answering_304_still_has_its_children_checked(tmp_path, site):
    source = hostile_source(site.base_url, sitemaps=("/sitemap.xml",))
    _crawl(tmp_path, source)
    site.articles = 6  # the child lists two more; the index (no lastmod) stays the same
    report, db, _state = _crawl(tmp_path, source)
    assert site.requests("/sitemap.xml") == ["/sitemap.xml"] * 2
    assert report.not_modified >= 1  # the index answered 304 ...
    assert _ids(db) == _own(site, 1, 2, 3, 4, 5, 6), report.summary()  # ... and its child was read again
