"""An article's text for reading: paragraphs, and each figure marked where it is printed.

Pure functions (no I/O). The ``indicators`` rows carry the sentence a figure comes from and
its value, not its offset, so the figure is found again: first its sentence, then, inside
it, the number as Vietnamese papers print it (``4.520`` for 4520, ``58,6`` for 58.6,
``12,4 nghìn`` for 12400), with its unit, range or denominator when they follow. A figure
that cannot be found is left unmarked (the page lists it beside the text anyway). Text is
escaped here; only our ``<mark>``/``<a>`` tags are markup.
"""
from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Iterable

from markupsafe import Markup, escape

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def paragraphs(text: str | None) -> list[str]:
    """Non-empty paragraphs of a stored text (blank-line or line separated)."""
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text or "") if p.strip()]


def names(value: Any) -> list[str]:
    """People from a stored byline: a JSON array (``["Khánh Linh"]``), or a ' ; '- or
    ','-separated string, as different writers stored them."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        items = value
    else:
        text = str(value).strip()
        items = None
        if text.startswith("["):
            try:
                items = json.loads(text)
            except ValueError:
                items = None
        if items is None:
            items = re.split(r"\s*;\s*", text) if ";" in text else [text]
    return [str(i).strip() for i in items if i is not None and str(i).strip()]


def vn_number(value: float) -> list[str]:
    """How a paper may print ``value``: thousands with '.', decimals with ',' (``4.520``,
    ``58,6``, ``118.600``), and without the thousands separator (``4520``)."""
    text = f"{abs(value):.6f}".rstrip("0").rstrip(".")
    whole, _, decimals = text.partition(".")
    tail = f",{decimals}" if decimals else ""
    out = [f"{int(whole):,}".replace(",", ".") + tail]
    if len(whole) > 3:
        out.append(whole + tail)
    return out


def _candidates(value: float) -> list[tuple[str, str]]:
    """(printed number, what may follow it) in the order they are tried."""
    found = [(n, "") for n in vn_number(value)]
    if abs(value) >= 1000:  # "12,4 nghìn tỷ đồng" stored as 12400 tỷ đồng
        found += [(n, r"\s+nghìn") for n in vn_number(value / 1000)]
    if abs(value) != int(abs(value)) and abs(value) >= 1:  # "81.289 tỷ 961 triệu đồng"
        found += [(n, "") for n in vn_number(float(int(abs(value))))]
    return found


def _number_at(text: str, number: str, after: str, start: int, end: int):
    pattern = re.compile(r"(?<![\d.,])" + re.escape(number) + after + r"(?![\d]|[.,]\d)")
    return pattern.search(text, start, end)


def _fold_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@dataclass
class Span:
    start: int
    end: int
    figure_id: Any
    role: str  # "value" or "relation"


def _extend(text: str, end: int, figure: dict) -> tuple[int, bool]:
    """Stretch a number's span over the range, denominator and unit printed after it;
    also says whether the unit was there."""
    tail = text[end:end + 80]
    pos = 0
    if figure.get("value_max") is not None:
        for n in vn_number(float(figure["value_max"])):
            m = re.match(r"\s*[-–]\s*" + re.escape(n) + r"(?![\d])", tail)
            if m:
                pos = m.end()
                break
    if figure.get("value_denominator") is not None:
        for n in vn_number(float(figure["value_denominator"])):
            m = re.match(r"\s*/\s*" + re.escape(n) + r"(?![\d])", tail[pos:])
            if m:
                pos += m.end()
                break
    unit = (figure.get("unit") or "").strip()
    has_unit = not unit
    if unit:
        m = re.match(r"\s*(?:nghìn\s+)?" + re.escape(unit).replace(r"\ ", r"\s+"),
                     tail[pos:], re.IGNORECASE)
        if m:
            pos += m.end()
            has_unit = True
    return end + pos, has_unit


def locate(text: str, figures: Iterable[dict], *, taken: list[Span] | None = None,
           strict: bool = False) -> list[Span]:
    """Where each figure is printed in ``text`` (non-overlapping spans, in text order).

    A figure is looked for inside its sentence when the sentence is in ``text``, else
    anywhere in ``text``; the first occurrence not yet marked wins. ``strict``: only where
    the number is followed by the figure's unit (a bare "8" elsewhere may be a date). Its
    printed ``relation`` ("bằng 112% dự toán") is marked too when it is in the same
    sentence. ``taken``: spans already marked in ``text``.
    """
    spans: list[Span] = []
    taken = list(taken or [])

    def free(s: int, e: int) -> bool:
        return all(e <= x.start or s >= x.end for x in spans + taken)

    for fig in figures:
        if fig.get("value") is None:
            continue
        lo, hi = 0, len(text)
        sentence = _fold_spaces(fig.get("sentence") or "")
        at = text.find(sentence) if sentence else -1
        if at >= 0:
            lo, hi = at, at + len(sentence)
        hit = None
        for number, after in _candidates(float(fig["value"])):
            pos = lo
            while hit is None:
                m = _number_at(text, number, after, pos, hi)
                if not m:
                    break
                end, has_unit = _extend(text, m.end(), fig)
                if free(m.start(), end) and (has_unit or not strict):
                    hit = (m.start(), end)
                pos = m.end()
            if hit:
                break
        if not hit:
            continue
        spans.append(Span(hit[0], hit[1], fig.get("id"), "value"))
        relation = (fig.get("relation") or "").strip()
        if relation and (fig.get("unit") or "") != "%":
            at = text.find(relation, lo, hi + len(relation))
            if at >= 0 and free(at, at + len(relation)):
                spans.append(Span(at, at + len(relation), fig.get("id"), "relation"))
    return sorted(spans, key=lambda s: s.start)


def render_marked(text: str, spans: list[Span], href, title) -> Markup:
    """``text`` escaped, each span wrapped in ``<mark id="fig-<id>"><a href=…>``.

    ``href(figure_id)`` and ``title(figure_id)`` give each mark's link and tooltip."""
    out: list[Markup | str] = []
    pos = 0
    for s in spans:
        out.append(escape(text[pos:s.start]))
        anchor = f"fig-{s.figure_id}" if s.role == "value" else f"fig-{s.figure_id}-{s.role}"
        out.append(Markup('<mark class="figure" id="{}" data-figure="{}"><a href="{}" title="{}">'
                          '{}</a></mark>').format(anchor, s.figure_id, href(s.figure_id),
                                                  title(s.figure_id), text[s.start:s.end]))
        pos = s.end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def marked_paragraphs(blocks: list[str], figures: list[dict], href, title):
    """Each block (lead, paragraphs) rendered with its figures marked. A figure is marked in
    the block holding its sentence; one whose sentence is in no block (a paper that edited
    the text, a sentence stored shortened) is marked where its number is printed with its
    unit. Returns (rendered blocks, ids of the figures marked)."""
    home: dict[int, list[dict]] = {}
    homeless = []
    for fig in figures:
        sentence = _fold_spaces(fig.get("sentence") or "")
        at = next((i for i, b in enumerate(blocks) if sentence and sentence in b), None)
        (home.setdefault(at, []) if at is not None else homeless).append(fig)
    spans = [locate(b, home.get(i, [])) for i, b in enumerate(blocks)]
    found = {s.figure_id for block in spans for s in block}
    for i, block in enumerate(blocks):
        left = [f for f in homeless if f.get("id") not in found]
        if not left:
            break
        extra = locate(block, left, taken=spans[i], strict=True)
        found |= {s.figure_id for s in extra}
        spans[i] = sorted(spans[i] + extra, key=lambda s: s.start)
    rendered = [render_marked(b, spans[i], href, title) for i, b in enumerate(blocks)]
    return rendered, found


def version_changes(older: dict, newer: dict, *, context_words: int = 6,
                    max_chunks: int = 4) -> dict:
    """What changed between two versions of an article: the title (if it did), words added
    and removed in the text, and up to ``max_chunks`` changed passages with a few words of
    context, each as (before, removed, added, after)."""
    out: dict[str, Any] = {"title_changed": (older.get("title") or "") != (newer.get("title") or "")}
    a = (older.get("body_text") or "").split()
    b = (newer.get("body_text") or "").split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    added = removed = 0
    chunks = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed += i2 - i1
        added += j2 - j1
        if len(chunks) < max_chunks:
            chunks.append((" ".join(a[max(0, i1 - context_words):i1]), " ".join(a[i1:i2]),
                           " ".join(b[j1:j2]), " ".join(a[i2:i2 + context_words])))
    out.update(words_added=added, words_removed=removed, passages=chunks)
    return out
