"""What the published archive needs on top of the crawler's tables.

:func:`ensure_search` builds (or repairs) the FTS5 index over ``articles`` (folded shadow
column included, ``search_fold.py``), the word-pair index (``search_pairs.py``), the
``article_index`` side table that keeps facets and sorting fast, and the ``news`` view readers
search and facet. Idempotent and cheap when already in place; the crawler calls it after
migrations, ``hanoi-news publish`` before it optimises and snapshots.
"""
from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

from ..dbconn import enable_wal, write_transaction
from .search_fold import search_fold_text  # noqa: F401  (re-exported for writers and tests)
from .search_pairs import ensure_pairs

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ["title", "sapo", "body_text", "search_fold"]
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

# --- article_index: a narrow copy of the facet/sort columns, maintained by triggers ---------

_PRIMARY_PLACE = """(select {col} from article_places ap {join}
   where ap.article_id = {aid}
   order by coalesce(ap.is_primary, 0) desc, coalesce(ap.mentions, 0) desc,
            coalesce(ap.first_offset, 1e9) limit 1)"""


def _place_expr(aid: str, col: str) -> str:
    join = "join places p on p.id = ap.place_id" if col.startswith("p.") else ""
    return _PRIMARY_PLACE.format(col=col, join=join, aid=aid)


def _index_row_sql(a: str) -> str:
    """SELECT list producing one article_index row from articles alias/``new`` ``a``."""
    return (
        f"{a}.id, {a}.rowid, {a}.published_at, substr({a}.published_at, 1, 7), {a}.source,"
        f" {a}.category, {a}.status, {_place_expr(a + '.id', 'ap.place_id')},"
        f" {_place_expr(a + '.id', 'p.name')}, "
        + ", ".join(f"{a}.{c}" for c in _TEXT_COLUMNS)
    )


# Shown on the news page next to the facet columns: copied so that a page of news never
# reads the (large) articles rows.
_TEXT_COLUMNS = ["title", "sapo", "url", "authors", "word_count"]
INDEX_COLUMNS = (
    "article_id, art_rowid, published_at, month, source, category, status, place_id, place, "
    + ", ".join(_TEXT_COLUMNS)
)

ARTICLE_INDEX_DDL = f"""
create table if not exists article_index (
    art_rowid integer primary key,
    article_id text not null unique,
    published_at text, month text, source text, category text, status text,
    place_id text, place text,
    title text, sapo text, url text, authors text, word_count integer
);
-- a filter on article ids (district tag) gets every facet column from this index alone
create index if not exists article_index_id_facets
    on article_index(article_id, source, month, category, place);
create index if not exists article_index_published on article_index(published_at);
drop index if exists article_index_month;
create index if not exists article_index_month_place on article_index(month, place);
drop index if exists article_index_place;
create index if not exists article_index_place_month on article_index(place, month);
create index if not exists article_index_source on article_index(source, published_at);
create index if not exists article_index_category on article_index(category);
create index if not exists article_places_article on article_places(article_id, is_primary);
drop index if exists article_places_place;
create index if not exists article_places_place_article on article_places(place_id, article_id);
"""

TRIGGERS_DDL = f"""
create trigger if not exists article_index_ai after insert on articles begin
  delete from article_index where article_id = new.id;
  insert into article_index ({INDEX_COLUMNS}) select {_index_row_sql('new')};
end;
create trigger if not exists article_index_au after update on articles begin
  delete from article_index where article_id in (old.id, new.id);
  insert into article_index ({INDEX_COLUMNS}) select {_index_row_sql('new')};
end;
create trigger if not exists article_index_ad after delete on articles begin
  delete from article_index where article_id = old.id;
end;
create trigger if not exists article_places_index_ai after insert on article_places begin
  update article_index set place_id = {_place_expr('new.article_id', 'ap.place_id')},
    place = {_place_expr('new.article_id', 'p.name')} where article_id = new.article_id;
end;
create trigger if not exists article_places_index_au after update on article_places begin
  update article_index set place_id = {_place_expr('new.article_id', 'ap.place_id')},
    place = {_place_expr('new.article_id', 'p.name')} where article_id = new.article_id;
  update article_index set place_id = {_place_expr('old.article_id', 'ap.place_id')},
    place = {_place_expr('old.article_id', 'p.name')} where article_id = old.article_id;
end;
create trigger if not exists article_places_index_ad after delete on article_places begin
  update article_index set place_id = {_place_expr('old.article_id', 'ap.place_id')},
    place = {_place_expr('old.article_id', 'p.name')} where article_id = old.article_id;
end;
"""

# The reader-facing list of articles: no search_fold, primary place and month included.
# A plain view of one table (article_index, whose rowid is articles.rowid): counts, facets,
# sorting and the page itself never touch the large articles rows (before 2026-11 the text
# came from scalar subqueries on articles, evaluated for every candidate row before sorting).
NEWS_VIEW = (
    "create view news as\n"
    "select f.art_rowid as rowid, f.article_id as id, f.published_at, f.month, f.source,\n"
    "       f.place, f.place_id, f.category,\n"
    + ",\n".join(f"       f.{c}" for c in _TEXT_COLUMNS)
    + ",\n       f.status\nfrom article_index f\n"
)

VIEWS = {"news": NEWS_VIEW}


def _trigger_sql() -> dict[str, str]:
    out = {}
    for stmt in TRIGGERS_DDL.split("\nend;"):
        stmt = stmt.strip()
        if stmt:
            name = stmt.split()[5]
            out[name] = stmt.replace("if not exists ", "", 1) + "\nend"
    return out


def _norm(sql: str) -> str:
    return " ".join(sql.split()).lower().rstrip(";")


def _ensure_triggers(db: Database) -> bool:
    """Create the article_index triggers, replacing any whose definition changed."""
    changed = False

    def current(name: str) -> str | None:
        row = db.execute("select sql from sqlite_master where type = 'trigger' and name = ?",
                         [name]).fetchone()
        return row[0] if row else None

    for name, sql in _trigger_sql().items():
        old = current(name)
        if old is not None and _norm(old) == _norm(sql):
            continue
        # looked at again under the write lock: two processes starting at once must not both
        # drop and create it
        with write_transaction(db):
            old = current(name)
            if old is not None and _norm(old) == _norm(sql):
                continue
            db.execute(f"drop trigger if exists [{name}]")
            db.execute(sql)
        changed = changed or old is not None
    return changed


def _fts_ok(db: Database) -> bool:
    row = db.execute(
        "select sql from sqlite_master where name = ?", [FTS_TABLE]
    ).fetchone()
    if not row:
        return False
    sql = row[0].lower()
    cols_ok = all(re.search(rf"[\s\[\"(]{c}[\]\"\s,]", sql) for c in FTS_COLUMNS)
    triggers = {
        r[0] for r in db.execute(
            "select name from sqlite_master where type='trigger' and tbl_name='articles'"
        )
    }
    return (
        "remove_diacritics 2" in sql
        and cols_ok
        and {"articles_ai", "articles_ad", "articles_au"} <= triggers
    )


def backfill_search_fold(db: Database, batch: int = 2000) -> int:
    """Fill ``search_fold`` where the writer left it empty. Returns rows updated."""
    done = 0
    while True:
        rows = db.execute(
            "select rowid, title, sapo, body_text from articles "
            "where search_fold is null limit ?", [batch]
        ).fetchall()
        if not rows:
            return done
        with write_transaction(db):
            db.conn.executemany(
                "update articles set search_fold = ? where rowid = ?",
                [(search_fold_text(t, s, b), rid) for rid, t, s, b in rows],
            )
        done += len(rows)


def _stats_stale(db: Database, table: str, rows: int) -> bool:
    """No ANALYZE statistics for ``table``, or they count rows 25 % off ``rows``."""
    if not db["sqlite_stat1"].exists():
        return True
    row = db.execute("select stat from sqlite_stat1 where tbl = ? and stat is not null limit 1",
                     [table]).fetchone()
    if not row:
        return True
    try:
        counted = int(str(row[0]).split()[0])
    except ValueError:
        return True
    return abs(counted - rows) > rows / 4


def ensure_search(db: Database, *, backfill: bool = True,
                  rebuild_pairs: bool = False) -> dict[str, Any]:
    """Create or repair FTS, the word-pair index (crawler/publish/search_pairs.py), triggers,
    ``article_index`` and views. Idempotent.

    Returns what it did, e.g. ``{"fts": "created", "backfilled": 12, "indexed": 12}``.
    Writers should set ``articles.search_fold = search_fold_text(title, sapo, body_text)``;
    rows they leave NULL are folded here (and by ``hanoi-news publish``).
    """
    did: dict[str, Any] = {}
    if not db["articles"].exists():
        raise RuntimeError("articles table missing: run crawler.migrations.migrate_archive first")
    enable_wal(db.conn)  # a no-op on a WAL file; waits while another process switches it
    if backfill:
        did["backfilled"] = backfill_search_fold(db)
    if not _fts_ok(db):
        # checked again under the write lock: another process may have just built it; and
        # built in one transaction, so no article written meanwhile misses the index
        with write_transaction(db):
            if not _fts_ok(db):
                if db[FTS_TABLE].exists():
                    db["articles"].disable_fts()
                    did["fts"] = "repaired"
                else:
                    did["fts"] = "created"
                db["articles"].enable_fts(
                    FTS_COLUMNS, fts_version="FTS5", tokenize=FTS_TOKENIZE,
                    create_triggers=True, replace=True,
                )
    if not db["article_places"].exists() or not db["places"].exists():
        raise RuntimeError("fact tables missing: run crawler.migrations.migrate_archive first")
    def old_index() -> bool:
        return db["article_index"].exists() and (
            db["article_index"].pks != ["art_rowid"]
            or not set(_TEXT_COLUMNS) <= set(db["article_index"].columns_dict))

    if old_index():
        # before 2026-11: article_id was the key; the row id is now articles.rowid, so
        # search (rowid in FTS matches) and the news view reach a row in one B-tree probe
        with write_transaction(db):
            if old_index():
                db.execute("drop table article_index")
                did["article_index"] = "rebuilt"
    with db.conn:
        db.conn.executescript(ARTICLE_INDEX_DDL)
    if _ensure_triggers(db):
        did["triggers"] = "replaced"
    n_articles = db.execute("select count(*) from articles").fetchone()[0]
    n_index = db.execute("select count(*) from article_index").fetchone()[0]
    if n_articles != n_index:
        with write_transaction(db):
            db.execute(
                "delete from article_index where article_id not in (select id from articles)"
            )
            cur = db.execute(
                f"insert or replace into article_index ({INDEX_COLUMNS}) "
                f"select {_index_row_sql('a')} from articles a "
                "where a.id not in (select article_id from article_index)"
            )
            did["indexed"] = cur.rowcount
    if n_articles and _stats_stale(db, "article_index", n_articles):
        # the planner needs row estimates to read facet columns from article_index_id_facets
        # when the news page is filtered by a district tag (measured: ~40 % less time)
        with write_transaction(db):
            for table in ("article_index", "article_places", "places"):
                db.execute(f"analyze [{table}]")
        did["analyzed"] = True
    def view_ok(name: str, sql: str) -> bool:
        existing = db.execute(
            "select sql from sqlite_master where type='view' and name=?", [name]
        ).fetchone()
        return bool(existing) and " ".join(existing[0].split()).lower() == " ".join(sql.split()).lower()

    for name, sql in VIEWS.items():
        if view_ok(name, sql):
            continue
        with write_transaction(db):  # looked at again under the lock, as for the triggers
            if not view_ok(name, sql):
                db.execute(f"drop view if exists [{name}]")
                db.execute(sql)
                did[f"view_{name}"] = "created"
    did.update(ensure_pairs(db, rebuild=rebuild_pairs))
    return did


def rebuild_article_index(db: Database) -> None:
    """Recompute every article_index row (e.g. after places were corrected)."""
    with write_transaction(db):
        db.execute("delete from article_index")
        db.execute(
            f"insert into article_index ({INDEX_COLUMNS}) select {_index_row_sql('a')} "
            "from articles a"
        )
