"""Issue 16: each drift alarm provoked on a local site, firing within one run of the fault,
and closing once the site is back; honest run outcomes; ``status`` exit codes."""
from __future__ import annotations

import json
import re
import socket
from dataclasses import replace
from datetime import timedelta

import pytest

from crawler import clock
from tests.support.fault_server import Fault
from tests.support.health_site import Crawls, HealthSite


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- honest outcomes and status ------------------------------------------------------------
def test_healthy_source_is_ok_and_status_exits_0(tmp_path):
    with HealthSite(20) as site:
        c = Crawls(site, tmp_path)
        report = c.run()
        assert report.status == "ok", report.summary()
        assert report.outcome == {"entry_points": 3, "entry_points_answered": 3, "entry_points_failed": 0,
                                  "entry_points_empty": 0}
        assert c.run().status == "ok"  # nothing new: 304s are fine
        result = c.status()
        assert result.exit_code == 0, result.output
        assert "healthy" in result.output and "UNHEALTHY" not in result.output
        data = json.loads(c.status("--json").stdout)
        assert data["healthy"] is True and data["sources"][0]["alarms"] == []


def test_unreachable_source_fails_keeps_its_last_success_and_status_exits_3(tmp_path):
    with HealthSite(10) as site:
        c = Crawls(site, tmp_path, max_retries=0)
        assert c.run().status == "ok"
        db = c.db()
        first_ok = db.execute("select finished_at from runs where id = 1").fetchone()[0]
        site.stop()  # the host no longer answers: connection refused
        report = c.run()
        assert report.status == "failed", report.summary()
        assert report.outcome["entry_points_answered"] == 0
        db = c.db()
        assert db.execute("select status from runs where id = 2").fetchone()[0] == "failed"
        alarm = c.open_alarms()[("run_failed", "")]
        assert alarm["measured"] == 0 and alarm["usual"] == 3 and alarm["opened_run_id"] == 2
        result = c.status("--json")
        assert result.exit_code == 3, result.output
        [row] = json.loads(result.stdout)["sources"]
        assert row["health"] == "UNHEALTHY" and row["last_status"] == "failed"
        assert row["last_success"] == first_ok  # the failed run is not a success
        assert row["consecutive_failures"] == 1
        assert {a["kind"] for a in row["alarms"]} >= {"run_failed", "entry_point_failed"}


def test_source_unreachable_from_the_first_run(tmp_path):
    with HealthSite(1) as site:
        c = Crawls(site, tmp_path)
    c.source = c.source.with_base_url(f"http://127.0.0.1:{_closed_port()}")
    report = c.run()
    assert report.status == "failed" and report.fetched == 0
    result = c.status()
    assert result.exit_code == 3 and "never" in result.output  # no last success, ever


# -- entry points ----------------------------------------------------------------------------
def test_listing_redesign_yields_nothing(tmp_path):
    """entry_point_empty: the listing's item selector matches nothing any more."""
    with HealthSite(20) as site:
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        site.grow(5)
        site.listing_edit = lambda html: html.replace("<h3>", "<h4>").replace("</h3>", "</h4>")
        report = c.run()
        assert report.status == "degraded", report.summary()
        alarm = c.open_alarms()[("entry_point_empty", "/thoi-su")]
        assert alarm["measured"] == 0 and "item_selector" in alarm["message"]
        assert c.status().exit_code == 3
        c.run()  # nothing changed: 304 for the same empty page, which is no news of a repair
        assert ("entry_point_empty", "/thoi-su") in c.open_alarms()
        site.listing_edit = None  # the site (or the profile) is fixed
        site.grow(1)
        assert c.run().status == "ok"
        assert ("entry_point_empty", "/thoi-su") not in c.open_alarms()
        assert c.status().exit_code == 0


def test_article_links_change_form_so_discovery_yields_zero(tmp_path):
    """patterns_match_nothing on every entry point: the site's article URLs took a new form."""
    with HealthSite(20) as site:
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        site.grow(5)
        new_form = lambda text: re.sub(r"(/tin-so-\d+-\d+)\.html", r"\1.htm", text)  # noqa: E731
        site.listing_edit = site.feed_edit = site.sitemap_edit = new_form
        report = c.run()
        assert report.new_articles == 0 and report.discovered == 0
        assert report.status == "degraded", report.summary()  # the site answered: reached
        alarms = c.open_alarms()
        for entry in ("/rss/home.rss", "/thoi-su"):
            assert ("patterns_match_nothing", entry) in alarms, alarms.keys()
        assert "none matches" in alarms[("patterns_match_nothing", "/thoi-su")]["message"]
        assert any(k == "patterns_match_nothing" and s.startswith("/sitemap") for k, s in alarms)
        result = c.status()
        assert result.exit_code == 3 and "patterns_match_nothing" in result.output


def test_entry_point_that_stops_answering(tmp_path):
    with HealthSite(20) as site:
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        site.faults["/sitemap.xml"] = Fault("status", status=404)
        site.grow(3)
        report = c.run()
        assert report.status == "degraded" and report.new_articles == 3  # the others still work
        alarm = c.open_alarms()[("entry_point_failed", "/sitemap.xml")]
        assert "404" in alarm["message"]
        site.faults.clear()
        c.run()
        assert ("entry_point_failed", "/sitemap.xml") not in c.open_alarms()


def test_listing_yield_far_below_usual(tmp_path):
    """entry_point_low: the listing still answers, with a tenth of its usual links."""
    with HealthSite(20, per_page=10) as site:
        c = Crawls(site, tmp_path)
        for _ in range(3):  # history: 10 article links per listing page
            site.grow(10)
            assert c.run().status == "ok"
        assert ("entry_point_low", "/thoi-su") not in c.open_alarms()
        site.grow(10)
        site.listing_edit = lambda html: re.sub(r'(</div>)(<div class="item">.*?</div>)+', r"\1", html, count=1)
        c.run()
        alarm = c.open_alarms()[("entry_point_low", "/thoi-su")]
        assert alarm["usual"] == 10 and alarm["measured"] <= 2


# -- fields and parse failures ---------------------------------------------------------------
PROFILE_BODY = ('<div class="content">', '<div class="detail_info">')  # laodongthudo's body container


def test_profile_selector_stops_matching_so_the_generic_fallback_is_used(tmp_path):
    """field_fallback: the profile's body container was renamed by the site."""
    with HealthSite(20) as site:
        site.article_edit = lambda k, html: html.replace(*PROFILE_BODY) if k <= 20 else html
        c = Crawls(site, tmp_path)
        c.source = replace(c.source, parser="laodongthudo")
        assert c.run().status == "ok"
        db = c.db()
        assert json.loads(db.execute("select field_sources from articles limit 1").fetchone()[0])["body"] == "profile"
        assert ("field_fallback", "body") not in c.open_alarms()
        site.grow(10)  # the new articles are in the new template
        c.run()
        alarm = c.open_alarms()[("field_fallback", "body")]
        assert alarm["measured"] == 1.0 and alarm["usual"] == 0.0
        newest = f"testsite:{site.article_id(1)}"
        sources = json.loads(c.db().execute("select field_sources from articles where id = ?",
                                            [newest]).fetchone()[0])
        assert sources["body"] == "generic"  # recorded per article too
        fields = c.db().execute("select articles, fallback from run_fields where run_id = 2 and field = 'body'")
        assert fields.fetchone() == (10, 10)


NAMED = lambda k, html: re.sub(r"<strong>Phóng viên \d</strong>", "<strong>Thu Hà</strong>", html)  # noqa: E731
FIELD_FAULTS = {
    "date": lambda k, html: re.sub(r'<meta property="article:published_time"[^>]*>', "", html),
    "author": lambda k, html: re.sub(r'<p style="text-align: right">.*?</p>', "", html),
    "body": lambda k, html: re.sub(r"<p>Đoạn (?!1 ).*?</p>", "", html),
    "place": lambda k, html: (html.replace("Quận Ba Đình", "Khu Bình Minh")
                              .replace("quận Ba Đình", "khu Bình Minh").replace("Ba Đình", "Bình Minh")
                              .replace("Hà Nội", "thành phố")),
}


@pytest.mark.parametrize("field_name", sorted(FIELD_FAULTS))
def test_rising_share_of_articles_without_a_field(tmp_path, field_name):
    """field_missing for date, author, body and place."""
    with HealthSite(20, paragraphs=3) as site:
        site.article_edit = NAMED  # the generated pages sign "Phóng viên N": no name
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        assert ("field_missing", field_name) not in c.open_alarms()
        site.grow(10)
        fault = FIELD_FAULTS[field_name]
        site.article_edit = lambda k, html: fault(k, NAMED(k, html)) if k > 20 else NAMED(k, html)
        c.run()
        alarm = c.open_alarms()[("field_missing", field_name)]
        assert alarm["measured"] == 1.0 and alarm["usual"] == 0.0
        assert f"without {field_name}" in alarm["message"]
        others = {s for k, s in c.open_alarms() if k == "field_missing"}
        assert others == {field_name}  # only the field that went missing


def test_rising_parse_failures(tmp_path):
    with HealthSite(20) as site:
        c = Crawls(site, tmp_path)
        assert c.run().status == "ok"
        site.grow(10)
        site.article_edit = site.newer_than(20, lambda k, html: '{"error": "template not found"}')
        report = c.run()
        assert report.parse_failures == 10 and report.status == "degraded"
        alarm = c.open_alarms()[("parse_failures", "")]
        assert alarm["measured"] == 1.0 and alarm["usual"] == 0.0


# -- breaker, silence, dead runs -------------------------------------------------------------
def test_open_breaker(tmp_path):
    with HealthSite(10) as site:
        c = Crawls(site, tmp_path, breaker_threshold=2)
        assert c.run().status == "ok"
        site.grow(5)
        for i in range(1, 6):
            site.faults[site.article_path(i)] = Fault("status", status=503)
        report = c.run()
        assert report.status == "degraded" and "circuit breaker" in (report.error or "")
        host = site.base_url
        alarm = c.open_alarms()[("breaker_open", host)]
        assert "503" in alarm["message"] and alarm["measured"] >= 2
        result = c.status()
        assert result.exit_code == 3 and "breaker_open" in result.output and "paused" in result.output


def test_no_new_article_for_longer_than_usual(tmp_path, monkeypatch):
    now = [clock.now()]
    monkeypatch.setattr(clock, "now", lambda: now[0])
    with HealthSite(10) as site:
        c = Crawls(site, tmp_path)
        for _ in range(5):  # a new article every hour
            site.grow(2)
            c.run()
            now[0] += timedelta(hours=1)
        assert ("no_new_articles", "") not in c.open_alarms()
        now[0] += timedelta(hours=20)  # the site goes on answering, with nothing new
        report = c.run()
        assert report.new_articles == 0
        alarm = c.open_alarms()[("no_new_articles", "")]
        assert alarm["measured"] > 20 and alarm["usual"] == pytest.approx(1.0, abs=0.1)
        assert c.status().exit_code == 3
        site.grow(1)
        c.run()
        assert ("no_new_articles", "") not in c.open_alarms()


def test_a_lasting_fault_does_not_become_the_norm(tmp_path):
    """The runs of an open alarm stay out of its usual figure: six runs on, still open."""
    with HealthSite(20, paragraphs=2) as site:
        site.article_edit = lambda k, html: NAMED(k, html) if k <= 20 else FIELD_FAULTS["author"](k, html)
        c = Crawls(site, tmp_path)
        c.run()
        for _ in range(6):  # the bylines are gone for good
            site.grow(10)
            c.run()
            alarm = c.open_alarms()[("field_missing", "author")]
            assert alarm["usual"] == 0.0


def test_a_lasting_change_is_accepted_as_the_new_normal(tmp_path):
    with HealthSite(20, paragraphs=2) as site:
        site.article_edit = lambda k, html: NAMED(k, html) if k <= 40 else FIELD_FAULTS["author"](k, html)
        c = Crawls(site, tmp_path)
        for _ in range(3):
            c.run()
            site.grow(10)
        c.run()  # the first run without bylines (the paper stopped printing them)
        alarm = c.open_alarms()[("field_missing", "author")]
        result = c.status("--accept", str(alarm["id"]))
        assert result.exit_code == 0, result.output  # its only alarm: healthy once accepted
        state = c.db().execute("select state from alarms where id = ?", [alarm["id"]]).fetchone()[0]
        assert state == "accepted"
        for _ in range(2):
            site.grow(10)
            c.run()
            assert ("field_missing", "author") not in c.open_alarms()
        assert c.status("--accept", "999").exit_code == 1  # no such open alarm: one plain line
