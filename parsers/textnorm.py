"""Text normalisation shared by parsing, fact extraction and search."""
from __future__ import annotations

import re
import unicodedata

_D = str.maketrans({"đ": "d", "Đ": "D"})
_SPACE = re.compile(r"\s+")


def nfc(text: str) -> str:
    """NFC form with runs of white space (incl. no-break spaces) collapsed to one space."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Lower case, no diacritics, đ→d: "Đống Đa" → "dong da", "Hoà"/"Hòa" → "hoa"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_D).lower()
