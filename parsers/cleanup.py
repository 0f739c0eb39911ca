"""Remove boilerplate from an article container before its text is read.

Related-article boxes, share/comment widgets, ads, tables or lists of links only, and
boxes headed "Tin liên quan", "Xem thêm", "Phản hồi", "Các tin khác" ... are decomposed in
place. Nodes are always removed in reverse document order, so a descendant is never
touched after its ancestor was freed.
"""
from __future__ import annotations

import re
from typing import Iterable

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .query import css

ALWAYS_DROP = (
    "script", "style", "noscript", "iframe", "form", "button", "input", "select", "textarea",
    "svg", "template", "object", "embed", "nav", "aside", "footer", "ins", "link", "meta",
)
_JUNK_TOKEN = re.compile(
    r"(?:^|[\s_-])(?:"
    r"(?:share|sharing|social|comment|binh-?luan|related|relate|lien-?quan|tin-?khac|"
    r"quangcao|advert|sponsor|newsletter|subscribe|breadcrumb|popup)\w*"
    r"|(?:ads?|adv|adsbygoogle|banner|qc|print|rating|vote|modal|google-auto-placed|"
    r"ap_container)(?:$|[\s_-]))",
    re.I,
)
BOX_HEADINGS = (
    "tin liên quan", "bài liên quan", "liên quan", "tin bài liên quan", "xem thêm", "đọc thêm", "phản hồi",
    "các tin khác", "tin khác", "tin cùng chuyên mục", "bài đọc tiếp", "có thể bạn quan tâm",
    "ý kiến bạn đọc", "bình luận", "tin mới", "tin đọc nhiều", "đọc nhiều", "tin nổi bật",
    "bài viết liên quan", "chia sẻ", "gửi bình luận", "tin cùng loại",
)
# Any BOX_HEADINGS phrase, with any white space between its words (``\s`` is what
# ``str.split`` splits on). A heading that contains another ("tin liên quan" holds "liên
# quan") adds nothing to the search.
# The phrases share their first words ("tin khác", "tin mới" ...): the pattern is a word
# trie, so the search tries each first word once at a position instead of once per phrase.


def _word_trie(phrases: list[tuple[str, ...]]) -> str:
    """A regex of the word sequences ``phrases`` (none a prefix of another), words joined by
    ``\\s+``, with common leading words factored out."""
    groups: dict[str, list[tuple[str, ...]]] = {}
    for words in phrases:
        groups.setdefault(words[0], []).append(words[1:])
    branches = []
    for first, rests in groups.items():
        tails = [rest for rest in rests if rest]
        branch = re.escape(first)
        if tails and len(tails) == len(rests):  # (a phrase that is just ``first``: it alone)
            inner = _word_trie(tails)
            branch += r"\s+" + (f"(?:{inner})" if "|" in inner else inner)
        branches.append(branch)
    return "|".join(branches)


_HEADING_SEARCH = re.compile(_word_trie([
    tuple(heading.split()) for heading in BOX_HEADINGS
    if not any(other != heading and other in heading for other in BOX_HEADINGS)]))
_BOX_TAGS = frozenset(
    {"div", "section", "table", "ul", "ol", "dl", "p", "h2", "h3", "h4", "h5", "h6", "strong", "b"}
)


def inside(node: LexborNode, selector: str) -> list[LexborNode]:
    """Descendants of ``node`` matching ``selector`` (lexbor's ``css`` also returns ``node``)."""
    try:
        found = css(node, selector)
    except ValueError:
        return []
    if found and found[0].mem_id == node.mem_id:
        return found[1:]
    return found


def tagged(node: LexborNode, tags: frozenset[str]) -> list[LexborNode]:
    """Descendant elements of ``node`` whose tag is in ``tags`` (a tree walk: far cheaper
    than ``css`` with a selector list on small nodes)."""
    walk = node.traverse()
    next(walk, None)  # the node itself
    return [n for n in walk if n.tag in tags]


def has_tagged(node: LexborNode, tags: frozenset[str]) -> bool:
    """True when some descendant element of ``node`` has a tag in ``tags``."""
    walk = node.traverse()
    next(walk, None)
    return any(n.tag in tags for n in walk)


MAX_BOX_NODES = 400
_ALWAYS_DROP = frozenset(ALWAYS_DROP)


_NEW_NODE = LexborHTMLParser("").create_node


def tag_ids(tags: Iterable[str]) -> frozenset[int]:
    """lexbor's ids of standard tag names (constants of the library; ``node.tag_id`` costs
    less than ``node.tag``). A non-standard tag gets a per-document id: not in the set."""
    return frozenset(_NEW_NODE(tag).tag_id for tag in tags)


_ALWAYS_DROP_IDS = tag_ids(ALWAYS_DROP)
_LIST_IDS = tag_ids(("table", "ul", "ol"))
_NEVER_JUNK_IDS = tag_ids(("html", "body", "main", "article"))
_BOX_IDS = tag_ids(_BOX_TAGS)


def remove_selectors(root: LexborNode, selectors: Iterable[str]) -> None:
    """Decompose every element matching any of ``selectors`` inside ``root``.

    One query for the whole list: lexbor returns matches in document order, so removing
    them last-first frees every descendant before its ancestor.
    """
    combined = ", ".join(selectors)
    if combined:
        for node in reversed(inside(root, combined)):
            node.decompose()


def remove_junk(root: LexborNode, *, keep_share: float | None = None) -> None:
    """Drop scripts, widgets, ads, link-only tables/lists and related-article boxes.

    With ``keep_share`` (the generic extractor, whose container is a guess), chrome or a
    widget holding that share of ``root``'s text is kept: it wraps the article."""
    # A related box starts with one of BOX_HEADINGS, so its heading is in the text of the
    # whole container (text nodes joined by spaces): without any, no element can be one.
    headed = _has_box_heading(root)
    # Only an element with a class or id can be a widget (one lexbor query finds them);
    # not one in preformatted text (a highlighter's "hljs-comment" is code).
    named = {n.mem_id for n in inside(root, "[class], [id]")} - in_code(root)
    # Every decision is taken on the untouched tree, last element first (descendants before
    # ancestors): an ancestor of a box known to be too big is too big as well, which keeps
    # the size checks linear on deeply nested pages. Tags are compared by lexbor's ids.
    big: set[int] = set()
    doomed: list[LexborNode] = []
    for node in reversed(inside(root, "*")):
        tag = node.tag_id
        if tag in _ALWAYS_DROP_IDS or node.mem_id in named and _is_junk_widget(node) \
                or tag in _LIST_IDS and is_link_list(node, big) \
                or headed and tag in _BOX_IDS and is_related_box(node, big):
            doomed.append(node)
    if keep_share is not None and doomed:
        floor = keep_share * len(root.text(separator=" ", strip=True))
        doomed = [n for n in doomed if n.tag_id in _NON_CONTENT_IDS or never_wrapper(n)
                  or len(n.text(separator=" ", strip=True)) < floor]
    for node in doomed:  # descendants before their ancestors
        node.decompose()


NON_CONTENT = ("script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
               "link", "meta", "input", "select", "textarea", "button", "canvas",
               "amp-ad", "amp-sidebar", "amp-analytics", "amp-social-share", "amp-consent")
_NON_CONTENT_IDS = tag_ids(NON_CONTENT)
_STRONG_JUNK = re.compile(r"comment|binh-?luan|related|lien-?quan", re.I)


def never_wrapper(node: LexborNode) -> bool:
    """Comments and related-article boxes never wrap the article, whatever their size."""
    attrs = node.attributes
    return _STRONG_JUNK.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}") is not None


def in_code(root: LexborNode) -> set[int]:
    """``mem_id`` of the elements inside a ``<pre>`` of ``root`` (each ``<pre>`` subtree
    walked once: linear on deep pages)."""
    found: set[int] = set()
    for pre in inside(root, "pre"):
        if pre.mem_id not in found:
            found.update(n.mem_id for n in inside(pre, "*"))
    return found


def _has_box_heading(root: LexborNode) -> bool:
    """True when some BOX_HEADINGS phrase occurs in the lower-cased text of ``root``, its words
    separated by any white space (the same as searching the text with spaces collapsed,
    without splitting it into words)."""
    return _HEADING_SEARCH.search(root.text(separator=" ").lower()) is not None


def _is_boilerplate(node: LexborNode, headed: bool = True, big: set[int] | None = None) -> bool:
    if _is_junk_widget(node):
        return True
    tag = node.tag
    if tag in ("table", "ul", "ol") and is_link_list(node, big):
        return True
    return headed and tag in _BOX_TAGS and is_related_box(node, big)


def _is_junk_widget(node: LexborNode) -> bool:
    if node.tag_id in _NEVER_JUNK_IDS:
        return False
    attrs = node.attributes
    return junk_name(attrs.get("class")) or junk_name(attrs.get("id"))


def junk_name(name: str | None) -> bool:
    """True when a class or id value holds a widget's token ("share", "related", "ads" ...)."""
    if not name:
        return False
    junk = JUNK_SEEN.get(name)
    if junk is None:  # pages and sites repeat their class names: each is searched once
        junk = _junk_search(name)
        if len(name) <= 80:
            if len(JUNK_SEEN) >= 65536:
                JUNK_SEEN.clear()
            JUNK_SEEN[name] = junk
    return junk


JUNK_SEEN: dict[str, bool] = {}  # class or id value -> _JUNK_TOKEN found
ATOMIC_MIN_TOKENS = 6
_EMBEDDED_POST = re.compile(r"embed|twitter-tweet|instagram-media|tiktok-embed", re.I)


def _junk_search(name: str) -> bool:
    """``_JUNK_TOKEN`` in ``name``; a short token ("ad", "qc") not in an atomic-CSS class list
    (Medium, Tailwind builds: "pw-post-body-paragraph pk pl jd pm b kb ... qc ie"), where
    every two letters are some rule's name."""
    if _EMBEDDED_POST.search(name):
        return False  # a post the article quotes (tweet, Instagram), in a "social-media-embed"
    atomic = None
    for match in _JUNK_TOKEN.finditer(name):
        if len(match.group().strip(" \t\n\r\f_-")) > 3:
            return True
        if atomic is None:
            tokens = name.split()
            atomic = len(tokens) >= ATOMIC_MIN_TOKENS and 2 * sum(len(t) <= 3 for t in tokens) > len(tokens)
        if not atomic:
            return True
    return False


def link_text_ratio(node: LexborNode, total: int | None = None) -> float:
    """Share of the element's text that sits inside links (``total``: the length of
    ``node.text(separator=" ", strip=True)``, when the caller has it)."""
    links = inside(node, "a")
    if not links:
        return 0.0
    if total is None:
        total = len(node.text(separator=" ", strip=True))
    if not total:
        return 0.0
    linked = sum(len(a.text(separator=" ", strip=True)) for a in links)
    return min(1.0, linked / total)


def is_small(node: LexborNode, max_nodes: int = MAX_BOX_NODES, big: set[int] | None = None) -> bool:
    """True when ``node`` has at most ``max_nodes`` descendants (a bounded walk, so checks on
    every ancestor of a deeply nested page stay linear).

    ``big`` collects the ``mem_id`` of nodes found too big (for this ``max_nodes``): a node
    with one of them inside is too big at once."""
    if big is None:
        for count, _ in enumerate(node.traverse(include_text=True)):
            if count > max_nodes:
                return False
        return True
    for count, item in enumerate(node.traverse(include_text=True)):
        if count > max_nodes or item.mem_id in big:
            big.add(node.mem_id)
            return False
    return True


def is_link_list(node: LexborNode, big: set[int] | None = None) -> bool:
    """A table or list whose text is (nearly) all links: an inline related box."""
    if not is_small(node, big=big):
        return False
    links = inside(node, "a")
    if not links:
        return False
    text = node.text(separator=" ", strip=True)
    linked = sum(len(a.text(separator=" ", strip=True)) for a in links)
    if not linked:  # a linked picture without a caption is not a related box
        return False
    return len(text) - linked < 12 or (len(links) >= 3 and linked / max(1, len(text)) > 0.8)


def leading_text(node: LexborNode, limit: int = 60, max_nodes: int = 40) -> str:
    """The first ``limit`` characters of the node's text, reading at most ``max_nodes``
    nodes (``text()`` of every ancestor in a deeply nested page would be quadratic)."""
    parts: list[str] = []
    size = 0
    for count, item in enumerate(node.traverse(include_text=True)):
        if count >= max_nodes or size >= limit:
            break
        if item.tag == "-text":
            piece = item.text(deep=False) or ""
            parts.append(piece)
            size += len(piece.strip())
    return " ".join(" ".join(parts).split())[:limit]


def is_related_box(node: LexborNode, big: set[int] | None = None) -> bool:
    """An element that starts with a "Tin liên quan"-style heading and holds links or little text."""
    lowered = leading_text(node).lower().lstrip("»>•-–: ")
    if not lowered.startswith(BOX_HEADINGS) or not is_small(node, big=big):
        return False  # a related box is small; the article is not one
    text = node.text(separator=" ", strip=True)
    heading = next(h for h in BOX_HEADINGS if lowered.startswith(h))
    rest = lowered[len(heading):]
    if rest and rest[0].isalnum():  # "Xem thêm các ..." in running text
        return len(text) < 160 and link_text_ratio(node) > 0.5
    return len(text) < 60 or link_text_ratio(node) > 0.5


def cut_after(root: LexborNode, selectors: Iterable[str]) -> None:
    """Remove the first element matching a selector and everything after it inside ``root``."""
    for selector in selectors:
        found = inside(root, selector)
        if not found:
            continue
        marker = found[0]
        doomed: list[LexborNode] = []
        node: LexborNode | None = marker
        while node is not None and node.mem_id != root.mem_id:
            sibling = node.next
            while sibling is not None:
                doomed.append(sibling)
                sibling = sibling.next
            node = node.parent
        for item in doomed:
            item.decompose()
        marker.decompose()
        return
