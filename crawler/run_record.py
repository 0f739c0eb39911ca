"""What one run measured, and the honest status that follows from it.

A run is ``ok`` when every entry point it tried answered (with article links, or 304 Not
Modified) and nothing it fetched failed; ``degraded`` when it reached the site but some entry
point failed or yielded nothing, an article could not be fetched or parsed, or the host's
circuit breaker stopped it; ``failed`` when nothing answered (the site was not reached, or
the run itself crashed); ``interrupted`` when it was
stopped, or its process died (see ``status.py``). Each run leaves one ``entry_point_runs``
row per entry point and one ``run_fields`` row per field: the history the alarms judge by.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable

from sqlite_utils import Database

import parsers

from . import clock
from .discover import EntryYield
from .sources import Source

OK, DEGRADED, FAILED, INTERRUPTED = "ok", "degraded", "failed", "interrupted"
STOPPED_ERROR = "stopped on request"  # the error of a run interrupted by SIGINT/SIGTERM
REACHED = (OK, DEGRADED)

# entry point outcomes
GOOD_OUTCOMES = ("ok", "unchanged")
BAD_OUTCOMES = ("failed", "empty", "no_match")

FIELDS = ("title", "sapo", "date", "author", "body", "category", "place")
FALLBACK_STEPS = ("generic", "body", "html-title")  # the site profile found nothing
MIN_BODY_CHARS = 200  # shorter text counts as "no body" (as the status table always has)


def entry_outcome(e: EntryYield) -> str | None:
    """ok | unchanged | no_match | empty | failed; None when it was not tried."""
    if e.pages == 0:
        return None
    if e.error is not None or e.answered + e.not_modified == 0:
        return "failed"
    if e.items:
        return "ok"
    if e.links:
        return "no_match"  # links were read, none is an article URL of the source
    if e.not_modified or e.children:
        return "unchanged"  # 304, or a sitemap index whose children did not change
    return "empty"


def field_states(article: parsers.Article, facts: parsers.Facts | None) -> dict[str, str]:
    """Per field: ``ok``, ``fallback`` (the site profile's selectors found nothing and the
    generic extractor did) or ``missing``."""
    sources = article.field_sources
    profiled = article.parser not in (None, "generic")
    values = {"title": article.title, "sapo": article.sapo, "author": article.authors,
              "body": len(article.body_text or "") >= MIN_BODY_CHARS, "category": article.category,
              "date": article.date_source not in (None, "first-seen"),
              "place": bool(facts and facts.places)}
    out = {}
    for name in FIELDS:
        if not values[name]:
            out[name] = "missing"
        elif profiled and sources.get(name) in FALLBACK_STEPS:
            out[name] = "fallback"
        else:
            out[name] = "ok"
    return out


class FieldTally:
    """Field states of the articles parsed in one run."""

    def __init__(self) -> None:
        self.articles = 0
        self.missing: Counter[str] = Counter()
        self.fallback: Counter[str] = Counter()

    def add(self, states: dict[str, str] | None) -> None:
        if states is None:
            return
        self.articles += 1
        for name, state in states.items():
            if state == "missing":
                self.missing[name] += 1
            elif state == "fallback":
                self.fallback[name] += 1


def run_status(entries: Iterable[EntryYield], *, reached_articles: int, article_failures: int,
               parse_failures: int, paused: bool) -> tuple[str, dict[str, int]]:
    """The run's status from what its entry points and articles gave, and the counts."""
    outcomes = [o for o in (entry_outcome(e) for e in entries) if o is not None]
    counts = {"entry_points": len(outcomes),
              "entry_points_answered": len(outcomes) - outcomes.count("failed"),
              "entry_points_failed": outcomes.count("failed"),
              "entry_points_empty": outcomes.count("empty") + outcomes.count("no_match")}
    if not counts["entry_points_answered"] and not reached_articles:
        return FAILED, counts  # nothing answered: the site was not reached
    bad = len(outcomes) - sum(o in GOOD_OUTCOMES for o in outcomes)
    if bad or article_failures or parse_failures or paused:
        return DEGRADED, counts
    return OK, counts


def entry_point_name(source: Source, url: str) -> str:
    """The entry point as sources.yml names it (a path on the base URL), so its history
    survives a change of host (a mirror, the demo's port)."""
    base = source.base_url.rstrip("/")
    if url == base or url.startswith(base + "/"):
        return url[len(base):] or "/"
    return url


def record(db: Database, source: Source, run_id: int, entries: Iterable[EntryYield],
           fields: FieldTally) -> None:
    """The ``entry_point_runs`` and ``run_fields`` rows of a finished run (one transaction)."""
    now = clock.iso()
    rows = []
    for e in entries:
        outcome = entry_outcome(e)
        if outcome is None:
            continue
        rows.append({"run_id": run_id, "source": source.id, "kind": e.kind,
                     "entry_point": entry_point_name(source, e.url), "url": e.url, "checked_at": now,
                     "outcome": outcome, "pages": e.pages, "answered": e.answered,
                     "not_modified": e.not_modified, "failed": e.failed, "links": e.links,
                     "items": e.items, "new_urls": e.new_urls, "children": e.children,
                     "status_code": e.status, "error": (e.error or "")[:500] or None})
    field_rows = [{"run_id": run_id, "source": source.id, "field": name, "articles": fields.articles,
                   "missing": fields.missing[name], "fallback": fields.fallback[name]}
                  for name in FIELDS] if fields.articles else []
    with db.atomic():
        if rows:
            db.table("entry_point_runs").insert_all(rows)
        if field_rows:
            db.table("run_fields").insert_all(field_rows, replace=True)
