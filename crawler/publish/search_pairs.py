"""The word-pair index: each two adjacent words of an article's folded text as one token.

A quoted phrase of two common syllables ("van hoa", "tu liem": the accent-less names of a
commune and a former district) is slow in FTS5: it reads the position lists of two words
found in most articles and compares them (counted alone at 1M articles: "tu liem" 33 ms,
"van hoa" 521 ms, "phuong tu" 884 ms). In this index the phrase is one token, ``van_hoa``,
whose list holds only the articles that have it (the same counts: 0.2-2 ms).

* ``articles_pairs_fts``: a contentless FTS5 table (``detail=none``: article ids only, no
  positions), rowid = ``articles.rowid``, one "document" of distinct pairs per article.
* ``articles_pairs_pending``: articles whose pairs are not indexed yet, filled by triggers on
  ``articles`` (so every writer, a plain ``sqlite3`` included, leaves a trace), with the
  folded text that *is* indexed for that rowid (NULL: none), because a contentless table can
  only remove a document given its tokens.
* :func:`sync_pairs` indexes the pending articles; the crawler calls it in the transaction
  that saves an article, ``ensure_search`` (start, ``publish``) for whatever is left.

Readers (crawler/publish/plugins/query_cache.py) use the index only while nothing is pending, so the answer
is always the same as FTS5's own phrase match on ``search_fold``.
"""
from __future__ import annotations

import re
from typing import Any

from sqlite_utils import Database

PAIRS_TABLE = "articles_pairs_fts"
PENDING_TABLE = "articles_pairs_pending"
# What the FTS5 unicode61 tokenizer keeps as a token (letters, digits), on folded text;
# "_" joins the two words of a pair (tokenchars) and never occurs inside a word token.
_TOKEN = re.compile(r"[^\W_]+")

# Not columnsize=0: it saves one small row per article but makes the table refuse a plain
# scan ("table does not support scanning"), which Datasette's table counts do on every
# database page.
PAIRS_DDL = (
    f"create virtual table [{PAIRS_TABLE}] using fts5(pairs, content='', detail=none,"
    " tokenize=\"unicode61 remove_diacritics 0 tokenchars '_'\")"
)
PENDING_DDL = (
    f"create table [{PENDING_TABLE}] (art_rowid integer primary key, indexed text)"
)
# "or ignore": the first entry of a rowid keeps the text that is in the index.
TRIGGERS = {
    "articles_pairs_ai": f"""create trigger articles_pairs_ai after insert on articles begin
  insert or ignore into [{PENDING_TABLE}] (art_rowid, indexed) values (new.rowid, null);
end""",
    "articles_pairs_au": f"""create trigger articles_pairs_au
after update of search_fold on articles
when old.search_fold is not new.search_fold begin
  insert or ignore into [{PENDING_TABLE}] (art_rowid, indexed) values (old.rowid, old.search_fold);
end""",
    "articles_pairs_ad": f"""create trigger articles_pairs_ad after delete on articles begin
  insert or ignore into [{PENDING_TABLE}] (art_rowid, indexed) values (old.rowid, old.search_fold);
end""",
}


def pair_text(folded: str | None) -> str:
    """``"quan tu liem, ha noi"`` → ``"quan_tu tu_liem liem_ha ha_noi"`` (each pair once).

    Pairs run across punctuation, as an FTS5 phrase does."""
    if not folded:
        return ""
    toks = _TOKEN.findall(folded)
    return " ".join(dict.fromkeys(f"{a}_{b}" for a, b in zip(toks, toks[1:])))


def _norm(sql: str) -> str:
    return " ".join(sql.split()).lower()


def pairs_in_place(db: Database) -> bool:
    """The index (as defined here), its pending table and its three triggers exist."""
    rows = dict(db.execute(
        "select name, sql from sqlite_master where name in (?, ?, ?, ?, ?)",
        [PAIRS_TABLE, PENDING_TABLE, *TRIGGERS]).fetchall())
    if PENDING_TABLE not in rows or _norm(rows.get(PAIRS_TABLE) or "") != _norm(PAIRS_DDL):
        return False
    return all(_norm(rows.get(name) or "") == _norm(sql) for name, sql in TRIGGERS.items())


def _insert(conn, rowid: int, folded: str | None) -> None:
    text = pair_text(folded)
    if text:
        conn.execute(f"insert into [{PAIRS_TABLE}] (rowid, pairs) values (?, ?)", [rowid, text])


def sync_pairs(db: Database) -> int:
    """Index the pending articles (remove what was indexed for them, add their text now).

    Call inside the writer's transaction (a savepoint), or alone. Returns how many."""
    conn = db.conn
    if not db[PENDING_TABLE].exists():  # no index (an archive ensure_search has not seen)
        return 0
    with db.atomic():
        rows = conn.execute(
            f"select p.art_rowid, p.indexed, a.search_fold from [{PENDING_TABLE}] p"
            " left join articles a on a.rowid = p.art_rowid").fetchall()
        for rowid, indexed, current in rows:
            old = pair_text(indexed)
            if old:
                conn.execute(f"insert into [{PAIRS_TABLE}] ([{PAIRS_TABLE}], rowid, pairs)"
                             " values ('delete', ?, ?)", [rowid, old])
            _insert(conn, rowid, current)
        if rows:
            conn.execute(f"delete from [{PENDING_TABLE}]")
    return len(rows)


def build_pairs(db: Database, batch: int = 2000) -> int:
    """(Re)create the index, its pending table and triggers, and index every article, in one
    transaction (a writer meanwhile waits, and misses nothing). Returns articles indexed."""
    conn = db.conn
    n = 0
    with db.atomic():
        for name in TRIGGERS:
            conn.execute(f"drop trigger if exists [{name}]")
        conn.execute(f"drop table if exists [{PAIRS_TABLE}]")
        conn.execute(f"drop table if exists [{PENDING_TABLE}]")
        conn.execute(PAIRS_DDL)
        conn.execute(PENDING_DDL)
        for sql in TRIGGERS.values():
            conn.execute(sql)
        cur = conn.execute("select rowid, search_fold from articles")
        while rows := cur.fetchmany(batch):
            for rowid, folded in rows:
                _insert(conn, rowid, folded)
            n += len(rows)
    return n


def ensure_pairs(db: Database, *, rebuild: bool = False) -> dict[str, Any]:
    """Build the index when missing or changed (or ``rebuild``), else index what is pending."""
    if rebuild or not pairs_in_place(db):
        return {"pairs": "built", "pairs_indexed": build_pairs(db)}
    n = sync_pairs(db)
    return {"pairs_synced": n} if n else {}
