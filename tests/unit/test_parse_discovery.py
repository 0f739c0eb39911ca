"""parsers.discovery: listing pages, RSS/Atom feeds, sitemaps; junk never raises."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from parsers import ParseError
from parsers.discovery import feed_date, parse_feed, parse_listing, parse_sitemap

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "site" / "www"

LISTING = """<div class="col_category clearfix">
<div class="list_news clearfix"><div class="list_news_img"><a href="/a-101.html"><img src="/t.jpg"></a></div>
<div class="list_news_title"><h2><a href="/a-101.html">A</a></h2><p>sapo</p></div></div>
<div class="list_news clearfix"><div class="list_news_title"><h2><a href="https://laodongthudo.vn/b-102.html#x">B</a></h2></div></div>
<div class="__MB_ARTICLE_PAGING paging"><span class="current">1</span><a href="/thoi-su&s_cond=&BRSR=16">2</a>
<a href="/thoi-su&s_cond=&BRSR=16">Sau</a></div></div>
<div class="sidebar"><a href="/c-103.html">C</a></div>"""


def test_listing_items_and_next_page() -> None:
    links, nxt = parse_listing(LISTING, "https://laodongthudo.vn/thoi-su")
    assert links == ["https://laodongthudo.vn/a-101.html", "https://laodongthudo.vn/b-102.html"]
    assert nxt == "https://laodongthudo.vn/thoi-su&s_cond=&BRSR=16"


def test_listing_custom_selectors_and_pattern_fallback() -> None:
    links, nxt = parse_listing(LISTING, "https://laodongthudo.vn/", ".sidebar a", ".none a")
    assert links == ["https://laodongthudo.vn/c-103.html"] and nxt is None
    html = "<a href='/x-1.html'>x</a><a href='/about'>a</a><a href='mailto:a@b'>m</a><a href='/y-2.html'>y</a>"
    links, _ = parse_listing(html, "https://hanoimoi.vn/", ".missing a", article_pattern=r"-\d+\.html$")
    assert links == ["https://hanoimoi.vn/x-1.html", "https://hanoimoi.vn/y-2.html"]


@pytest.mark.skipif(not (SITE / "kinh-te.html").exists(), reason="fixture site not built")
def test_listing_on_fixture_site() -> None:
    html = (SITE / "kinh-te.html").read_bytes()
    links, _ = parse_listing(html, "http://127.0.0.1:8000/kinh-te")
    assert len(links) >= 5
    assert all(link.startswith("http://127.0.0.1:8000/") for link in links)


RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Kinh tế</title>
<item><title>Phường A &amp; B</title><link>https://hanoimoi.vn/a-1.html</link>
<guid isPermaLink="false">hnm-1</guid><pubDate>Sun, 17 Aug 2025 10:22:00 GMT</pubDate></item>
<item><title><![CDATA[Xã C]]></title><link>https://hanoimoi.vn/c-3.html</link>
<pubDate>Sun, 17 Aug 2025 17:22:00 +0700</pubDate></item>
<item><title>no link</title></item>
</channel></rss>""".encode()


def test_rss() -> None:
    items = parse_feed(RSS)
    assert items == [
        {"url": "https://hanoimoi.vn/a-1.html", "title": "Phường A & B",
         "published_at": "2025-08-17T17:22:00+07:00", "guid": "hnm-1"},
        {"url": "https://hanoimoi.vn/c-3.html", "title": "Xã C",
         "published_at": "2025-08-17T17:22:00+07:00", "guid": None},
    ]


def test_broken_rss_is_read_leniently() -> None:
    broken = RSS.replace(b"A &amp; B", b"A & B").replace(b"</channel></rss>", b"")
    items = parse_feed(broken)
    assert [i["url"] for i in items] == ["https://hanoimoi.vn/a-1.html", "https://hanoimoi.vn/c-3.html"]
    assert items[0]["published_at"] == "2025-08-17T17:22:00+07:00"


def test_atom() -> None:
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>T</title>
<link rel="alternate" href="https://x.vn/a.html"/><link rel="enclosure" href="https://x.vn/a.jpg"/>
<id>urn:1</id><published>2025-08-17T10:00:00Z</published></entry></feed>"""
    assert parse_feed(atom) == [{"url": "https://x.vn/a.html", "title": "T",
                                 "published_at": "2025-08-17T17:00:00+07:00", "guid": "urn:1"}]


@pytest.mark.parametrize(("raw", "iso"), [
    ("Mon, 09 Jan 2023 07:05:00 +0700", "2023-01-09T07:05:00+07:00"),
    ("09 Jan 2023 00:05:00 GMT", "2023-01-09T07:05:00+07:00"),
    ("2023-01-09T07:05:00+07:00", "2023-01-09T07:05:00+07:00"),
    ("09/01/2023 07:05", "2023-01-09T07:05:00+07:00"),
    ("garbage", None), ("", None),
])
def test_feed_dates(raw: str, iso: str | None) -> None:
    assert feed_date(raw) == iso


URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
 xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://a.vn/x-1.html</loc><lastmod>2025-08-17T17:22:00+07:00</lastmod>
<image:image><image:loc>https://a.vn/i.jpg</image:loc></image:image>
<news:news><news:publication_date>2025-08-17T10:00:00Z</news:publication_date></news:news></url>
<url><loc> https://a.vn/y-2.html </loc></url>
</urlset>"""
INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://a.vn/sitemaps/news-2026-9.xml</loc><lastmod>2026-09-30</lastmod></sitemap>
<sitemap><loc>https://a.vn/sitemaps/news-2026-8.xml</loc></sitemap></sitemapindex>"""


def test_urlset_with_news_and_images() -> None:
    children, urls = parse_sitemap(URLSET)
    assert children == []
    assert urls == [("https://a.vn/x-1.html", "2025-08-17T17:22:00+07:00", "2025-08-17T17:00:00+07:00"),
                    ("https://a.vn/y-2.html", None, None)]


def test_index_and_gzip() -> None:
    children, urls = parse_sitemap(gzip.compress(INDEX))
    assert children == [("https://a.vn/sitemaps/news-2026-9.xml", "2026-09-30T00:00:00+07:00"),
                        ("https://a.vn/sitemaps/news-2026-8.xml", None)]
    assert urls == []


def test_broken_sitemap_falls_back_to_regex() -> None:
    _, urls = parse_sitemap(URLSET.replace(b"</urlset>", b"<url><loc>https://a.vn/z&3.html</loc>"))
    assert [u[0] for u in urls][:2] == ["https://a.vn/x-1.html", "https://a.vn/y-2.html"]


@pytest.mark.parametrize("junk", [b"", b"junk", b"\x00\x01\x02" * 100, b"\x1f\x8bnot gzip",
                                  b"<html><body>404</body></html>", "<?xml version='1.0'?><a>",
                                  b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><urlset>&a;</urlset>"])
def test_junk_gives_empty_results(junk: bytes | str) -> None:
    try:
        assert parse_sitemap(junk) == ([], [])
        assert parse_feed(junk) == []
        assert parse_listing(junk if isinstance(junk, str) else junk.decode("latin-1"), "https://a.vn/") == ([], None)
    except ParseError:
        pass  # the only exception allowed


def test_future_dates_are_dropped_relative_to_now() -> None:
    from datetime import datetime, timezone
    now = datetime(2025, 8, 17, 0, 0, tzinfo=timezone.utc)
    assert [i["published_at"] for i in parse_feed(RSS, now=now)] == [None, None]
    assert feed_date("Mon, 01 Jan 2099 00:00:00 GMT") is None
    _, urls = parse_sitemap(URLSET, now=now)
    assert urls[0] == ("https://a.vn/x-1.html", None, None)
