"""Issue 14 data model in archive.db: one row per printed figure with links, metrics, claims
across articles, near-duplicate clusters, the migration of an older archive, and reparse."""
from __future__ import annotations

import json
import socket
from datetime import date

from sqlite_utils import Database

from crawler import clusters
from crawler.config import Settings
from crawler.crawl import crawl
from crawler.facts_store import create_fact_tables, ensure_gazetteer, save_facts
from crawler.rawstore import RawStore
from crawler.reparse import reparse
from crawler.sources import load_sources
from crawler.store import open_db, open_state
from parsers.facts import extract
from tests.support.fault_server import GeneratedSite, site_sources_yaml

RELEASE = ("Sáng 12/3, UBND phường Hoàng Liệt tổ chức hội nghị sơ kết công tác quý I. Theo báo cáo, "
           "thu ngân sách nhà nước trên địa bàn phường quý I/2026 ước đạt 214,5 tỷ đồng, bằng 31% dự toán, "
           "tăng 8,2% so với cùng kỳ năm trước. Phường đã giải quyết 1.240 hồ sơ thủ tục hành chính đúng hạn, "
           "tổ chức ra quân chỉnh trang đô thị tại các tổ dân phố, lắp đặt thêm camera an ninh ở các tuyến "
           "phố chính và vận động người dân tham gia phân loại rác tại nguồn. Chủ tịch UBND phường Trần Văn "
           "Khải đề nghị các đơn vị tập trung khai thác nguồn thu, đẩy nhanh tiến độ giải phóng mặt bằng các "
           "dự án trọng điểm và chuẩn bị tốt cho kỳ họp HĐND phường sắp tới.")


def _db() -> Database:
    db = Database(memory=True)
    db["articles"].create({"id": str, "source": str, "title": str, "sapo": str, "body_text": str,
                           "published_at": str, "first_seen_at": str}, pk="id")
    db.execute("PRAGMA foreign_keys=ON")
    ensure_gazetteer(db)
    return db


def _save(db: Database, aid: str, source: str, title: str, body: str, published: str) -> None:
    with db.conn:
        db["articles"].insert({"id": aid, "source": source, "title": title, "sapo": None, "body_text": body,
                               "published_at": published, "first_seen_at": published}, replace=True)
        save_facts(db, aid, extract(f"{title}\n\n{body}", date.fromisoformat(published[:10])))


def test_relation_rows_link_their_amount_and_metrics_are_data():
    db = _db()
    _save(db, "a:1", "a", "Phường Hoàng Liệt quý I", RELEASE, "2026-03-12")
    rows = list(db.query("select id, metric_key, metric_family, value, unit, relation_type, qualifies_id, "
                         "period_kind, flags from indicators order by id"))
    amount = next(r for r in rows if r["value"] == 214.5)
    assert (amount["metric_key"], amount["metric_family"], amount["unit"]) == ("budget_revenue", "budget", "tỷ đồng")
    rel = {r["relation_type"]: r for r in rows if r["qualifies_id"] == amount["id"]}
    assert set(rel) == {"share_of_plan", "growth_yoy"}
    assert (rel["share_of_plan"]["value"], rel["growth_yoy"]["value"]) == (31, 8.2)
    assert all(r["period_kind"] == "quarter" and json.loads(r["flags"]) == [] for r in rows)
    metrics = {r["key"]: r for r in db.query("select * from metrics")}
    assert metrics["budget_revenue_land_use"]["parent"] == "budget_revenue_domestic"
    assert {"budget", "production", "trade", "investment"} <= {m["family"] for m in metrics.values()}
    assert all(m["description_vi"] and m["description_en"] for m in metrics.values())


def test_one_figure_in_two_papers_is_one_claim_and_the_papers_one_cluster():
    db = _db()
    _save(db, "a:1", "a", "Phường Hoàng Liệt quý I", RELEASE, "2026-03-12")
    copy = RELEASE.replace("Sáng 12/3, ", "Ngày 12/3, ") + " Hội nghị kết thúc trong ngày."
    _save(db, "b:7", "b", "Hoàng Liệt: thu ngân sách quý I đạt 31% dự toán", copy, "2026-03-13")
    _save(db, "c:9", "c", "Phường Hoàng Liệt", "Phường Hoàng Liệt quý I/2026 thu ngân sách ước đạt 214,5 tỷ đồng.",
          "2026-03-20")
    cl = {r["article_id"]: r for r in db.query("select * from article_clusters")}
    assert cl["b:7"]["cluster_id"] == "a:1" and cl["b:7"]["similarity"] >= clusters.THRESHOLD
    assert cl["c:9"]["cluster_id"] == "c:9"  # its own words: not a copy
    claim = db.execute("select id, articles, sources, clusters from claims where metric_key = 'budget_revenue' "
                       "and value = 214.5 and unit = 'tỷ đồng'").fetchall()
    assert len(claim) == 1 and claim[0][1:] == (3, 3, 2)
    mentions = db.execute("select count(*) from claim_articles where claim_id = ?", [claim[0][0]]).fetchone()[0]
    assert mentions == 3
    # an article re-saved without the figure leaves the claim with the others
    _save(db, "c:9", "c", "Phường Hoàng Liệt", "Phường Hoàng Liệt tổ chức hội nghị.", "2026-03-20")
    assert db.execute("select articles from claims where id = ?", [claim[0][0]]).fetchone()[0] == 2
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_a_rounded_restatement_in_the_title_shares_the_body_figures_claim():
    db = _db()
    _save(db, "a:1", "a", "Phường Hoàng Liệt thu ngân sách quý I hơn 200 tỷ đồng", RELEASE, "2026-03-12")
    rows = {r["value"]: r for r in db.query("select id, value, same_as_id, claim_id from indicators")}
    assert rows[200]["same_as_id"] == rows[214.5]["id"]
    assert rows[200]["claim_id"] == rows[214.5]["claim_id"]
    claims = list(db.query("select value, articles from claims where metric_key = 'budget_revenue' "
                           "and unit = 'tỷ đồng'"))
    assert claims == [{"value": 214.5, "articles": 1}]  # the rounded figure is no claim of its own
    mentions = db.execute("select count(*) from claim_articles where claim_id = ?", [rows[214.5]["claim_id"]])
    assert mentions.fetchone()[0] == 1
    from crawler import claims as claims_module

    claims_module.rebuild_claims(db)
    assert list(db.query("select value from claims where metric_key = 'budget_revenue' and unit = 'tỷ đồng'")) \
        == [{"value": 214.5}]
    assert db.execute("select claim_id from indicators where id = ?", [rows[200]["id"]]).fetchone()[0] \
        == rows[214.5]["claim_id"]
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_sketch_containment_tells_copies_from_other_articles():
    a = clusters.sketch(RELEASE)
    assert clusters.containment(a, clusters.sketch(RELEASE[: len(RELEASE) // 2])) >= clusters.THRESHOLD
    other = clusters.sketch("Xã Bát Tràng tổ chức lễ hội làng nghề gốm sứ với nhiều hoạt động văn hóa, "
                            "thu hút hàng nghìn du khách trong và ngoài nước đến tham quan, mua sắm sản phẩm "
                            "truyền thống của các hộ làng nghề và trải nghiệm làm gốm cùng nghệ nhân.")
    assert clusters.containment(a, other) < 0.2


def _archive_before_issue_14(path) -> None:
    """An archive as the code before issue 14 left it: migrated up to its last step, with the
    old ``indicators`` table and none of the new tables."""
    db = open_db(path)
    with db.conn:
        db.execute("delete from _sqlite_migrations where name like 'facts_%'")
        for t in ("claim_articles", "indicators", "claims", "article_sketch_anchors", "article_sketches",
                  "article_clusters", "metrics"):
            db.execute(f"drop table [{t}]")
    db["indicators"].create(
        {"id": int, "article_id": str, "position": int, "place_id": str, "place": str, "metric": str,
         "metric_key": str, "value": float, "value_max": float, "value_denominator": float, "unit": str,
         "period_text": str, "period_start": str, "period_end": str, "relation": str, "relation_type": str,
         "relation_value": float, "kind": str, "sentence": str}, pk="id",
        foreign_keys=[("article_id", "articles", "id"), ("place_id", "places", "id")])
    ensure = __import__("crawler.facts_store", fromlist=["x"])
    db["places"].insert_all([{"id": u.id, "name": u.name, "type": u.type} for u in ensure.load().units.values()],
                            pk="id", ignore=True)
    db.conn.close()


def test_migration_upgrades_an_archive_written_before_issue_14(tmp_path):
    _archive_before_issue_14(tmp_path / "archive.db")
    old = Database(tmp_path / "archive.db")
    old["sources"].insert({"id": "a", "name": "A"})
    old["articles"].insert({"id": "a:1", "source": "a", "title": "t", "sapo": "", "body_text": RELEASE,
                            "published_at": "2026-03-12", "first_seen_at": "2026-03-12"})
    pid = "hn-2025-00337-phuong-hoang-liet"
    base = {"article_id": "a:1", "place_id": pid, "place": "Hoàng Liệt", "period_text": "quý I/2026",
            "period_start": "2026-01-01", "period_end": "2026-03-31", "kind": "estimate", "sentence": "s"}
    old["indicators"].insert_all([
        {**base, "id": 1, "position": 0, "metric": "thu ngân sách", "metric_key": "budget_revenue",
         "value": 214.5, "unit": "tỷ đồng", "relation": "bằng 31% dự toán", "relation_type": "share_of_plan",
         "relation_value": 31},
        {**base, "id": 2, "position": 1, "metric": "giá trị sản xuất", "metric_key": "production_value_growth",
         "value": 9.5, "unit": "%", "relation": "tăng 9,5%", "relation_type": "growth_yoy", "relation_value": 9.5},
    ])
    old.conn.close()
    db = open_db(tmp_path / "archive.db", create=False)
    rows = {r["id"]: r for r in db.query("select * from indicators order by id")}
    assert rows[1]["relation_value"] is None and rows[1]["metric_family"] == "budget"
    split = [r for r in rows.values() if r["qualifies_id"] == 1]
    assert len(split) == 1 and (split[0]["value"], split[0]["unit"], split[0]["relation_type"]) == (31, "%", "share_of_plan")
    assert (rows[2]["metric_key"], rows[2]["relation_type"]) == ("production_value", "growth_yoy")
    assert {r["period_kind"] for r in rows.values()} == {"quarter"}
    assert db.execute("select count(*) from claims").fetchone()[0] == 3
    assert db.execute("select count(*) from article_clusters").fetchone()[0] == 1
    assert db["metrics"].count > 30


def test_reparse_rebuilds_claims_and_clusters(tmp_path, monkeypatch):
    with GeneratedSite(12) as site:
        p = tmp_path / "sources.yml"
        p.write_text(site_sources_yaml(site.base_url), encoding="utf-8")
        source = load_sources(p)[0]
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        crawl(source, settings)
    db = open_db(settings.db_path, create=False)
    sql = {"claims": "select * from claims order by id", "claim_articles": "select * from claim_articles order by 1, 2",
           "article_clusters": "select * from article_clusters order by 1",
           "indicators": "select * from indicators order by id"}
    before = {t: [tuple(r) for r in db.execute(q).fetchall()] for t, q in sql.items()}
    assert before["claims"] and before["claim_articles"] and len(before["article_clusters"]) == 12
    assert db.execute("select count(*) from indicators where claim_id is not null").fetchone()[0], \
        "indicators link their claims"
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: (_ for _ in ()).throw(AssertionError("network")))
    with db.conn:
        db.execute("delete from claim_articles")  # reparse must rebuild what is gone
    reparse(db, open_state(settings.state_path), RawStore(settings.warc_dir), [source])
    after = {t: [tuple(r) for r in db.execute(q).fetchall()] for t, q in sql.items()}
    assert after == before
    assert db.execute("pragma foreign_key_check").fetchall() == []


def test_create_is_idempotent():
    db = Database(memory=True)
    create_fact_tables(db)
    create_fact_tables(db)
    assert {"metrics", "claims", "claim_articles", "article_clusters"} <= set(db.table_names())


def test_an_archive_migrated_before_same_as_gets_the_column(tmp_path):
    db = open_db(tmp_path / "archive.db")
    # an archive of facts_0001 before the column: drop it, forget the step, migrate again
    db["indicators"].transform(drop={"same_as_id"})
    db.execute("delete from _sqlite_migrations where name = 'facts_0002_same_as'")
    db.conn.commit()
    db.conn.close()
    db = open_db(tmp_path / "archive.db", create=False)
    assert "same_as_id" in db["indicators"].columns_dict
    assert any(fk.column == "same_as_id" for fk in db["indicators"].foreign_keys)


def test_a_restatement_of_a_restatement_shares_the_last_claim():
    db = _db()
    with db.conn:
        db["articles"].insert({"id": "a:1", "source": "a", "title": "t", "sapo": None, "body_text": "b",
                               "published_at": "2026-03-12", "first_seen_at": "2026-03-12"})
        save_facts(db, "a:1", extract("Phường Hoàng Liệt thu ngân sách quý I hơn 200 tỷ đồng\n\nQuý I/2026, phường "
                                      "Hoàng Liệt thu ngân sách gần 215 tỷ đồng.\n\n" + RELEASE, date(2026, 3, 12)))
    rows = list(db.query("select value, same_as_id, claim_id from indicators where unit = 'tỷ đồng' order by id"))
    assert [r["value"] for r in rows] == [200, 215, 214.5]
    assert len({r["claim_id"] for r in rows}) == 1 and rows[0]["same_as_id"] == rows[1]["same_as_id"]
    assert list(db.query("select value from claims where unit = 'tỷ đồng'")) == [{"value": 214.5}]
    assert db.execute("pragma foreign_key_check").fetchall() == []
