"""Issue 18 from the command line: `sources` validates and shows a configured entry, `parse
--source` tries its selectors on a saved page (README, "Add a paper")."""
from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from crawler.cli import cli
from tests.integration.test_configured_source import SELECTORS, SOURCES_YML

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "ward_site"
PAGE = SITE / "www" / "tin-tuc" / "tin-hoat-dong" / "1287-phuong-nghia-do-thu-ngan-sach-nam-2025-dat-118-du-toan.html"
URL = "https://phuongnghiado.example/tin-tuc/tin-hoat-dong/1287-phuong-nghia-do-thu-ngan-sach-nam-2025-dat-118-du-toan.html"


def _config(tmp_path: Path, selectors: str = SELECTORS) -> str:
    path = tmp_path / "sources.yml"
    path.write_text(SOURCES_YML.format(base="https://phuongnghiado.example", selectors=selectors), encoding="utf-8")
    return str(path)


def test_sources_validates_and_shows_the_overridden_fields(tmp_path):
    result = CliRunner().invoke(cli, ["sources", "--sources", _config(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "nghiado" in result.output and "parser=generic" in result.output
    assert "selectors=author,category,drop,images,sapo,title" in result.output


def test_parse_with_source_uses_its_selectors_and_says_what_matched(tmp_path):
    config = _config(tmp_path)
    result = CliRunner().invoke(cli, ["parse", str(PAGE), "--url", URL, "--source", "nghiado", "--sources", config])
    assert result.exit_code == 0, result.output
    article = json.loads(result.stdout)
    assert article["title"] == "Phường Nghĩa Đô thu ngân sách năm 2025 đạt 118% dự toán"
    assert article["authors"] == ["Thu Hằng"] and article["category"] == "Tin hoạt động"
    # the drift alarms see these fields as read by the source's own selectors, not the fallback
    assert {k: article["field_sources"][k] for k in ("title", "author", "category")} == dict.fromkeys(
        ("title", "author", "category"), "selectors")
    assert "selectors.title: '.item-page h1[itemprop=headline]': 1" in result.stderr
    plain = CliRunner().invoke(cli, ["parse", str(PAGE), "--url", URL])
    assert json.loads(plain.stdout)["title"] == "Cổng thông tin điện tử phường Nghĩa Đô"


def test_parse_flags_a_selector_that_matches_nothing(tmp_path):
    config = _config(tmp_path, "    selectors:\n      date: '.ngay-dang'")
    result = CliRunner().invoke(cli, ["parse", str(PAGE), "--url", URL, "--source", "nghiado", "--sources", config])
    assert result.exit_code == 0, result.output
    assert "selectors.date: '.ngay-dang': 0  <- nothing matched" in result.stderr


def test_bad_entries_and_unknown_sources_are_one_plain_line(tmp_path):
    config = _config(tmp_path, "    selectors:\n      titel: 'h1'")
    result = CliRunner().invoke(cli, ["sources", "--sources", config])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "unknown field 'titel' (did you mean 'title'?)" in result.output
    result = CliRunner().invoke(cli, ["parse", str(PAGE), "--url", URL, "--source", "nope", "--sources", _config(tmp_path)])
    assert result.exit_code == 1 and "unknown source(s): nope" in result.output
