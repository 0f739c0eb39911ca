"""The generic extractor on the page shapes that emptied or cut its output on real pages.

Each page is own-written, with the markup pattern of a class of real sites: an ASP.NET page
inside one <form>, an article inside chrome whose class looks like a widget, atomic CSS
class lists, Blogger's <div><span> paragraphs, video cards whose summary sits inside the
link, an article split into sections, a ranked list with linked headings, a JSON-LD
description holding the whole article, and page lines at the edges of the container.
"""
from __future__ import annotations

from parsers.extract import parse_article

URL = "https://tinquan.example/bai-viet/phuong-dinh-cong-cai-tao-cong-vien.html"
TITLE = "Phường Định Công cải tạo công viên hồ Định Công"
SENTENCES = [
    "Sau bốn tháng thi công, công viên quanh hồ Định Công đã được cải tạo xong phần đường dạo, "
    "hệ thống chiếu sáng và khu vui chơi cho trẻ em, mở cửa trở lại từ đầu tuần này.",
    "Theo Chủ tịch UBND phường Định Công Nguyễn Hữu Phước, tổng kinh phí khoảng 12,4 tỷ đồng, "
    "trong đó ngân sách thành phố hỗ trợ 8 tỷ đồng, phần còn lại từ ngân sách phường.",
    "Đường dạo ven hồ dài 1,6km được lát đá, trồng thêm 150 cây bóng mát và lắp 40 ghế đá; "
    "hai nhà vệ sinh công cộng cũng được xây mới ở phía bắc và phía nam hồ.",
    "Phường giao các tổ dân phố ven hồ nhận quản lý từng đoạn, đồng thời bố trí lực lượng "
    "trật tự đô thị kiểm tra, xử lý tình trạng buôn bán lấn chiếm lối đi.",
]
MENU = "<ul class='menu'>" + "".join(f"<li><a href='/m{i}'>Mục {i}</a></li>" for i in range(8)) + "</ul>"


def doc(body: str, head: str = "") -> str:
    return (f"<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'><title>{TITLE}</title>{head}"
            f"</head><body>{body}</body></html>")


def paragraphs(tag: str = "p", attrs: str = "") -> str:
    return "".join(f"<{tag}{attrs}>{s}</{tag}>" for s in SENTENCES)


def body_of(html: str) -> str:
    return parse_article(html, URL, use_profile=False).body_text or ""


def assert_whole_article(body: str) -> None:
    for sentence in SENTENCES:
        assert sentence in body


def test_a_page_inside_one_form_keeps_its_article() -> None:  # ASP.NET WebForms
    html = doc(f"<form method='post' action='./bai-viet' id='aspnetForm'><div class='header'>{MENU}</div>"
               f"<div class='content'><h1>{TITLE}</h1>{paragraphs()}</div></form>")
    assert_whole_article(body_of(html))


def test_chrome_that_wraps_the_article_is_kept() -> None:
    for wrapper in ("<div class='Page-ad-margins'>", "<div class='shared-content-main'>",
                    "<aside class='layout-banner'>", "<header class='section-content'>"):
        close = "</" + wrapper[1:wrapper.index(" ")] + ">"
        html = doc(f"<nav>{MENU}</nav>{wrapper}<h1>{TITLE}</h1>{paragraphs()}{close}"
                   "<footer>Bản quyền thuộc về trang tin</footer>")
        assert_whole_article(body_of(html))


def test_atomic_css_class_lists_are_not_widgets() -> None:  # Medium, Tailwind builds
    attrs = " class='pw-post-body-paragraph pk pl jd pm b kb pn po pp ke pq pr ps he qc ie bg'"
    html = doc(f"<article><h1>{TITLE}</h1><section>{paragraphs('p', attrs)}</section></article>")
    assert_whole_article(body_of(html))


def test_divs_of_inline_text_are_paragraphs() -> None:  # Blogger, old rich-text editors
    divs = "".join(f"<div style='text-align: justify;'><span style='font-family: Arial;'>{s}</span></div>"
                   f"<div><span> </span></div>" for s in SENTENCES)
    html = doc(f"{MENU}<div class='post-body entry-content'>{divs}</div>")
    assert_whole_article(body_of(html))


def test_a_summary_inside_a_card_link_is_not_article_text() -> None:
    # Guards the widening of the container: the cards' summaries are not prose to widen to.
    cards = "".join(
        f"<article class='item'><a class='item__anchor' href='/video/{i}'><h4>Video số {i} về giao thông</h4>"
        f"<p class='item__dek'>Tóm tắt video số {i}: người dân phản ánh ùn tắc kéo dài ở nút giao "
        f"gần cầu vượt, đề nghị phân luồng lại vào giờ cao điểm buổi sáng.</p></a></article>"
        for i in range(6))
    html = doc(f"<div class='page'><div class='story'><h1>{TITLE}</h1>{paragraphs()}</div>"
               f"<div class='more'><h3>Video khác</h3>{cards}</div></div>")
    body = body_of(html)
    assert_whole_article(body)
    assert "Tóm tắt video" not in body


def test_an_article_split_into_sections_is_read_whole() -> None:
    sections = "".join(
        f"<section class='block'><div class='inner'><h2>Phần {i + 1}</h2><div class='rich'><p>{s}</p></div></div></section>"
        for i, s in enumerate(SENTENCES))
    steps = "<ul>" + "".join(f"<li>Bước {i}: kiểm tra hạng mục số {i} trước khi nghiệm thu công trình.</li>"
                             for i in range(9)) + "</ul>"
    html = doc(f"{MENU}<main><h1>{TITLE}</h1><div class='sections'>{sections}"
               f"<section class='block'><div class='inner'><div class='rich'>{steps}</div></div></section></div></main>")
    body = body_of(html)
    assert_whole_article(body)
    assert "Bước 8" in body


def test_a_ranked_list_with_linked_headings_is_an_article() -> None:
    # Two paragraphs a heading, as many linked headings as paragraphs over two: a list of
    # teasers by that count, but each section holds far more text than a teaser.
    items = "".join(f"<h2><a href='https://noi-{i}.example/'>{i + 1}. Điểm vui chơi số {i + 1}</a></h2><p>{s}</p>"
                    f"<p>{s.replace('Định Công', 'Hoàng Mai')} {s.replace('Định Công', 'Tương Mai')}</p>"
                    for i, s in enumerate(SENTENCES))
    html = doc(f"<div class='entry'><h1>{TITLE}</h1>{items}</div>")
    assert_whole_article(body_of(html))


def test_a_description_holding_the_whole_article_is_not_its_lead() -> None:
    whole = " ".join(SENTENCES * 3)
    head = ('<script type="application/ld+json">{"@type":"BlogPosting","headline":"%s","description":"%s"}'
            '</script>') % (TITLE, whole)
    article = parse_article(doc(f"<article><h1>{TITLE}</h1>{paragraphs()}</article>", head), URL,
                            use_profile=False)
    assert article.sapo is None
    assert_whole_article(article.body_text or "")


def test_page_lines_at_the_edges_of_the_container_are_dropped() -> None:
    html = doc(f"<div class='story-body'><div>close</div><div>video</div><h1>{TITLE}</h1>{paragraphs()}"
               "<p><a href='/tin/khac'>XEM THÊM: Phường Định Công mở lớp học bơi miễn phí cho thiếu nhi</a></p>"
               "<div>Tell us what YOU think...</div><div>comments</div></div>")
    body = body_of(html)
    assert_whole_article(body)
    for line in ("close", "video", "XEM THÊM", "Tell us what YOU think", "comments"):
        assert line not in body


def test_code_highlighted_as_comments_is_kept() -> None:  # highlight.js: <span class="hljs-comment">
    code = ("<pre><code class='language-bash hljs'><span class='hljs-comment'># sao lưu cơ sở dữ liệu hằng đêm</span>\n"
            "sqlite3 archive.db .dump &gt; backup.sql</code></pre>")
    html = doc(f"<article><h1>{TITLE}</h1>{paragraphs()}{code}<p>{SENTENCES[0]}</p></article>")
    body = body_of(html)
    assert "# sao lưu cơ sở dữ liệu hằng đêm" in body and "sqlite3 archive.db" in body


def test_a_post_the_article_embeds_is_kept() -> None:  # a tweet in a "social-media-embed" box
    tweet = ("<div class='social-media-embed'><blockquote class='twitter-tweet'><p lang='vi'>Sân chơi mới "
             "bên hồ Định Công đông vui từ sáng sớm, cảm ơn phường đã lắng nghe người dân.</p>"
             "— Hội cư dân Định Công (@cudandinhcong) <a href='https://x.example/s/1'>18/11/2025</a>"
             "</blockquote></div>")
    html = doc(f"<article><h1>{TITLE}</h1>{paragraphs()}{tweet}<p>{SENTENCES[1]}</p></article>")
    assert "Sân chơi mới bên hồ Định Công đông vui từ sáng sớm" in body_of(html)
