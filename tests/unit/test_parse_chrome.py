"""A fixture page inside ~150 KB of a news site's chrome (mega-menu, sidebars of other
articles with their own dates, ad scripts, inline JSON and CSS: tests/fixtures/site_chrome.py)
parses exactly as the page alone: with its profile and with the generic extractor."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.evaluate_parsers import find_fixtures
from parsers import parse
from parsers.extract import parse_article
from tests.fixtures.site_chrome import wrap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = find_fixtures([FIXTURES / "pages", FIXTURES / "site"])


def test_the_chrome_makes_a_real_sized_page() -> None:
    page = PAGES[0].page.read_bytes()
    for share in (0.35, 0.70):
        wrapped = wrap(page, script_share=share)
        assert 140_000 < len(wrapped) < 165_000 and page[:15] == wrapped[:15]
        assert wrapped.count(b'class="time"') >= 30  # dated items of other articles
    assert wrap(page) == wrap(page)  # deterministic


@pytest.mark.parametrize("fixture", PAGES, ids=lambda f: f"{f.site}/{f.page.stem}")
def test_site_chrome_does_not_change_the_parse(fixture) -> None:
    page = fixture.page.read_bytes()
    for share in (0.35, 0.70):
        wrapped = wrap(page, script_share=share)
        assert vars(parse(wrapped, fixture.url)) == vars(parse(page, fixture.url))
        assert (vars(parse_article(wrapped, fixture.url, use_profile=False))
                == vars(parse_article(page, fixture.url, use_profile=False)))
