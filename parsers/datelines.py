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

from .cleanup import never_wrapper
from .query import css
from .text import match_key

NEAR_LEVELS = 3
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
    """True when ``node`` is inside the ``NEAR_LEVELS``-th ancestor of ``headline`` and no
    element between them is page chrome (by tag), a comment or a box of related articles
    (by class or id)."""
    scope: set[int] = set()
    above = headline.parent
    for _ in range(NEAR_LEVELS):
        if above is None or above.tag in ("html", "-document"):
            break
        scope.add(above.mem_id)
        above = above.parent
    current = node.parent
    while current is not None:
        if current.mem_id in scope:
            return True
        if current.tag in _CHROME or never_wrapper(current):
            return False
        current = current.parent
    return False


_UPDATE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:updated?|modified|changed|revised|last-?mod\w*)(?:$|[\s_-])", re.I)
_PUBLISHED_CLASS = re.compile(r"publish|posted|created", re.I)
UPDATE_MARK_LEVELS = 2  # the element, or the box around it ("dateblock-updated > time")


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
