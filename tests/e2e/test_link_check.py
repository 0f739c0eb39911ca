"""Every internal link of the demo site answers without a server error.

The demo archive is built as ``hanoi-news demo`` builds it (the bundled fixture site crawled
from localhost), served by the same Datasette, and spidered from its home page: every
``href``/``src`` of every HTML page that stays on the site is requested, breadth first, and
every GET form as a reader would send it unchanged (its fields' default values: a canned
query's empty form is how a reader first runs it).
Bounded: at most ``MAX_REQUESTS`` requests; pages that differ only in the values of their
query string (the same table sorted, faceted or paged another way) are requested at most
``SAME_SHAPE`` times each, and Datasette's own row pages ``SAME_TABLE_ROWS`` times per table;
the reader's pages (every article, place and figure) are all requested, and pages without a
query string come first.
"""
from __future__ import annotations

import asyncio
from collections import Counter, deque
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser

from crawler.demo import build_demo
from crawler.publish.app import make_datasette

MAX_REQUESTS = 3000
SAME_SHAPE = 3
SAME_TABLE_ROWS = 10
READER_TABLES = {"articles", "places", "indicators"}
ORIGIN = "http://localhost"


def _shape(url: str):
    """What makes a page a different page, and how many of its kind to request (None: all)."""
    parts = urlsplit(url)
    names = tuple(sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)}))
    segments = parts.path.split("/")
    if len(segments) == 4 and segments[1] != "-":
        # a row page /<db>/<table>/<key> (keys are tilde-encoded: a "." starts a format)
        if segments[2] in READER_TABLES and not names and "." not in segments[3]:
            return None, None
        fmt = segments[3].rpartition(".")[2] if "." in segments[3] else ""
        return ("/".join(segments[:3]) + "/<row>." + fmt, names), SAME_TABLE_ROWS
    if "." in segments[-1] and segments[1] != "-":
        # the same table or query as JSON, CSV, Atom: a few of each, whatever the query
        return (parts.path, "any query"), SAME_SHAPE
    if names:
        return (parts.path, names), SAME_SHAPE
    return None, None


def _links(url: str, body: str) -> list[tuple[str, bool]]:
    """(URL, whether it is a form's) of every internal link and GET form of a page."""
    tree = LexborHTMLParser(body)
    out = []
    for node in tree.css("a[href], link[href], script[src], img[src], iframe[src]"):
        ref = node.attributes.get("href") or node.attributes.get("src") or ""
        target, _ = urldefrag(urljoin(url, ref.strip()))
        parts = urlsplit(target)
        if parts.scheme in ("http", "https") and parts.netloc == "localhost":
            out.append((target, False))
    for form in tree.css("form"):
        if (form.attributes.get("method") or "get").lower() != "get":
            continue
        fields = []
        for field in form.css("input[name], select[name], textarea[name]"):
            kind = (field.attributes.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file", "reset"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in field.attributes:
                continue
            if field.tag == "select":
                chosen = field.css_first("option[selected]") or field.css_first("option")
                value = chosen.attributes.get("value", chosen.text()) if chosen else ""
            elif field.tag == "textarea":
                value = field.text()
            else:
                value = field.attributes.get("value") or ""
            fields.append((field.attributes["name"], value or ""))
        target = urljoin(url, form.attributes.get("action") or url)
        target = urlsplit(target)._replace(query=urlencode(fields), fragment="").geturl()
        if urlsplit(target).netloc == "localhost":
            out.append((target, True))
    return out


async def spider(ds, start: str = "/") -> dict:
    plain, queried = deque([urljoin(ORIGIN, start)]), deque()
    seen = {plain[0]}
    shapes: Counter = Counter()
    statuses: Counter = Counter()
    errors: list[tuple[int, str, str]] = []
    pages = 0
    while (plain or queried) and pages < MAX_REQUESTS:
        url = plain.popleft() if plain else queried.popleft()
        r = await ds.client.get(url.removeprefix(ORIGIN), follow_redirects=True)
        pages += 1
        statuses[r.status_code] += 1
        if r.status_code >= 500:
            errors.append((r.status_code, url, r.text[:300]))
            continue
        if "text/html" not in r.headers.get("content-type", "") or r.status_code >= 400:
            continue
        for link, from_form in _links(str(r.url), r.text):
            if link in seen:
                continue
            seen.add(link)
            # a form sent as it is: a few per form target (table filters differ by page)
            shape, most = ((urlsplit(link).path, "form"), SAME_SHAPE) if from_form \
                else _shape(link)
            if shape is not None:
                if shapes[shape] >= most:
                    continue
                shapes[shape] += 1
            (queried if urlsplit(link).query else plain).append(link)
    return {"requests": pages, "left": len(plain) + len(queried), "statuses": statuses,
            "errors": errors, "seen": seen}


@pytest.mark.slow
def test_no_internal_link_of_the_demo_answers_5xx(tmp_path):
    db_path, _ = build_demo(tmp_path / "demo")
    ds = make_datasette(db_path, demo=True)
    result = asyncio.run(spider(ds))
    print(f"\nlink check: {result['requests']} requests, statuses {dict(result['statuses'])}, "
          f"{result['left']} links left unvisited by the bound")
    assert not result["errors"], result["errors"][:10]
    seen = result["seen"]
    # the reader's pages were reached: every article, and places old and new
    import sqlite3

    conn = sqlite3.connect(db_path)
    articles = [r[0] for r in conn.execute("select id from articles")]
    assert all(any(f"/demo/articles/{a.replace(':', '~3A')}" in u for u in seen)
               for a in articles)
    assert any("/demo/places/hn-pre2025-" in u for u in seen)
    assert any("/demo/places/hn-2025-" in u for u in seen)
    assert any("/place_feed.atom?place=" in u for u in seen)
    assert any(u.startswith(f"{ORIGIN}/-/capture/demo/") for u in seen)
