"""Issue 15, the pure parsers against hostile input: XML with a DTD or entities is refused
wherever the declaration is, and a page nested too deep is refused before lexbor builds it."""
from __future__ import annotations

from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

import parsers
from crawler.evaluate_parsers import find_fixtures
from parsers import ParseError
from parsers.discovery import parse_feed, parse_listing, parse_sitemap
from parsers.nesting import MAX_DEPTH, nesting_depth
from tests.fixtures.site_chrome import wrap
from tests.support.hostile_server import article_html

ROOT = Path(__file__).resolve().parents[2]
PADDING = "<!--" + " " * 5000 + "-->"


@pytest.mark.parametrize("doc", [
    f'<?xml version="1.0"?>{PADDING}<!DOCTYPE urlset [<!ENTITY p "https://a.vn/x-1.html">]>'
    "<urlset><url><loc>&p;</loc></url></urlset>",
    f'<?xml version="1.0"?>{PADDING}<!DOCTYPE urlset SYSTEM "http://evil.example/x.dtd">'
    "<urlset><url><loc>https://a.vn/x-1.html</loc></url></urlset>",
    # not well-formed: read by the regular expressions, refused all the same
    f'<?xml version="1.0"?>{PADDING}<!DOCTYPE urlset [<!ENTITY p "x">]><urlset><url><loc>https://a.vn/x-1.html</loc></url>',
])
def test_sitemaps_and_feeds_with_a_dtd_are_refused_wherever_it_is(doc):
    for data in (doc, doc.encode()):
        with pytest.raises(ParseError, match="document type or entity declaration"):
            parse_sitemap(data)
    rss = doc.replace("urlset", "rss").replace("<url><loc>", "<channel><item><link>").replace(
        "</loc></url>", "</link></item></channel>")
    with pytest.raises(ParseError, match="document type or entity declaration"):
        parse_feed(rss.encode())


def test_a_page_nested_too_deep_is_refused_before_lexbor_and_a_normal_one_is_not():
    deep = article_html(1, wrap=("<div>" * 100_000, "</div>" * 100_000))
    with pytest.raises(ParseError, match=f"nested deeper than {MAX_DEPTH}"):
        parsers.parse(deep.encode(), "https://hanoimoi.vn/tin-1-100001.html")
    listing = "<html><body>" + "<ul><li>" * 30_000 + '<h3><a href="/a-1.html">x</a></h3></body></html>'
    with pytest.raises(ParseError, match="nested deeper"):
        parse_listing(listing, "https://a.vn/", "h3 a[href]")
    shallow = article_html(1, wrap=("<div>" * 200, "</div>" * 200))
    assert parsers.parse(shallow.encode(), "https://hanoimoi.vn/tin-1-100001.html").title


def _lexbor_depth(page: bytes) -> int:
    deepest, stack = 0, [(LexborHTMLParser(page).root, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        child = node.child
        while child is not None:
            if child.tag and not child.tag.startswith("-"):
                stack.append((child, depth + 1))
            child = child.next
    return deepest


def test_the_nesting_scan_sees_what_lexbor_builds():
    fixtures = find_fixtures([ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "fixtures" / "site"])
    assert len(fixtures) > 20
    for fixture in fixtures:
        for page in (fixture.page.read_bytes(), wrap(fixture.page.read_bytes())):
            assert abs(nesting_depth(page) - _lexbor_depth(page)) <= 1, fixture.name
    for page in ("<ul><li>" * 300, "<dl><dt>a<dd>b" * 300, "<div/>" * 300, "<b><div>" * 150,
                 "<p><blockquote>" * 150, "<table><td>" * 100):
        page = f"<html><body>{page}</body></html>"
        assert nesting_depth(page) >= _lexbor_depth(page.encode()) - 2, page[:40]
