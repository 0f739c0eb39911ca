"""``hanoi-news reparse``: rebuild every parsed table from the raw WARC store, offline."""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

from urllib.parse import urlsplit

from . import frontier
from .pipeline import ingest
from .rawstore import RawStore
from .sources import Source
from . import store
from .urls import article_key

# children first: foreign keys point at articles (and indicators at claims)
PARSED_TABLES = ("article_places", "article_officials", "claim_articles", "indicators", "claims",
                 "article_sketch_anchors", "article_sketches", "article_clusters", "officials",
                 "images", "article_versions", "article_urls", "parse_failures", "articles")


@dataclass
class ReparseReport:
    captures: int = 0
    articles: int = 0
    versions: int = 0
    removed: int = 0
    failures: int = 0

    def summary(self) -> str:
        return (f"reparsed {self.captures} captures: {self.articles} articles, {self.versions} versions, "
                f"{self.removed} removed, {self.failures} parse failures")


def reparse(db: Database, state: Database, rawstore: RawStore, sources: list[Source]) -> ReparseReport:
    """Replay every capture in the order it was fetched through the crawl's own ``ingest``.
    One transaction: readers see the old tables until the new ones are complete."""
    by_id = {s.id: s for s in sources}
    report = ReparseReport()
    seen: dict[str, str] = {}
    with db.atomic():
        existing = set(db.table_names())
        for table in PARSED_TABLES:
            if table in existing:
                db.execute(f"delete from [{table}]")
        for cap in rawstore.iter_captures():
            source = by_id.get(cap.source)
            if source is None:
                continue
            asked = cap.requested_url or cap.url
            key = article_key(source, asked)
            if key is None:
                continue
            report.captures += 1
            home = urlsplit(cap.url).path in ("", "/") and urlsplit(asked).path not in ("", "/")
            if cap.status in (404, 410) or home:
                why = f"HTTP {cap.status}" if not home else f"redirected to {cap.url}"
                if store.mark_removed(db, seen.get(key, key), cap.fetched_at, why, cap.ref):
                    report.removed += 1
                continue
            if cap.status != 200:
                continue
            # the same frontier row the crawl took the article from: the first one found
            row = state.execute("select found_via, first_seen_at from frontier where article_key = ? "
                                "order by rowid limit 1", [key]).fetchone()
            result = ingest(db, source, key=key, url=cap.url, body=cap.body,
                            content_type=cap.headers.get("content-type"), fetched_at=cap.fetched_at,
                            capture=cap.ref, found_via=row[0] if row else None,
                            first_seen_at=row[1] if row else None,
                            aliases=[asked, *frontier.urls_of(state, key)])
            if result.error:
                report.failures += 1
            elif result.change in ("new", "updated"):
                report.versions += 1
                report.articles += result.change == "new"
                seen[key] = result.article_id or key
    return report
