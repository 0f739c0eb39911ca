"""Issue 3: seeing how it goes (status, runs, fetches), the per-source lock and the scheduler."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from crawler.config import Settings
from crawler.crawl import crawl, source_lock
from crawler.errors import SourceBusy
from crawler.schedule import build_scheduler
from crawler.status import format_table, health
from crawler.store import open_db
from tests.support.fault_server import Fault, GeneratedSite, site_source, site_sources_yaml


def test_status_reports_health_and_paused_hosts(tmp_path):
    with GeneratedSite(12) as site:
        source = site_source(site.base_url, breaker_threshold=2)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        assert crawl(source, settings).status == "ok"
        for i in range(1, 13):
            site.faults[site.article_path(i)] = Fault("status", status=503)
        site.faults["/rss/home.rss"] = Fault("status", status=503)
        site.faults["/sitemap.xml"] = Fault("status", status=503)
        site.faults["/thoi-su"] = Fault("status", status=503)
        assert crawl(source, settings).status == "failed"  # nothing answered: the breaker opened
        assert crawl(source, settings).status == "failed"  # paused: nothing sent
        db = open_db(settings.db_path, create=False)
        [h] = health(db, ["testsite"], state_path=settings.state_path)
        assert h.articles == 12 and h.last_success and h.consecutive_failures >= 1
        assert h.per_day_7d == pytest.approx(12 / 7)
        assert h.with_body == 1.0 and h.with_date == 1.0
        assert h.paused_hosts.startswith(site.base_url) and "503" in h.paused_hosts
        text = format_table([h])
        assert "testsite" in text and "paused" in text
        # the CLI prints the same
        from crawler.cli import cli

        sources = tmp_path / "sources.yml"
        sources.write_text(site_sources_yaml(site.base_url), encoding="utf-8")
        result = CliRunner().invoke(cli, ["status", "--db", str(settings.db_path), "--sources", str(sources)])
        assert result.exit_code == 3 and "testsite" in result.output and "UNHEALTHY" in result.output


def test_runs_and_fetches_tables_tell_the_story(tmp_path):
    with GeneratedSite(5) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        crawl(source, settings)
        crawl(source, settings)
        db = open_db(settings.db_path, create=False)
        runs = db.execute("select status, new_articles, not_modified, fetched from runs order by id").fetchall()
        assert runs[0][:2] == ("ok", 5) and runs[1][0] == "ok" and runs[1][1] == 0 and runs[1][2] == 3
        kinds = {r[0] for r in db.execute("select kind from fetches")}
        assert kinds == {"robots", "feed", "sitemap", "listing", "article"}
        # every article references its raw capture
        assert db.execute("select count(*) from articles where capture is null").fetchone()[0] == 0


def test_one_source_is_never_crawled_twice_at_once(tmp_path):
    with GeneratedSite(3) as site:
        source = site_source(site.base_url)
        settings = Settings(db_path=tmp_path / "archive.db", data_dir=tmp_path / "data")
        with source_lock(settings.lock_dir, source.id):
            with pytest.raises(SourceBusy):
                crawl(source, settings)
        assert crawl(source, settings).status == "ok"  # the lock is free again


def test_scheduler_one_job_per_source_without_overlap(tmp_path):
    with GeneratedSite(3) as site:
        a = site_source(site.base_url, source_id="a")
        b = site_source(site.base_url, source_id="b")
        sched = build_scheduler([a, b], lambda s: None)
        sched.start(paused=True)
        jobs = sched.get_jobs()
        sched.shutdown(wait=False)
        assert sorted(j.id for j in jobs) == ["crawl:a", "crawl:b"]
        for job in jobs:
            assert job.max_instances == 1 and job.coalesce and job.misfire_grace_time >= 60
            assert job.trigger.interval.total_seconds() == 3600 and job.trigger.jitter
