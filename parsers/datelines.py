"""Which dates printed on a page are the article's own: the dateline by its headline.

A page prints many dates: today's date in the header, the dates of other articles in a
sidebar or a "most read" box, comment times, a copyright year in the footer. The generic
selectors (``time``, ``.date``, ``[class*=date]`` ...) match them all. The article's own
dateline sits by its headline: above it, beside it or in the byline under it, in the block
that holds the headline (a header, a title box, the article). So a date element counts
only when it is inside the ``NEAR_LEVELS``-th ancestor of the headline (the element whose
text is the article's title, else the first ``<h1>`` outside page chrome) and is not in
page chrome, a comment, a box or a list of other articles on the way up. Without a
headline on the page nothing anchors a date, and none is taken from the page text.
"""
from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .query import css
from .text import match_key

NEAR_LEVELS = 2
FAR_LEVELS = 4
NEAR_CHARS = 400
MAX_WALK = 2000
ITEM_LEVELS = 2  # a date's own box and the one around it
HEADLINE_LINK_WORDS = 6  # a link this long is another article's headline
MIN_HEADLINE_CHARS = 15
_HEADLINES = ("h1", "[itemprop=headline]", "h2", "h3", "[class*=title]", "[class*=tieude]",
              "[class*=headline]", "[class*=tieu-de]")
_HEADLINE_QUERY = ", ".join(_HEADLINES)
_CHROME = frozenset(("aside", "nav", "footer", "header", "form"))
_LENGTH_SLACK = 1.3  # a headline element may add a label to the title ("[Video] ...")


def find_headline(tree: LexborHTMLParser | LexborNode, title: str | None) -> LexborNode | None:
    """The element whose text is ``title`` (an ``<h1>`` before any other), or None."""
    key = match_key(title or "")
    if not key:
        return None
    best: LexborNode | None = None
    best_rank = len(_HEADLINES)
    for node in css(tree, _HEADLINE_QUERY):
        text = node.text(separator=" ", strip=True)
        if not text or len(text) > _LENGTH_SLACK * len(title or "") + 20:
            continue
        found = match_key(text)
        if found != key and not (found and (key in found or found in key)
                                 and min(len(found), len(key)) * _LENGTH_SLACK >= max(len(found), len(key))):
            continue
        rank = _rank(node)
        if rank == 0:
            return node
        if rank < best_rank:
            best, best_rank = node, rank
    return best or _first_h1(tree)


def _first_h1(tree: LexborHTMLParser | LexborNode) -> LexborNode | None:
    """The page's first ``<h1>`` outside page chrome that reads like a headline (the meta
    title is often an SEO variant of it); a site name in a logo ``<h1>`` does not."""
    for node in css(tree, "h1"):
        if len(node.text(separator=" ", strip=True)) < MIN_HEADLINE_CHARS:
            continue
        above = node.parent
        while above is not None and above.tag not in _CHROME:
            above = above.parent
        if above is None:
            return node
    return None


def _rank(node: LexborNode) -> int:
    tag = node.tag
    if tag == "h1":
        return 0
    if node.attributes.get("itemprop") == "headline":
        return 1
    return {"h2": 2, "h3": 3}.get(tag or "", 4)


def near_headline(node: LexborNode, headline: LexborNode) -> bool:
    """True when ``node`` belongs to the headline's block: it is inside the
    ``NEAR_LEVELS``-th ancestor of ``headline``, or inside the ``FAR_LEVELS``-th one and
    follows the headline with at most ``NEAR_CHARS`` of text between them (a page title
    block and the article's meta line are often children of siblings; a sidebar's list
    comes after the whole article, a header widget before the headline). No element on the
    way up from ``node`` may be page chrome (by tag), comments or a box of other articles
    (sidebar, related, most read, latest ...: by class or id)."""
    levels: dict[int, int] = {}
    above = headline.parent
    for level in range(1, FAR_LEVELS + 1):
        if above is None or above.tag in ("html", "-document"):
            break
        levels[above.mem_id] = level
        above = above.parent
    current = node.parent
    steps = 0
    while current is not None:
        level = levels.get(current.mem_id)
        if level is not None:
            return level <= NEAR_LEVELS or _walk_to(headline, node.mem_id) is not None
        if current.tag in _CHROME or _elsewhere(current):
            return False
        steps += 1
        if steps <= ITEM_LEVELS and _holds_headline_link(current, node):
            return False  # an item of a list of other articles: their headline and date
        current = current.parent
    return False


def _holds_headline_link(box: LexborNode, date: LexborNode) -> bool:
    """``box`` holds a link as long as a headline, other than one around ``date`` (a
    permalink on the date, or on the article's own title)."""
    around = {box.mem_id}  # (lexbor's css also matches the box itself)
    above = date.parent
    while above is not None and above.mem_id != box.mem_id:
        around.add(above.mem_id)
        above = above.parent
    return any(a.mem_id not in around
               and len(a.text(separator=" ", strip=True).split()) >= HEADLINE_LINK_WORDS
               for a in css(box, "a[href]"))


_ELSEWHERE = re.compile(
    r"sidebar|widget|comment|binh-?luan|related|lien-?quan|tin-?khac|most-?read|popular|"
    r"trending|latest|doc-?nhieu|xem-?nhieu|tin-?moi|other-?news", re.I)


def _elsewhere(node: LexborNode) -> bool:
    """A box of other articles or of comments, by its class or id."""
    attrs = node.attributes
    name = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    return len(name) > 1 and _ELSEWHERE.search(name) is not None


def headline_scope(headline: LexborNode) -> LexborNode:
    """The ``FAR_LEVELS``-th ancestor of ``headline`` (or the highest below ``<html>``): no
    dateline of the article lies outside it."""
    scope = headline
    for _ in range(FAR_LEVELS):
        above = scope.parent
        if above is None or above.tag in ("html", "-document"):
            break
        scope = above
    return scope


def _walk_to(start: LexborNode, goal: int) -> int | None:
    """Characters of text between the end of ``start`` and the element ``goal`` after it
    in reading order, or None when more than ``NEAR_CHARS`` (or ``MAX_WALK`` nodes) lie
    between them."""
    chars = 0
    current: LexborNode | None = _after(start)
    for _ in range(MAX_WALK):
        if current is None:
            return None
        if current.mem_id == goal:
            return chars
        if current.tag == "-text":
            chars += len((current.text_content or "").strip())
            if chars > NEAR_CHARS:
                return None
        current = current.child if current.child is not None else _after(current)
    return None


def _after(node: LexborNode) -> LexborNode | None:
    """The node after ``node`` and its subtree in reading order."""
    current: LexborNode | None = node
    while current is not None:
        if current.next is not None:
            return current.next
        current = current.parent
    return None


_UPDATE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:updated?|modified|changed|revised|last-?mod\w*)(?:$|[\s_-])", re.I)
_PUBLISHED_CLASS = re.compile(r"publish|posted|created", re.I)
UPDATE_MARK_LEVELS = 3  # the element, or the boxes around it ("field--name-changed > div > time")


def is_update_date(node: LexborNode) -> bool:
    """An element marked as the date of an update, not of publication: by its class or
    itemprop or those of the box around it (``<time class="updated">``, WordPress's second
    date; Drupal's "field--name-changed"), unless marked as published as well."""
    current: LexborNode | None = node
    for _ in range(UPDATE_MARK_LEVELS):
        if current is None:
            return False
        attrs = current.attributes
        names = f"{attrs.get('class') or ''} {attrs.get('itemprop') or ''}"
        if _PUBLISHED_CLASS.search(names) is not None:
            return False
        if _UPDATE_CLASS.search(names) is not None or "datemodified" in names.lower():
            return True
        current = current.parent
    return False
