"""Every schema change of ``archive.db`` and of the crawler's ``state.db``, in order.

Steps are append-only: never edit a step that has shipped, add a new one.
"""
from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

archive = Migrations("hanoi-news-archive")
state = Migrations("hanoi-news-state")


@archive(name="0001_core_tables")
def _core_tables(db: Database) -> None:
    db.table("sources").create(
        {"id": str, "name": str, "base_url": str, "licence": str, "licence_url": str,
         "attribution": str, "parser": str, "enabled": int},
        pk="id",
    )
    db.table("runs").create(
        {"id": int, "source": str, "mode": str, "started_at": str, "finished_at": str,
         "status": str, "discovered": int, "fetched": int, "new_articles": int,
         "updated_articles": int, "removed_articles": int, "not_modified": int,
         "errors": int, "error": str},
        pk="id", foreign_keys=[("source", "sources", "id")],
    )
    db.table("articles").create(
        {"id": str, "source": str, "url": str, "canonical_url": str, "site_article_id": str,
         "title": str, "sapo": str, "body_text": str, "authors": str, "credits": str,
         "published_at": str, "updated_at": str, "first_seen_at": str, "fetched_at": str,
         "category": str, "tags": str, "image_count": int, "word_count": int,
         "content_hash": str, "parser": str, "parser_version": str, "date_source": str,
         "extraction": str, "status": str, "version": int, "capture": str,
         "discovered_via": str, "search_fold": str},
        pk="id", foreign_keys=[("source", "sources", "id")],
    )
    db.table("articles").create_index(["source", "published_at"])
    db.table("articles").create_index(["published_at"])
    db.table("articles").create_index(["canonical_url"])
    db.table("article_versions").create(
        {"article_id": str, "version": int, "fetched_at": str, "content_hash": str,
         "title": str, "body_text": str, "capture": str, "change": str},
        pk=("article_id", "version"), foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create(
        {"url": str, "article_id": str, "first_seen_at": str},
        pk="url", foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("article_urls").create_index(["article_id"])
    db.table("images").create(
        {"article_id": str, "position": int, "url": str, "caption": str, "credit": str},
        pk=("article_id", "position"), foreign_keys=[("article_id", "articles", "id")],
    )
    db.table("fetches").create(
        {"id": int, "run_id": int, "source": str, "url": str, "final_url": str, "kind": str,
         "fetched_at": str, "status_code": int, "bytes": int, "elapsed_ms": int,
         "from_cache": int, "attempt": int, "capture": str, "error": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")],
    )
    db.table("fetches").create_index(["run_id"])
    db.table("fetches").create_index(["url"])
    db.table("parse_failures").create(
        {"id": int, "source": str, "url": str, "fetched_at": str, "capture": str,
         "error": str, "parser_version": str},
        pk="id",
    )


@archive(name="0002_fact_tables")
def _fact_tables(db: Database) -> None:
    from .facts_store import create_fact_tables

    create_fact_tables(db)


@archive(name="facts_0001_one_row_per_figure")
def _facts_one_row_per_figure(db: Database) -> None:
    """Issue 14: metrics, one row per printed figure (relation rows linked to their amount),
    period kinds, flags, claims and article clusters (``facts_store.upgrade_archive``)."""
    from .facts_store import upgrade_archive

    upgrade_archive(db)


@archive(name="facts_0002_same_as")
def _facts_same_as(db: Database) -> None:
    """Issue 14: ``indicators.same_as_id`` (a title's or lead's restatement of a body figure)
    on an archive that took ``facts_0001`` before the column existed; a no-op otherwise.
    ``hanoi-news reparse`` fills it."""
    from .facts_store import upgrade_indicators

    if "indicators" in db.table_names():
        upgrade_indicators(db)


@state(name="0001_state_tables")
def _state_tables(db: Database) -> None:
    db.table("frontier").create(
        {"url": str, "source": str, "article_key": str, "found_via": str, "found_on": str,
         "first_seen_at": str, "last_seen_at": str, "lastmod": str, "status": str,
         "attempts": int, "next_check_at": str, "checks_done": int, "last_error": str},
        pk="url",
    )
    db.table("frontier").create_index(["source", "status"])
    db.table("frontier").create_index(["article_key"])
    db.table("validators").create(
        {"url": str, "etag": str, "last_modified": str, "content_hash": str, "checked_at": str},
        pk="url",
    )
    db.table("hosts").create(
        {"host": str, "consecutive_failures": int, "open_until": str, "reason": str,
         "robots_txt": str, "robots_fetched_at": str},
        pk="host",
    )
    db.table("cursors").create(
        {"source": str, "name": str, "value": str, "updated_at": str},
        pk=("source", "name"),
    )


def _add_columns(db: Database, table: str, columns: dict[str, type]) -> None:
    have = set(db.table(table).columns_dict)
    for name, kind in columns.items():
        if name not in have:  # another branch's step may have added it already
            db.table(table).add_column(name, kind)


@archive(name="health_0001_outcomes_and_alarms")
def _health_outcomes_and_alarms(db: Database) -> None:
    """Honest run outcomes (ok, degraded, failed, interrupted), what each entry point and
    each field gave per run, and the alarms judged against that history (issue 16)."""
    _add_columns(db, "runs", {"entry_points": int, "entry_points_answered": int,
                              "entry_points_failed": int, "entry_points_empty": int,
                              "articles_parsed": int, "article_failures": int,
                              "parse_failures": int, "pid": int})
    _add_columns(db, "articles", {"field_sources": str})
    # the statuses written before: 'stopped' is an interrupted run; 'paused' and
    # 'ok_with_errors' reached the site (degraded) unless they got no answer at all (failed)
    db.execute("update runs set status = 'interrupted', error = coalesce(error, 'stopped on request') "
               "where status = 'stopped'")
    db.execute("update runs set status = case when coalesce(fetched, 0) = 0 then 'failed' "
               "else 'degraded' end where status in ('ok_with_errors', 'paused')")
    db.table("entry_point_runs").create(
        {"id": int, "run_id": int, "source": str, "kind": str, "entry_point": str, "url": str,
         "checked_at": str, "outcome": str, "pages": int, "answered": int, "not_modified": int,
         "failed": int, "links": int, "items": int, "new_urls": int, "children": int,
         "status_code": int, "error": str},
        pk="id", foreign_keys=[("run_id", "runs", "id")], if_not_exists=True)
    db.table("entry_point_runs").create_index(["source", "entry_point", "run_id"], if_not_exists=True)
    db.table("run_fields").create(
        {"run_id": int, "source": str, "field": str, "articles": int, "missing": int, "fallback": int},
        pk=("run_id", "field"), foreign_keys=[("run_id", "runs", "id")], if_not_exists=True)
    db.table("run_fields").create_index(["source", "field", "run_id"], if_not_exists=True)
    db.table("alarms").create(
        {"id": int, "source": str, "kind": str, "subject": str, "state": str, "opened_at": str,
         "closed_at": str, "last_checked_at": str, "opened_run_id": int, "last_run_id": int,
         "measured": float, "usual": float, "unit": str, "message": str},
        pk="id", if_not_exists=True)
    db.table("alarms").create_index(["source", "state"], if_not_exists=True)
    db.table("runs").create_index(["source", "id"], if_not_exists=True)


def _apply(migrations: Migrations, db: Database) -> None:
    """Apply the pending steps. Two processes starting at once (two crawls from cron, a crawl
    and ``publish``) must not both run a step: the steps run in one ``BEGIN IMMEDIATE``
    transaction, so the second process waits for the first, then finds nothing pending."""
    from .dbconn import write_transaction

    pending = migrations.pending(db)
    if not pending:
        return
    if any(not m.transactional for m in pending):  # a step that cannot run in a transaction
        migrations.apply(db)
        return
    with write_transaction(db):
        migrations.apply(db)

@state(name="hostile_0001_breaker_opens")
def _breaker_opens(db: Database) -> None:
    """How many times in a row a host's breaker opened: its pause doubles each time (issue 15)."""
    db.table("hosts").add_column("breaker_opens", int, not_null_default=0)


def migrate_archive(db: Database) -> None:
    _apply(archive, db)


def migrate_state(db: Database) -> None:
    _apply(state, db)
