"""CSS queries of a whole page that stay linear on deeply nested pages.

lexbor matches ``A B`` right to left: for every element matching ``B`` it walks up the
ancestors looking for an ``A``, and for ``A ~ B`` it walks back the earlier siblings. On a
page of links nested 5,000 deep that is quadratic (seconds per query). ``select`` gives
the same elements, in document order, with work linear in the size of the page:

* ``A B C`` (descendant combinators only) searches the subtree of each outermost ``A``
  for ``B``, then of each outermost ``B`` in there for ``C``: disjoint subtrees, each
  walked once per part;
* ``A ~ B`` walks the following siblings of the first ``A`` among its siblings, once.

Selectors with no descendant or sibling combinator go to lexbor unchanged, and so do the
forms not listed above (unless some part of them matches nothing anywhere), as well as
anything that does not parse here. ``css(selector)`` on the page is always the reference: a test compares the two.
"""
from __future__ import annotations

from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .query import css, css_first

_COMBINATORS = frozenset(" >~+")


@lru_cache(maxsize=512)
def _parse(selector: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """(compound parts, combinators between them) of one complex selector, or None when
    it has a selector list, a pseudo-class with arguments, quotes or brackets it cannot
    follow."""
    parts: list[str] = []
    combinators: list[str] = []
    current: list[str] = []
    pending = ""  # the combinator seen since the last compound part
    depth = 0
    quote = ""
    for ch in selector.strip():
        if quote:
            current.append(ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth < 0:
                return None
        elif ch in "(),\\":
            return None
        if depth == 0 and ch in _COMBINATORS:
            if current:
                parts.append("".join(current))
                current = []
                pending = ch if ch != " " else " "
            elif ch != " ":
                if pending not in (" ", "") or not parts:
                    return None  # two combinators in a row, or one at the start
                pending = ch
            continue
        if not current and parts:
            combinators.append(pending or " ")
            pending = ""
        current.append(ch)
    if quote or depth or not current:
        return None
    parts.append("".join(current))
    return tuple(parts), tuple(combinators)


def select(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    """``tree.css(selector)`` (one complex selector or a list), linear on deep pages."""
    if not _walks_up(selector):
        return css(tree, selector)
    parsed = _parse(selector)
    if parsed is None:
        return _select_list(tree, selector)
    parts, combinators = parsed
    if all(c == " " for c in combinators):
        return _descendants(tree, parts)
    if len(parts) == 2 and combinators[0] == "~":
        return _siblings(tree, parts[0], parts[1])
    for part in parts:  # the general case: at least no walk for a part that is absent
        if css_first(tree, part) is None:
            return []
    return css(tree, selector)


def select_first(tree: LexborHTMLParser, selector: str) -> LexborNode | None:
    """``tree.css_first(selector)``, linear on deep pages."""
    if not _walks_up(selector):
        return css_first(tree, selector)
    found = select(tree, selector)
    return found[0] if found else None


def matches_any(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> bool:
    """True when some element of the page matches one of ``selectors``."""
    slow = [s for s in selectors if _walks_up(s)]
    if slow and any(select(tree, s) for s in slow):
        return True
    fast = [s for s in selectors if s not in slow]
    return bool(fast) and css_first(tree, ", ".join(fast)) is not None


@lru_cache(maxsize=512)
def _walks_up(selector: str) -> bool:
    """True when some item of ``selector`` has a descendant or sibling combinator that this
    module can evaluate itself (lexbor would walk up ancestors or back siblings)."""
    items = _split_list(selector) if "," in selector else (selector,)
    for item in items or ():
        parsed = _parse(item)
        if parsed is not None and (" " in parsed[1] or "~" in parsed[1]):
            return True
    return False


def _select_list(tree: LexborHTMLParser, selectors: str) -> list[LexborNode]:
    """A comma-separated list with some item that needs ``select``: each such item by
    ``select``, the others by one lexbor query, merged in document order."""
    items = _split_list(selectors) or ()
    slow = [s for s in items if _walks_up(s)]
    fast = [s for s in items if s not in slow]
    found: dict[int, LexborNode] = {}
    for item in slow:
        for node in select(tree, item):
            found[node.mem_id] = node
    if fast:
        for node in css(tree, ", ".join(fast)):
            found[node.mem_id] = node
    if len(found) <= 1:
        return list(found.values())
    order = {node.mem_id: i for i, node in enumerate(tree.root.traverse())} if tree.root else {}
    return sorted(found.values(), key=lambda n: order.get(n.mem_id, -1))


@lru_cache(maxsize=256)
def _split_list(selectors: str) -> tuple[str, ...] | None:
    """The items of a selector list (commas outside brackets, quotes and parentheses)."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    quote = ""
    for ch in selectors:
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    items.append("".join(current).strip())
    return tuple(items) if all(items) and not quote and depth == 0 else None


def _descendants(tree: LexborHTMLParser, parts: tuple[str, ...]) -> list[LexborNode]:
    # Elements matching the first part anywhere (the root element included).
    found = css(tree, parts[0])
    return _within(_outermost(found, parts[0]), parts[1:]) if found else []


def _within(scopes: list[LexborNode], parts: tuple[str, ...]) -> list[LexborNode]:
    """Elements strictly inside one of ``scopes`` (disjoint subtrees, in document order)
    matching ``parts`` joined by descendant combinators, in document order."""
    out: list[LexborNode] = []
    part = parts[0]
    for scope in scopes:
        key = scope.mem_id
        found = [n for n in css(scope, part) if n.mem_id != key]
        if not found:
            continue
        if len(parts) == 1:
            out += found
        else:
            out += _within(_outermost(found, part), parts[1:])
    return out


def _outermost(nodes: list[LexborNode], part: str) -> list[LexborNode]:
    """The nodes (document order, all matching ``part``) that are inside no other of them."""
    if len(nodes) < 2:
        return nodes
    covered: set[int] = set()
    outer: list[LexborNode] = []
    for node in nodes:
        if node.mem_id in covered:
            continue
        outer.append(node)
        covered.update(n.mem_id for n in css(node, part))  # the node and the others inside
    return outer


def _siblings(tree: LexborHTMLParser, first: str, second: str) -> list[LexborNode]:
    targets = css(tree, second)
    if not targets:
        return []
    anchors = css(tree, first)
    if not anchors:
        return []
    wanted = {n.mem_id for n in targets}
    hit: set[int] = set()
    parents: set[int | None] = set()
    for anchor in anchors:
        parent = anchor.parent
        key = parent.mem_id if parent is not None else None
        if key in parents:  # an earlier sibling matching ``first`` covered the rest
            continue
        parents.add(key)
        sibling = anchor.next
        while sibling is not None:
            if sibling.mem_id in wanted:
                hit.add(sibling.mem_id)
            sibling = sibling.next
    return [n for n in targets if n.mem_id in hit]


def inside_below(node: LexborNode, ancestor_tags: frozenset[str], ancestors: str,
                 targets: str) -> set[int]:
    """``mem_id`` of the elements of ``node``'s subtree (``node`` included) that match
    ``targets`` and have an ancestor (inside or above ``node``) with a tag in
    ``ancestor_tags``; ``ancestors`` is the same tags as a selector. What
    ``node.css("<ancestor> <target>")`` finds, with each subtree walked once."""
    above = node.parent
    while above is not None:
        if above.tag in ancestor_tags:  # every target in the subtree has that ancestor
            return {n.mem_id for n in css(node, targets)}
        above = above.parent
    found: set[int] = set()
    covered: set[int] = set()
    for scope in css(node, ancestors):  # document order; outermost ones first
        if scope.mem_id in covered:
            continue
        covered.update(n.mem_id for n in css(scope, ancestors))
        found.update(n.mem_id for n in css(scope, targets) if n.mem_id != scope.mem_id)
    return found
