"""Generic main-content extractor for sites without a profile (or with drifted markup).

Paragraph scoring in the readability tradition, on selectolax: each block of real prose
(long, few links, commas) gives points to its parent and half to its grandparent; the
container with the most points, discounted by its link density, is the article. Before
that, page chrome and widgets are removed unless they wrap most of the prose; after it,
the container widens to the ancestor that holds the rest of a split article (see
``strip_boilerplate``, ``find_main_container`` and ``_widen``; docs/DESIGN.md). Also a
``GENERIC`` profile of common selectors for the other fields (h1, time[datetime], .author,
.tags ...).
"""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .cleanup import (ALWAYS_DROP, JUNK_SEEN, NON_CONTENT, in_code, junk_name, link_text_ratio,
                      never_wrapper, tag_ids)
from .profiles.base import Profile
from .query import css, css_first
from .select import inside_below

VERSION = "4"  # 4: wrappers kept, split articles widened, edge lines trimmed, dateline by the headline

GENERIC = Profile(
    name="generic",
    version=VERSION,
    hosts=(),
    title=("h1[itemprop=headline]", "h1.title", "h1.article-title", "article h1", "h1"),
    sapo=("[itemprop=description]", ".sapo", ".article-sapo", ".lead", ".article-lead",
          ".summary", ".article-summary", "h2.desc", ".description", ".excerpt", ".tomtat",
          "[class*=sapo]", "[class*=tomtat]", "[class*=mota]"),
    author=("[itemprop=author] [itemprop=name]", "[itemprop=author]", "[rel=author]",
            ".author-name", ".article-author", ".author", ".byline", ".tacgia",
            "[class*=tacgia]", "[class*=tac-gia]"),
    date=("[itemprop=datePublished]", "time[datetime]", "time", ".article-date",
          ".publish-date", ".published", ".post-date", ".date", ".time", "[class*=date]",
          "[class*=time]", ".byline", ".meta", "[class*=meta]", "[class*=ngaydang]", "[class*=ngay-dang]",
          "[class*=thoigian]", "[class*=thoi-gian]"),
    updated=("[itemprop=dateModified]",),
    category=(".breadcrumb a", "[class*=breadcrumb] a", "[itemprop=articleSection]"),
    tags=("[rel=tag]", ".tags a", ".tag a", ".article-tags a", ".keywords a",
          "[class*=tags] a"),
)
_PARAGRAPHS = "p, pre, blockquote, td, li, h2, h3"
_LINKED_PARAGRAPHS = "p:has(a), pre:has(a), h2:has(a), h3:has(a)"
_BLOCKS = "div, p, table, ul, ol, dl, h1, h2, h3, h4, h5, h6, blockquote, pre, section, article, figure"
_NON_CONTENT_QUERY = ", ".join(NON_CONTENT)  # never content: removed before anything is measured
# Page chrome by tag (ALWAYS_DROP's structural tags, and <header>): removed unless it wraps
# the article (see WRAPPER_SHARE).
_CHROME_TAGS = tuple(t for t in ALWAYS_DROP if t not in NON_CONTENT) + ("header",)
_CHROME_IDS = tag_ids(_CHROME_TAGS)
_CHROME_OR_NAMED = ", ".join(_CHROME_TAGS) + ", [class], [id]"
_NEVER_JUNK_IDS = tag_ids(("html", "body", "main", "article"))
_ASIDE_IDS = tag_ids(("aside", "nav", "footer"))
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_LINK = frozenset({"a"})
_NESTING = frozenset({"td", "li", "blockquote"})
MIN_PARAGRAPH = 25
TOP_CANDIDATES = 5
WIDEN_LEVELS = 5
WIDEN_SHARE = 0.6  # the best candidate holds less than this share of the ancestor's prose
WIDEN_PROSE = 0.5  # ... and at least this share of what the ancestor adds is prose
LISTING_MIN_ITEMS = 4
MAX_TEASER_CHARS = 600
MAX_TEASER_PROSE = 400  # mean text per linked headline of a list of teasers (an article: more)
MIN_TEASER_SIBLINGS = 3  # a short block with 3 look-alike linked siblings is a list item
WRAPPER_SHARE = 0.5  # chrome holding this share of the page's prose is the article's wrapper
ASIDE_WRAPPER_SHARE = 0.9  # ... for <aside>, <nav> and <footer>, which say what they are


Block = tuple[LexborNode, int, float]  # a prose block: (element, characters, points)


def strip_boilerplate(root: LexborNode) -> tuple[list[Block], dict[int, int]]:
    """Remove scripts, page chrome (nav, aside, footer, header, form) and widgets (by class
    or id) from ``root``. Returns the prose blocks left and the characters of prose held by
    each element that holds any (by ``mem_id``).

    Chrome or a widget that holds ``WRAPPER_SHARE`` of the page's prose is not removed: it
    is the article's wrapper (ASP.NET pages put the whole page in a ``<form>``, some themes
    the article in an ``<aside>`` or a ``<header>``, and class names such as "shared-content",
    "Page-ad-margins" or a category "native-advertising" look like widgets). Every decision
    is taken before anything is removed (nodes are freed by ``decompose``)."""
    for node in reversed(css(root, _NON_CONTENT_QUERY)):  # descendants first
        node.decompose()
    key = root.mem_id
    chrome: dict[int, LexborNode] = {}  # in document order
    code = in_code(root)  # a highlighter's "hljs-comment" is code, not a widget
    seen = JUNK_SEEN
    for node in css(root, _CHROME_OR_NAMED):
        tag = node.tag_id
        if tag in _CHROME_IDS:
            if node.mem_id != key:
                chrome[node.mem_id] = node
        elif tag not in _NEVER_JUNK_IDS:
            attrs = node.attributes
            klass, ident = attrs.get("class"), attrs.get("id")
            # junk_name(klass) or junk_name(ident), its cache read here first (once a node)
            junk = seen.get(klass) if klass else False
            if junk is None:
                junk = junk_name(klass)
            if not junk and ident:
                junk = seen.get(ident)
                if junk is None:
                    junk = junk_name(ident)
            if junk and node.mem_id not in code:
                chrome[node.mem_id] = node
    blocks = prose_blocks(root)
    closure = _Closure()
    for node, _, _ in blocks:
        closure.add(node)
    order = closure.top_down()
    links = {n.mem_id for n in css(root, "a")}
    if links:  # a teaser's summary inside its link (a card) is not prose
        linked = closure.marked_within(order, links)
        blocks = [b for b in blocks if not linked[b[0].mem_id]]
    if chrome:
        held = closure.sums(order, blocks)
        total = sum(size for _, size, _ in blocks)
        doomed = {k for k, n in chrome.items() if never_wrapper(n) or held.get(k, 0) < total * (
            ASIDE_WRAPPER_SHARE if n.tag_id in _ASIDE_IDS else WRAPPER_SHARE)}
        gone = closure.marked_within(order, doomed)
        blocks = [b for b in blocks if not gone[b[0].mem_id]]
        for node in reversed([n for k, n in chrome.items() if k in doomed]):  # document order
            node.decompose()
    return blocks, closure.sums(order, blocks)


class _Closure:
    """The elements holding prose blocks, with their ancestors: the parent and depth of
    each, found by walking up from each block until an element already seen (linear on
    deeply nested pages, where one walk per block to the root would be quadratic)."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = {}
        self.depth: dict[int, int] = {}

    def add(self, node: LexborNode) -> None:
        path: list[int] = []
        above: int | None = None
        current: LexborNode | None = node
        while current is not None:
            key = current.mem_id
            if key in self.depth:
                above = key
                break
            path.append(key)
            current = current.parent
        depth = self.depth[above] if above is not None else -1
        for key in reversed(path):
            depth += 1
            self.parent[key], self.depth[key] = above, depth
            above = key

    def top_down(self) -> list[int]:
        """Every element, each after its parent."""
        return sorted(self.depth, key=self.depth.__getitem__)

    def marked_within(self, order: list[int], marked: set[int]) -> dict[int, bool]:
        """For each element: it or one of its ancestors is in ``marked``."""
        flags: dict[int, bool] = {}
        parent = self.parent
        for key in order:
            above = parent[key]
            flags[key] = key in marked or above is not None and flags[above]
        return flags

    def sums(self, order: list[int], blocks: list[Block]) -> dict[int, int]:
        """For each element: the characters of the ``blocks`` that are it or inside it."""
        total: dict[int, int] = {}
        for node, size, _ in blocks:
            key = node.mem_id
            total[key] = total.get(key, 0) + size
        parent = self.parent
        for key in reversed(order):
            above = parent[key]
            if above is not None and key in total:
                total[above] = total.get(above, 0) + total[key]
        return total


def prose_blocks(root: LexborNode) -> list[tuple[LexborNode, int, float]]:
    """Paragraphs of real prose (long, few links, commas) with their length and points,
    and ``<div>``s whose own text is prose (pages written in ``<div>``s and ``<br>``s)."""
    # Paragraphs holding a link (the others have none to measure): p, pre and headings do
    # not nest, so lexbor's :has walks each subtree once.
    linked = {n.mem_id for n in css(root, _LINKED_PARAGRAPHS)}
    blocks: list[tuple[LexborNode, int, float]] = []
    for para in css(root, _PARAGRAPHS):
        if para.tag in _NESTING:  # cells and items nest: their own text only (no links in it)
            text = para.text(deep=False, separator=" ", strip=True)
            if len(text) < MIN_PARAGRAPH:
                continue
        else:
            text = para.text(separator=" ", strip=True)
            if len(text) < MIN_PARAGRAPH or para.mem_id in linked and link_text_ratio(para, len(text)) > 0.5:
                continue
        blocks.append((para, len(text), 1.0 + text.count(",") + min(len(text) // 100, 3)))
    with_blocks = _holding(root, _BLOCKS)
    for div in css(root, "div"):
        if div.mem_id in with_blocks:
            text = div.text(deep=False, separator=" ", strip=True)  # the text beside its blocks
            if len(text) < 2 * MIN_PARAGRAPH:
                continue
        else:  # a <div> of inline elements only is a paragraph (Blogger, old editors)
            text = div.text(separator=" ", strip=True)
            if len(text) < MIN_PARAGRAPH or link_text_ratio(div, len(text)) > 0.5:
                continue
        blocks.append((div, len(text), 1.0 + text.count(",") + min(len(text) // 100, 3)))
    return blocks


def find_main_container(tree: LexborHTMLParser) -> LexborNode | None:
    """The element that holds the article text, or None when no prose is found."""
    root = tree.body or tree.root
    if root is None:
        return None
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    blocks, prose = strip_boilerplate(root)
    for block, _, points in blocks:
        _give(block.parent, points, scores, nodes)
        grandparent = block.parent.parent if block.parent is not None else None
        _give(grandparent, points / 2, scores, nodes)
    if not scores:
        return None
    # Link density only for the top few: on every scored node it would be quadratic.
    top = sorted(scores, key=scores.__getitem__, reverse=True)[:TOP_CANDIDATES]
    ranked = sorted(top, key=lambda k: scores[k] * (1 - link_text_ratio(nodes[k])), reverse=True)
    for key in ranked:  # the best that is not a list of teasers (a sidebar widget can win)
        best = nodes[key]
        parent = best.parent
        if parent is not None and _split_across_siblings(best, scores):
            best = parent
        if not looks_like_listing(best):
            return _widen(best, prose, root)
    return None


def _widen(best: LexborNode, prose: dict[int, int], root: LexborNode) -> LexborNode:
    """The nearest ancestor of ``best`` that holds far more prose (``WIDEN_SHARE``), when at
    least ``WIDEN_PROSE`` of what it adds is prose: the article's text was split into
    sections, columns or widgets, and ``best`` is one of them (a bullet list, a step, a
    column). Looked for up to ``WIDEN_LEVELS`` ancestors that add prose (wrappers that add
    none do not count), and again from there until none qualifies."""
    stop = root.mem_id
    current = best
    while True:
        have = prose.get(current.mem_id, 0)
        size = None
        last = have
        levels = 0
        ancestor = current.parent
        while levels < WIDEN_LEVELS:
            if ancestor is None or ancestor.mem_id == stop:
                return current
            more = prose.get(ancestor.mem_id, 0)
            if more > last:
                levels += 1
                last = more
                if have < WIDEN_SHARE * more:
                    if size is None:
                        size = len(current.text(separator=" ", strip=True))
                    added = len(ancestor.text(separator=" ", strip=True)) - size
                    if more - have >= WIDEN_PROSE * added:
                        current = ancestor
                        break
            ancestor = ancestor.parent
        else:
            return current


def _holding(root: LexborNode, query: str) -> set[int]:
    """``mem_id`` of the elements of ``root``'s subtree with a descendant matching ``query``
    (each ancestor marked once)."""
    marked: set[int] = set()
    for node in css(root, query):
        parent = node.parent
        while parent is not None and parent.mem_id not in marked:
            marked.add(parent.mem_id)
            parent = parent.parent
    return marked


def looks_like_listing(node: LexborNode) -> bool:
    """A list of teasers (linked headlines with short summaries), not an article: either
    the node holds many linked headlines, or it is one short teaser among many alike."""
    # Elements matching "h1 a, h2 a, h3 a, h4 a, a h2, a h3", each subtree walked once
    # (lexbor walks up from every link: quadratic on deeply nested lists).
    linked_headings = len(inside_below(node, _HEADINGS, "h1, h2, h3, h4", "a")
                          | inside_below(node, _LINK, "a", "h2, h3"))
    size = len(node.text(strip=True))
    if linked_headings >= LISTING_MIN_ITEMS:
        paragraphs = sum(1 for p in css(node, "p") if len(p.text(strip=True)) >= MIN_PARAGRAPH)
        # Teasers: a short summary each. A ranked list article ("the 10 best ...") links its
        # headings too, with sections of prose between them.
        if linked_headings * 2 >= paragraphs and size < MAX_TEASER_PROSE * linked_headings:
            return True
    if size > MAX_TEASER_CHARS or not linked_headings:
        return False  # a teaser is short, and its headline is a link
    current: LexborNode | None = node
    for _ in range(3):
        if current is None or current.parent is None:
            break
        if _alike_linked_siblings(current) >= MIN_TEASER_SIBLINGS:
            return True
        current = current.parent
    return False


def _alike_linked_siblings(node: LexborNode) -> int:
    """How many siblings of ``node`` share its tag and class and contain a link."""
    signature = (node.tag, node.attributes.get("class"))
    count = 0
    sibling = node.parent.child if node.parent is not None else None
    while sibling is not None:
        if sibling.mem_id != node.mem_id and (sibling.tag, sibling.attributes.get("class")) == signature \
                and css_first(sibling, "a[href]") is not None:
            count += 1
        sibling = sibling.next
    return count


def _split_across_siblings(best: LexborNode, scores: dict[int, float]) -> bool:
    """True when a sibling of ``best`` holds a good share of the prose too."""
    threshold = 0.3 * scores[best.mem_id]
    sibling = best.parent.child if best.parent is not None else None
    while sibling is not None:
        if sibling.mem_id != best.mem_id and scores.get(sibling.mem_id, 0.0) >= threshold:
            return True
        sibling = sibling.next
    return False


def _give(node: LexborNode | None, points: float, scores: dict[int, float],
          nodes: dict[int, LexborNode]) -> None:
    if node is None or node.tag in ("html", "-document", None):
        return
    key = node.mem_id
    scores[key] = scores.get(key, 0.0) + points
    nodes[key] = node
