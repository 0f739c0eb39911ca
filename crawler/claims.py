"""Claims: one row per figure, however many articles or papers print it.

A claim is the key (place, metric, period kind and bounds, value, range, denominator, unit,
relation type, target or not) of an ``indicators`` row; every row with that key, in any
article, is one mention of the claim (``claim_articles``). A figure without period bounds is
keyed by its article's publication year as well, so that two undated "tăng 10%" of
different years stay apart. Figures without a place or a value (a misprint) make no claim.
The claim id is a hash of the key: stable across ``reparse`` and across machines.

``update_claims(db, article_id, rows)`` keeps claims in step per article (called by
``facts_store.save_facts`` inside the article's transaction): it removes the article's old
mentions, adds the new ones and recomputes the counts of every claim touched.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlite_utils import Database

CLAIM_COLUMNS = {
    "id": str, "place_id": str, "place": str, "metric_key": str, "metric_family": str,
    "period_kind": str, "period_start": str, "period_end": str, "period_text": str,
    "value": float, "value_max": float, "value_denominator": float, "unit": str,
    "relation_type": str, "qualifies_claim_id": str, "kind": str, "approx": str, "flags": str,
    "articles": int, "sources": int, "clusters": int, "first_published": str,
    "last_published": str, "first_indicator_id": int,
}


# one claim's row (or every claim's, ``where true``) from its mentions
_AGGREGATE = """
    insert into claims ({columns})
    select ca.claim_id, min(i.place_id), min(i.place), min(i.metric_key), min(i.metric_family),
           min(i.period_kind), min(i.period_start), min(i.period_end), min(i.period_text),
           min(i.value), min(i.value_max), min(i.value_denominator), min(i.unit),
           min(i.relation_type), min(qa.claim_id),
           case when sum(i.kind = 'actual') > 0 then 'actual'
                when sum(i.kind = 'estimate') > 0 then 'estimate' else min(i.kind) end,
           min(i.approx), coalesce(min(nullif(i.flags, '[]')), '[]'),
           count(distinct ca.article_id), count(distinct {source}), count(distinct {cluster}),
           min({pub}), max({pub}), min(i.id)
    from claim_articles ca
    join indicators i on i.id = ca.indicator_id
    left join claim_articles qa on qa.indicator_id = i.qualifies_id
    {joins}{cluster_join}
    {where}
    group by ca.claim_id
    on conflict(id) do update set """ + ", ".join(
    f"{c} = excluded.{c}" for c in CLAIM_COLUMNS if c != "id")


def _aggregate(db: Database, where: str) -> str:
    """``_AGGREGATE`` for this database (a bare test database may lack ``articles`` columns)."""
    cols = set(db["articles"].columns_dict) if "articles" in db.table_names() else set()
    cluster_join = ("left join article_clusters c on c.article_id = ca.article_id "
                    if "article_clusters" in db.table_names() else "")
    return _AGGREGATE.format(
        columns=", ".join(CLAIM_COLUMNS), where=where, cluster_join=cluster_join,
        source="a.source" if "source" in cols else "null",
        pub="a.published_at" if "published_at" in cols else "null",
        joins="left join articles a on a.id = ca.article_id " if cols else "",
        cluster="coalesce(c.cluster_id, ca.article_id)" if cluster_join else "ca.article_id")


def create_tables(db: Database) -> None:
    names = set(db.table_names())
    if "claims" not in names:
        db.table("claims").create(CLAIM_COLUMNS, pk="id")
        for cols in (["place_id", "metric_key"], ["metric_key"], ["metric_family"]):
            db.table("claims").create_index(cols)
    if "claim_articles" not in names:
        db.table("claim_articles").create(
            {"claim_id": str, "indicator_id": int, "article_id": str},
            pk=("claim_id", "indicator_id"),
        )
        db.table("claim_articles").create_index(["article_id"])
        db.table("claim_articles").create_index(["indicator_id"])


def claim_key(row: dict[str, Any], published: str | None) -> tuple | None:
    """The identity of the figure an ``indicators`` row states, or None (no claim)."""
    if row.get("place_id") is None or row.get("value") is None or not row.get("metric_key"):
        return None
    start, end = row.get("period_start"), row.get("period_end")
    undated = (published or "")[:4] if not (start or end) else ""
    r = lambda v: None if v is None else round(float(v), 6)  # noqa: E731
    return (row["place_id"], row["metric_key"], row.get("period_kind"), start, end, undated,
            r(row["value"]), r(row.get("value_max")), r(row.get("value_denominator")), row.get("unit"),
            row.get("relation_type"), row.get("kind") == "target")


def claim_id(key: tuple) -> str:
    return hashlib.sha1(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:16]


def assign(rows: list[dict[str, Any]], published: str | None) -> None:
    """Set ``claim_id`` on indicator rows (None where they make no claim). A title's or
    lead's restatement (``same_as_id``) takes the claim of the body row it restates and is
    no mention of its own (a rounded "hơn 3.000 tỷ đồng" is not a second figure)."""
    by_id = {}
    for row in rows:
        key = claim_key(row, published)
        row["claim_id"] = claim_id(key) if key else None
        by_id[row.get("id")] = row
    for row in rows:
        target, seen = row, set()
        while target.get("same_as_id") and target["same_as_id"] in by_id and id(target) not in seen:
            seen.add(id(target))  # (a restatement of a restatement: the claim of the last row)
            target = by_id[target["same_as_id"]]
        if target is not row:
            row["claim_id"] = None if target.get("same_as_id") else target["claim_id"]


def update_claims(db: Database, article_id: str, rows: list[dict[str, Any]], old: set[str]) -> None:
    """Replace the article's mentions (``rows``: its inserted indicator rows with ``id`` and
    ``claim_id``; ``old``: the claims it mentioned before) and recount the claims touched."""
    db.execute("delete from claim_articles where article_id = ?", [article_id])
    links = [(r["claim_id"], r["id"], article_id) for r in rows if r.get("claim_id") and not r.get("same_as_id")]
    db.conn.executemany("insert or ignore into claim_articles (claim_id, indicator_id, article_id) values (?, ?, ?)", links)
    touched = old | {c for c, _, _ in links}
    if not touched:
        return
    sql = _aggregate(db, "where ca.claim_id = ?")
    for cid in sorted(touched):
        n = db.execute("select count(*) from claim_articles where claim_id = ?", [cid]).fetchone()[0]
        if not n:
            db.execute("delete from claims where id = ?", [cid])
            continue
        db.execute(sql, [cid])
    db.conn.executemany("update indicators set claim_id = ? where id = ?",
                        [(r["claim_id"], r["id"]) for r in rows if r.get("claim_id")])


def rebuild_claims(db: Database) -> int:
    """Recompute every claim from ``indicators`` (after a migration or a bulk change): keys
    for every row, then one grouped insert. Returns the number of claims."""
    cols = set(db["articles"].columns_dict) if "articles" in db.table_names() else set()
    pub_sql = ("(select published_at from articles a where a.id = i.article_id)"
               if "published_at" in cols else "null")
    db.execute("delete from claim_articles")
    db.execute("update indicators set claim_id = null")
    db.execute("delete from claims")
    names = ("id", "article_id", "place_id", "metric_key", "period_kind", "period_start", "period_end",
             "value", "value_max", "value_denominator", "unit", "relation_type", "kind")
    same = ", i.same_as_id" if "same_as_id" in db["indicators"].columns_dict else ", null"
    cur = db.execute(f"select {', '.join('i.' + n for n in names)}{same}, {pub_sql} from indicators i")
    links, claim_of, restated = [], {}, []
    for rec in cur:
        row = dict(zip(names, rec))
        key = claim_key(row, rec[-1])
        if rec[-2]:  # a restatement: the claim of the row it restates, no mention of its own
            restated.append((row["id"], rec[-2]))
        elif key:
            claim_of[row["id"]] = claim_id(key)
            links.append((claim_of[row["id"]], row["id"], row["article_id"]))
    db.conn.executemany("insert or ignore into claim_articles (claim_id, indicator_id, article_id) values (?, ?, ?)",
                        links)
    db.execute(_aggregate(db, "where true"))
    same = dict(restated)

    def root(i: int) -> int:
        seen = set()
        while i in same and i not in seen:
            seen.add(i)
            i = same[i]
        return i

    db.conn.executemany("update indicators set claim_id = ? where id = ?",
                        [(c, i) for c, i, _ in links]
                        + [(claim_of[root(i)], i) for i, _ in restated if root(i) in claim_of])
    return db.execute("select count(*) from claims").fetchone()[0]
