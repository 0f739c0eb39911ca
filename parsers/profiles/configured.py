"""Profiles built from configuration: a ``sources.yml`` entry's ``selectors:`` (no code).

A configured source names a parser (``generic``, or a site profile) and, for the fields
that parser gets wrong on its pages, CSS selectors of its own::

    parser: generic
    selectors:
      title: "h1[itemprop=headline]"
      date: [".article-info time", ".published"]
      drop: [".category-module", ".pagenavigation"]

``build_profile`` turns that into a ``Profile``. The fields it names are *overrides*: the
parser reads them first, before the page's metadata (JSON-LD, OpenGraph) and before the
generic extractor; a selector that matches nothing on a page falls back to that chain.
``drop`` (and ``body_end``) apply to whichever container gives the body, and the elements
of the ``author`` and ``date`` selectors are never body text.

Pure: no I/O. ``selector_error`` is what ``crawler/sources.py`` validates with, so a
selector lexbor cannot parse is a configuration error, never a silent miss at crawl time.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Mapping

from selectolax.lexbor import LexborHTMLParser

from ..query import css
from .base import Profile

# Field names a user may write -> the Profile attribute they set. "lead" is the sapo and
# "section" the category, as papers and users call them.
FIELDS: Mapping[str, str] = {
    "title": "title", "sapo": "sapo", "lead": "sapo", "author": "author", "date": "date",
    "updated": "updated", "section": "category", "category": "category", "tags": "tags",
    "body": "body", "images": "images", "drop": "drop", "body_end": "body_end",
}
_PROBE = LexborHTMLParser("<html><body><p>x</p></body></html>")


def selector_error(selector: object) -> str | None:
    """Why ``selector`` cannot be used (a plain sentence), or None when lexbor compiles it."""
    if not isinstance(selector, str):
        return f"{selector!r} is not a string"
    if not selector.strip():
        return "an empty selector"
    try:
        css(_PROBE, selector)
    except Exception:  # selectolax raises its own SelectolaxError (a ValueError today)
        return f"{selector!r} is not a valid CSS selector (lexbor could not parse it)"
    return None


def canonical_field(name: str) -> str | None:
    """The Profile attribute a user's field name sets (``lead`` -> ``sapo``), or None."""
    return FIELDS.get(name)


def build_profile(base: Profile, selectors: Mapping[str, Iterable[str]]) -> Profile:
    """``base`` with ``selectors`` put first (``{attribute: selectors}``, attributes as in
    ``FIELDS.values()``). The result records the overrides (``Profile.overrides``, read
    before the page's metadata) and, in its version, a digest of them: a change of selectors is
    a new parser version in the ``articles`` table."""
    given = {name: tuple(s.strip() for s in sels) for name, sels in selectors.items() if sels}
    unknown = set(given) - set(FIELDS.values())
    if unknown:
        raise ValueError(f"unknown profile field(s): {', '.join(sorted(unknown))}")
    changes: dict[str, object] = {}
    for name, sels in given.items():
        old: tuple[str, ...] = getattr(base, name)
        # drop adds to the base's list; every other field tries its own selectors first
        changes[name] = old + sels if name == "drop" else sels + old
    # The author's and date's elements are never body text.
    extra_drop = given.get("author", ()) + given.get("date", ())
    if extra_drop:
        changes["drop"] = tuple(changes.get("drop", base.drop)) + extra_drop  # type: ignore[arg-type]
    overrides = tuple(sorted(given.items()))
    digest = hashlib.sha1(repr(overrides).encode("utf-8")).hexdigest()[:8]
    return replace(base, version=f"{base.version}+sel-{digest}", overrides=overrides,
                   **changes)  # type: ignore[arg-type]


def base_profile(parser: str) -> Profile | None:
    """The profile a source's ``parser:`` names, to build its overrides on: a site profile,
    or for ``generic`` an empty one (the generic extractor follows it in the chain)."""
    if parser == "generic":
        from ..generic import VERSION

        return Profile(name="generic", version=VERSION, hosts=(), title=())
    from . import profile_by_name

    return profile_by_name(parser)


def parser_names() -> tuple[str, ...]:
    """Every name a source's ``parser:`` may take."""
    from . import all_profiles

    return ("generic", *sorted(p.name for p in all_profiles()))


@lru_cache(maxsize=256)
def configured_profile(base: Profile, selectors: tuple[tuple[str, tuple[str, ...]], ...],
                       article_patterns: tuple[str, ...] = ()) -> Profile:
    """``build_profile`` for a source (cached: every page of a source gets the same one).
    ``article_patterns`` (the source's, on the URL path) give ``site_article_id`` to a base
    that has no id rule of its own."""
    profile = build_profile(base, dict(selectors))
    if profile.article_id is None:
        with_id = next((p for p in article_patterns if re.compile(p).groups), None)
        if with_id:
            profile = replace(profile, article_id=re.compile(with_id), id_on_path=True)
    return profile


def selector_hits(html: str | bytes, profile: Profile) -> dict[str, list[tuple[str, int]]]:
    """``{field: [(selector, elements it matches on this page), ...]}`` for every override
    of ``profile``: what a user checks while writing ``selectors:`` for a new paper."""
    tree = LexborHTMLParser(html)
    out: dict[str, list[tuple[str, int]]] = {}
    for name, selectors in profile.overrides:
        out[name] = [(s, len(css(tree, s))) for s in selectors]
    return out
