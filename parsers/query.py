"""``css`` and ``css_first`` through one lexbor selector engine per thread.

``tree.css(q)`` creates a selector engine (lexbor's CSS parser and matcher) the first time
it is called on a tree and frees it with the tree: about 60 µs per page, as much as
parsing a 10 KB page. The engine holds no document (every query says which node it
starts from, and the results belong to that node's tree), so one per thread serves every
page. Results are the same as ``tree.css(q)`` / ``node.css(q)``.
"""
from __future__ import annotations

import threading

from selectolax.lexbor import LexborCSSSelector, LexborHTMLParser, LexborNode

_LOCAL = threading.local()


def _engine() -> LexborCSSSelector:
    engine = getattr(_LOCAL, "engine", None)
    if engine is None:
        engine = _LOCAL.engine = LexborCSSSelector()
    return engine


def _start(where: LexborHTMLParser | LexborNode) -> LexborNode | None:
    return where.root if isinstance(where, LexborHTMLParser) else where


def css(where: LexborHTMLParser | LexborNode, query: str) -> list[LexborNode]:
    """``where.css(query)``: the matches in document order (a node matches itself too)."""
    start = _start(where)
    return _engine().find(query, start) if start is not None else []


def css_first(where: LexborHTMLParser | LexborNode, query: str) -> LexborNode | None:
    """``where.css_first(query)``."""
    start = _start(where)
    if start is None:
        return None
    found = _engine().find_first(query, start)
    return found[0] if found else None
