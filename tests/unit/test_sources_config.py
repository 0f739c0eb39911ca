"""sources.yml ``selectors:`` and the checks of an entry: each mistake gets a message that
names the entry, the key and what to write instead (issue 18)."""
from __future__ import annotations

import pytest

from crawler.errors import ConfigError
from crawler.sources import load_sources

ENTRY = """sources:
  - id: quan
    name: Quận
    base_url: {base}
    parser: {parser}
    article_patterns: [{pattern}]
{extra}"""


def _write(tmp_path, *, base="https://quan.example", parser="generic", pattern="'^/tin/(\\d+)-.+\\.html$'",
           extra=""):
    p = tmp_path / "sources.yml"
    p.write_text(ENTRY.format(base=base, parser=parser, pattern=pattern, extra=extra), encoding="utf-8")
    return p


@pytest.mark.parametrize("kwargs, words", [
    ({"extra": "    selectors: {titel: h1}\n"}, ["source #1 (quan)", "unknown field 'titel'", "did you mean 'title'?"]),
    ({"extra": "    selectors: {date: '.meta time['}\n"}, ["selectors.date", "'.meta time['", "not a valid CSS selector"]),
    ({"extra": "    selectors: {drop: ['.ads', 'div..x']}\n"}, ["selectors.drop", "'div..x'"]),
    ({"extra": "    selectors: {body: []}\n"}, ["selectors.body", "give a CSS selector"]),
    ({"extra": "    selectors: {lead: p.a, sapo: p.b}\n"}, ["'lead' and 'sapo' set the same field (sapo)"]),
    ({"extra": "    selectors: h1\n"}, ["selectors must be a mapping", "title"]),
    ({"pattern": "'^/tin/(\\d+'"}, ["article_patterns[0]", "not a valid regular expression", "missing )"]),
    ({"parser": "wordpres"}, ["parser 'wordpres' is unknown", "'generic'", "hanoimoi"]),
    ({"base": "quan.example"}, ["base_url 'quan.example' must be an absolute http(s) URL"]),
    ({"extra": "    listings:\n      - {url: /tin, item_selector: 'h3 >'}\n"},
     ["listings[0].item_selector", "not a valid CSS selector"]),
    ({"extra": "    listings:\n      - {url: /tin, pagination: {next: '.x'}}\n"},
     ["listings[0]", "unknown key(s) pagination.next", "pagination.next_selector"]),
    ({"extra": "    listings:\n      - {item_selector: 'h3 a'}\n"}, ["listings[0] needs a url"]),
])
def test_mistakes_name_the_entry_the_key_and_the_fix(tmp_path, kwargs, words):
    with pytest.raises(ConfigError) as info:
        load_sources(_write(tmp_path, **kwargs))
    for word in words:
        assert word in str(info.value)


def test_missing_keys_are_all_named(tmp_path):
    p = tmp_path / "sources.yml"
    p.write_text("sources:\n  - id: quan\n    name: Quận\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"source #1 \(quan\): missing base_url, parser, article_patterns"):
        load_sources(p)


def test_selectors_are_read_with_aliases_and_lists(tmp_path):
    extra = ("    selectors:\n      title: ' h1.tieu-de '\n      lead: .sapo\n      section: [.cat a, .breadcrumb a]\n"
             "      drop: [.ads]\n")
    source = load_sources(_write(tmp_path, extra=extra))[0]
    assert dict(source.selectors) == {"title": ("h1.tieu-de",), "sapo": (".sapo",),
                                      "category": (".cat a", ".breadcrumb a"), "drop": (".ads",)}
    profile = source.parse_profile
    assert profile.title == ("h1.tieu-de",) and profile.override("category") == (".cat a", ".breadcrumb a")
    assert profile.site_article_id("https://quan.example/tin/4417-phuong-moi.html?x=1") == "4417"
    assert profile is source.parse_profile, "one profile per source (cached)"


def test_a_source_without_selectors_keeps_its_parser_name(tmp_path):
    source = load_sources(_write(tmp_path, parser="hanoimoi"))[0]
    assert source.selectors == () and source.parse_profile == "hanoimoi"


def test_selectors_on_a_site_profile_go_before_its_own(tmp_path):
    source = load_sources(_write(tmp_path, parser="hanoimoi", extra="    selectors: {date: .ngay-dang}\n"))[0]
    profile = source.parse_profile
    assert profile.name == "hanoimoi" and profile.date[0] == ".ngay-dang" and "span.c-detail-head__time" in profile.date
    assert ".ngay-dang" in profile.drop, "a date element is never body text"
