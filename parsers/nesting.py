"""How deep a page's elements nest, measured before lexbor builds its tree.

lexbor's tree builder walks the stack of open elements for many start tags (the HTML
algorithm's "has an element in scope" checks), so its time grows with the square of the
nesting depth: 20,000 nested ``<div>`` take about 0.5 s, 100,000 about 25 s
(``bench/bench_hostile.py``), while a real news page nests a few dozen deep. lexbor cannot
be interrupted once it has started, so the depth is measured first, by a scan that follows
the tree builder's main rules closely enough to never see a page shallower than lexbor
will build it by more than a little: void elements, raw-text elements (``script``,
``style``, ``textarea`` ...) and comments hold no children; an end tag closes the open
element of its name and every element opened inside it, and is ignored when no such
element is open; ``p``, ``li``, ``a``, table cells and the like close an open element of
their own name; ``<x/>`` closes itself only inside ``svg`` and ``math`` (in HTML,
``<div/>`` is an open ``div``).

The limit, ``MAX_DEPTH``, lets through what broken real pages do (lists of links never
closed, thousands deep: tests/fuzz) and stops the attack (100,000 levels in 1.1 MB). The
scan costs more per tag than lexbor's parse of a normal page (4.6 against 2.9 ms for a
150 KB page of 3,000 tags), so it runs only on pages of ``MAX_DEPTH`` tags (``<``) or more:
a page with fewer cannot nest deeper. Other slow markup (a ``<select>`` of many options, an
element of many attributes) is left to the crawler's time budget for a page
(``crawler/parse_worker.py``): no scan can know every slow case.
"""
from __future__ import annotations

import re

from .article import ParseError

MAX_DEPTH = 16_000  # real pages: a few dozen; lists of links never closed: thousands; lexbor: ~0.3 s
SCAN_FROM = MAX_DEPTH  # tags: a page with fewer cannot nest deeper
_WALK = 64  # how far down the stack a <li>/<dd>/<dt> looks for one to close (keeps the scan linear)

_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta param "
    "source track wbr".split())
_RAW_TEXT = frozenset("script style textarea title xmp iframe noembed noframes".split())
# A start tag closes an open element of its own kind, unless a "wall" stands between (a nested
# table, list or select has items of its own): name -> (what it closes, walls).
_FORMATTING_WALL = frozenset("table td th caption template object marquee applet button".split())
_LIST_WALL = frozenset(
    "applet area article aside base basefont bgsound blockquote body br button caption center col "
    "colgroup dd details dir dl dt embed fieldset figcaption figure footer form frame frameset h1 h2 "
    "h3 h4 h5 h6 head header hgroup hr html iframe img input li link listing main marquee menu meta "
    "nav noembed noframes noscript object ol param plaintext pre script search section select "
    "source style summary table tbody td template textarea tfoot th thead title tr track ul wbr "
    "xmp".split())
_SIBLINGS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{name: (frozenset(("td", "th")), frozenset(("table", "tr"))) for name in ("td", "th")},
    "tr": (frozenset(("tr", "td", "th")), frozenset(("table", "tbody", "thead", "tfoot"))),
    **{name: (frozenset(("tbody", "thead", "tfoot", "tr", "td", "th", "caption", "colgroup")),
              frozenset(("table",))) for name in ("tbody", "thead", "tfoot", "caption", "colgroup")},
    "option": (frozenset(("option",)), frozenset(("select", "datalist"))),
    "optgroup": (frozenset(("option", "optgroup")), frozenset(("select",))),
    "li": (frozenset(("li",)), _LIST_WALL),
    "dd": (frozenset(("dd", "dt")), _LIST_WALL),
    "dt": (frozenset(("dd", "dt")), _LIST_WALL),
    **{name: (frozenset((name,)), _FORMATTING_WALL) for name in ("a", "nobr", "form")},
    **{name: (frozenset(("rb", "rt", "rp", "rtc")), frozenset(("ruby",))) for name in ("rb", "rt", "rp", "rtc")},
}
# A start tag of one of these closes an open <p> first (unless a button, table cell ... is between).
_CLOSES_P = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section summary "
    "ul li dd dt listing plaintext xmp table".split())
_P = (frozenset(("p",)), frozenset("applet caption html table td th marquee object template button svg math".split()))
_FOREIGN = frozenset(("svg", "math"))

_TOKEN_STR = re.compile(r"<(?:(!--)|(/?)([A-Za-z][^\s/>]*)|(!|\?))")
_TOKEN_BYTES = re.compile(rb"<(?:(!--)|(/?)([A-Za-z][^\s/>]*)|(!|\?))")


def check_nesting(page: str | bytes, max_depth: int = MAX_DEPTH, scan_from: int = SCAN_FROM) -> None:
    """Raise ``ParseError`` when ``page`` (of ``scan_from`` tags or more) nests elements
    deeper than ``max_depth``."""
    if page.count(b"<" if isinstance(page, bytes) else "<") < scan_from:
        return
    depth = nesting_depth(page, stop_at=max_depth + 1)
    if depth > max_depth:
        raise ParseError(f"elements nested deeper than {max_depth}: not parsed "
                         "(lexbor's time grows with the square of the depth)")


def nesting_depth(page: str | bytes, stop_at: int | None = None) -> int:
    """The deepest nesting of elements in ``page`` as a browser's tree builder would see it
    (approximately; see the module doc), or ``stop_at`` as soon as it is reached. Pages
    with fewer than ``stop_at`` tags are not scanned (their depth is below it): the result
    is then the number of ``<``, an upper bound."""
    tags = page.count(b"<" if isinstance(page, bytes) else "<")
    if stop_at is not None and tags < stop_at:
        return tags
    if isinstance(page, bytes):
        token, close_comment, gt, end, decode = _TOKEN_BYTES, b"-->", b">", b"</", _ascii
    else:
        token, close_comment, gt, end, decode = _TOKEN_STR, "-->", ">", "</", str
    stack: list[str] = []
    open_count: dict[str, int] = {}
    foreign = 0
    deepest = 0
    pos = 0
    length = len(page)
    search = token.search
    while pos < length:
        m = search(page, pos)
        if m is None:
            break
        comment, slash, raw_name, other = m.groups()
        if comment is not None:
            stop = page.find(close_comment, m.end())
            pos = length if stop < 0 else stop + 3
            continue
        if other is not None:  # <!doctype ...>, <?xml ...>, <![CDATA[ ...
            stop = page.find(gt, m.end())
            pos = length if stop < 0 else stop + 1
            continue
        name = decode(raw_name).lower()
        close = page.find(gt, m.end())
        pos = length if close < 0 else close + 1
        if slash:
            if open_count.get(name):
                while stack:
                    top = stack.pop()
                    open_count[top] -= 1
                    if top in _FOREIGN:
                        foreign -= 1
                    if top == name:
                        break
            continue
        if name in _VOID:
            continue
        if name in _RAW_TEXT:
            stop = _find_end(page, end, name, pos)
            pos = length if stop < 0 else stop
            continue
        if name == "plaintext":
            break
        if foreign and close > 0 and page[close - 1:close] in ("/", b"/"):
            continue  # <path/> inside svg
        if name in _CLOSES_P and open_count.get("p"):
            _close_own(stack, open_count, *_P)
        if name in _SIBLINGS:
            _close_own(stack, open_count, *_SIBLINGS[name])
        if name in ("tr", "td", "th"):
            _imply_table_parts(stack, open_count, name)
        stack.append(name)
        open_count[name] = open_count.get(name, 0) + 1
        if name in _FOREIGN:
            foreign += 1
        if len(stack) > deepest:
            deepest = len(stack)
            if stop_at is not None and deepest >= stop_at:
                return deepest
    return deepest


def _close_own(stack: list[str], open_count: dict[str, int], items: frozenset[str],
               walls: frozenset[str]) -> None:
    """Close the outermost open element of ``items`` that no element of ``walls`` encloses;
    the walk down the stack is bounded, so the scan stays linear."""
    if not any(open_count.get(item) for item in items):
        return
    found = -1
    for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _WALK), -1):
        name = stack[i]
        if name in items:
            found = i  # the outermost one before a wall (a new row closes its cell and row)
        if name in walls:
            break
    if found >= 0:
        for top in stack[found:]:
            open_count[top] -= 1
        del stack[found:]


def _imply_table_parts(stack: list[str], open_count: dict[str, int], name: str) -> None:
    """A row straight in a table gets a ``tbody``, a cell outside a row a ``tr`` (and ``tbody``)."""
    if not open_count.get("table"):
        return
    for i in range(len(stack) - 1, max(-1, len(stack) - 1 - _WALK), -1):
        context = stack[i]
        if context in ("table", "tbody", "thead", "tfoot", "tr"):
            break
    else:
        return
    implied = []
    if context == "table":
        implied.append("tbody")
    if name != "tr" and context != "tr":
        implied.append("tr")
    for part in implied:
        stack.append(part)
        open_count[part] = open_count.get(part, 0) + 1


def _ascii(raw: bytes) -> str:
    return raw.decode("latin-1")


def _find_end(page: str | bytes, end: str | bytes, name: str, start: int) -> int:
    """Where the end tag of raw-text element ``name`` starts, from ``start`` (-1: none)."""
    target = end + (name.encode() if isinstance(page, bytes) else name)
    size = len(target)
    pos = start
    while True:
        pos = page.find(end, pos)
        if pos < 0:
            return -1
        if page[pos:pos + size].lower() == target:
            return pos
        pos += 2
