"""parsers.select gives what lexbor's css gives, on the fixture pages and on generated
nested markup, for every selector the profiles use."""
from __future__ import annotations

import random
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from parsers.generic import GENERIC
from parsers.profiles import all_profiles
from parsers.select import inside_below, matches_any, select, select_first
from parsers.urls import _join, absolute_url

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FIELDS = ("title", "sapo", "body", "author", "date", "updated", "category", "tags", "drop",
          "body_end")
SELECTORS = sorted({s for p in (*all_profiles(), GENERIC) for f in FIELDS for s in getattr(p, f)}
                   | {"div a", "ul li a", "div ~ p", "li ~ li a", "a ~ a", "div > p a", ".x .y .z",
                      "* a", "div *", "td ~ td", "ul li ~ li", "p[title='a b'] a"})
TOKENS = ["<div class='tags'>", "<div>", "</div>", "<ul>", "<li>", "</li>", "</ul>",
          "<a href=x>", "</a>", "<p align=right>", "<p>", "</p>", "<span class=x>", "<i class=y>",
          "<b class=z>", "text", "<div class='detail_info'>", "<h1>", "</h1>", "<h2>",
          "<table><tr><td>", "</td><td>", "</table>", "<div itemprop=author>",
          "<span itemprop=name>", "<div class='c-tags'>", "<time>", "<div class=article__meta>",
          "<span class=time>", "<p title='a b'>"]


def _documents() -> list[str | bytes]:
    pages: list[str | bytes] = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.html"))]
    rnd = random.Random(7)
    pages += ["".join(rnd.choice(TOKENS) for _ in range(rnd.randint(1, 200))) for _ in range(150)]
    return pages


@pytest.mark.parametrize("document", _documents())
def test_select_matches_lexbor(document: str | bytes) -> None:
    tree = LexborHTMLParser(document)
    for selector in SELECTORS:
        expected = [n.mem_id for n in tree.css(selector)]
        assert [n.mem_id for n in select(tree, selector)] == expected, selector
        first = select_first(tree, selector)
        assert (first.mem_id if first else None) == (expected[0] if expected else None), selector
        assert matches_any(tree, (selector,)) == bool(expected), selector
    assert matches_any(tree, tuple(SELECTORS)) == bool(tree.css(", ".join(SELECTORS)))


@pytest.mark.parametrize("document", _documents()[:60])
def test_inside_below_finds_the_linked_headings(document: str | bytes) -> None:
    tree = LexborHTMLParser(document)
    for node in tree.css("div, ul, body"):
        expected = {n.mem_id for n in node.css("h1 a, h2 a, h3 a, h4 a")}
        got = inside_below(node, frozenset({"h1", "h2", "h3", "h4"}), "h1, h2, h3, h4", "a")
        assert got == expected


def test_absolute_url_shortcut_equals_the_general_join() -> None:
    rnd = random.Random(5)
    bases = ["https://laodongthudo.vn/a-1.html", "http://[::1", "", "https://U:p@Host.vn:8080/x/y?q#f",
             "https://a.vn", "http://a.vn:bad/x", "ftp://a.vn/x", "https://a.vn/x\n/y", "//a.vn/x",
             "https://[::1]/x", "https://a.vn/a;b?c"]
    pieces = ["/", "a", ".", "..", "?", "#", ";", "//", "%20", " ", "\t", "b.jpg", "=", "&", "[",
              "]", "\\", "é", "\x00", "/.", "x"]
    for _ in range(20000):
        base = rnd.choice(bases)
        href = "/" + "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 8)))
        try:
            expected = _join(base, href)
        except ValueError:
            expected = None
        assert absolute_url(base, href) == expected, (base, href)


def test_shared_engine_gives_each_trees_own_nodes() -> None:
    from parsers.query import css, css_first

    trees = [LexborHTMLParser(d) for d in _documents()[:40]]
    for selector in ("p", "div a", "[class], [id]", "h1, h2", "table.x td", "nav"):
        for tree in trees:
            assert [n.mem_id for n in css(tree, selector)] == [n.mem_id for n in tree.css(selector)]
            first, expected = css_first(tree, selector), tree.css_first(selector)
            assert (first.mem_id if first else None) == (expected.mem_id if expected else None)
            for node in css(tree, selector)[:3]:
                assert node.parser is tree


def test_parsing_in_threads_gives_the_same_articles() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from parsers import parse

    pages = [(p.read_bytes(), "https://laodongthudo.vn/" + p.name)
             for p in sorted(FIXTURES.rglob("*.html"))]
    expected = [parse(html, url).to_dict() for html, url in pages]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(3):
            got = list(pool.map(lambda item: parse(item[0], item[1]).to_dict(), pages))
            assert got == expected
