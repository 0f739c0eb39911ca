"""Issue 18: a new paper by configuration alone. A sources.yml written here (parser: generic
and selectors:, no Python) crawls a second local site built on another CMS's markup (a
Joomla-style ward portal, tests/fixtures/ward_site) end to end: listings with ?start= paging,
a ?format=feed feed, a sitemap, articles whose metadata mislead (og:title is the site name,
the byline element names the admin account, the breadcrumb stops at "Tin tức")."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.sources import load_sources
from crawler.store import open_db
from parsers.generic import VERSION as GENERIC_VERSION
from tests.support.static_site import StaticSite

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "ward_site"
EXPECTED = sorted((SITE / "expected").glob("*.json"))

# What a user writes after `hanoi-news probe` (README, "Add a paper"), with the base URL of
# the local copy and test-speed politeness.
SOURCES_YML = """
sources:
  - id: nghiado
    name: Cổng TTĐT phường Nghĩa Đô
    base_url: {base}
    hosts: [phuongnghiado.example]
    parser: generic
    article_patterns: ['^/tin-tuc/[a-z0-9-]+/(\\d+)-[a-z0-9-]+\\.html$']
    listings:
      - url: /tin-tuc/tin-hoat-dong
        item_selector: ".blog-item h2 a"
        pagination: {{next_selector: "ul.pagination a[aria-label='Đi tới trang tiếp theo']"}}
      - url: /tin-tuc/kinh-te-do-thi
        item_selector: ".blog-item h2 a"
    feeds: ["/tin-tuc/tin-hoat-dong?format=feed&type=rss"]
    sitemaps: [/sitemap.xml]
{selectors}
    politeness: {{rate_per_second: 100, max_retries: 1, backoff_base_s: 0.01, timeout_s: 3, total_timeout_s: 5}}
"""
SELECTORS = """    selectors:
      title: ".item-page h1[itemprop=headline]"
      lead: ".com-content-article__body > p:first-child > strong"
      author: ".com-content-article__body > p[style*=right]"
      section: "dd.category-name a"
      images: ["figure.item-image", ".com-content-article__body figure"]
      drop: [".tin-lien-quan", "nav.pagenavigation", ".container-topbar"]"""


def _crawl(tmp_path: Path, base_url: str, selectors: str = SELECTORS):
    config = tmp_path / "sources.yml"
    config.write_text(SOURCES_YML.format(base=base_url, selectors=selectors), encoding="utf-8")
    source = load_sources(config)[0]
    settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
    return source, settings, crawl(source, settings)


@pytest.fixture
def site():
    with StaticSite(SITE / "www") as server:
        yield server


def _row(db, article_id: str) -> dict:
    cur = db.execute("select * from articles where id = ?", [article_id])
    names = [d[0] for d in cur.description]
    row = cur.fetchone()
    assert row is not None, f"{article_id} was not stored"
    return dict(zip(names, row))


def test_configured_source_crawls_every_article_with_the_right_fields(site, tmp_path):
    source, settings, report = _crawl(tmp_path, site.base_url)
    assert report.status == "ok", report.summary()
    db = open_db(settings.db_path, create=False)
    assert db.execute("select count(*) from articles").fetchone()[0] == len(EXPECTED) == 6
    for spec_path in EXPECTED:
        spec = json.loads(spec_path.read_text(encoding="utf-8"))
        want = spec["expected"]
        row = _row(db, f"nghiado:{want['site_article_id']}")
        assert row["parser"] == "generic" and row["parser_version"].startswith(f"{GENERIC_VERSION}+sel-")
        for name in ("title", "sapo", "published_at", "category", "canonical_url", "site_article_id"):
            assert row[name] == want[name], (spec_path.name, name)
        for name in ("authors", "tags", "credits"):
            assert json.loads(row[name]) == want[name], (spec_path.name, name)
        images = [{"caption": c, "credit": k} for c, k in db.execute(
            "select caption, credit from images where article_id = ? order by position", [row["id"]])]
        assert images == want["images"], spec_path.name
        for snippet in spec["body_contains"]:
            assert snippet in row["body_text"], (spec_path.name, snippet)
        for snippet in spec["body_excludes"]:
            assert snippet not in row["body_text"], (spec_path.name, snippet)
    fetched = [p for p, status in site.requests if status == 200]
    assert "/tin-tuc/tin-hoat-dong?start=3" in fetched, "the listing's second page was not followed"
    assert "/tin-tuc/tin-hoat-dong?format=feed&type=rss" in fetched and "/sitemap.xml" in fetched


def test_second_run_of_the_configured_source_adds_nothing(site, tmp_path):
    source, settings, first = _crawl(tmp_path, site.base_url)
    again = crawl(source, settings)
    assert first.new_articles == 6
    assert again.new_articles == 0 and again.updated_articles == 0
    assert again.requests_by_kind.get("article", 0) == 0


def test_without_selectors_the_same_site_comes_out_wrong(site, tmp_path):
    """The overrides are what make the site right: the generic parser alone takes the site
    name for the title, the admin account for the author and "Tin tức" for the section."""
    _source, settings, report = _crawl(tmp_path, site.base_url, selectors="")
    db = open_db(settings.db_path, create=False)
    rows = db.execute("select title, authors, category from articles").fetchall()
    assert len(rows) == 6
    assert {r[0] for r in rows} == {"Cổng thông tin điện tử phường Nghĩa Đô"}
    assert {r[1] for r in rows} == {json.dumps(["Quản trị viên"], ensure_ascii=False)}
    assert {r[2] for r in rows} == {"Tin tức"}
