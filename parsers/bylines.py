"""Author lines and credits: "Minh Anh - Hoàng Long", "Theo TTXVN", "Ảnh: Kim Tiến".

``split_byline`` turns a byline into (authors, credits); agencies, "Theo ..." sources,
acronyms (TTXVN, PV, NSHN) and reporter groups ("Nhóm PV") are credits, never authors. ``looks_like_byline`` decides
whether a short paragraph at the end of a body is such a line.
"""
from __future__ import annotations

import re

from .text import clean_text, has_digit

_ROLE_PREFIX = re.compile(
    r"^(?:bài\s*(?:và|,|&)?\s*ảnh|bài\s*viết|bài|tin\s*(?:và|,)?\s*ảnh|tin|tác\s*giả|"
    r"ghi\s*chép|nội\s*dung|thực\s*hiện|nhóm\s*phóng\s*viên|phóng\s*viên|pv|by)\s*[:：]\s*",
    re.I,
)
_THEO = re.compile(r"^\(?\s*(?:theo|nguồn)\s*[:：]?\s+(?P<src>.+?)\s*\)?\.?$", re.I)
_PARENS = re.compile(r"\(([^()]{1,40})\)")
_SPLIT = re.compile(r"\s+[-–—/&]\s+|\s*[,;]\s*|\s+và\s+|\s+-\s*|\s*[-–—]\s+")
_ACRONYM = re.compile(r"^[A-ZĐ][A-ZĐ0-9.]{1,9}$")
# "PV", "Nhóm PV", "Nhóm phóng viên": the paper's reporters as a group, a credit like "PV".
_REPORTER_GROUP = re.compile(r"^(?:nhóm\s+)?(?:pv|phóng\s+viên)$", re.I)
_UPPER_WORD = re.compile(r"^[A-ZÀ-ỸĐ][\w'’.]*$")
_LOWER_OK = {"và", "thị", "văn", "de", "van"}
_CREDIT_LABEL = re.compile(
    r"(?:^|[\s.(\[–-])(?P<label>ảnh|nguồn\s*ảnh|ảnh\s*minh\s*họa|ảnh\s*minh\s*hoạ|video|clip|"
    r"đồ\s*họa|đồ\s*hoạ|infographic|nguồn|thiết\s*kế)\s*[:：]\s*(?P<who>[^()\[\]]{1,80}?)\s*[)\]]?\s*\.?\s*$",
    re.I,
)
_ILLUSTRATIVE = re.compile(r"^\(?\s*ảnh\s*minh\s*h[ọo]ạ?\s*\)?\.?$", re.I)
_SEGMENTS = re.compile(r"\s*[·|•]\s*")
_WEEKDAY = re.compile(r"\b(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy)|chủ\s*nhật|cập\s*nhật|đăng\s*(?:ngày|lúc))\b", re.I)
MAX_BYLINE_CHARS = 90


def split_byline(text: str) -> tuple[list[str], list[str]]:
    """``"Minh Anh - Hoàng Long (TTXVN)"`` -> ``(["Minh Anh", "Hoàng Long"], ["TTXVN"])``."""
    text = clean_text(text).strip(" .")
    authors: list[str] = []
    credits: list[str] = []
    if not text:
        return authors, credits
    text = " ".join(seg for seg in _SEGMENTS.split(text) if not _is_date_segment(seg)).strip(" .")
    theo = _THEO.match(text)
    if theo:
        return authors, [theo.group("src").strip(" .()")]
    for inner in _PARENS.findall(text):
        _add(credits, inner.strip(" .").removeprefix("Theo ").removeprefix("theo "))
    text = _PARENS.sub(" ", text).strip(" .")
    text = _ROLE_PREFIX.sub("", text)
    for part in _SPLIT.split(text):
        part = part.strip(" .:-–—")
        if not part:
            continue
        if _ACRONYM.match(part) or _REPORTER_GROUP.match(part):
            _add(credits, part)
        else:
            _add(authors, part)
    return authors, credits


def _is_date_segment(segment: str) -> bool:
    """A byline segment that is a date or time ("Thứ sáu, 05/09/2025, 07:40 (GMT+7)")."""
    return has_digit(segment) or bool(_WEEKDAY.search(segment))


def _add(items: list[str], value: str) -> None:
    value = value.strip()
    if value and value not in items:
        items.append(value)


def looks_like_byline(text: str) -> bool:
    """True for a short line of capitalised names or an agency credit ("Theo TTXVN")."""
    text = clean_text(text)
    if not text or len(text) > MAX_BYLINE_CHARS or has_digit(text):
        return False
    if _THEO.match(text) and len(text) <= 60:
        return True
    stripped = _ROLE_PREFIX.sub("", _PARENS.sub(" ", text)).strip(" .")
    if not stripped or stripped.endswith(("?", "!", ":")):
        return False
    parts = [p.strip(" .") for p in _SPLIT.split(stripped) if p.strip(" .")]
    if not parts or len(parts) > 6:
        return False
    return all(_is_name(part) or _REPORTER_GROUP.match(part) for part in parts)


def _is_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 5:
        return False
    if len(words) == 1 and not _ACRONYM.match(words[0]) and len(words[0]) < 2:
        return False
    return all(_UPPER_WORD.match(w) or w in _LOWER_OK for w in words)


def split_credit(caption: str) -> tuple[str, str | None]:
    """``"Lễ khởi công. Ảnh: Kim Tiến"`` -> ``("Lễ khởi công.", "Kim Tiến")``."""
    caption = clean_text(caption)
    # The label is always followed by a colon: without one the (slow) search cannot match.
    match = _CREDIT_LABEL.search(caption) if ":" in caption or "：" in caption else None
    if not match:
        return caption, None
    rest = caption[: match.start()].rstrip(" ([–-")
    who = match.group("who").strip(" .)")
    return rest.strip(), who or None


def is_credit_line(text: str) -> bool:
    """True for a paragraph that is only a credit ("Ảnh: Kim Tiến", "Video: PV")."""
    text = clean_text(text)
    if len(text) > MAX_BYLINE_CHARS:
        return False
    rest, who = split_credit(text)
    return (who is not None and not rest) or bool(_ILLUSTRATIVE.match(text))
