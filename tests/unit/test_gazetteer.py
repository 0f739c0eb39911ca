"""The bundled gazetteer and the fact tables in SQLite."""
from __future__ import annotations

import json
from pathlib import Path

from sqlite_utils import Database

from crawler.facts_store import create_fact_tables, ensure_gazetteer, official_id, save_facts
from parsers.facts import extract
from parsers.facts.gazetteer import DATA, load

ROOT = Path(__file__).resolve().parents[2]


def test_counts_and_source():
    g = load()
    units = list(g.units.values())
    assert sum(u.level == "district" for u in units) == 30
    assert sum(not u.new and u.level == "ward" for u in units) == 526
    assert sum(u.new for u in units) == 126
    src = json.loads(DATA.read_text(encoding="utf-8"))["source"]
    assert src["package"] == "vietnamadminunits" and "MIT" in src["licence"]


def test_ids_and_validity():
    g = load()
    d = g.units["hn-pre2025-021-quan-bac-tu-liem"]
    assert (d.name, d.type, d.valid_to) == ("Bắc Từ Liêm", "quận", "2025-06-30")
    new = [u for u in g.units.values() if u.new]
    assert all(u.valid_from == "2025-07-01" and u.valid_to is None for u in new)
    assert len({u.id for u in g.units.values()}) == len(g.units)


def test_successors():
    g = load()
    succ = {n for o, n in g.successors if o == "hn-pre2025-00004-phuong-truc-bach"}
    assert "hn-2025-00004-phuong-ba-dinh" in succ
    district = {n for o, n in g.successors if o == "hn-pre2025-001-quan-ba-dinh"}
    assert "hn-2025-00004-phuong-ba-dinh" in district


def test_parsers_do_not_import_io():
    for p in (ROOT / "parsers" / "facts").glob("*.py"):
        src = p.read_text(encoding="utf-8")
        for bad in ("import sqlite3", "sqlite_utils", "httpx", "from crawler", "import crawler"):
            assert bad not in src, (p.name, bad)


def test_store_roundtrip_and_idempotence():
    db = Database(memory=True)
    db["articles"].create({"id": str, "title": str}, pk="id")
    create_fact_tables(db)
    create_fact_tables(db)
    assert ensure_gazetteer(db) == ensure_gazetteer(db) == 682
    assert db["places"].count == 682 and db["place_successors"].count > 500
    text = ("Quận Tây Hồ: 21/21 chỉ tiêu\n\nThu ngân sách ước đạt 112% kế hoạch năm. "
            "Bí thư Quận ủy, Chủ tịch HĐND quận Tây Hồ Lê Thị Thu Hằng phát biểu.")
    from datetime import date

    facts = extract(text, date(2023, 12, 15))
    for _ in range(2):  # replacing an article's rows leaves no duplicates
        with db.conn:
            save_facts(db, "laodongthudo:1", facts)
    save_facts(db, "laodongthudo:2", facts)
    assert db["article_places"].count == 2
    assert db["officials"].count == 1
    assert official_id("Lê Thị Thu Hằng") == "le-thi-thu-hang"
    rows = list(db.query("select metric_key, value, place_id from indicators where article_id = ?",
                         ["laodongthudo:1"]))
    assert {r["metric_key"] for r in rows} == {"targets_met", "budget_revenue"}
    assert all(r["place_id"] == "hn-pre2025-003-quan-tay-ho" for r in rows)
    fks = {(fk.column, fk.other_table) for fk in db["indicators"].foreign_keys}
    assert ("article_id", "articles") in fks and ("place_id", "places") in fks
    assert ["metric_key"] in [ix.columns for ix in db["indicators"].indexes]
