"""Everything written to archive.db and the crawler's state.db (sqlite-utils only here)."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from sqlite_utils import Database

from parsers import Article, Facts

from . import clock
from .dbconn import connect, write_transaction
from .errors import StorageError
from .facts_store import save_facts
from .migrations import migrate_archive, migrate_state
from .publish.search_fold import search_fold_text
from .publish.search_pairs import sync_pairs
from .sources import Source
from .urls import normalize


def open_db(path: str | Path, *, create: bool = True) -> Database:
    """Open (and migrate) archive.db. Raises StorageError with a plain message."""
    path = Path(path)
    if not create and not path.exists():
        raise StorageError(f"{path} does not exist; run 'hanoi-news crawl' or 'hanoi-news demo' first")
    if not path.parent.exists():
        raise StorageError(f"the folder {path.parent} does not exist; create it or choose another --db path")
    try:
        db = connect(path, foreign_keys=True)
        migrate_archive(db)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"cannot use {path} as the archive database: {exc}") from exc
    return db


def open_state(path: str | Path) -> Database:
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = connect(path)
        migrate_state(db)
    except (OSError, sqlite3.DatabaseError) as exc:
        raise StorageError(f"cannot use {path} for the crawler's state: {exc}") from exc
    return db


def sync_sources(db: Database, sources: Iterable[Source]) -> None:
    with write_transaction(db):
        db.table("sources").upsert_all(
            [{"id": s.id, "name": s.name, "base_url": s.base_url, "licence": s.licence,
              "licence_url": s.licence_url, "attribution": s.attribution, "parser": s.parser,
              "enabled": int(s.enabled)} for s in sources],
            pk="id",
        )


# -- runs and fetches ---------------------------------------------------------------------
def start_run(db: Database, source: Source, mode: str) -> int:
    with write_transaction(db):
        table = db.table("runs")
        table.insert({"source": source.id, "mode": mode, "started_at": clock.iso(), "status": "running",
                      "discovered": 0, "fetched": 0, "new_articles": 0, "updated_articles": 0,
                      "removed_articles": 0, "not_modified": 0, "errors": 0})
        return int(table.last_pk)


def finish_run(db: Database, run_id: int, counts: dict[str, int], status: str, error: str | None = None) -> None:
    with write_transaction(db):
        db.table("runs").update(run_id, {**counts, "finished_at": clock.iso(), "status": status, "error": error})


def close_abandoned_runs(db: Database, source_id: str) -> int:
    """Runs left 'running' by a crash or kill -9 are marked 'interrupted'."""
    with write_transaction(db):
        cur = db.execute(
            "update runs set status = 'interrupted', finished_at = coalesce(finished_at, ?) "
            "where source = ? and status = 'running'", [clock.iso(), source_id])
        return cur.rowcount


def record_fetch(db: Database, run_id: int | None, source_id: str, res: Any) -> None:
    with write_transaction(db):
        db.table("fetches").insert({
            "run_id": run_id, "source": source_id, "url": res.url, "final_url": res.final_url,
            "kind": res.kind, "fetched_at": res.fetched_at, "status_code": res.status,
            "bytes": len(res.body), "elapsed_ms": res.elapsed_ms, "from_cache": int(res.not_modified),
            "attempt": res.attempts, "capture": res.capture, "error": res.error,
        })


# -- articles ----------------------------------------------------------------------------
def content_hash(article: Article) -> str:
    text = "\x1f".join([article.title or "", article.sapo or "", article.body_text or ""])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class SaveOutcome:
    article_id: str
    change: str  # new | updated | unchanged


def known_article_ids(db: Database, ids: Iterable[str]) -> set[str]:
    ids = list(ids)
    if not ids:
        return set()
    out: set[str] = set()
    for i in range(0, len(ids), 500):
        chunk = ids[i:i + 500]
        marks = ",".join("?" * len(chunk))
        out |= {r[0] for r in db.execute(f"select id from articles where id in ({marks})", chunk).fetchall()}
    return out


def save_article(
    db: Database, *, source: Source, article_id: str, article: Article, facts: Facts | None,
    url: str, fetched_at: str, capture: str | None, discovered_via: str | None = None,
    first_seen_at: str | None = None, aliases: Iterable[str] = (),
) -> SaveOutcome:
    """Write one article, its images, aliases, a version row if it changed, and its facts:
    all in one transaction, so a reader never sees half an article."""
    digest = content_hash(article)
    articles = db.table("articles")
    with write_transaction(db):
        row = db.execute("select content_hash, version, first_seen_at from articles where id = ?",
                         [article_id]).fetchone()
        if row is not None and row[0] == digest:
            db.execute("update articles set fetched_at = ?, status = 'ok', capture = coalesce(?, capture), "
                       "field_sources = ? where id = ?",
                       [fetched_at, capture, json.dumps(article.field_sources, sort_keys=True), article_id])
            _aliases(db, article_id, [url, *aliases], fetched_at)
            return SaveOutcome(article_id, "unchanged")
        version = 1 if row is None else int(row[1] or 1) + 1
        record = {
            "id": article_id, "source": source.id, "url": url,
            "canonical_url": article.canonical_url, "site_article_id": article.site_article_id,
            "title": article.title, "sapo": article.sapo, "body_text": article.body_text,
            "authors": json.dumps(article.authors, ensure_ascii=False),
            "credits": json.dumps(article.credits, ensure_ascii=False),
            "published_at": article.published_at, "updated_at": article.updated_at,
            "first_seen_at": row[2] if row is not None else (first_seen_at or fetched_at),
            "fetched_at": fetched_at, "category": article.category,
            "tags": json.dumps(article.tags, ensure_ascii=False), "image_count": len(article.images),
            "word_count": len((article.body_text or "").split()), "content_hash": digest,
            "parser": article.parser, "parser_version": article.parser_version,
            "date_source": article.date_source or ("first-seen" if not article.published_at else None),
            "extraction": article.extraction, "status": "ok", "version": version, "capture": capture,
            "field_sources": json.dumps(article.field_sources, sort_keys=True),
            "discovered_via": discovered_via,
            "search_fold": search_fold_text(article.title, article.sapo, article.body_text),
        }
        if record["published_at"] is None:
            record["published_at"] = record["first_seen_at"]
            record["date_source"] = "first-seen"
        articles.upsert(record, pk="id")
        sync_pairs(db)  # its word pairs, in the same transaction
        db.execute("delete from images where article_id = ?", [article_id])
        if article.images:
            db.table("images").insert_all(
                [{"article_id": article_id, "position": im.position, "url": im.url,
                  "caption": im.caption, "credit": im.credit} for im in article.images],
                pk=("article_id", "position"), replace=True)
        db.table("article_versions").insert({
            "article_id": article_id, "version": version, "fetched_at": fetched_at,
            "content_hash": digest, "title": article.title, "body_text": article.body_text,
            "capture": capture, "change": "first" if row is None else "content",
        })
        _aliases(db, article_id, [url, *aliases], fetched_at)
        if facts is not None:
            save_facts(db, article_id, facts)
        return SaveOutcome(article_id, "new" if row is None else "updated")


def add_aliases(db: Database, article_id: str, urls: Iterable[str], seen_at: str) -> None:
    """Map more URL variants to an article already stored (its own transaction)."""
    with write_transaction(db):
        _aliases(db, article_id, urls, seen_at)


def _aliases(db: Database, article_id: str, urls: Iterable[str], seen_at: str) -> None:
    rows = {normalize(u): {"url": normalize(u), "article_id": article_id, "first_seen_at": seen_at}
            for u in urls if u}
    if rows:
        db.table("article_urls").insert_all(rows.values(), pk="url", ignore=True)


def mark_removed(db: Database, article_id: str, fetched_at: str, why: str, capture: str | None) -> bool:
    """Mark an article removed (404/410/redirect home). Nothing is deleted."""
    with write_transaction(db):
        row = db.execute("select status, version, content_hash, title, body_text from articles where id = ?",
                         [article_id]).fetchone()
        if row is None or row[0] == "removed":
            return False
        version = int(row[1] or 1) + 1
        db.execute("update articles set status = 'removed', fetched_at = ?, version = ? where id = ?",
                   [fetched_at, version, article_id])
        db.table("article_versions").insert({
            "article_id": article_id, "version": version, "fetched_at": fetched_at,
            "content_hash": row[2], "title": row[3], "body_text": row[4], "capture": capture,
            "change": f"removed: {why}",
        })
        return True


def record_parse_failure(db: Database, source: Source, url: str, fetched_at: str, capture: str | None,
                         error: str, parser_version: str | None) -> None:
    with write_transaction(db):
        db.table("parse_failures").insert({
            "source": source.id, "url": url, "fetched_at": fetched_at, "capture": capture,
            "error": error[:1000], "parser_version": parser_version})
