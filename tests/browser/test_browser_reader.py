"""The reader's pages in Chromium at a desktop and a phone width: the article page, the
place page (map and charts drawn offline) and the dashboard's charts. Screenshots go to
test-artifacts/screenshots/reader-*.png.
"""
from __future__ import annotations

import sqlite3

import pytest

pytestmark = pytest.mark.browser

ARTICLE = "/archive/articles/kinhtedothi~3A401"
DONG_DA = "/archive/places/hn-pre2025-006-quan-dong-da"
NEW_WARD = "/archive/places/hn-2025-00235-phuong-dong-da"


def _errors(pg) -> list[str]:
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _fits_the_width(pg) -> None:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{overflow}px wider than the window"


def _box(pg, selector):
    box = pg.locator(selector).first.bounding_box()
    assert box, selector
    return box


def test_article_page(sized_page, shot, served_archive):
    pg, width = sized_page
    errors = _errors(pg)
    pg.goto(ARTICLE, wait_until="networkidle")
    assert pg.title().startswith("Đống Đa: thu ngân sách 6 tháng đạt 58,6% dự toán")
    assert pg.locator("h1").is_visible()
    _fits_the_width(pg)
    text, aside = _box(pg, ".hn-text"), _box(pg, ".hn-aside")
    if width == "desktop":  # figures, officials and places beside the text
        assert aside["x"] >= text["x"] + text["width"] and aside["y"] < text["y"] + 200
    else:  # below it, each as wide as the screen allows
        assert aside["y"] >= text["y"] + text["height"] - 1
        assert text["width"] <= 390 and aside["width"] <= 390
    marks = pg.locator(".hn-text mark.figure")
    assert marks.count() >= 5
    assert marks.first.is_visible()
    # the text is read at a comfortable size
    size = pg.evaluate("parseFloat(getComputedStyle(document.querySelector('.hn-text p')).fontSize)")
    assert size >= 16
    shot(pg, f"reader-article-{width}", full=True)
    # one click from a figure in the text to its row, which shows its sentence and article
    fid = sqlite3.connect(served_archive["path"]).execute(
        "select id from indicators where article_id = 'kinhtedothi:401' and value = 6214"
    ).fetchone()[0]
    pg.locator(f"mark#fig-{fid} a").click()
    pg.wait_for_load_state("networkidle")
    assert pg.url.endswith(f"/archive/indicators/{fid}")
    assert pg.locator(".hn-sentence mark").first.inner_text() == "6.214 tỷ đồng"
    _fits_the_width(pg)
    shot(pg, f"reader-figure-{width}", full=True)
    # and back to the article, at that figure
    pg.locator("a.hn-article-link").click()
    pg.wait_for_load_state("networkidle")
    assert pg.url.endswith(f"#fig-{fid}")
    assert pg.evaluate("document.querySelector(':target').id") == f"fig-{fid}"
    assert not errors, errors


def test_place_page(sized_page, shot):
    pg, width = sized_page
    errors = _errors(pg)
    pg.goto(DONG_DA, wait_until="networkidle")
    assert pg.locator("h1").inner_text() == "Quận Đống Đa"
    # the map is drawn from the coordinates without any tile server (tiles are blocked here)
    pg.wait_for_selector("#hn-map[data-ready='1']", timeout=15000)
    assert pg.locator("#hn-map path.leaflet-interactive").count() >= 10
    # each series of figures its own chart
    charts = pg.locator(".hn-chart")
    assert charts.count() >= 1
    pg.wait_for_selector(".hn-chart svg", timeout=15000)
    assert pg.locator(".hn-series[data-series='tỷ đồng · half-year'] .hn-chart svg "
                      "g.mark-symbol.role-mark path").count() == 2
    _fits_the_width(pg)
    main, aside = _box(pg, ".hn-main"), _box(pg, ".hn-aside")
    if width == "desktop":
        assert aside["x"] >= main["x"] + main["width"]
    else:
        assert aside["y"] >= main["y"] + main["height"] - 1
    shot(pg, f"reader-place-{width}", full=True)
    pg.locator(".hn-series[data-series='tỷ đồng · half-year']").first.evaluate(
        "e => e.scrollIntoView({block: 'start'})")
    shot(pg, f"reader-place-chart-{width}")
    # the new ward the district became part of
    pg.goto(NEW_WARD, wait_until="networkidle")
    assert "Quận Đống Đa" in pg.locator(".hn-succession").inner_text()
    _fits_the_width(pg)
    shot(pg, f"reader-new-ward-{width}", full=True)
    assert not errors, errors


def test_indicator_chart_one_series(sized_page, shot):
    pg, width = sized_page
    errors = _errors(pg)
    pg.goto("/-/dashboards/overview?metric=budget_revenue&series=t%E1%BB%B7+%C4%91%E1%BB%93ng"
            "+%C2%B7+half-year", wait_until="networkidle")
    pg.wait_for_selector("#card-indicator svg", timeout=15000)
    pg.wait_for_selector("#card-series table", timeout=15000)
    assert pg.locator("#card-indicator .mark-symbol path, #card-indicator .mark-line path"
                      ).count() > 0
    series = pg.locator("#card-series table").inner_text()
    assert "tỷ đồng · half-year" in series and "tỷ đồng · several years" in series
    _fits_the_width(pg)
    shot(pg, f"reader-charts-{width}", full=True)
    assert not errors, errors


def test_news_view_shows_its_rows_on_the_first_screen(page, shot):
    page.goto("/archive/news", wait_until="networkidle")
    # the column descriptions are one line ("What the … columns mean"), not a screenful
    assert page.locator("dl.column-descriptions").is_hidden()
    assert _box(page, "form.filters")["y"] < 900  # the search box, on the first screen
    shot(page, "reader-news-first-screen")
    page.locator("details.hn-column-help summary").click()
    assert page.locator("details.hn-column-help dd").first.is_visible()
