"""Storage of extracted facts: the gazetteer and metric tables and per-article fact rows.

Inputs: a ``sqlite_utils.Database`` and ``parsers.Facts``. Outputs: rows in ``places``,
``place_successors``, ``metrics``, ``article_places``, ``officials``, ``article_officials``,
``indicators``, and through ``claims``/``clusters`` in ``claims``, ``claim_articles`` and
``article_clusters`` (see docs/DESIGN.md). The caller owns the transaction (``with
db.atomic()`` or ``db.conn``), these functions only write.
"""
from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from parsers.facts import metrics as metric_table
from parsers.facts.gazetteer import load
from parsers.facts.text import slug
from parsers.facts_types import Facts

from . import claims, clusters

PER_ARTICLE = ("article_places", "article_officials", "indicators")
# ``indicators`` columns in table order; the ones after ``sentence`` came with issue 14 (an
# older archive gets them appended by the migration ``facts_0001_one_row_per_figure``)
INDICATOR_COLUMNS: dict[str, type] = {
    "id": int, "article_id": str, "position": int, "place_id": str, "place": str,
    "metric": str, "metric_key": str, "value": float, "value_max": float,
    "value_denominator": float, "unit": str, "period_text": str,
    "period_start": str, "period_end": str, "relation": str, "relation_type": str,
    "relation_value": float, "kind": str, "sentence": str,
    "metric_family": str, "approx": str, "period_kind": str, "flags": str,
    "qualifies_id": int, "claim_id": str, "same_as_id": int,
}
METRIC_COLUMNS = {"key": str, "family": str, "parent": str, "unit_kind": str,
                  "description_vi": str, "description_en": str}


def _fks(db: Database, *fks: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """Foreign keys whose target table exists (``articles`` is absent in a bare test DB)."""
    names = set(db.table_names())
    return [fk for fk in fks if fk[1] in names]


def create_fact_tables(db: Database) -> None:
    """Create the six fact tables with their keys and indexes (idempotent).

    Foreign keys point at ``articles(id)`` when that table exists, and at ``places(id)``.
    """
    if "places" not in db.table_names():
        db.table("places").create(
            {"id": str, "name": str, "type": str, "full_name": str, "ascii_name": str,
             "parent_id": str, "code": str, "level": str, "valid_from": str, "valid_to": str,
             "latitude": float, "longitude": float},
            pk="id",
        )
        db.table("places").create_index(["ascii_name"])
        db.table("places").create_index(["name"])
    if "place_successors" not in db.table_names():
        db.table("place_successors").create(
            {"old_place_id": str, "new_place_id": str},
            pk=("old_place_id", "new_place_id"),
            foreign_keys=[("old_place_id", "places", "id"), ("new_place_id", "places", "id")],
        )
        db.table("place_successors").create_index(["new_place_id"])
    if "article_places" not in db.table_names():
        db.table("article_places").create(
            {"article_id": str, "place_id": str, "name": str, "type": str, "mentions": int,
             "is_primary": int, "first_offset": int},
            pk=("article_id", "place_id"),
            foreign_keys=_fks(db, ("article_id", "articles", "id"), ("place_id", "places", "id")),
        )
        db.table("article_places").create_index(["place_id"])
        db.table("article_places").create_index(["article_id"])
    if "officials" not in db.table_names():
        db.table("officials").create({"id": str, "name": str, "ascii_name": str}, pk="id")
    if "article_officials" not in db.table_names():
        db.table("article_officials").create(
            {"article_id": str, "official_id": str, "name": str, "title": str,
             "organisation": str, "roles": str, "place_id": str, "is_former": int,
             "sentence": str},
            pk=("article_id", "official_id"),
            foreign_keys=_fks(db, ("article_id", "articles", "id"),
                              ("official_id", "officials", "id"), ("place_id", "places", "id")),
        )
        db.table("article_officials").create_index(["official_id"])
        db.table("article_officials").create_index(["article_id"])
        db.table("article_officials").create_index(["place_id"])
    if "metrics" not in db.table_names():
        db.table("metrics").create(METRIC_COLUMNS, pk="key")
    claims.create_tables(db)
    clusters.create_tables(db)
    if "indicators" not in db.table_names():
        db.table("indicators").create(
            INDICATOR_COLUMNS, pk="id",
            foreign_keys=[*_fks(db, ("article_id", "articles", "id"), ("place_id", "places", "id"),
                                ("metric_key", "metrics", "key"), ("claim_id", "claims", "id")),
                          ("qualifies_id", "indicators", "id"), ("same_as_id", "indicators", "id")],
        )
        for cols in (["article_id"], ["place_id"], ["metric_key"], ["place_id", "metric_key"], ["claim_id"]):
            db.table("indicators").create_index(cols)
    upgrade_indicators(db)


# links Datasette shows on an ``indicators`` row (an older table gets them in one rewrite)
_INDICATOR_LINKS = (("metric_key", "metrics", "key"), ("claim_id", "claims", "id"),
                    ("qualifies_id", "indicators", "id"), ("same_as_id", "indicators", "id"))


def upgrade_indicators(db: Database) -> None:
    """Append the issue-14 columns and links to an older ``indicators`` table (idempotent)."""
    table = db.table("indicators")
    have = table.columns_dict
    for name, typ in INDICATOR_COLUMNS.items():
        if name not in have:
            table.add_column(name, typ)
    if ["claim_id"] not in [ix.columns for ix in table.indexes]:
        table.create_index(["claim_id"])
    linked = {fk.column for fk in table.foreign_keys}
    missing = [fk for fk in _INDICATOR_LINKS if fk[0] not in linked and fk[1] in db.table_names()]
    if missing:
        table.transform(add_foreign_keys=missing)


def ensure_metrics(db: Database) -> int:
    """Fill ``metrics`` from the vocabulary shipped with the package; idempotent."""
    if "metrics" not in db.table_names():
        db.table("metrics").create(METRIC_COLUMNS, pk="key")
    rows = [{"key": m.key, "family": m.family, "parent": m.parent, "unit_kind": m.unit_kind,
             "description_vi": m.description_vi, "description_en": m.description_en}
            for m in metric_table.load().values()]
    db.table("metrics").upsert_all(rows, pk="key")
    return len(rows)


def ensure_gazetteer(db: Database) -> int:
    """Fill ``places``, ``place_successors`` (and ``metrics``) from the bundled data;
    idempotent. Returns the number of places."""
    create_fact_tables(db)
    ensure_metrics(db)
    g = load()
    rows = [
        {"id": u.id, "name": u.name, "type": u.type, "full_name": u.full_name,
         "ascii_name": u.ascii_name, "parent_id": u.parent_id, "code": u.code,
         "level": u.level, "valid_from": u.valid_from, "valid_to": u.valid_to,
         "latitude": u.latitude, "longitude": u.longitude}
        for u in g.units.values()
    ]
    db.table("places").upsert_all(rows, pk="id")
    db.table("place_successors").upsert_all(
        [{"old_place_id": o, "new_place_id": n} for o, n in g.successors],
        pk=("old_place_id", "new_place_id"),
    )
    return len(rows)


def official_id(name: str) -> str:
    """Stable id of a person from the normalised name: 'Nguyễn Hữu Tuyên' -> 'nguyen-huu-tuyen'."""
    return slug(name)


def save_facts(db: Database, article_id: str, facts: Facts) -> None:
    """Replace the fact rows of one article, its claims' mentions and its cluster (caller
    wraps this in a transaction). The article's text and date are read from ``articles``
    when that table holds the article (the crawler saves it first, in the same transaction)."""
    old_claims = {r[0] for r in db.execute(
        "select claim_id from claim_articles where article_id = ?", [article_id]).fetchall()} \
        if "claim_articles" in db.table_names() else set()
    for table in PER_ARTICLE:
        if table in db.table_names():
            db.execute(f"delete from [{table}] where article_id = ?", [article_id])
    text, published = _article_text(db, article_id)
    if text is not None:
        clusters.cluster_article(db, article_id, text)
    db.table("article_places").insert_all(
        [{"article_id": article_id, "place_id": p.place_id, "name": p.name, "type": p.type,
          "mentions": p.mentions, "is_primary": int(p.is_primary),
          "first_offset": p.first_offset} for p in facts.places],
        pk=("article_id", "place_id"), replace=True,
    )
    people: dict[str, dict[str, Any]] = {}
    for o in facts.officials:
        oid = official_id(o.name)
        if not oid:
            continue
        people.setdefault(oid, {
            "article_id": article_id, "official_id": oid, "name": o.name, "title": o.title,
            "organisation": o.organisation, "roles": "; ".join(o.roles),
            "place_id": o.place_id, "is_former": int(o.is_former), "sentence": o.sentence,
        })
    db.table("officials").insert_all(
        [{"id": oid, "name": r["name"], "ascii_name": oid.replace("-", " ")}
         for oid, r in people.items()],
        pk="id", ignore=True,
    )
    db.table("article_officials").insert_all(people.values(), pk=("article_id", "official_id"))
    rows = indicator_rows(db, article_id, facts)
    db.table("indicators").insert_all(rows, pk="id")  # (claim_id is set once the claims exist)
    claims.assign(rows, published)
    claims.update_claims(db, article_id, rows, old_claims)


def indicator_rows(db: Database, article_id: str, facts: Facts) -> list[dict[str, Any]]:
    """The ``indicators`` rows of one article, with table ids chosen here (the next free ids,
    in text order) so that a relation row's ``qualifies_id`` names its amount's row."""
    base = (db.execute("select max(id) from indicators").fetchone()[0] or 0) \
        if "indicators" in db.table_names() else 0
    by_number = {ind.id or n: base + n for n, ind in enumerate(facts.indicators, 1)}
    return [
        {"id": base + n, "article_id": article_id, "position": n - 1, "place_id": ind.place_id,
         "place": ind.place, "metric": ind.metric, "metric_key": key(ind.metric_key), "value": ind.value,
         "value_max": ind.value_max, "value_denominator": ind.value_denominator,
         "unit": ind.unit, "period_text": ind.period_text, "period_start": ind.period_start,
         "period_end": ind.period_end, "relation": ind.relation,
         "relation_type": ind.relation_type, "relation_value": ind.relation_value,
         "kind": ind.kind, "sentence": ind.sentence,
         "metric_family": metric_table.family(key(ind.metric_key)),
         "approx": ind.approx, "period_kind": ind.period_kind,
         "flags": json.dumps(list(ind.flags or []), ensure_ascii=False),
         "qualifies_id": by_number.get(ind.qualifies) if ind.qualifies else None, "claim_id": None,
         "same_as_id": by_number.get(ind.same_as) if getattr(ind, "same_as", None) else None}
        for n, ind in enumerate(facts.indicators, 1)
    ]


def key(metric_key: str | None) -> str | None:
    """A metric key the ``metrics`` table holds ("other" for any other)."""
    return metric_key if metric_key is None or metric_key in metric_table.load() else "other"


def _article_text(db: Database, article_id: str) -> tuple[str | None, str | None]:
    """(lead + body, published_at) of a stored article, or (None, None)."""
    if "articles" not in db.table_names():
        return None, None
    cols = db["articles"].columns_dict
    if not {"sapo", "body_text", "published_at"} <= set(cols):
        return None, None
    row = db.execute("select sapo, body_text, published_at from articles where id = ?", [article_id]).fetchone()
    if row is None:
        return None, None
    return "\n".join(x for x in (row[0], row[1]) if x), row[2]


# metric keys of the archive before issue 14 -> (key, relation_type of a percentage row)
_OLD_KEYS = {"production_value_growth": ("production_value", "growth_yoy"),
             "trade_service_growth": ("trade_service_revenue", "growth_yoy"),
             "industry_value_growth": ("production_value_industry", "growth_yoy")}


def upgrade_archive(db: Database, with_clusters: bool = True) -> None:
    """Bring an archive written before issue 14 to the one-row-per-figure model, in SQL and
    offline (``hanoi-news reparse`` rebuilds everything from the raw captures, better):
    new columns and tables, the ``metrics`` table, growth keys renamed to their metric with
    ``relation_type`` growth_yoy, a comparison kept on an amount's row split into a row of
    its own that qualifies the amount (the first comparison: a second one was only in the
    ``relation`` text, which stays on the new row), families and period kinds filled in,
    then claims and (``with_clusters``) clusters built. Idempotent."""
    from parsers.facts.numbers import parse_period

    ensure_metrics(db)
    if "indicators" in db.table_names():  # (keys first: the new links check them)
        for old, (new, rel) in _OLD_KEYS.items():
            db.execute("update indicators set metric_key = ?, relation_type = coalesce(relation_type, ?) "
                       "where metric_key = ?", [new, rel, old])
        db.execute("update indicators set metric_key = 'other' where metric_key is not null "
                   "and metric_key not in (select key from metrics)")
    create_fact_tables(db)
    base = db.execute("select coalesce(max(id), 0) from indicators").fetchone()[0]
    moved = [c for c in INDICATOR_COLUMNS if c not in ("id", "value", "value_max", "value_denominator",
                                                         "unit", "qualifies_id", "relation_value")]
    db.execute(f"""
        insert into indicators (id, value, unit, relation_value, qualifies_id, {", ".join(moved)})
        select {base} + row_number() over (order by id), relation_value, '%', relation_value, id,
               {", ".join(moved)}
        from indicators
        where relation_value is not null and coalesce(unit, '') not in ('%', 'lần')""")
    db.execute("update indicators set relation = null, relation_type = null, relation_value = null "
               "where id <= ? and relation_value is not null and coalesce(unit, '') not in ('%', 'lần')", [base])
    db.execute("update indicators set metric_family = (select family from metrics m where m.key = indicators.metric_key) "
               "where metric_family is null")
    db.execute("update indicators set flags = '[]' where flags is null")
    kinds = {}
    for (text,) in db.execute("select distinct period_text from indicators where period_kind is null "
                              "and period_text is not null").fetchall():
        p = parse_period(text)
        kinds[text] = p.kind if p else None
    db.conn.executemany("update indicators set period_kind = ? where period_text = ? and period_kind is null",
                        [(k, t) for t, k in kinds.items() if k])
    if with_clusters and "articles" in db.table_names():
        clusters.rebuild_clusters(db)
    claims.rebuild_claims(db)
