"""Issue 18: nhipsonghanoi as a source. The shipped sources.yml entry (its listing, feed,
sitemap and article patterns, with the base URL moved to localhost) crawls a copy of the
site's entry points into articles parsed by the nhipsonghanoi profile.

The site: tests/fixtures/nhipsonghanoi_site/www (listing, feed, sitemaps, robots.txt) plus
the article pages of tests/fixtures/pages/nhipsonghanoi at their URL paths."""
from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from crawler.config import PROJECT_ROOT, Settings
from crawler.crawl import crawl
from crawler.sources import load_sources
from crawler.store import open_db
from tests.support.static_site import StaticSite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = FIXTURES / "pages" / "nhipsonghanoi"
ON_SITE = ("normal", "photo", "longform")  # the "old" page is on the old host: not crawled


@pytest.fixture
def site(tmp_path):
    www = tmp_path / "www"
    shutil.copytree(FIXTURES / "nhipsonghanoi_site" / "www", www)
    for name in ON_SITE:
        spec = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
        shutil.copy(PAGES / f"{name}.html", www / urlsplit(spec["url"]).path.lstrip("/"))
    with StaticSite(www) as server:
        yield server


def _source(base_url: str):
    shipped = {s.id: s for s in load_sources(PROJECT_ROOT / "sources.yml")}["nhipsonghanoi"]
    fast = replace(shipped.politeness, rate_per_second=100.0, max_retries=1, backoff_base_s=0.01)
    return shipped.with_base_url(base_url, politeness=fast)


def test_shipped_entry_crawls_listing_feed_and_sitemap(site, tmp_path):
    settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
    report = crawl(_source(site.base_url), settings)
    assert report.status == "ok", report.summary()
    db = open_db(settings.db_path, create=False)
    rows = {r[0]: r[1:] for r in db.execute(
        "select id, parser, title, published_at, category, canonical_url from articles")}
    assert set(rows) == {"nhipsonghanoi:721846", "nhipsonghanoi:1212087", "nhipsonghanoi:719402"}
    assert {r[0] for r in rows.values()} == {"nhipsonghanoi"}
    parser, title, published, category, canonical = rows["nhipsonghanoi:721846"]
    assert title == "Phường Tây Hồ thu ngân sách 10 tháng đạt 92% dự toán"
    assert published == "2025-11-12T08:45:00+07:00" and category == "Hà Nội 360"
    assert canonical.startswith("https://nhipsonghanoi.hanoimoi.vn/")
    via = {r[0] for r in db.execute("select kind from fetches where status_code = 200")}
    assert {"listing", "feed", "sitemap", "article"} <= via
    paths = [p for p, _status in site.requests]
    assert not any("-event" in p for p in paths), "an event page is not an article"
    assert not any("sitemap-category" in p for p in paths), "sitemap_exclude was not applied"
    credits = db.execute("select credits from articles where id = 'nhipsonghanoi:721846'").fetchone()[0]
    assert json.loads(credits) == ["NSHN"]
