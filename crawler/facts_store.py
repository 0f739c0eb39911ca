"""Storage of extracted facts: the gazetteer tables and per-article fact rows.

Inputs: a ``sqlite_utils.Database`` and ``parsers.Facts``. Outputs: rows in ``places``,
``place_successors``, ``article_places``, ``officials``, ``article_officials`` and
``indicators`` (see docs/DESIGN.md). The caller owns the transaction (``with db.atomic()``
or ``db.conn``), these functions only write.
"""
from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from parsers.facts.gazetteer import load
from parsers.facts.text import slug
from parsers.facts_types import Facts

PER_ARTICLE = ("article_places", "article_officials", "indicators")


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
    if "indicators" not in db.table_names():
        db.table("indicators").create(
            {"id": int, "article_id": str, "position": int, "place_id": str, "place": str,
             "metric": str, "metric_key": str, "value": float, "value_max": float,
             "value_denominator": float, "unit": str, "period_text": str,
             "period_start": str, "period_end": str, "relation": str, "relation_type": str,
             "relation_value": float, "kind": str, "sentence": str},
            pk="id",
            foreign_keys=_fks(db, ("article_id", "articles", "id"), ("place_id", "places", "id")),
        )
        for cols in (["article_id"], ["place_id"], ["metric_key"], ["place_id", "metric_key"]):
            db.table("indicators").create_index(cols)


def ensure_gazetteer(db: Database) -> int:
    """Fill ``places`` and ``place_successors`` from the bundled gazetteer; idempotent."""
    create_fact_tables(db)
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
    """Replace the fact rows of one article (caller wraps this in a transaction)."""
    for table in PER_ARTICLE:
        if table in db.table_names():
            db.execute(f"delete from [{table}] where article_id = ?", [article_id])
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
    db.table("indicators").insert_all(
        [{"article_id": article_id, "position": i, "place_id": ind.place_id, "place": ind.place,
          "metric": ind.metric, "metric_key": ind.metric_key, "value": ind.value,
          "value_max": ind.value_max, "value_denominator": ind.value_denominator,
          "unit": ind.unit, "period_text": ind.period_text, "period_start": ind.period_start,
          "period_end": ind.period_end, "relation": ind.relation,
          "relation_type": ind.relation_type, "relation_value": ind.relation_value,
          "kind": ind.kind, "sentence": ind.sentence}
         for i, ind in enumerate(facts.indicators)],
        pk="id",
    )
