"""Every fixture page against its hand-written expectation, plus pass-rate floors.

Fixtures: tests/fixtures/pages/<site>/<name>.{html,json} and
tests/fixtures/site/expected/<stem>.json (pages in tests/fixtures/site/www/).
The floors are the measured per-site field pass rates, rounded down: quality cannot slide.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.evaluate_parsers import Fixture, Report, check_fixture, configured_profiles, evaluate, find_fixtures
from parsers.extract import parse_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DIRS = [FIXTURES / "pages", FIXTURES / "site"]
ALL = find_fixtures(DIRS)
PROFILES = configured_profiles()  # sources.yml entries with selectors: parse their fixtures

# Measured with `python -m crawler.evaluate_parsers` (profiles on) and `--generic` (profiles off).
FLOORS = {"laodongthudo": 1.0, "hanoimoi": 1.0, "kinhtedothi": 1.0, "anninhthudo": 1.0,
          "nhipsonghanoi": 1.0, "unknown": 1.0}
GENERIC_BODY_FLOOR = 1.0  # body_contains + body_excludes with profiles disabled, all sites


def test_fixtures_are_found() -> None:
    sites = {f.site for f in ALL}
    assert {"laodongthudo", "hanoimoi", "kinhtedothi", "anninhthudo", "nhipsonghanoi", "unknown"} <= sites


@pytest.mark.parametrize("fixture", ALL, ids=[f.name for f in ALL])
def test_fixture_fields(fixture: Fixture) -> None:
    failures = [f"{c.field}: expected {c.expected!r}, got {c.got!r}"
                for c in check_fixture(fixture, profiles=PROFILES) if not c.ok]
    assert not failures, "\n".join(failures)


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(DIRS)


@pytest.mark.parametrize("site", sorted(FLOORS))
def test_pass_rate_floor(report: Report, site: str) -> None:
    assert any(c.site == site for c in report.checks)
    assert report.rate(site=site) >= FLOORS[site]


def _generic(html: str | bytes, url: str, **kw: object) -> object:
    return parse_article(html, url, use_profile=False, **kw)  # type: ignore[arg-type]


def test_generic_extractor_body_floor() -> None:
    generic = evaluate(DIRS, _generic)  # type: ignore[arg-type]
    body = [c for c in generic.checks if c.field in ("body_contains", "body_excludes")]
    assert body
    assert sum(c.ok for c in body) / len(body) >= GENERIC_BODY_FLOOR
