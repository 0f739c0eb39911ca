"""Property tests: no input makes the parsers raise anything but ParseError.

Generated strings and bytes, HTML-ish token soup, and fixture pages mutated by
truncation, byte flips and deleted tags. Example counts are modest to keep the suite fast
(set FUZZ_EXAMPLES for a longer run).
"""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers import Article, ParseError, parse
from parsers.dates import parse_date
from parsers.discovery import parse_feed, parse_listing, parse_sitemap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = sorted(FIXTURES.glob("pages/*/*.html")) + sorted(FIXTURES.glob("site/www/*.html"))[:6]
URLS = ["https://laodongthudo.vn/a-1.html", "https://hanoimoi.vn/b-2.html",
        "https://kinhtedothi.vn/c.html", "https://www.anninhthudo.vn/d-post3.antd",
        "https://example.vn/2024/01/02/e/", "http://[::1", ""]
FETCHED = datetime(2026, 1, 1, tzinfo=timezone.utc)
# FUZZ_EXAMPLES=2000 for a long run; the default keeps the suite fast.
FAST = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

TOKENS = st.sampled_from([
    "<p>", "</p>", "<div class='detail_info'>", "<div class='b-maincontent'><div class='entry'>",
    "</div>", "<table class='__MB_ARTICLE_A'>", "<tr><td>", "</td></tr>", "</table>",
    "<figure>", "<figcaption>", "</figcaption>", "</figure>", "<img src='/a.jpg' title='Ảnh: X'>",
    "<script type='application/ld+json'>", "</script>", '{"@type":"NewsArticle","headline":',
    '"datePublished":"2023-13-45T99:99"', "<meta property='article:published_time' content='",
    "'>", "<h1>", "</h1>", "Hà Nội", "Theo TTXVN", "Ảnh: Kim Tiến", "14/12/2023 08:30",
    "(GMT+7)", "2 giờ trước", "&amp;", "&#7873;", "&#xZZ;", "<!--", "-->", "<br>", "<strong>",
    "</strong>", "<p style='text-align:right'>", "Minh Anh - Hoàng Long", "Tin liên quan",
    "<a href='/x-1.html'>", "</a>", "\x00", "\ufffd", "ngày 31 tháng 2 năm 2023",
])


def _check(html: str | bytes, url: str) -> None:
    try:
        article = parse(html, url, fetched_at=FETCHED)
    except ParseError:
        return
    assert isinstance(article, Article)
    if article.published_at:
        assert datetime.fromisoformat(article.published_at) <= FETCHED
    for value in (article.title, article.sapo, article.body_text):
        assert value is None or isinstance(value, str)


@FAST
@given(st.text(max_size=2000), st.sampled_from(URLS))
def test_any_text(text: str, url: str) -> None:
    _check(text, url)


@FAST
@given(st.binary(max_size=2000), st.sampled_from(URLS))
def test_any_bytes(data: bytes, url: str) -> None:
    _check(data, url)


@FAST
@given(st.lists(TOKENS, max_size=80).map("".join), st.sampled_from(URLS))
def test_html_token_soup(html: str, url: str) -> None:
    _check(html, url)


@pytest.mark.skipif(not PAGES, reason="no fixture pages")
@FAST
@given(st.sampled_from(PAGES or [Path(".")]), st.data())
def test_mutated_fixture_pages(page: Path, data: st.DataObject) -> None:
    raw = bytearray(page.read_bytes())
    mutation = data.draw(st.sampled_from(["truncate", "flip", "delete_tag", "splice"]))
    if mutation == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    elif mutation == "flip":
        for _ in range(data.draw(st.integers(1, 50))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    elif mutation == "delete_tag":
        text = raw.decode("utf-8", "replace")
        for _ in range(data.draw(st.integers(1, 20))):
            start = text.find("<", data.draw(st.integers(0, max(0, len(text) - 1))))
            end = text.find(">", start)
            if start < 0 or end < 0:
                break
            text = text[:start] + text[end + 1:]
        raw = bytearray(text.encode("utf-8"))
    else:
        a, b = sorted(data.draw(st.tuples(st.integers(0, len(raw)), st.integers(0, len(raw)))))
        raw = raw[:a] + raw[b:] + raw[a:b]
    _check(bytes(raw), data.draw(st.sampled_from(URLS)))


DATE_PARTS = st.one_of(
    st.integers(0, 10**25).map(str),
    st.sampled_from(["/", "-", ":", ".", " ", ",", "h", "giờ", "phút", "giây", "ngày", "tháng",
                     "năm", "tuần", "trước", "hôm qua", "hôm nay", "Thứ năm", "(GMT+7)", "GMT-12",
                     "UTC", "T", "Z", "+07:00", "SA", "CH", "PM", "Cập nhật:"]),
)


@FAST
@given(st.one_of(st.text(max_size=200), st.lists(DATE_PARTS, max_size=20).map("".join)))
def test_dates_never_raise_or_go_future(text: str) -> None:
    found = parse_date(text, now=FETCHED)
    assert found is None or (found.tzinfo is not None and found <= FETCHED)


@FAST
@given(st.one_of(st.binary(max_size=1500), st.lists(st.sampled_from([
    "<urlset>", "</urlset>", "<url>", "</url>", "<loc>", "</loc>", "https://a.vn/x-1.html",
    "<lastmod>", "</lastmod>", "2025-13-01", "<rss>", "<item>", "</item>", "<link>", "</link>",
    "<pubDate>", "</pubDate>", "Mon, 99 Foo 2025", "<sitemapindex>", "<sitemap>", "&", "<![CDATA[",
    "]]>", "\x1f\x8b"]), max_size=60).map(lambda parts: "".join(parts).encode())))
def test_discovery_never_raises(data: bytes) -> None:
    for call in (lambda: parse_sitemap(data), lambda: parse_feed(data),
                 lambda: parse_listing(data, "https://a.vn/", article_pattern=r"-\d+\.html")):
        try:
            call()
        except ParseError:
            pass


DEEP_PARA = ("Sáng 12/3, UBND quận Ba Đình tổ chức hội nghị tổng kết công tác năm, với sự tham "
             "dự của lãnh đạo các phường.")


@pytest.mark.parametrize("nested", [
    "<ul><li><a href='/tin-1.html'>Tin 1</a> ",  # links in lists, never closed
    "<ol><li><a href='/tin-1.html'>Tin liên quan</a></li><li>",
    "<ul><li><p>Xem thêm <a href='/tin-1.html'>tin 1</a></p>",
    "<div class='tags'><a href='/tag.html'>tag</a>",  # matches the profiles' "X a" selectors
])
@pytest.mark.parametrize("url", URLS[:4] + ["https://example.vn/a-1.html"])
def test_links_nested_5000_deep_parse_to_the_article(nested: str, url: str) -> None:
    """Lists of links nested 5,000 deep after the article (they took seconds to parse:
    descendant selectors and size checks walked up or down the whole depth per element)."""
    html = (f"<html><head><title>Bài sâu</title></head><body><h1 class='title_detail'>Bài sâu</h1>"
            f"<div class='detail_info'><p>{DEEP_PARA}</p><p>{DEEP_PARA}</p>{nested * 5000}</div>"
            "</body></html>")
    article = parse(html, url)
    assert article.title == "Bài sâu"
    assert (article.body_text or "").startswith(f"{DEEP_PARA}\n\n{DEEP_PARA}")
