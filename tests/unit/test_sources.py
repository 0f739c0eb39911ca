"""sources.yml: the shipped file loads, every source is complete, mistakes give plain messages."""
from __future__ import annotations

import pytest

from crawler.config import PROJECT_ROOT
from crawler.errors import ConfigError
from crawler.sources import load_sources


def test_shipped_sources_load_and_are_polite():
    sources = {s.id: s for s in load_sources(PROJECT_ROOT / "sources.yml")}
    assert set(sources) >= {"laodongthudo", "hanoimoi", "kinhtedothi", "anninhthudo", "nhipsonghanoi"}
    for s in sources.values():
        assert s.politeness.rate_per_second <= 1.0
        assert s.politeness.total_timeout_s >= s.politeness.timeout_s
        assert "contact" in s.user_agent
        assert s.listings or s.feeds or s.sitemaps
        assert s.revisit_after_hours == (1.0, 24.0, 168.0)
    ldt = sources["laodongthudo"]
    assert ldt.listings[0].pagination.template == "{url}&s_cond=&BRSR={offset}"
    assert "/sitemaps/categories.xml" in sources["anninhthudo"].sitemap_exclude


@pytest.mark.parametrize("text, message", [
    ("sources: [", "not valid YAML"),
    ("foo: 1", "top-level 'sources:'"),
    ("sources:\n  - id: a\n    name: A\n", "missing"),
    ("sources:\n  - {id: a, name: A, base_url: 'http://x', parser: generic, article_patterns: ['(']}", "source #1"),
    ("sources:\n  - {id: a, name: A, base_url: 'http://x', parser: generic, article_patterns: ['x'], colour: red}",
     "unknown key"),
    ("sources:\n  - {id: a, name: A, base_url: 'http://x', parser: generic, article_patterns: ['x']}\n"
     "  - {id: a, name: B, base_url: 'http://y', parser: generic, article_patterns: ['x']}", "duplicate"),
    ("sources:\n  - {id: a, name: A, base_url: 'http://x', parser: generic, article_patterns: ['x'], "
     "politeness: {speed: 3}}", "source #1"),
])
def test_mistakes_give_plain_messages(tmp_path, text, message):
    p = tmp_path / "sources.yml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_sources(p)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_sources(tmp_path / "nope.yml")
