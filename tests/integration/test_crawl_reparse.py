"""Issue 3: ``reparse`` rebuilds every parsed table from the WARC store, offline, and yields the
tables the crawl wrote (crawl → snapshot → reparse → compare)."""
from __future__ import annotations

import socket

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.rawstore import RawStore
from crawler.reparse import reparse
from crawler.sources import load_sources
from crawler.store import open_db, open_state
from tests.support.fault_server import Fault, GeneratedSite, site_sources_yaml

# compared column by column; first_seen_at of an alias is when that URL was seen, which a
# replay can only date by its capture
TABLES = {
    "articles": "select * from articles order by id",
    "article_versions": "select * from article_versions order by article_id, version",
    "images": "select * from images order by article_id, position",
    "article_urls": "select url, article_id from article_urls order by url",
    "parse_failures": "select source, url, fetched_at, capture, error from parse_failures order by url, fetched_at",
    "article_places": "select * from article_places order by 1, 2",
    # indicators.id is a row number: a reparse numbers the rows it writes anew
    "indicators": "select article_id, position, place_id, metric_key, value, value_max, unit, relation, "
                  "relation_type, relation_value, kind, sentence from indicators order by article_id, position",
    "article_officials": "select * from article_officials order by 1, 2, 3",
}


def _snapshot(db) -> dict[str, list[tuple]]:
    names = set(db.table_names())
    return {t: [tuple(r) for r in db.execute(sql).fetchall()] for t, sql in TABLES.items() if t in names}


def test_reparse_rebuilds_the_same_tables_offline(tmp_path, monkeypatch):
    with GeneratedSite(25) as site:
        p = tmp_path / "sources.yml"
        p.write_text(site_sources_yaml(site.base_url), encoding="utf-8")
        source = load_sources(p)[0]
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        site.extra_links[1] = [site.article_path(2) + "?utm_source=x", site.article_path(3) + "#top"]
        site.faults[site.article_path(6)] = Fault("wrong_charset")
        crawl(source, settings)
        # a second pass with revisions, a removal, a redirect home and an unparseable page
        site.edits[2] = 1
        site.removed.add(4)
        site.faults[site.article_path(5)] = Fault("redirect_home")
        site.faults[site.article_path(7)] = Fault("status", status=200)  # "error" page, no article
        state = open_state(settings.state_path)
        with state.atomic():
            state.execute("update frontier set next_check_at = '2000-01-01T00:00:00+07:00' where status = 'done'")
        report = crawl(source, settings)
        assert report.updated_articles >= 1 and report.removed_articles == 2, report.summary()

    db = open_db(settings.db_path, create=False)
    before = _snapshot(db)
    assert len(before["articles"]) == 25 and len(before["article_versions"]) >= 28
    assert before["parse_failures"], "the unparseable page should be a parse failure"

    def no_network(*a, **k):
        raise AssertionError("reparse touched the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    result = reparse(db, open_state(settings.state_path), RawStore(settings.warc_dir), [source])
    assert result.articles == 25 and result.removed == 2, (result, db.execute("select error from parse_failures limit 3").fetchall())
    after = _snapshot(db)
    for table in before:
        assert after[table] == before[table], f"{table} differs after reparse"
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
