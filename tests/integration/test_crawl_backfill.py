"""Issue 3: a backfill walks listings and sitemaps back to a date, keeps its cursor in
state.db and, interrupted, continues where it stopped."""
from __future__ import annotations

import threading
from datetime import date

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.store import open_db, open_state
from tests.support.fault_server import GeneratedSite, site_source


def test_interrupted_backfill_resumes_from_its_cursor(tmp_path):
    with GeneratedSite(80, per_page=10) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        stop = threading.Event()
        done = [0]

        def progress(n):
            done[0] += n
            if done[0] >= 25:
                stop.set()

        until = date(2025, 5, 20)  # about 41 days back: ~82 of the 80 articles -> all, via listings
        report = crawl(source, settings, mode="backfill", backfill_until=until, stop=stop, progress=progress)
        assert report.status == "interrupted" and report.error == "stopped on request"
        state = open_state(settings.state_path)
        cursor = state.execute("select value from cursors where name = 'backfill:/thoi-su'").fetchone()[0]
        assert "page=" in cursor
        listing_hits_before = len([h for h in site.log if h.path == "/thoi-su"])
        site.log.clear()
        report = crawl(source, settings, mode="backfill", backfill_until=until)
        assert report.status == "ok", report.summary()
        db = open_db(settings.db_path, create=False)
        assert db.execute("select count(*) from articles").fetchone()[0] == 80
        # resumed: the first listing page was not read again, no article was fetched twice
        listing_hits_after = len([h for h in site.log if h.path == "/thoi-su"])
        assert listing_hits_before + listing_hits_after <= site.pages() + 1
        assert all(n == 1 for p, n in site.counts.items() if site.index_of(p))
        assert state.execute("select value from cursors where name = 'backfill:/thoi-su'").fetchone()[0].startswith("done:")
        # a third run over a finished backfill reads no listing page and no finished sitemap month
        site.log.clear()
        crawl(source, settings, mode="backfill", backfill_until=until)
        assert not [h for h in site.log if h.path == "/thoi-su" or "/sitemaps/news-" in h.path], site.log
        assert not [h for h in site.log if site.index_of(h.path)]


def test_backfill_stops_at_the_date(tmp_path):
    with GeneratedSite(100, per_page=10, hours_apart=24) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        crawl(source, settings, mode="backfill", backfill_until=date(2025, 6, 1))
        db = open_db(settings.db_path, create=False)
        dates = [r[0] for r in db.execute("select published_at from articles order by published_at")]
        # 30 articles are on or after 1 June; the walk stops on the first listing page older than that
        assert 30 <= len(dates) <= 40
        assert not [h for h in site.log if h.path == "/thoi-su"][5:], "read more listing pages than needed"
