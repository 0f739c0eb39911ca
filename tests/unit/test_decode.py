"""Bytes → text: declared header → meta charset → detection; no mojibake; NFC."""
from __future__ import annotations

import codecs
import unicodedata

import pytest

from crawler.decode import decode_html, is_plain_utf8, looks_mojibake, repair_mojibake

VI = ("Quận Bắc Từ Liêm: thu ngân sách đạt 30.054,4 tỷ đồng; Đống Đa, Hoàng Mai, Tây Hồ, "
      "Hai Bà Trưng và Long Biên đẩy nhanh giải ngân vốn đầu tư công. Ảnh: Kim Tiến")


def page(text: str, meta: str | None = None) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>{text[:20]}</title></head><body><p>{text}</p></body></html>"


def cp1258(text: str) -> bytes:
    """Encode Vietnamese the way Windows-1258 does: base letters (some precomposed) plus
    combining tone marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        options = [(base, marks)] + [(unicodedata.normalize("NFC", base + m), [x for x in marks if x != m])
                                     for m in marks]
        for head, rest in reversed(options):
            try:
                out += head.encode("cp1258") + "".join(rest).encode("cp1258")
                break
            except UnicodeEncodeError:
                continue
        else:
            raise AssertionError(f"cannot encode {ch!r}")
    return bytes(out)


def check(text: str) -> None:
    assert VI in text
    assert unicodedata.is_normalized("NFC", text)
    assert not looks_mojibake(text)


def test_utf8_declared_in_header():
    text, how = decode_html(page(VI).encode("utf-8"), "text/html; charset=UTF-8")
    check(text)
    assert how == "header"


def test_decomposed_utf8_becomes_nfc():
    text, _ = decode_html(page(unicodedata.normalize("NFD", VI)).encode("utf-8"), "text/html; charset=utf-8")
    check(text)


def test_cp1258_declared_in_header():
    body = cp1258(page(VI))
    assert body.decode("cp1258") != VI  # really decomposed bytes
    text, how = decode_html(body, "text/html; charset=windows-1258")
    check(text)
    assert how == "header"


def test_cp1258_declared_in_meta_only():
    text, how = decode_html(cp1258(page(VI, meta="windows-1258")), "text/html")
    check(text)
    assert how == "meta"


def test_cp1258_undeclared_is_detected():
    text, how = decode_html(cp1258(page(VI)), None)
    check(text)


@pytest.mark.parametrize("declared", ["windows-1252", "iso-8859-1", "latin-1", "cp1252"])
def test_declared_western_but_really_utf8(declared):
    text, how = decode_html(page(VI).encode("utf-8"), f"text/html; charset={declared}")
    check(text)
    assert how == "utf-8"


def test_meta_says_1252_header_silent_body_utf8():
    text, _ = decode_html(page(VI, meta="windows-1252").encode("utf-8"), "text/html")
    check(text)


def test_declared_utf8_but_really_cp1258():
    text, _ = decode_html(cp1258(page(VI)), "text/html; charset=utf-8")
    check(text)


def test_missing_charset_utf8():
    text, _ = decode_html(page(VI).encode("utf-8"), "text/html")
    check(text)


def test_unknown_charset_name_is_ignored():
    text, _ = decode_html(page(VI).encode("utf-8"), "text/html; charset=x-made-up")
    check(text)


def test_utf8_bom():
    text, _ = decode_html(b"\xef\xbb\xbf" + page(VI).encode("utf-8"), "text/html; charset=windows-1252")
    check(text)
    assert not text.startswith("\ufeff")


def test_mojibake_already_in_the_utf8_page_is_repaired():
    broken = VI.encode("utf-8").decode("cp1252", errors="replace")
    broken = VI.encode("utf-8").decode("latin-1")
    text, _ = decode_html(page(broken).encode("utf-8"), "text/html; charset=utf-8")
    check(text)


def test_one_bad_byte_does_not_turn_the_page_into_mojibake():
    body = page(VI).encode("utf-8").replace(b"<p>", b"<p>\xff", 1)
    text, _ = decode_html(body, "text/html")
    check(text)


def test_repair_leaves_real_text_alone():
    assert repair_mojibake(VI) == VI
    assert repair_mojibake("NGÃ BA Ã TÂY") == "NGÃ BA Ã TÂY"


def test_empty_and_binary_do_not_crash():
    assert decode_html(b"", None)[0] == ""
    decode_html(bytes(range(256)) * 10, None)


def test_plain_utf8_is_told_from_the_rest():
    assert is_plain_utf8("<p>Quận Ba Đình</p>".encode())
    assert not is_plain_utf8(codecs.BOM_UTF8 + "<p>Quận</p>".encode())
    assert not is_plain_utf8(cp1258("<p>Quận Ba Đình</p>"))


def test_the_crawler_parses_every_encoding_to_the_same_article():
    """UTF-8 goes to the parser as bytes; a page that is not UTF-8 (charset in the header
    only) and a UTF-8 page carrying mojibake take the decode path: all read the same."""
    from datetime import datetime

    from crawler.pipeline import _parse_page

    title, para = "Quận Ba Đình thu ngân sách", "Quận Ba Đình thu ngân sách đạt 108% dự toán năm. " * 4
    page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><p>{para}</p></body></html>"
    mojibake = page.encode().decode("latin-1")  # a whole page read wrongly once, stored as UTF-8
    when = datetime.fromisoformat("2025-01-02T08:00:00+07:00")
    for body, content_type in ((page.encode(), "text/html; charset=utf-8"),
                               (cp1258(page), "text/html; charset=windows-1258"),
                               (mojibake.encode(), "text/html")):
        article = _parse_page(body, content_type, "https://example.vn/a.html", when, None)
        assert article.title == title
