"""Bytes → text for pages: declared header charset → meta charset → detection; NFC; no mojibake."""
from __future__ import annotations

import codecs
import re
import unicodedata

from charset_normalizer import from_bytes

_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
# UTF-8 read as latin-1/cp1252: "Ä\x91", "Ã¡", "áº" ...: a sign that a page was mis-decoded.
_MOJIBAKE = re.compile("(?:Ã[\u00a0-\u00bf]|Ä[\u0080-\u00bf]|áº|á»|Æ°|Ä‘)")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip('"\'')).name
    except LookupError:
        return None


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = re.search(r"charset\s*=\s*([^;\s]+)", content_type, re.I)
    return _codec(m.group(1)) if m else None


_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BOM_PREFIXES = tuple(bom for bom, _ in _BOMS)


def is_plain_utf8(body: bytes) -> bool:
    """True for valid UTF-8 without a byte order mark: what ``decode_html`` would read as
    UTF-8 whatever the page declares, so a parser can take the bytes as they are."""
    if body.startswith(_BOM_PREFIXES):
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Return (text, how) where how names the charset source: header | meta | detected | utf-8."""
    for bom, codec in _BOMS:
        if body.startswith(bom):  # a byte order mark outranks every declaration (HTML spec)
            text = body.decode(codec, errors="replace").lstrip("\ufeff")
            return unicodedata.normalize("NFC", repair_mojibake(text)), "bom"
    candidates: list[tuple[str, str]] = []
    header = charset_from_content_type(content_type)
    if header:
        candidates.append((header, "header"))
    m = _META.search(body[:4096])
    meta = _codec(m.group(1).decode("ascii", "ignore")) if m else None
    if meta:
        candidates.append((meta, "meta"))
    for codec, how in candidates:
        try:
            text = body.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if not _MOJIBAKE.search(text):
            return unicodedata.normalize("NFC", text), how
    try:  # most Vietnamese pages are UTF-8 whatever they declare
        text = repair_mojibake(body.decode("utf-8"))
        if not _MOJIBAKE.search(text):
            return unicodedata.normalize("NFC", text), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        try:
            text = body.decode(best.encoding, errors="replace")
            return unicodedata.normalize("NFC", repair_mojibake(text)), "detected"
        except LookupError:
            pass
    return unicodedata.normalize("NFC", body.decode("utf-8", errors="replace")), "utf-8"


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8-read-as-cp1252/latin-1, if that is what happened."""
    if not _MOJIBAKE.search(text):
        return text
    for codec in ("cp1252", "latin-1"):
        try:
            fixed = text.encode(codec).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if not _MOJIBAKE.search(fixed):
            return fixed
    return text


def looks_mojibake(text: str) -> bool:
    """Does the text carry the marks of UTF-8 decoded as a Western code page?"""
    return bool(_MOJIBAKE.search(text))
