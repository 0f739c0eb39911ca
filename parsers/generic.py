"""Generic main-content extractor for sites without a profile (or with drifted markup).

Paragraph scoring in the readability tradition, on selectolax: each paragraph of real
prose (long, few links, commas) gives points to its parent and half to its grandparent;
the container with the most points, discounted by its link density, is the article.
Navigation, asides, footers and widgets are removed first. Also a ``GENERIC`` profile of
common selectors for the other fields (h1, time[datetime], .author, .tags ...).
"""
from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .cleanup import ALWAYS_DROP, link_text_ratio, tag_ids
from .cleanup import _is_junk_widget as is_junk_widget
from .profiles.base import Profile
from .query import css, css_first
from .select import inside_below

VERSION = "3"  # 3: dates of other articles in lists (sidebars) are not the byline

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
_STRIP_IDS = tag_ids(ALWAYS_DROP + ("header",))
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_LINK = frozenset({"a"})
_NESTING = frozenset({"td", "li", "blockquote"})
MIN_PARAGRAPH = 25
LISTING_MIN_ITEMS = 4
MAX_TEASER_CHARS = 600
MIN_TEASER_SIBLINGS = 3  # a short block with 3 look-alike linked siblings is a list item


def strip_boilerplate(root: LexborNode) -> None:
    """Cheap page-wide removal: scripts, nav/aside/footer/header, widgets by class or id.

    One pass over the elements (tags compared by lexbor's ids; a type-selector list of 20
    tags is a slow query), the widget test only for elements with a class or id. Every
    decision depends on the element alone, so taking them all before removing anything
    leaves the same tree."""
    named = {n.mem_id for n in css(root, "[class], [id]")}
    key = root.mem_id
    doomed = [n for n in css(root, "*")
              if n.tag_id in _STRIP_IDS and n.mem_id != key
              or n.mem_id in named and is_junk_widget(n)]
    for node in reversed(doomed):  # descendants before their ancestors
        node.decompose()


def find_main_container(tree: LexborHTMLParser) -> LexborNode | None:
    """The element that holds the article text, or None when no prose is found."""
    root = tree.body or tree.root
    if root is None:
        return None
    strip_boilerplate(root)
    scores: dict[int, float] = {}
    nodes: dict[int, LexborNode] = {}
    linked = _holding(root, "a")  # a paragraph outside this set has no link to measure
    for para in css(root, _PARAGRAPHS):
        if para.tag in _NESTING:  # cells and items nest: their own text only (no links in it)
            text = para.text(deep=False, separator=" ", strip=True)
            if len(text) < MIN_PARAGRAPH:
                continue
        else:
            text = para.text(separator=" ", strip=True)
            if len(text) < MIN_PARAGRAPH or para.mem_id in linked and link_text_ratio(para, len(text)) > 0.5:
                continue
        points = 1.0 + text.count(",") + min(len(text) // 100, 3)
        _give(para.parent, points, scores, nodes)
        grandparent = para.parent.parent if para.parent is not None else None
        _give(grandparent, points / 2, scores, nodes)
    for div in css(root, "div"):  # prose written in <div>s and <br>s, no <p>
        own = div.text(deep=False, separator=" ", strip=True)
        if len(own) >= 2 * MIN_PARAGRAPH:
            points = 1.0 + own.count(",") + min(len(own) // 100, 3)
            _give(div.parent, points, scores, nodes)
            _give(div.parent.parent if div.parent is not None else None, points / 2, scores, nodes)
    if not scores:
        return None
    # Link density only for the top few: on every scored node it would be quadratic.
    top = sorted(scores, key=scores.__getitem__, reverse=True)[:5]
    best = nodes[max(top, key=lambda k: scores[k] * (1 - link_text_ratio(nodes[k])))]
    parent = best.parent
    if parent is not None and _split_across_siblings(best, scores):
        best = parent
    return None if looks_like_listing(best) else best


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
    if linked_headings >= LISTING_MIN_ITEMS:
        paragraphs = sum(1 for p in css(node, "p") if len(p.text(strip=True)) >= MIN_PARAGRAPH)
        if linked_headings * 2 >= paragraphs:
            return True
    if len(node.text(strip=True)) > MAX_TEASER_CHARS:
        return False
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
