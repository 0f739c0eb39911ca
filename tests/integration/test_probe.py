"""Issue 16: ``hanoi-news probe`` on local sites: what works, what does not, and the fix."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from crawler.config import FIXTURE_SITE, PROJECT_ROOT
from crawler.fixture_server import FixtureServer
from tests.support.fault_server import Fault, site_source
from tests.support.health_site import HealthSite


def _fast_sources(tmp_path: Path) -> Path:
    """The project's sources.yml with a test's request rate (the fixture site is local)."""
    text = (PROJECT_ROOT / "sources.yml").read_text(encoding="utf-8")
    path = tmp_path / "sources.yml"
    path.write_text(text.replace("rate_per_second: 1.0", "rate_per_second: 50.0"), encoding="utf-8")
    return path


def test_probe_of_the_demo_site_reports_every_entry_point_and_field(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with FixtureServer(FIXTURE_SITE) as server:
        result = CliRunner().invoke(cli, ["probe", "laodongthudo", "--base-url", server.base_url,
                                          "--sources", str(_fast_sources(tmp_path)), "--save", "saved",
                                          "--json"])
        paths = [p for p, _status in server.requests]
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    kinds = [(e["kind"], e["verdict"].split(":")[0]) for e in report["entries"]]
    assert kinds == [("robots", "OK"), ("home", "OK"), ("feed", "OK"), ("sitemap", "OK"),
                     ("listing", "OK"), ("listing", "OK")]
    listing = report["entries"][4]
    assert listing["next_page"] and len(listing["items"]) == 6
    assert len(report["articles"]) == 3 and all(a["verdict"] == "OK" for a in report["articles"])
    first = report["articles"][0]
    fields = {f["name"]: f for f in first["fields"]}
    assert first["date_source"] in ("json-ld", "meta", "byline")
    assert fields["body"]["came_from"] == "profile" and fields["body"]["state"] == "ok"
    assert (".detail_info", 1) in [tuple(s) for s in fields["body"]["selectors"]]
    assert first["places"]
    assert report["fixes"] == []
    # polite: robots.txt first, each page once; nothing written but the saved folder
    assert paths[0] == "/robots.txt" and len(paths) == len(set(paths))
    assert not (tmp_path / "archive.db").exists() and not (tmp_path / "data").exists()
    saved = sorted(p.name for p in (tmp_path / "saved").iterdir())
    assert "README.txt" in saved and "01-robots-robots-txt.txt" in saved
    article_meta = [json.loads((tmp_path / "saved" / n).read_text()) for n in saved
                    if "-article-" in n and n.endswith(".json")]
    assert len(article_meta) == 3
    assert all(m["status"] == 200 and "etag" in m["headers"] and m["parsed"]["title"] for m in article_meta)
    assert all("expected" not in m for m in article_meta)  # not a fixture until a person checks it


def test_probe_says_what_to_fix_on_a_broken_source(tmp_path):
    with HealthSite(12, robots="User-agent: *\nDisallow: /bi-mat\n") as site:
        site.listing_edit = lambda html: html.replace("<h3>", "<h4>").replace("</h3>", "</h4>")
        source = site_source(site.base_url)
        source = replace(source, feeds=("/rss/khong-co.rss",), parser="laodongthudo",
                         listings=source.listings + (replace(source.listings[0], url="/bi-mat"),))
        from crawler.probe import format_report, probe

        report = probe(source, articles=2)
        text = format_report(report)
    by_url = {e.url.removeprefix(site.base_url): e for e in report.entries}
    assert by_url["/rss/khong-co.rss"].verdict == "FAILED: HTTP 404"
    listing = by_url["/thoi-su"]
    assert listing.verdict.startswith("EMPTY")
    assert listing.fix == "item_selector: 'div.item a[href]' finds 10 article links on this page"
    assert by_url["/bi-mat"].verdict == "FAILED: disallowed by robots.txt"
    assert by_url["/robots.txt"].verdict.startswith("DISALLOWS 1 entry point")
    assert by_url["/sitemap.xml"].ok  # the sitemap still gives the articles
    body = {f.name: f for f in report.articles[0].fields}["body"]
    assert body.state == "fallback" and body.came_from == "generic"
    assert any(f.startswith("article field body: the profile's body selectors") for f in report.fixes)
    assert "FIX: item_selector" in text and "verdict: " in text


def test_probe_when_patterns_match_nothing_and_the_host_fails(tmp_path):
    with HealthSite(5) as site:
        source = replace(site_source(site.base_url), article_patterns=(r"^/bai-viet/(\d+)$",))
        from crawler.probe import probe

        report = probe(source)
        assert report.articles == []
        home = report.entries[1]
        assert home.verdict.startswith("NO ARTICLE LINKS") and "article_patterns" in home.fix
        feed = next(e for e in report.entries if e.kind == "feed")
        assert feed.verdict.startswith("PATTERNS MATCH NOTHING") and "/tin-so-" in feed.fix
        site.faults["/robots.txt"] = Fault("status", status=503)
        down = probe(site_source(site.base_url, max_retries=0))
    assert down.entries[0].verdict.startswith("FAILED") and down.entries[0].fix
    assert all(e.verdict.startswith("FAILED") for e in down.entries[1:])
