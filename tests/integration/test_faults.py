"""Issue 3: a crawl against a fault-injecting local site finishes, records every failure as a
``fetches`` row, and neither loses nor doubles an article."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.store import open_db, open_state
from tests.support.fault_server import Fault, GeneratedSite, site_sources_yaml

from crawler.sources import load_sources


def _source(tmp_path: Path, base_url: str, **kw):
    p = tmp_path / "sources.yml"
    p.write_text(site_sources_yaml(base_url, **kw), encoding="utf-8")
    return load_sources(p)[0]


def _settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")


def _ids(db) -> set[str]:
    return {r[0] for r in db.execute("select id from articles")}


@pytest.fixture
def faulty(tmp_path):
    site = GeneratedSite(30, per_page=10)
    site.robots = f"User-agent: *\nDisallow: {site.article_path(13)}\n"
    site.start()
    p = site.article_path
    site.faults = {
        p(3): Fault("timeout", times=1, seconds=1.2),
        p(4): Fault("reset", times=2),
        p(5): Fault("status", times=1, status=429, headers={"Retry-After": "1"}),
        p(6): Fault("status", times=2, status=503),
        p(7): Fault("redirect_loop"),
        p(8): Fault("wrong_charset"),
        p(9): Fault("no_charset"),
        p(10): Fault("truncate", times=1),
        p(11): Fault("big", size=20_000_000),
        p(12): Fault("malformed"),
        p(14): Fault("drip", times=1, seconds=0.05),
    }
    variants = [p(2) + "?utm_source=facebook&fbclid=abc", p(2) + "#binh-luan", p(2) + "/amp",
                p(15) + "?zarsrc=30&utm_medium=zalo"]
    site.extra_links[1] = variants
    site.extra_links[2] = [p(2) + "?gidzl=xyz"]
    source = _source(tmp_path, site.base_url, timeout_s=0.5, total_timeout_s=2.0)
    yield site, source, _settings(tmp_path)
    site.stop()


def test_faults_are_recorded_and_nothing_is_lost_or_doubled(faulty):
    site, source, settings = faulty
    report = crawl(source, settings)
    assert report.status == "degraded", report.summary()
    db = open_db(settings.db_path, create=False)
    ids = _ids(db)
    expected = {f"testsite:{site.article_id(i)}" for i in range(1, 31)}
    # lost for now: the redirect loop, the 20 MB page and the robots.txt-disallowed page
    stuck = {f"testsite:{site.article_id(i)}" for i in (7, 11, 13)}
    assert ids == expected - stuck
    # no article doubled: every URL variant maps to one article
    n2 = f"testsite:{site.article_id(2)}"
    aliases = {r[0] for r in db.execute("select url from article_urls where article_id = ?", [n2])}
    assert len(aliases) == 1, aliases  # every variant normalises to one URL
    assert db.execute("select count(*) from article_urls where url like '%utm%' or url like '%#%' "
                      "or url like '%fbclid%' or url like '%/amp'").fetchone()[0] == 0
    # every failure is a fetches row
    errs = {r[0]: r[1] for r in db.execute(
        "select url, group_concat(coalesce(error, status_code)) from fetches "
        "where error is not null or status_code >= 400 group by url")}
    base = site.base_url
    assert "total timeout" in errs[base + site.article_path(14)] or "Timeout" in errs[base + site.article_path(14)]
    assert "Timeout" in errs[base + site.article_path(3)]
    assert "transport" in errs[base + site.article_path(4)]
    assert "429" in errs[base + site.article_path(5)]
    assert "503" in errs[base + site.article_path(6)]
    assert "redirect" in errs[base + site.article_path(7)]
    assert "transport" in errs[base + site.article_path(10)]
    assert "larger than" in errs[base + site.article_path(11)]
    assert "robots.txt" in errs[base + site.article_path(13)]
    # the 20 MB body was not read into memory past the limit, nor stored
    assert db.execute("select max(bytes) from fetches").fetchone()[0] <= source.politeness.max_bytes
    # Retry-After was honoured: the retry of the 429 came at least ~1 s later
    hits = site.hits(lambda h: h.path == site.article_path(5))
    assert len(hits) == 2 and hits[1].at - hits[0].at >= 0.9
    # wrong or missing charset: no mojibake entered the archive
    for i in (8, 9, 12):
        title = db.execute("select title from articles where id = ?", [f"testsite:{site.article_id(i)}"]).fetchone()
        assert title and title[0] == f"Quận Ba Đình thu ngân sách đạt kết quả số {site.number(i)}"
    assert db.execute("select count(*) from articles where title like '%Ã%' or body_text like '%áº%' "
                      "or body_text like '%Ä%'").fetchone()[0] == 0
    # every article has its version row; integrity holds
    assert db.execute("select count(*) from articles a where not exists (select 1 from article_versions v "
                      "where v.article_id = a.id)").fetchone()[0] == 0
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"

    # the site recovers: the next run picks up what is left, and fetches nothing twice
    site.faults.clear()
    before = dict(site.counts)
    report2 = crawl(source, settings)
    ids2 = _ids(open_db(settings.db_path, create=False))
    assert ids2 == expected - {f"testsite:{site.article_id(13)}"}, report2.summary()
    fetched_again = [p for p, n in site.counts.items() if n > before.get(p, 0) and site.index_of(p)]
    assert sorted(fetched_again) == sorted([site.article_path(7), site.article_path(11)])


def test_403_storm_opens_the_breaker_which_survives_a_restart(tmp_path):
    with GeneratedSite(20) as site:
        for i in range(1, 21):
            site.faults[site.article_path(i)] = Fault("status", status=403)
        source = _source(tmp_path, site.base_url, breaker_pause_s=1.5)
        settings = _settings(tmp_path)
        report = crawl(source, settings)
        assert report.status == "degraded" and "circuit breaker" in report.error  # the entry points answered
        article_hits = site.hits(lambda h: site.index_of(h.path) is not None)
        assert len(article_hits) == source.politeness.breaker_threshold  # no retries on 403, then stop
        state = open_state(settings.state_path)
        host = state.execute("select consecutive_failures, open_until, reason from hosts").fetchone()
        assert host[0] >= 5 and host[1] and "403" in host[2]
        # failed attempts on a paused host do not use up the articles' attempts
        assert state.execute("select count(*) from frontier where status = 'failed'").fetchone()[0] == 0
        # a restart while paused sends no request at all
        n = len(site.log)
        report = crawl(source, settings)
        assert report.status == "failed" and len(site.log) == n
        # after the pause the host is tried again; the site is fine now
        import time

        time.sleep(1.6)
        site.faults.clear()
        report = crawl(source, settings)
        assert report.status == "ok", report.summary()
        assert len(_ids(open_db(settings.db_path, create=False))) == 20
        row = open_state(settings.state_path).execute("select consecutive_failures, open_until from hosts").fetchone()
        assert row == (0, None)


def test_long_retry_after_pauses_the_host(tmp_path):
    with GeneratedSite(5) as site:
        site.faults[site.article_path(1)] = Fault("status", status=503, headers={"Retry-After": "3600"})
        source = _source(tmp_path, site.base_url)
        settings = _settings(tmp_path)
        report = crawl(source, settings)
        assert report.status == "degraded"
        reason = open_state(settings.state_path).execute("select reason from hosts").fetchone()[0]
        assert "Retry-After 3600" in reason


def test_unchanged_site_costs_only_conditional_requests(tmp_path):
    with GeneratedSite(45) as site:
        source = _source(tmp_path, site.base_url)
        settings = _settings(tmp_path)
        crawl(source, settings)
        site.log.clear()
        report = crawl(source, settings)
        assert report.new_articles == 0
        kinds = report.requests_by_kind
        assert "article" not in kinds and "robots" not in kinds, kinds  # robots.txt is cached
        assert len(site.log) >= 3 and all(h.status == 304 for h in site.log), site.log


def test_incremental_stops_paging_after_known_articles(tmp_path):
    with GeneratedSite(100, per_page=10, validators=False) as site:
        source = _source(tmp_path, site.base_url, stop_after_known=5)
        settings = _settings(tmp_path)
        crawl(source, settings, mode="backfill", backfill_until=__import__("datetime").date(2025, 1, 1))
        site.n = 103  # three new articles on top
        site.newest = site.newest + __import__("datetime").timedelta(hours=36)
        site.log.clear()
        report = crawl(source, settings)
        listing_pages = [h for h in site.log if h.path == "/thoi-su"]
        assert len(listing_pages) == 1  # 3 new, then 7 known on page 1 ≥ 5: stop
        assert report.new_articles == 3


def test_revisions_and_removals(tmp_path):
    with GeneratedSite(12) as site:
        source = _source(tmp_path, site.base_url)
        settings = _settings(tmp_path)
        crawl(source, settings)
        site.edits[2] = 1
        site.removed.add(3)
        site.faults[site.article_path(4)] = Fault("redirect_home")
        state = open_state(settings.state_path)
        with state.atomic():
            state.execute("update frontier set next_check_at = '2000-01-01T00:00:00+07:00' where status = 'done'")
        report = crawl(source, settings)
        assert report.updated_articles == 1 and report.removed_articles == 2, report.summary()
        db = open_db(settings.db_path, create=False)
        a = lambda i: f"testsite:{site.article_id(i)}"  # noqa: E731
        assert db.execute("select count(*) from article_versions where article_id = ?", [a(2)]).fetchone()[0] == 2
        assert db.execute("select status from articles where id = ?", [a(3)]).fetchone()[0] == "removed"
        assert db.execute("select status from articles where id = ?", [a(4)]).fetchone()[0] == "removed"
        assert db.execute("select count(*) from articles").fetchone()[0] == 12  # nothing deleted
        # the schedule moved on: the next check of an unchanged article is a day later
        nxt = state.execute("select next_check_at, checks_done from frontier where article_key = ?",
                            [a(5)]).fetchone()
        assert nxt[1] == 1 and nxt[0] > "2001"
