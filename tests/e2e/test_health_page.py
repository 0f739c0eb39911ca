"""Issue 16: the health page in Datasette (the ``health`` canned query) shows each source's
state and its open alarms; the demo's shows its fixture source."""
from __future__ import annotations

import asyncio

from crawler.demo import build_demo
from crawler.publish.app import make_datasette
from tests.support.health_site import Crawls, HealthSite


def _get(ds, path):
    async def fetch():
        return await ds.client.get(path)
    return asyncio.run(fetch())


def test_the_demo_health_page_shows_its_fixture_source(tmp_path):
    db_path, reports = build_demo(tmp_path / "demo")
    assert [r.status for r in reports] == ["ok", "ok"]
    ds = make_datasette(db_path, demo=True)
    rows = _get(ds, "/demo/health.json?_shape=array").json()
    assert [(r["source"], r["health"], r["last_run"], r["open_alarms"]) for r in rows] == [
        ("laodongthudo", "healthy", "ok", 0)]
    page = _get(ds, "/demo/health")
    assert page.status_code == 200 and "Health of the sources" in page.text and "healthy" in page.text
    assert "/demo/alarms" in page.text  # the links follow the served file's name
    assert _get(ds, "/demo/entry_point_runs.json?_shape=array&outcome=ok").json()


def test_an_unhealthy_source_and_its_alarm_on_the_health_page(tmp_path):
    with HealthSite(10) as site:
        c = Crawls(site, tmp_path)
        c.run()
        site.listing_edit = lambda html: html.replace("<h3>", "<h4>").replace("</h3>", "</h4>")
        site.grow(2)
        c.run()
    ds = make_datasette(c.settings.db_path)
    [row] = _get(ds, "/archive/health.json?_shape=array").json()
    assert row["health"] == "UNHEALTHY" and row["last_run"] == "degraded" and row["open_alarms"] == 1
    assert "entry_point_empty [/thoi-su] since" in row["alarms"]
    [alarm] = _get(ds, "/archive/open_alarms.json?_shape=array").json()
    assert alarm["kind"] == "entry_point_empty" and alarm["measured"] == 0
