"""The generic parser's publication date: the page's own dateline or none.

A page that prints no publication date gets none (``published_at`` None, ``date_source``
"none"), never the date of a header widget, a sidebar, a "most read" box, a footer or a
comment. Pages are small own-written copies of the markup those widgets have on real sites.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from parsers.dates import EITHER, MONTH_FIRST, numeric_order, parse_date
from parsers.extract import parse_article

URL = "https://phuongxa.example/tin/phuong-yen-hoa-mo-lop-boi-mien-phi.html"
FETCHED = datetime(2025, 11, 24, 9, 0, tzinfo=timezone.utc)
TITLE = "Phường Yên Hòa mở lớp dạy bơi miễn phí cho học sinh"
PARAS = "".join(f"<p>{t}</p>" for t in (
    "Từ tuần này, phường Yên Hòa phối hợp với Trung tâm văn hóa thể thao mở ba lớp dạy bơi "
    "miễn phí cho học sinh tiểu học, mỗi lớp 30 em, học vào chiều thứ bảy và chủ nhật.",
    "Theo Phó Chủ tịch UBND phường Yên Hòa Lê Thị Ngọc, kinh phí thuê bể bơi và huấn luyện "
    "viên khoảng 96 triệu đồng, do các doanh nghiệp trên địa bàn tài trợ.",
    "Phụ huynh đăng ký cho con tại nhà văn hóa các tổ dân phố đến hết ngày 30/11; phường ưu "
    "tiên học sinh thuộc hộ nghèo, cận nghèo và con em gia đình chính sách.",
))


def page(top: str = "", byline: str = "", after: str = "", head: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{TITLE}</title>"
            f"{head}</head><body>{top}<div class='wrap'><div class='main'><div class='article'>"
            f"<h1 class='title'>{TITLE}</h1>{byline}<div class='content'>{PARAS}</div></div>"
            f"{after}</div></div></body></html>")


def parse(html: str):
    return parse_article(html, URL, fetched_at=FETCHED, use_profile=False)


HEADER_WIDGET = "<div class='topbar'><span class='date'>Thứ Hai, 24/11/2025</span></div>"
SIDEBAR = ("<div class='sidebar-right'><div class='box-title'>Tin liên quan</div>"
           "<div class='item'><a href='/tin/a.html'>Phường Trung Hòa lát lại vỉa hè phố Trần Duy Hưng</a>"
           "<span class='time'>21/11/2025 08:30</span></div>"
           "<div class='item'><a href='/tin/b.html'>Quận Cầu Giấy tổng kết phong trào thể thao quần chúng</a>"
           "<span class='time'>20/11/2025 15:10</span></div></div>")
MOST_READ = ("<div class='most-read'><h3>Đọc nhiều</h3><ol>"
             "<li><a href='/tin/c.html'>Lịch cắt điện tuần tới ở phường Yên Hòa</a><em class='date'>19/11/2025</em></li>"
             "<li><a href='/tin/d.html'>Hồ điều hòa Yên Hòa được nạo vét</a><em class='date'>18/11/2025</em></li></ol></div>")
FOOTER = ("<div class='footer'>Bản quyền © 2025 Cổng tin phường Yên Hòa. "
          "<span class='date-update'>Cập nhật: 23/11/2025</span></div>")
COMMENTS = ("<div class='binh-luan-list'><div class='cmt'><b>Bà Hạnh</b> "
            "<span class='cmt-time'>22/11/2025 21:05</span><p>Nhà tôi xin đăng ký cho cháu.</p></div></div>")


@pytest.mark.parametrize(("where", "html"), [
    ("header date widget", page(top=HEADER_WIDGET)),
    ("sidebar of dated related articles", page(after=SIDEBAR)),
    ("most read list", page(after=MOST_READ)),
    ("footer with a copyright year and an update stamp", page(after=FOOTER)),
    ("comments with dates", page(after=COMMENTS)),
    ("all of them", page(top=HEADER_WIDGET, after=SIDEBAR + MOST_READ + COMMENTS + FOOTER)),
])
def test_a_page_that_prints_no_date_gets_none(where: str, html: str) -> None:
    article = parse(html)
    assert article.body_text and "96 triệu đồng" in article.body_text  # the article is read
    assert article.published_at is None, where
    assert article.date_source == "none"


def test_the_byline_by_the_headline_wins_over_a_header_widget_before_it() -> None:
    byline = "<div class='meta'><span class='author'>Minh Khôi</span> - <span class='time'>07:45 22/11/2025</span></div>"
    article = parse(page(top=HEADER_WIDGET, byline=byline, after=SIDEBAR))
    assert article.published_at == "2025-11-22T07:45:00+07:00"
    assert article.date_source == "byline"


def test_an_update_date_is_not_the_publication_date() -> None:
    byline = ("<div class='entry-meta'><time class='updated' datetime='2025-11-23T10:00:00+07:00'>23/11/2025</time>"
              " <time class='entry-date published' datetime='2025-11-21T06:30:00+07:00'>21/11/2025</time></div>")
    article = parse(page(byline=byline))
    assert article.published_at == "2025-11-21T06:30:00+07:00"


def test_metadata_comes_before_the_page_text() -> None:
    head = '<meta property="article:published_time" content="2025-11-20T16:00:00+07:00">'
    article = parse(page(top=HEADER_WIDGET, head=head))
    assert (article.published_at, article.date_source) == ("2025-11-20T16:00:00+07:00", "meta")


def test_the_url_date_when_the_page_prints_none() -> None:
    html = page(top=HEADER_WIDGET, after=SIDEBAR)
    article = parse_article(html, "https://phuongxa.example/2025/11/19/lop-boi/", fetched_at=FETCHED,
                            use_profile=False)
    assert (article.published_at, article.date_source) == ("2025-11-19T00:00:00+07:00", "url")


def test_numeric_dates_by_the_page_language() -> None:
    assert numeric_order("vi") != MONTH_FIRST and numeric_order("en-US") == MONTH_FIRST
    assert numeric_order("en") == EITHER
    assert parse_date("04/09/2024", numeric=MONTH_FIRST).date().isoformat() == "2024-04-09"
    assert parse_date("04/09/2024").date().isoformat() == "2024-09-04"
    assert parse_date("04/09/2024", numeric=EITHER) is None  # reads both ways: no date
    assert parse_date("13/04/2024", numeric=EITHER).date().isoformat() == "2024-04-13"
    assert parse_date("04/13/2024", numeric=EITHER).date().isoformat() == "2024-04-13"


def test_an_ambiguous_date_on_an_english_page_is_no_date() -> None:
    html = page(byline="<div class='meta'><span class='date'>04/09/2024</span></div>").replace(
        "lang='vi'", "lang='en'")
    assert parse(html).published_at is None
