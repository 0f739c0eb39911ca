"""The published archive in a real browser (Debian's Chromium through Playwright).

Screenshots go to test-artifacts/screenshots/.
"""
from __future__ import annotations

import csv
import io
import sqlite3

import pytest

pytestmark = pytest.mark.browser


def test_home_page(page, shot):
    page.goto("/", wait_until="networkidle")
    assert "Hanoi local news archive" in page.title()
    body = page.inner_text("body")
    assert "© their publishers" in body
    assert "news" in body and "articles" in body
    shot(page, "01-home")


def test_table_with_facets(page, shot):
    page.goto("/archive/news", wait_until="networkidle")
    facets = page.locator(".facet-info")
    names = [facets.nth(i).get_attribute("data-column") for i in range(facets.count())]
    assert {"source", "place", "category", "month"} <= set(names)
    shot(page, "02-news-facets", at="h3")
    page.locator('.facet-info[data-column="place"] a', has_text="Đống Đa").first.click()
    page.wait_for_load_state("networkidle")
    assert "place=" in page.url
    places = page.locator("td.col-place").all_inner_texts()
    assert places and set(places) == {"Đống Đa"}


def test_search_typed_without_diacritics(page, shot):
    page.goto("/archive/news", wait_until="networkidle")
    box = page.locator('input#_search')
    box.fill("dong da")
    box.press("Enter")
    page.wait_for_load_state("networkidle")
    text = page.inner_text("body")
    assert "Quận Đống Đa tổng kết công tác năm 2024" in text
    assert "Hội đồng nhân dân quận Cầu Giấy" not in text  # "Hội đồng đã" is not Đống Đa
    # the district name became a filter on the articles' place tags (the filter form's
    # redirect puts it in the URL), shown as a place, not as SQL; the box keeps the search
    assert "_where=" in page.url
    assert "Place: Đống Đa" in text and "select ap.article_id" not in text
    assert box.input_value() == "Đống Đa"
    shot(page, "03-search-dong-da", at="form.filters")
    # a new search replaces the place filter instead of adding to it
    box.fill("ba dinh")
    box.press("Enter")
    page.wait_for_load_state("networkidle")
    assert "Place: Ba Đình" in page.inner_text("body")
    assert "Place: Đống Đa" not in page.inner_text("body")
    assert page.locator("table.rows-and-columns tbody tr").count() > 0
    page.goto("/archive/search?q=bac+tu+liem", wait_until="networkidle")
    first = page.locator("table.rows-and-columns tbody tr").first.inner_text()
    assert "Bắc Từ Liêm khởi công trường học mới" in first
    shot(page, "04-canned-search-bac-tu-liem", at="table.rows-and-columns")


def test_chart(page, shot):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/-/dashboards/overview?metric=budget_revenue", wait_until="networkidle")
    for chart in ("per-month", "place-month", "indicator"):
        page.wait_for_selector(f"#card-{chart} svg, #card-{chart} canvas", timeout=15000)
    marks = page.locator("#card-indicator .mark-line path, #card-indicator .mark-symbol path,"
                         " #card-indicator canvas")
    assert marks.count() > 0
    assert not errors, errors
    shot(page, "05-dashboard", full=True)


def test_downloads(page, served_archive):
    page.goto("/archive/articles", wait_until="networkidle")
    page.check('form input[name="_dl"]')
    page.check('form input[name="_stream"]')
    with page.expect_download() as info:
        page.click('input[type="submit"][value="Export CSV"]')
    dl = info.value
    text = open(dl.path(), encoding="utf-8").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    n = sqlite3.connect(served_archive["path"]).execute(
        "select count(*) from articles").fetchone()[0]
    assert len(rows) == n > 50  # all rows, not one page
    assert "search_fold" not in rows[0]
    page.goto("/", wait_until="networkidle")
    with page.expect_download() as info:
        page.click('a[href="/-/snapshot/archive.db"]')
    data = open(info.value.path(), "rb").read(16)
    assert data == b"SQLite format 3\x00"


def test_stored_xss_never_runs(page, shot):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for url in ("/archive/articles/laodongthudo:666", "/archive/news?_search=tieu+de",
                "/archive/search?q=tieu+de", "/archive/place_feed?place=tay+ho",
                "/archive/articles?_search=doc+hai"):
        page.goto(url, wait_until="networkidle")
        assert page.evaluate("typeof window.__xss") == "undefined", url
        assert page.locator("script:has-text('window.__xss')").count() == 0, url
    page.goto("/archive/articles/laodongthudo:666", wait_until="networkidle")
    assert "<script>window.__xss = 1</script>" in page.inner_text("body")  # shown as text
    shot(page, "06-xss-shown-as-text", at="h1")
    assert not dialogs
