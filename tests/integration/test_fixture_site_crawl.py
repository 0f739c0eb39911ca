"""Issue 2: the whole path once, over the fixture site served on localhost."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.demo import demo_source

SEED_000 = "laodongthudo:157025"


@pytest.fixture
def crawled(fixture_site, tmp_path):
    settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
    source = demo_source(fixture_site.base_url)
    first = crawl(source, settings)
    return settings, source, first


def _db(settings):
    from crawler.store import open_db

    return open_db(settings.db_path, create=False)


def test_first_crawl_stores_every_article(crawled):
    settings, _source, report = crawled
    db = _db(settings)
    n = db.execute("select count(*) from articles").fetchone()[0]
    assert n >= 12
    assert report.new_articles == n
    assert report.status in ("ok", "degraded")
    # every article keeps its source, URL, fetch time and capture
    missing = db.execute("select count(*) from articles where source is null or url is null "
                         "or fetched_at is null or capture is null").fetchone()[0]
    assert missing == 0


def test_seed_000_article_fields(crawled):
    settings, _source, _report = crawled
    db = _db(settings)
    row = db.execute("select title, authors, published_at, canonical_url, body_text from articles where id = ?",
                     [SEED_000]).fetchone()
    assert row is not None, "the article carrying seed 000's facts was not stored"
    title, authors, published_at, canonical_url, body = row
    assert "Bắc Từ Liêm" in title
    assert json.loads(authors) == ["Lê Thắm"]
    assert published_at.startswith("2023-07") and published_at.endswith("+07:00")
    assert canonical_url == "https://laodongthudo.vn/quan-bac-tu-liem-phat-trien-toan-dien-ve-kinh-te-xa-hoi-157025.html"
    assert "30.054,4 tỷ đồng" in body
    assert title not in body, "the repeated title (image alt) leaked into the body"
    assert "Lê Thắm" not in body, "the author line leaked into the body"
    assert "Các tin khác" not in body
    captions = [r[0] for r in db.execute("select caption from images where article_id = ?", [SEED_000])]
    assert any("Thành phố giao lưu" in (c or "") for c in captions)
    for caption in captions:
        if caption:
            assert caption not in body, "a caption leaked into the body"


def test_second_crawl_of_unchanged_site_adds_and_fetches_nothing(crawled, fixture_site):
    settings, source, first = crawled
    db = _db(settings)
    before = db.execute("select count(*), group_concat(content_hash) from articles").fetchone()
    second = crawl(source, settings)
    assert second.new_articles == 0
    assert second.updated_articles == 0
    assert "0 new" in second.summary()
    assert second.requests_by_kind.get("article", 0) == 0
    assert db.execute("select count(*), group_concat(content_hash) from articles").fetchone() == before


def test_every_fetch_is_a_row(crawled):
    settings, _source, report = crawled
    db = _db(settings)
    rows = db.execute("select count(*) from fetches where run_id = ?", [report.run_id]).fetchone()[0]
    assert rows == sum(report.requests_by_kind.values())
    assert rows > 0


def test_warc_holds_every_response(crawled):
    from crawler.rawstore import RawStore

    settings, _source, _report = crawled
    captures = list(RawStore(settings.warc_dir).iter_captures())
    urls = {c.url for c in captures}
    assert any(u.endswith("-157025.html") for u in urls)
    assert all(c.fetched_at.endswith("+07:00") for c in captures)
