"""Text hygiene: bytes -> str decoding, NFC, entity unescaping, whitespace collapsing.

Inputs are raw page bytes or strings; outputs are clean NFC strings. Pure functions.
"""
from __future__ import annotations

import codecs
import html
import re
import unicodedata

from .article import ParseError

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.-]+)""")
_TEXT_BYTES = bytes(range(9, 14)) + bytes(range(32, 256))
_ODD_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\u200b\ufeff]")  # str.split() keeps these
_NOT_ALNUM = re.compile(r"[\W_]+")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)
NOT_SPACE = re.compile(r"\S")  # str.strip's white space is \s
# Windows-1252 / Latin-1 mojibake of UTF-8 Vietnamese: "Ã", "Ä‘", "áº" ...
_MOJIBAKE = re.compile("[ÃÄÆá»][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u017d\u017e\u0178]")


def declared_charset(data: bytes) -> str | None:
    """The charset a page declares in its first 4 KB (meta tag or XML declaration)."""
    head = data[:4096]
    match = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    if not match:
        return None
    name = match.group(1).decode("ascii", "ignore").lower()
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    """True when bytes are clearly not text (NULs or many control bytes)."""
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _TEXT_BYTES))  # what is left is control bytes
    return controls / len(sample) > 0.02


def decode_html(data: bytes | str) -> str:
    """Decode page bytes: BOM -> valid UTF-8 -> declared charset -> cp1258 -> latin-1.

    Valid multi-byte UTF-8 wins over a (frequently wrong) declared single-byte charset,
    so a page that says iso-8859-1 but is UTF-8 never turns into mojibake.
    """
    if isinstance(data, str):
        return fix_mojibake(data)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding, "replace")
    if looks_binary(data):
        raise ParseError("binary data, not an HTML page")
    declared = declared_charset(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for encoding in (declared, "cp1258"):
        if encoding and encoding not in ("utf-8", "utf-16", "utf-32"):
            try:
                return data.decode(encoding)
            except (UnicodeError, LookupError, ValueError):
                continue
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") <= max(3, len(text) // 1000):
        return text
    return data.decode("latin-1")


def decode_page(data: bytes | str) -> tuple[str, bytes | str]:
    """``decode_html(data)`` and what to build the tree from: the bytes themselves when they
    are valid UTF-8 (the text's own encoding: lexbor is spared encoding it back)."""
    if isinstance(data, bytes) and not data.startswith(_BOM_PREFIXES):
        if looks_binary(data):
            raise ParseError("binary data, not an HTML page")
        try:
            return data.decode("utf-8"), data
        except UnicodeDecodeError:
            pass
    text = decode_html(data)
    return text, text


def page_source(data: bytes | str) -> tuple[str, bytes | str, bool]:
    """``(head, source, sure)``: text for the is-it-HTML checks, what to build the tree
    from, and whether that source is known to be right.

    Bytes without a BOM that start (after white space) with ``<`` go to lexbor as they are,
    unvalidated (``sure`` False; ``head`` is their first 4 KB): decoding a 150 KB page only to
    learn that it is UTF-8 costs as much as a sixth of its parse. lexbor reads them as UTF-8
    and turns a byte that is not into U+FFFD, so a caller that finds U+FFFD in what it read
    re-reads the page with ``decode_page``. Anything else is decoded here first."""
    if isinstance(data, bytes) and not data.startswith(_BOM_PREFIXES):
        if looks_binary(data):
            raise ParseError("binary data, not an HTML page")
        head = data[:4096].decode("utf-8", "replace")
        first = NOT_SPACE.search(head)
        if first is not None and head[first.start()] == "<":
            return head, data, False
    text, source = decode_page(data)
    return text, source, True



def fix_mojibake(text: str) -> str:
    """Repair UTF-8 text that was decoded as cp1252/latin-1, when that is certain."""
    if not _MOJIBAKE.search(text):
        return text
    for encoding in ("cp1252", "latin-1"):
        try:
            return text.encode(encoding).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def clean_text(text: str | None) -> str:
    """Unescape entities, NFC, drop control characters, collapse spaces (one line)."""
    if not text:
        return ""
    if "&" in text:
        text = html.unescape(text)
    if text.isprintable():  # no white space but " ", no control or format character
        if "  " in text or text[0] == " " or text[-1] == " ":
            text = " ".join(text.split())
    else:
        if _ODD_CHARS.search(text):
            text = _ODD_CHARS.sub(" ", text)
        text = " ".join(text.split())
    # normalize() returns an NFC text itself after its quick check: cheaper than asking
    # is_normalized() first.
    return unicodedata.normalize("NFC", text)


class _FoldTable(dict):  # type: ignore[type-arg]
    """``str.translate`` table of ``textnorm.fold`` after NFD: combining marks -> deleted,
    đ/Đ -> d/D, anything else kept. Filled lazily, one entry per character seen."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        if code < 0x2000:  # Latin, combining marks, Vietnamese: bounded, the rest not kept
            self[code] = value
        return value


_FOLD = _FoldTable({ord("đ"): ord("d"), ord("Đ"): ord("D")})


def match_key(text: str) -> str:
    """A comparison key: ``textnorm.fold`` (no case, no diacritics, đ->d), letters and digits only.

    Same result as ``_NOT_ALNUM.sub("", fold(text))``. Text whose decomposed form is ASCII
    plus combining marks and punctuation (Vietnamese prose) is done on bytes: the marks and
    the punctuation are dropped either way, and no per-character Python code runs.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
        if _NOT_FAST_FOLD.search(text):
            return _NOT_ALNUM.sub("", text.translate(_FOLD).lower())
    return text.encode("ascii", "ignore").lower().translate(None, _ASCII_NOT_ALNUM).decode("ascii")


# Non-ASCII characters that ``match_key`` drops whatever the path: combining diacritics and
# punctuation/spaces that are neither letters nor digits and have no lower-case form.
_DROPPED = "".join(
    c for c in map(chr, [*range(0x80, 0x100), *range(0x2000, 0x2070), 0x3000])
    if not c.isalnum() and c.lower() == c and not unicodedata.combining(c))
_NOT_FAST_FOLD = re.compile(
    r"[^\x00-\x7f\u0300-\u036f" + "".join(f"\\u{ord(c):04x}" for c in _DROPPED) + "]")
_ASCII_NOT_ALNUM = bytes(b for b in range(128) if not chr(b).isalnum())


def _char_class(chars: list[int]) -> str:
    """A regex character class of the code points ``chars`` (sorted), as ranges."""
    ranges: list[str] = []
    start = prev = chars[0]
    for code in chars[1:] + [-1]:
        if code == prev + 1:
            prev = code
            continue
        ranges.append(f"\\U{start:08x}" + (f"-\\U{prev:08x}" if prev != start else ""))
        start = prev = code
    return "[" + "".join(ranges) + "]"


# ``has_digit(text)`` is ``any(ch.isdigit() for ch in text)`` (every digit str.isdigit
# knows: superscripts and circled digits too, not only \d) mostly in one regex search.
# The class lists the digits below U+20000 (where Unicode has them all) and the planes
# above as a whole: a character there is checked by str.isdigit itself.
_DIGIT = re.compile(_char_class([c for c in range(0x20000) if chr(c).isdigit()])
                    + "|[\U00020000-\U0010ffff]")


def has_digit(text: str) -> bool:
    """True when some character of ``text`` is a digit for ``str.isdigit``."""
    match = _DIGIT.search(text)
    if match is None:
        return False
    return match.group() < "\U00020000" or any(ch.isdigit() for ch in text)
