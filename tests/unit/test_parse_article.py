"""parsers.parse on small inline pages: the fallback chain, cleaning, bylines, bad input."""
from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from parsers import Article, ParseError, parse
from parsers.extract import parse_article

LDT = "https://laodongthudo.vn/quan-ba-dinh-thu-ngan-sach-164810.html"
FETCHED = datetime(2024, 6, 1, 3, 0, tzinfo=timezone.utc)
PARA = ("Năm 2023, quận Ba Đình thu ngân sách đạt 11.842 tỷ đồng, bằng 108% dự toán, "
        "tăng 9,4% so với cùng kỳ; giải ngân vốn đầu tư công đạt 96,2% kế hoạch năm.")


def page(head: str = "", body: str = "") -> str:
    return f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


MASTERCMS = page(
    head="<title>Ba Đình thu ngân sách - Lao động Thủ đô</title>",
    body=f"""
<div class="content_detail"><div class="tool"><i>Thứ sáu, 12/01/2024 09:05</i></div>
<div class="title_new_nav"><span><a href="/thoi-su"><span>Thời sự</span></a></span></div>
<h1 class="title_detail">Ba Đình thu ngân sách</h1>
<div class="sabo">Quận Ba Đình hoàn thành dự toán thu ngân sách năm 2023.</div>
<div class="detail_info ">
<table class="__MB_ARTICLE_A"><tr><td><a href="/x-1.html"><img src="/t.jpg" alt="ba-dinh"></a></td>
<td><a href="/x-1.html">Tây Hồ hoàn thành 21/21 chỉ tiêu</a></td></tr></table>
<p>{PARA}</p>
<table class="MASTERCMS_TPL_TABLE"><tr><td><img class="__img_mastercms" src="/stores/news_dataimages/2024/012024/12/09/a.jpg"
 alt="ba-dinh-thu-ngan-sach" title="Khu tập thể Giảng Võ"></td></tr>
<tr><td>Khu tập thể Giảng Võ, nơi quận dự kiến cải tạo. (Ảnh: Thanh Hà)</td></tr></table>
<p>Chủ tịch UBND quận Ba Đình Vũ Thị Lan Anh cho biết quận sẽ tập trung cải tạo chung cư cũ &amp; chỉnh trang đô thị.</p>
<p style="text-align: right;"><strong>Thanh Hà - Minh Anh</strong></p>
<p><a href="/y-2.html">Xem thêm: Bài cũ</a></p>
</div>
<div class="tags"><a href="/tag/ba-dinh">Ba Đình</a><a href="/tag/cc">chung cư cũ</a></div>
</div>""",
)


def test_profile_page_every_field() -> None:
    article = parse(MASTERCMS, LDT, fetched_at=FETCHED)
    assert article.parser == "laodongthudo" and article.parser_version
    assert article.extraction == "profile"
    assert article.site_article_id == "164810"
    assert article.title == "Ba Đình thu ngân sách"
    assert article.sapo == "Quận Ba Đình hoàn thành dự toán thu ngân sách năm 2023."
    assert article.published_at == "2024-01-12T09:05:00+07:00"
    assert article.date_source == "byline"
    assert article.category == "Thời sự"
    assert article.tags == ["Ba Đình", "chung cư cũ"]
    assert article.authors == ["Thanh Hà", "Minh Anh"]
    assert [(i.caption, i.credit) for i in article.images] == [
        ("Khu tập thể Giảng Võ, nơi quận dự kiến cải tạo.", "Thanh Hà")]
    assert article.images[0].url.startswith("https://laodongthudo.vn/stores/news_dataimages/")
    body = article.body_text or ""
    assert body.split("\n\n") == [PARA, "Chủ tịch UBND quận Ba Đình Vũ Thị Lan Anh cho biết quận "
                                  "sẽ tập trung cải tạo chung cư cũ & chỉnh trang đô thị."]


def test_jsonld_graph_beats_meta_and_broken_json_is_tolerated() -> None:
    head = """
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebPage","name":"Trang"},
 {"@type":["NewsArticle"],"headline":"Tiêu đề JSON-LD","datePublished":"2023-07-20T10:15:00+07:00",
  "author":[{"@type":"Person","name":"Minh Anh"},{"@type":"Organization","name":"TTXVN"}],
  "articleSection":"Kinh tế","keywords":"a, b",}]}</script>
<meta property="og:title" content="Tiêu đề OG">
<meta property="article:published_time" content="2020-01-01T00:00:00+07:00">
<link rel="canonical" href="/bai-viet-1.html">"""
    article = parse(page(head, f"<article><p>{PARA}</p><p>{PARA}</p></article>"),
                    "https://example.vn/bai-viet-1.html?utm=x")
    assert article.title == "Tiêu đề JSON-LD"
    assert article.published_at == "2023-07-20T10:15:00+07:00" and article.date_source == "json-ld"
    assert article.authors == ["Minh Anh"] and article.credits == ["TTXVN"]
    assert article.category == "Kinh tế" and article.tags == ["a", "b"]
    assert article.canonical_url == "https://example.vn/bai-viet-1.html"
    assert article.parser == "generic" and article.extraction == "generic"


def test_dates_of_other_articles_in_lists_are_not_the_byline() -> None:
    """A sidebar of other articles, each with its own ``<span class="time">``, matches a
    generic date selector before the page's own byline does: those dates are skipped, in
    an <aside> or not, and a date in a meta list (no headline beside it) still counts."""
    item = ('<li><a href="/b-{i}.html"><img src="/{i}.jpg"></a>'
            '<h4><a href="/b-{i}.html">Tin {i}</a></h4><span class="time">0{i}/03/2024</span></li>')
    most_read = "<ul class='doc-nhieu'>" + "".join(item.format(i=i) for i in range(1, 6)) + "</ul>"
    article = parse(page("<title>Bài</title>",
                         f"<h1>Bài</h1><p class='byline'>Thứ sáu, 05/09/2025, 07:40 (GMT+7)</p>"
                         f"<div class='noi-dung'><p>{PARA}</p><p>{PARA}</p></div>{most_read}"
                         f"<aside><div class='time'>01/01/2024</div></aside>"),
                    "https://example.vn/a.html")
    assert article.published_at == "2025-09-05T07:40:00+07:00" and article.date_source == "byline"
    meta_list = ("<ul class='post-meta'><li class='author'>Minh Anh</li><li class='date'>"
                 "<a href='/a.html'>14/12/2023</a></li></ul>")
    article = parse(page("<title>Bài</title>", f"<h1>Bài</h1>{meta_list}<p>{PARA}</p><p>{PARA}</p>"),
                    "https://example.vn/a.html")
    assert article.published_at == "2023-12-14T00:00:00+07:00"


def test_meta_dates_and_title_suffix() -> None:
    head = """<meta property="og:title" content="Hà Nội mở rộng đường - Báo Hànộimới">
<meta property="og:site_name" content="Báo Hànộimới">
<meta property="article:published_time" content="2025-08-17T10:22:00Z">"""
    article = parse(page(head, f"<p>{PARA}</p>"), "https://example.vn/a.html")
    assert article.title == "Hà Nội mở rộng đường"
    assert article.published_at == "2025-08-17T17:22:00+07:00" and article.date_source == "meta"


def test_future_dates_rejected_and_no_fallback_to_the_fetch_time() -> None:
    head = '<meta property="article:published_time" content="2030-01-01T00:00:00+07:00">'
    article = parse(page(head, f"<p>{PARA}</p>"), "https://example.vn/a.html", fetched_at=FETCHED)
    assert article.date_source == "none"  # the crawler keeps when it first saw the page
    assert article.published_at is None


def test_url_date() -> None:
    article = parse(page("", f"<p>{PARA}</p>"), "https://example.vn/2023/05/04/bai-viet/")
    assert article.published_at == "2023-05-04T00:00:00+07:00" and article.date_source == "url"


@pytest.mark.parametrize(
    ("byline", "authors", "credits"),
    [
        ("Minh Anh, Hoàng Long", ["Minh Anh", "Hoàng Long"], []),
        ("Minh Anh và Hoàng Long", ["Minh Anh", "Hoàng Long"], []),
        ("Theo TTXVN", [], ["TTXVN"]),
        ("Thanh Hà (NSHN)", ["Thanh Hà"], ["NSHN"]),
        ("TTXVN", [], ["TTXVN"]),
        ("PV", [], ["PV"]),  # the paper's reporters, alone or as a group: a credit
        ("Nhóm PV", [], ["Nhóm PV"]),
        ("Nhóm phóng viên", [], ["Nhóm phóng viên"]),
        ("Minh Anh - Nhóm PV", ["Minh Anh"], ["Nhóm PV"]),
    ],
)
def test_author_line_at_end(byline: str, authors: list[str], credits: list[str]) -> None:
    body = f"<div class='detail_info'><p>{PARA}</p><p>{PARA} Hết.</p><p>{byline}</p></div>"
    article = parse(page("", body), LDT)
    assert article.authors == authors
    assert article.credits == credits
    assert byline not in (article.body_text or "")


def test_captions_and_credit_lines_move_to_images() -> None:
    body = f"""<div class="detail_info"><p>{PARA}</p>
<p style="text-align:center"><img src="https://cdn.vn/a.jpg" alt="x"></p>
<p style="text-align:center"><em>Lễ khởi công dự án</em></p>
<p>Ảnh: Kim Tiến</p>
<figure><img data-src="/b.jpg" src="data:image/gif;base64,R0l"><figcaption>Cầu Thăng Long. Video: PV</figcaption></figure>
<p>{PARA}</p></div>"""
    article = parse(page("", body), LDT)
    assert [(i.position, i.url, i.caption, i.credit) for i in article.images] == [
        (0, "https://cdn.vn/a.jpg", "Lễ khởi công dự án", "Kim Tiến"),
        (1, "https://laodongthudo.vn/b.jpg", "Cầu Thăng Long.", "PV"),
    ]
    assert "Kim Tiến" not in (article.body_text or "")
    assert "Lễ khởi công" not in (article.body_text or "")


def test_related_boxes_and_widgets_removed() -> None:
    body = f"""<div class="detail_info"><p>{PARA}</p>
<div class="box"><p><strong>Tin liên quan</strong></p><ul><li><a href="/1.html">Tin A</a></li></ul></div>
<table><tr><td><a href="/2.html">Bài B</a></td></tr></table>
<div class="social-share"><a href="#">Facebook</a> Chia sẻ bài viết này</div>
<p>Xem thêm: <a href="/3.html">Bài C</a></p>
<p>{PARA}</p><script>var x = "Bài D";</script></div>"""
    text = parse(page("", body), LDT).body_text or ""
    for junk in ("Tin liên quan", "Tin A", "Bài B", "Facebook", "Chia sẻ", "Bài C", "Bài D"):
        assert junk not in text
    assert text.count(PARA) == 2


def test_drifted_markup_falls_back_to_generic() -> None:
    body = f"<div class='new-template'><h1>Tiêu đề</h1><div class='content'><p>{PARA}</p><p>{PARA}</p></div></div>"
    article = parse(page("", body), LDT)
    assert article.parser == "laodongthudo"
    assert article.extraction == "generic"
    assert article.body_text == f"{PARA}\n\n{PARA}"
    without = parse_article(page("", body), LDT, use_profile=False)
    assert without.parser == "generic" and without.site_article_id is None


@pytest.mark.parametrize(
    ("data", "title"),
    [
        ("<html><head><meta charset='windows-1258'><title>Ha\u0300 N\u00f4\u0323i</title></head></html>"
         .encode("cp1258"), "Hà Nội"),
        ("<html><head><meta charset='iso-8859-1'><title>Hà Nội</title></head></html>".encode("utf-8"), "Hà Nội"),
        ("<html><head><title>Ha&#768; N&ocirc;&#803;i &amp; Qu&#7853;n</title></head></html>".encode(), "Hà Nội & Quận"),
        ("\ufeff<html><head><title>Hà Nội</title></head></html>".encode("utf-8"), "Hà Nội"),
        ("<html><head><title>Hà Nội</title></head></html>".encode("utf-16"), "Hà Nội"),
        # undeclared cp1258: read as UTF-8 first, U+FFFD in the title, so read again decoded
        ("<html><head><title>Ha\u0300 N\u00f4\u0323i</title></head></html>".encode("cp1258"), "Hà Nội"),
        # one stray byte in a script, the rest UTF-8: the article's text is not touched
        (b"<html><head><script>var x='\xff';</script><title>" + "Hà Nội".encode() + b"</title></head></html>",
         "Hà Nội"),
    ],
)
def test_decoding_without_mojibake(data: bytes, title: str) -> None:
    article = parse(data, "https://example.vn/a")
    assert article.title == title


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n", "", "chỉ là văn bản thuần", b'{"title": "JSON"}', "[1, 2, 3]",
     bytes(range(256)) * 10, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"],
)
def test_not_a_page_raises_parse_error(data: str | bytes) -> None:
    with pytest.raises(ParseError):
        parse(data, "https://example.vn/a")


@pytest.mark.parametrize(
    "data",
    ["<html></html>", "<p>x", "<div>" * 5000 + "sâu" + "</div>" * 5000, "<<<>>>",
     "<html><head><title></title></head><body><img></body></html>",
     "<script type='application/ld+json'>" + "[" * 5000 + "</script><p>x</p>"],
)
def test_odd_pages_give_articles_with_missing_fields(data: str) -> None:
    article = parse(data, "https://example.vn/a")
    assert isinstance(article, Article)
    assert article.title is None or isinstance(article.title, str)


def test_big_page_is_parsed() -> None:
    big = page("<title>Lớn</title>", f"<div class='c'>{('<p>' + PARA + '</p>') * 65000}</div>")
    assert len(big.encode()) > 10_000_000
    article = parse(big.encode(), "https://example.vn/a")
    assert article.title == "Lớn"
    assert (article.body_text or "").count(PARA) == 65000


def test_text_is_nfc_and_collapsed() -> None:
    decomposed = "Ha\u0300 No\u0302\u0323i"
    article = parse(page(f"<title>{decomposed}  \n  mới</title>", ""), "https://example.vn/a")
    assert article.title == "Hà Nội mới"


def test_br_paragraphs_in_div_soup() -> None:
    body = (f"<div class='content'><div>{PARA}<br><br>Đoạn hai của bài, có dấu phẩy, dài hơn "
            f"một chút để thành đoạn văn.<br>Dòng tiếp theo\n  cùng đoạn.</div><div>{PARA}</div></div>")
    article = parse(page("", body), "https://example.vn/a")
    assert (article.body_text or "").split("\n\n") == [
        PARA, "Đoạn hai của bài, có dấu phẩy, dài hơn một chút để thành đoạn văn. Dòng tiếp theo cùng đoạn.",
        PARA]


def test_repeats_of_title_and_sapo_and_trailing_junk_are_not_body() -> None:
    body = f"""<h1 class="title_detail">Hà Nội mở rộng đường Vành đai 2</h1>
<div class="sabo">Đường Vành đai 2 đoạn Vĩnh Tuy – Ngã Tư Sở sẽ thông xe trong năm 2024.</div>
<div class="detail_info">
<p>Hà Nội mở rộng đường Vành đai 2</p>
<p>Đường Vành đai 2 đoạn Vĩnh Tuy – Ngã Tư Sở sẽ thông xe trong năm 2024.</p>
<p>{PARA}</p>
<figure><img src="/v.mp4.jpg" alt="Hà Nội mở rộng đường Vành đai 2"><figcaption>Clip: Thành Nam</figcaption></figure>
<p>{PARA}</p>
<p><strong>Ngọc Tú</strong></p>
<p>Bình chọn bài viết</p>
</div>"""
    article = parse(page("", body), LDT)
    assert article.body_text == f"{PARA}\n\n{PARA}"
    assert article.authors == ["Ngọc Tú"]
    assert [(i.caption, i.credit) for i in article.images] == [(None, "Thành Nam")]


def test_author_line_after_the_container() -> None:
    body = f"""<div class="detail_info"><p>{PARA}</p><p>{PARA}</p></div>
<p align="right"><strong>Hoàng Long</strong></p>"""
    assert parse(page("", body), LDT).authors == ["Hoàng Long"]


@pytest.mark.parametrize("url", ["https://laodongthudo.vn/a-1.html", "http://[::1", "not a url", ""])
def test_malformed_urls_never_raise(url: str) -> None:
    html = ('<link rel="canonical" href="http://[x"><meta property="og:url" content="//[y">'
            f'<div class="detail_info"><p>{PARA}</p><img src="http://[z/a.jpg"><img src="/ok.jpg"></div>')
    article = parse(html, url)
    assert article.canonical_url is None
    assert all(i.url for i in article.images)


def test_profile_by_name_for_a_copy_served_elsewhere() -> None:
    local = "http://127.0.0.1:8000/quan-ba-dinh-thu-ngan-sach-164810.html"
    assert parse(MASTERCMS, local).parser == "generic"
    article = parse_article(MASTERCMS, local, profile_name="laodongthudo")
    assert article.parser == "laodongthudo" and article.extraction == "profile"
    assert article.site_article_id == "164810" and article.category == "Thời sự"


def test_listing_pages_have_no_body() -> None:
    teaser = ("<div class='item'><h3><a href='/a-{0}.html'>Tin số {0}</a></h3>"
              "<p>Tóm tắt tin số {0}, có dấu phẩy, đủ dài để trông như một đoạn văn.</p></div>")
    html = page("<title>Chuyên mục</title>", "<div class='list'>" + "".join(teaser.format(i) for i in range(8)) + "</div>")
    article = parse(html, "https://example.vn/chuyen-muc")
    assert article.body_text is None and article.extraction is None
    few = page("", "<div class='list'>" + "".join(teaser.format(i) for i in range(4)) + "</div>")
    assert parse(few, "https://example.vn/chuyen-muc?page=9").body_text is None


@pytest.mark.parametrize(("opening", "closing"), [
    ("<table><tr><td>" + PARA, "</td></tr></table>"),
    ("<div><strong>Tin liên quan</strong><a href='/x'>x</a>", "</div>"),
    ("<div><p>" + PARA + "</p>", "</div>"),
    ("<figure><img src='/a.jpg'><figcaption>Ảnh: X</figcaption>", "</figure>"),
])
@pytest.mark.parametrize("url", [LDT, "https://example.vn/a"])
def test_deep_nesting_stays_near_linear(opening: str, closing: str, url: str) -> None:
    html = "<div class='detail_info'>" + opening * 3000 + closing * 3000 + "</div>"
    start = time.perf_counter()
    article = parse(html, url)
    assert isinstance(article, Article)
    assert time.perf_counter() - start < 5.0  # the quadratic version took 6-18 s


@pytest.mark.parametrize("jsonld", [
    '{"@type":"NewsArticle","headline":"Tin "nóng" hôm nay","datePublished":"2023-07-20T10:15:00+07:00"}',
    '{"@type":"WebSite","name":"x"}{"@type":"NewsArticle","datePublished":"2023-07-20T10:15:00+07:00"}',
    '<!-- {"@type":"NewsArticle","datePublished":"2023-07-20T10:15:00+07:00",} -->',
])
def test_broken_jsonld_still_gives_the_date(jsonld: str) -> None:
    html = page(f'<script type="application/ld+json">{jsonld}</script>', f"<p>{PARA}</p>")
    article = parse(html, "https://example.vn/a")
    assert article.published_at == "2023-07-20T10:15:00+07:00" and article.date_source == "json-ld"


@pytest.mark.parametrize(("url", "sapo_class", "prefix"), [
    ("https://kinhtedothi.vn/quan-hai-ba-trung-thu-ngan-sach.html", "detail__sapo", "Kinhtedothi - "),
    ("https://kinhtedothi.vn/quan-hai-ba-trung-thu-ngan-sach.html", "detail__sapo", "(Kinh tế & Đô thị) – "),
    ("https://www.anninhthudo.vn/quan-hai-ba-trung-post1.antd", "article__sapo", "ANTĐ - "),
])
def test_the_papers_prefix_is_not_part_of_the_sapo(url: str, sapo_class: str, prefix: str) -> None:
    lead = "Sáng 19/10, quận Hai Bà Trưng tổng kết 9 tháng thu ngân sách."
    html = page(f'<meta name="description" content="{prefix}{lead}">',
                f"<h1>Hai Bà Trưng</h1><div class='{sapo_class}'>{prefix}{lead}</div>"
                f"<div class='article__body detail__content'><p>{prefix}{lead}</p><p>{PARA}</p></div>")
    article = parse(html, url)
    assert article.sapo == lead
    assert article.body_text == PARA  # the body's repeat of the lead is still dropped
    assert parse(html, "https://example.vn/a").sapo == prefix + lead  # another paper's text stays


def test_image_size_digit_that_int_cannot_read() -> None:
    # "²".isdigit() is True but int("²") raises: such a width is not a size (no ValueError).
    page = ("<html><body><div class=content><p>" + "x" * 300
            + '</p><img src=/a.jpg width="²"></div></body></html>').encode()
    article = parse(page, "https://example.com/a")
    assert [image.url for image in article.images] == ["https://example.com/a.jpg"]
