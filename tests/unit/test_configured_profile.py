"""Profiles from configuration (parsers/profiles/configured.py): the fields a source's
``selectors:`` names are read first, before the page's metadata and the generic extractor;
one that matches nothing falls back to them; ``drop`` is never read."""
from __future__ import annotations

from parsers import parse
from parsers.profiles import profile_by_name
from parsers.profiles.configured import base_profile, build_profile, configured_profile, selector_error, selector_hits

URL = "https://phuong.example/tin/4417-ra-quan.html"
PAGE = """<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">
<title>Cổng thông tin phường</title>
<meta property="og:title" content="Cổng thông tin phường">
<meta name="description" content="Trang thông tin của phường">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","headline":"Cổng thông tin phường",
 "datePublished":"2020-01-01T00:00:00+07:00","author":{"@type":"Person","name":"Quản trị viên"}}</script>
</head><body>
<div class="tin-khac"><span class="date">03/03/2021 10:00</span> <a href="/tin/1-a.html">Một tin khác của phường</a></div>
<h1 class="tieu-de">Phường ra quân làm sạch bờ sông</h1>
<div class="ngay">Ngày đăng: 05/01/2026 07:45</div>
<figure class="anh-dai-dien"><img src="/img/dai-dien.jpg" alt=""><figcaption>Lực lượng ra quân. Ảnh: Lan Anh</figcaption></figure>
<div class="noi-dung">
<p class="mo-dau">Sáng 4/1, phường tổ chức ra quân làm sạch bờ sông với sự tham gia của đông đảo người dân.</p>
<p>Hơn 300 người dân và đoàn viên đã thu gom khoảng 12 tấn rác thải dọc tuyến đê, phát quang 2 km bờ mương thoát nước.</p>
<div class="cung-chuyen-muc"><b>Cùng chuyên mục</b><ul><li><a href="/tin/2-b.html">Phường trao quà cho hộ nghèo dịp cuối năm</a></li></ul></div>
<figure class="anh"><img src="/img/bo-song.jpg" alt=""><figcaption>Bờ sông sau buổi ra quân.</figcaption></figure>
<p>Ủy ban nhân dân phường cho biết sẽ duy trì hoạt động này vào sáng chủ nhật cuối mỗi tháng, có ghi nhận khen thưởng.</p>
<p class="tac-gia">Lan Anh</p>
</div></body></html>"""

SELECTORS = {"title": ("h1.tieu-de",), "date": ("div.ngay",), "author": ("p.tac-gia",),
             "sapo": ("p.mo-dau",), "images": ("figure.anh-dai-dien", ".noi-dung figure"),
             "drop": (".tin-khac", ".cung-chuyen-muc")}


def _profile(**selectors):
    return build_profile(base_profile("generic"), selectors or SELECTORS)


def test_without_overrides_the_metadata_misleads():
    article = parse(PAGE, URL)
    assert article.title == "Cổng thông tin phường"
    assert article.published_at == "2020-01-01T00:00:00+07:00"
    assert article.authors == ["Quản trị viên"]


def test_overrides_beat_metadata_and_the_generic_extractor():
    article = parse(PAGE, URL, profile=_profile())
    assert article.title == "Phường ra quân làm sạch bờ sông"
    assert article.published_at == "2026-01-05T07:45:00+07:00" and article.date_source == "byline"
    assert article.authors == ["Lan Anh"]
    assert article.sapo.startswith("Sáng 4/1, phường tổ chức ra quân")
    assert [(i.caption, i.credit) for i in article.images] == [
        ("Lực lượng ra quân.", "Lan Anh"), ("Bờ sông sau buổi ra quân.", None)]
    body = article.body_text
    assert "12 tấn rác thải" in body and "sáng chủ nhật cuối mỗi tháng" in body
    for gone in ("Cùng chuyên mục", "Phường trao quà", "Một tin khác", "Lan Anh", "Ngày đăng"):
        assert gone not in body
    assert article.parser == "generic" and "+sel-" in article.parser_version


def test_a_selector_that_matches_nothing_falls_back_to_the_chain():
    article = parse(PAGE, URL, profile=_profile(title=("h1.khong-co",), author=(".khong-co",)))
    assert article.title == "Cổng thông tin phường"  # the metadata, as without the override
    assert article.authors == ["Quản trị viên"]


def test_drop_is_never_read_for_any_field():
    page = PAGE.replace('<div class="ngay">Ngày đăng: 05/01/2026 07:45</div>', "").replace(
        '"datePublished":"2020-01-01T00:00:00+07:00",', "")
    assert parse(page, URL).published_at.startswith("2021-03-03"), "the other article's date"
    assert parse(page, URL, profile=_profile(drop=(".tin-khac",))).published_at is None


def test_body_selector_and_drop_shape_the_body():
    article = parse(PAGE, URL, profile=_profile(body=(".noi-dung",), drop=(".cung-chuyen-muc",)))
    assert article.extraction == "profile"
    assert "Phường trao quà" not in article.body_text and "12 tấn rác thải" in article.body_text


def test_version_names_the_selectors():
    base = base_profile("generic")
    a, b = build_profile(base, {"title": ("h1",)}), build_profile(base, {"title": ("h2",)})
    assert a.version != b.version and a.version == build_profile(base, {"title": ("h1",)}).version
    assert configured_profile(base, (("title", ("h1",)),)) is configured_profile(base, (("title", ("h1",)),))


def test_selector_errors_and_hits():
    assert selector_error("h1.title") is None
    assert "not a valid CSS selector" in selector_error("h1..title")
    assert selector_error("  ") == "an empty selector" and "not a string" in selector_error(3)
    hits = selector_hits(PAGE, _profile(title=("h1.tieu-de", "h1.khong-co")))
    assert hits == {"title": [("h1.tieu-de", 1), ("h1.khong-co", 0)]}


def test_site_profiles_are_untouched():
    hanoimoi = profile_by_name("hanoimoi")
    assert hanoimoi is not None and hanoimoi.overrides == () and base_profile("hanoimoi") is hanoimoi
    assert base_profile("nope") is None


def test_fixtures_of_a_configured_source_are_scored_with_its_selectors(tmp_path):
    """`hanoi-news evaluate parsers` and the fixture tests parse tests/fixtures/pages/<id>/
    with the selectors of source <id> (README, "Add a paper": fixtures of a new paper)."""
    import json
    import shutil
    from pathlib import Path

    from crawler.evaluate_parsers import evaluate
    from tests.integration.test_configured_source import SELECTORS, SOURCES_YML

    ward = Path(__file__).resolve().parents[1] / "fixtures" / "ward_site"
    spec = sorted((ward / "expected").glob("*.json"))[0]
    pages = tmp_path / "pages" / "nghiado"
    pages.mkdir(parents=True)
    data = json.loads(spec.read_text(encoding="utf-8"))
    shutil.copy(ward / "www" / data.pop("path"), pages / "article.html")
    (pages / "article.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    config = tmp_path / "sources.yml"
    config.write_text(SOURCES_YML.format(base="https://phuongnghiado.example", selectors=SELECTORS), encoding="utf-8")
    with_selectors = evaluate([tmp_path / "pages"], sources_path=config)
    assert with_selectors.sites() == ["nghiado"] and with_selectors.rate() == 1.0
    assert evaluate([tmp_path / "pages"], sources_path=tmp_path / "missing.yml").rate() < 0.8
