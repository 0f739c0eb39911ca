"""Publishing ``archive.db`` through Datasette 0.65.

* :func:`ensure_search` builds (or repairs) what the published archive needs on top of the
  crawler's tables: the FTS5 index over ``articles`` (folded shadow column included, see
  docs/STACK.md §1), the ``article_index`` side table that keeps facets and sorting fast, and
  the ``news`` view readers search and facet. Idempotent and cheap when already in place; the
  crawler calls it after migrations.
* :func:`make_datasette` returns a configured :class:`datasette.app.Datasette` for one
  archive file: metadata.yml (whose ``archive`` block is renamed to the file's stem, so
  ``demo.db`` works too), the ``plugins/`` directory and the settings.
"""
from __future__ import annotations

import copy
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import yaml
from sqlite_utils import Database

from .search import search_fold_text  # noqa: F401  (re-exported for writers and tests)
from .search_pairs import ensure_pairs

ROOT = Path(__file__).resolve().parent.parent
METADATA_PATH = ROOT / "metadata.yml"
PLUGINS_DIR = ROOT / "plugins"
TEMPLATE_DB_KEY = "archive"

FTS_TABLE = "articles_fts"
FTS_COLUMNS = ["title", "sapo", "body_text", "search_fold"]
FTS_TOKENIZE = "unicode61 remove_diacritics 2"

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,  # a runaway query is stopped after 3 s
    "facet_time_limit_ms": 120,  # a slower facet is finished in the background (query_cache)
    "suggest_facets": False,  # suggestions run a query per column: too slow at 1M rows
    "allow_csv_stream": True,
    "max_csv_mb": 0,  # streamed CSV is never truncated
    "default_page_size": 50,
    "max_returned_rows": 1000,
    "allow_download": True,  # only applies to immutable databases (a published snapshot)
    "num_sql_threads": 4,
    "default_cache_ttl": 60,
    "truncate_cells_html": 400,
}


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
    existing = dict(db.execute(
        "select name, sql from sqlite_master where type = 'trigger'").fetchall())
    for name, sql in _trigger_sql().items():
        if name in existing and _norm(existing[name]) == _norm(sql):
            continue
        with db.conn:
            db.execute(f"drop trigger if exists [{name}]")
            db.execute(sql)
        changed = changed or name in existing
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
        with db.conn:
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
    """Create or repair FTS, the word-pair index (crawler/search_pairs.py), triggers,
    ``article_index`` and views. Idempotent.

    Returns what it did, e.g. ``{"fts": "created", "backfilled": 12, "indexed": 12}``.
    Writers should set ``articles.search_fold = search_fold_text(title, sapo, body_text)``;
    rows they leave NULL are folded here (and by ``hanoi-news publish``).
    """
    did: dict[str, Any] = {}
    if not db["articles"].exists():
        raise RuntimeError("articles table missing: run crawler.migrations.migrate_archive first")
    if db.journal_mode != "wal":
        db.enable_wal()
    if backfill:
        did["backfilled"] = backfill_search_fold(db)
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
    if db["article_index"].exists() and (
        db["article_index"].pks != ["art_rowid"]
        or not set(_TEXT_COLUMNS) <= set(db["article_index"].columns_dict)
    ):
        # before 2026-11: article_id was the key; the row id is now articles.rowid, so
        # search (rowid in FTS matches) and the news view reach a row in one B-tree probe
        with db.conn:
            db.execute("drop table article_index")
        did["article_index"] = "rebuilt"
    with db.conn:
        db.conn.executescript(ARTICLE_INDEX_DDL)
    if _ensure_triggers(db):
        did["triggers"] = "replaced"
    n_articles = db.execute("select count(*) from articles").fetchone()[0]
    n_index = db.execute("select count(*) from article_index").fetchone()[0]
    if n_articles != n_index:
        with db.conn:
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
        with db.conn:
            for table in ("article_index", "article_places", "places"):
                db.execute(f"analyze [{table}]")
        did["analyzed"] = True
    for name, sql in VIEWS.items():
        existing = db.execute(
            "select sql from sqlite_master where type='view' and name=?", [name]
        ).fetchone()
        if not existing or " ".join(existing[0].split()).lower() != " ".join(sql.split()).lower():
            with db.conn:
                db.execute(f"drop view if exists [{name}]")
                db.execute(sql)
            did[f"view_{name}"] = "created"
    did.update(ensure_pairs(db, rebuild=rebuild_pairs))
    return did


def rebuild_article_index(db: Database) -> None:
    """Recompute every article_index row (e.g. after places were corrected)."""
    with db.conn:
        db.execute("delete from article_index")
        db.execute(
            f"insert into article_index ({INDEX_COLUMNS}) select {_index_row_sql('a')} "
            "from articles a"
        )


# --- metadata --------------------------------------------------------------------------------


def _sources(db_path: Path) -> list[dict[str, Any]]:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(
                "select id, name, base_url, licence, licence_url, attribution "
                "from sources order by id"
            )]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def _rename_db(obj: Any, old: str, new: str) -> Any:
    """Replace ``db: archive`` and ``/archive/`` links inside plugin configuration."""
    if isinstance(obj, dict):
        return {k: (new if k == "db" and v == old else _rename_db(v, old, new))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rename_db(v, old, new) for v in obj]
    if isinstance(obj, str):
        return obj.replace(f"/{old}/", f"/{new}/").replace(f"/{old}.", f"/{new}.")
    return obj


def load_metadata(
    db_name: str, *, metadata_path: str | Path | None = None, demo: bool = False,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """metadata.yml with its ``archive`` database block renamed to ``db_name``."""
    path = Path(metadata_path or METADATA_PATH)
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta = copy.deepcopy(meta)
    meta.pop("x-templates", None)  # YAML anchors only
    dbs = meta.get("databases") or {}
    if TEMPLATE_DB_KEY in dbs and db_name != TEMPLATE_DB_KEY:
        dbs[db_name] = dbs.pop(TEMPLATE_DB_KEY)
    meta["databases"] = dbs
    if db_name != TEMPLATE_DB_KEY:
        meta = _rename_db(meta, TEMPLATE_DB_KEY, db_name)
        dbs = meta["databases"]
    if sources:
        items = "".join(
            f'<li><a href="{s["base_url"]}">{s["name"] or s["id"]}</a>'
            + (f' — {s["licence"]}' if s.get("licence") else "")
            + "</li>" for s in sources if s.get("base_url")
        )
        arts = dbs[db_name].get("tables", {}).get("articles", {})
        note = f"<p>Articles come from:</p><ul>{items}</ul>"
        for t in ("articles", "news", "article_versions", "images"):
            tm = dbs[db_name].get("tables", {}).get(t)
            if tm is not None:
                tm["description_html"] = (
                    f"<p>{tm.get('description', '')}</p>{note}"
                )
        del arts
    if demo:
        meta["title"] = "DEMO — " + meta.get("title", "")
        warn = (
            "DEMO DATA: crawled from the bundled fixture site on localhost, not from the "
            "real papers. Nothing here is real news. "
        )
        meta["description"] = warn + meta.get("description", "")
        dbs[db_name]["title"] = "DEMO — " + dbs[db_name].get("title", db_name)
        dbs[db_name]["description"] = warn + dbs[db_name].get("description", "")
        for dash in (meta.get("plugins", {}).get("datasette-dashboards") or {}).values():
            dash["title"] = "DEMO — " + dash.get("title", "")
    return meta


def make_datasette(
    db_path: str | Path, *, metadata_path: str | Path | None = None, demo: bool = False,
    immutable: bool = False, settings: dict[str, Any] | None = None,
):
    """A Datasette serving ``db_path`` (key = file stem) with our metadata and plugins.

    Mutable by default: the crawler may be writing (WAL keeps each read consistent).
    ``immutable=True`` is for a published snapshot, and enables the ``/<db>.db`` download.
    """
    from datasette.app import Datasette

    db_path = Path(db_path).resolve()
    name = db_path.stem
    meta = load_metadata(name, metadata_path=metadata_path, demo=demo,
                         sources=_sources(db_path))
    kwargs: dict[str, Any] = {"immutables": [str(db_path)]} if immutable else {
        "files": [str(db_path)]}
    ds = Datasette(
        metadata=meta,
        plugins_dir=str(PLUGINS_DIR),
        settings={**SETTINGS, **(settings or {})},
        **kwargs,
    )
    _memoize_plugin_config(ds)
    return ds


def _memoize_plugin_config(ds) -> None:
    """``plugin_config`` once per (plugin, database, table), not once per table cell.

    datasette-render-markdown (installed with the dashboards) asks for its configuration in
    ``render_cell``, i.e. for every cell of every page; each call deep-merges the metadata
    (~700 merges for a 50-row news page, about a fifth of its rendering time). Our metadata
    is fixed when the server starts (no ``get_metadata`` plugin), so the answer is too.
    """
    original = ds.plugin_config
    memo: dict[tuple, Any] = {}

    def plugin_config(plugin_name, database=None, table=None, fallback=True):
        key = (plugin_name, database, table, fallback)
        if key not in memo:
            memo[key] = original(plugin_name, database=database, table=table,
                                 fallback=fallback)
        return copy.deepcopy(memo[key]) if isinstance(memo[key], (dict, list)) else memo[key]

    ds.plugin_config = plugin_config


async def warm_up(ds, *, log_fn=None) -> dict[str, float]:
    """Ask for the pages most readers open first, so their counts and facets are cached.

    Run once in the serving loop right after the server starts (``hanoi-news run`` and
    ``demo``): on a large archive the first ``news`` page otherwise pays for its count and
    four facets (about a second at 1M articles) for whoever comes first. Errors are
    logged, never raised: warming is an optimisation.
    """
    timings: dict[str, float] = {}
    paths = ["/"]
    for name, db in ds.databases.items():
        if db.path and not getattr(db, "is_memory", False):
            paths += [f"/{name}", f"/{name}/news"]
    for path in paths:
        started = time.perf_counter()
        try:
            await ds.client.get(path)
        except Exception as exc:  # pragma: no cover - logged, the server keeps running
            if log_fn:
                log_fn(f"warm-up of {path} failed: {exc}")
            continue
        timings[path] = round((time.perf_counter() - started) * 1000, 1)
    return timings
