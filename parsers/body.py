"""Article body: a cleaned container -> paragraphs, images with captions, byline.

``read_blocks`` walks the container in reading order (iteratively: pages nested 5,000 deep
do not overflow) and yields text and image blocks with layout hints. ``assemble`` moves
captions and "Ảnh:" credits to images, drops repeats of the title and sapo, takes the
author line at the end off the body, and joins paragraphs with blank lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator

from selectolax.lexbor import LexborNode

from .article import Image
from .bylines import MAX_BYLINE_CHARS, is_credit_line, looks_like_byline, split_byline, split_credit
from .dates import parse_date
from .query import css, css_first
from .cleanup import BOX_HEADINGS, tagged
from .text import clean_text, has_digit, match_key
from .urls import absolute_url

INLINE = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "del", "dfn", "em", "font", "i",
    "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "time", "tt", "u", "var", "wbr", "br", "-text", "nobr",
})
LEAF_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre",
                         "dt", "dd", "caption", "address"})
LEAF_CONTAINERS = frozenset({"div", "section", "td", "th", "center", "article", "aside"})
SKIP = frozenset({"script", "style", "noscript", "template", "svg", "button", "form",
                  "input", "select", "textarea", "iframe", "video", "audio", "head", "title",
                  "-comment", "figcaption", "picture-source", "source", "map", "canvas"})
BLOCK_INSIDE = frozenset({"p", "div", "table", "figure", "ul", "ol", "h1", "h2", "h3", "h4", "h5",
                          "h6", "blockquote", "img", "amp-img", "section", "article"})
_BR = frozenset({"br"})
_IMAGE_TAGS = frozenset({"img", "amp-img"})  # AMP pages: <amp-img src=...>
_UNION_QUERIES = {(BLOCK_INSIDE, _BR): ", ".join(sorted(BLOCK_INSIDE | _BR))}
_STYLED = frozenset({"strong", "b", "em", "i", "a"})
_RIGHT = re.compile(r"text-align\s*:\s*right", re.I)
_CENTER = re.compile(r"text-align\s*:\s*center", re.I)
_CAPTION_CLASS = re.compile(r"caption|chu-?thich|desc|image-?title|note-?image|pic-?title", re.I)
_IMAGE_CLASS = re.compile(r"(?:^|[\s_-])(?:picture|image|photo|img|figure|pic|anh|hinh|hinh-?anh)(?:$|[\s_-])", re.I)
_CAPTION_QUERY = "td.caption, .caption, .image-caption, .image_desc, .desc, .fig-caption, [class*=caption]"
_AUTHOR_CLASS = re.compile(r"author|tac-?gia|byline|signature", re.I)
_DATE_WORDS = re.compile(
    r"\d+|thứ\s*(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ\s*nhật|ngày|tháng|năm|giờ|cập\s*nhật|"
    r"đăng|lúc|gmt|utc|\b(?:sa|ch|am|pm)\b|[^\w\s]", re.I)
_FAR_FUTURE = datetime(2999, 1, 1, tzinfo=timezone.utc)
_TINY = 40
MAX_CAPTION_CHARS = 400
MAX_PICTURE_NODES = 60
MIN_LEAD_CHARS, MAX_LEAD_CHARS = 60, 600
_BYLINE_WINDOW = 3


@dataclass(slots=True)
class Block:
    """One paragraph or one picture, with the hints that identify captions and bylines."""

    text: str = ""
    image: Image | None = None
    right: bool = False
    bold: bool = False
    italic: bool = False
    centered: bool = False
    caption_like: bool = False
    heading: bool = False
    link_ratio: float = 0.0


@dataclass
class Body:
    """What ``assemble`` makes of the blocks."""

    text: str | None
    images: list[Image] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    credits: list[str] = field(default_factory=list)
    lead: str | None = None  # a bold first paragraph taken out as the sapo


def read_blocks(container: LexborNode, base_url: str) -> list[Block]:
    """Text and image blocks of ``container`` in reading order."""
    blocks: list[Block] = []
    inline: list[str] = []

    def flush() -> None:
        # Text runs; "\n" only comes from <br>: an empty line (<br><br>) ends a paragraph.
        if not inline:
            return
        current: list[str] = []
        for line in "".join(inline).split("\n"):
            line = clean_text(line)
            if line:
                current.append(line)
            elif current:
                blocks.append(Block(text=" ".join(current)))
                current = []
        if current:
            blocks.append(Block(text=" ".join(current)))
        inline.clear()

    # Which elements hold a block (or a <br>) somewhere inside: one walk of the container
    # instead of a walk of every inline element's and leaf candidate's subtree.
    with_block, with_br = _ancestors_of(container, BLOCK_INSIDE, _BR)
    stack: list[Iterator[LexborNode]] = [_children(container)]
    while stack:
        node = next(stack[-1], None)
        if node is None:
            stack.pop()
            flush()
            continue
        tag = node.tag or ""
        if tag in SKIP:
            continue
        if tag == "-text":
            inline.append((node.text(deep=False) or "").replace("\n", " "))
        elif tag == "br":
            inline.append("\n")
        elif tag in INLINE and node.mem_id not in with_block:
            inline.append((node.text(separator=" ") or "").replace("\n", " "))
        else:
            flush()
            if tag in _IMAGE_TAGS:
                blocks.extend(_image_block(node, None, base_url))
            elif tag in _BOX_TAGS and (parts := _image_box(node, tag)) is not _NOT_A_BOX:
                blocks.extend(_image_box_blocks(node, base_url, parts))
            elif (tag in LEAF_BLOCKS or tag in LEAF_CONTAINERS) and node.mem_id not in with_block \
                    and (tag in LEAF_BLOCKS or node.mem_id not in with_br):
                block = _text_block(node)
                if block is not None:
                    blocks.append(block)
            else:
                stack.append(_children(node))
    flush()
    return blocks


def _ancestors_of(container: LexborNode, *tag_sets: frozenset[str]) -> list[set[int]]:
    """For each tag set, the ``mem_id`` of every element inside ``container`` (or the container)
    that has a descendant element with a tag in the set: ``has_tagged`` for all at once.
    One lexbor query finds the elements of all the sets; each one marks its ancestors (in
    the sets its tag is in) up to one already marked (or the container), so every ancestor
    is visited once per set."""
    found: list[set[int]] = [set() for _ in tag_sets]
    stop = container.mem_id
    query = _UNION_QUERIES.get(tag_sets) or ", ".join(sorted(frozenset().union(*tag_sets)))
    for node in css(container, query):
        if node.mem_id == stop:  # the container itself is not inside itself
            continue
        tag = node.tag
        hit = False
        for tags, marked in zip(tag_sets, found):
            if tag in tags:
                hit = True
                _mark_ancestors(node, marked, stop)
        if not hit:  # a name lexbor matched by other rules than ours: one query per set
            return [_ancestors_by_query(container, tags) for tags in tag_sets]
    return found


def _ancestors_by_query(container: LexborNode, tags: frozenset[str]) -> set[int]:
    marked: set[int] = set()
    stop = container.mem_id
    for node in css(container, ", ".join(sorted(tags))):
        if node.mem_id != stop:
            _mark_ancestors(node, marked, stop)
    return marked


def _mark_ancestors(node: LexborNode, marked: set[int], stop: int) -> None:
    parent = node.parent
    while parent is not None:
        key = parent.mem_id
        if key in marked:
            return
        marked.add(key)
        if key == stop:
            return
        parent = parent.parent


def _children(node: LexborNode) -> Iterator[LexborNode]:
    child = node.first_child
    while child is not None:
        yield child
        child = child.next


_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_CLASS_HINTS: dict[str, tuple[bool, bool]] = {" ": (False, False)}


def _class_hints(klass: str) -> tuple[bool, bool]:
    """(an author or "right" class, a caption class) for ``"<class> <id>"``, memoised."""
    if len(_CLASS_HINTS) >= 4096:
        _CLASS_HINTS.clear()
        _CLASS_HINTS[" "] = (False, False)
    hints = _CLASS_HINTS[klass] = (
        bool(_AUTHOR_CLASS.search(klass)) or "right" in klass.lower().split(),
        bool(_CAPTION_CLASS.search(klass)))
    return hints


def _text_block(node: LexborNode) -> Block | None:
    text = clean_text(node.text(separator=" "))
    if not text:
        return None
    heading = node.tag in _HEADING_TAGS
    if len(text) > MAX_LEAD_CHARS and not text[:40].lower().startswith(BOX_HEADINGS):
        return Block(text=text, heading=heading)  # too long for a caption, byline or lead
    attrs = node.attributes
    style = attrs.get("style") or ""
    klass = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
    # (author-or-right, caption) hints of the class and id: pages repeat them.
    right_class, caption_like = _CLASS_HINTS.get(klass) or _class_hints(klass)
    align = (attrs.get("align") or "").lower()
    strong_parts: list[str] = []
    em_parts: list[str] = []
    linked = 0
    for styled in tagged(node, _STYLED):
        tag = styled.tag
        if tag in ("strong", "b"):
            strong_parts.append(styled.text(separator=" "))
        elif tag in ("em", "i"):
            em_parts.append(styled.text(separator=" "))
        else:  # "a"
            linked += len(clean_text(styled.text(separator=" ")))
    bold_chars = len(clean_text(" ".join(strong_parts))) if strong_parts else 0
    italic_chars = len(clean_text(" ".join(em_parts))) if em_parts else 0
    return Block(
        text=text,
        right=bool(style and _RIGHT.search(style)) or align == "right" or right_class,
        centered=bool(style and _CENTER.search(style)) or align == "center",
        bold=bold_chars >= len(text) * 0.9,
        italic=italic_chars >= len(text) * 0.9,
        caption_like=caption_like,
        heading=heading,
        link_ratio=min(1.0, linked / len(text)),
    )


_BOX_TAGS = frozenset({"figure", "table", "div", "p", "span", "a", "center"})
_BoxParts = tuple[list[LexborNode], "LexborNode | None", list[LexborNode]]
_NOT_A_BOX = object()


def _is_image_box(node: LexborNode, tag: str | None = None) -> bool:
    return _image_box(node, node.tag if tag is None else tag) is not _NOT_A_BOX


def _image_box(node: LexborNode, tag: str | None) -> object:
    """``_NOT_A_BOX``, or for a picture box (a figure, or a small box of one image and a
    caption) what ``_box_parts`` finds in it (None for a figure over the size limit)."""
    if tag == "figure":
        return _box_parts(node)
    if tag not in _BOX_TAGS:
        return _NOT_A_BOX
    if tag != "table" and not _IMAGE_CLASS.search(node.attributes.get("class") or ""):
        return _NOT_A_BOX
    # A picture box is small: one image, a caption. Bounded walk (deep pages stay linear).
    parts = _box_parts(node)
    if parts is None or len(parts[0]) != 1 \
            or len(node.text(separator=" ", strip=True)) > MAX_CAPTION_CHARS:
        return _NOT_A_BOX
    return parts


def _image_box_blocks(node: LexborNode, base_url: str, found: object = _NOT_A_BOX) -> list[Block]:
    """The picture block of a picture box (``found``: what ``_image_box`` gave for it)."""
    # Tag-only lookups by one walk of the (small) box: each css() call parses its selector.
    if found is _NOT_A_BOX:
        found = _box_parts(node)
    if found is None:  # a big box: let lexbor walk it
        images, figcaption = css(node, "img, amp-img"), css_first(node, "figcaption")
        rows: list[LexborNode] | None = None
    else:
        images, figcaption, rows = found  # type: ignore[misc]
    if not images:
        return []
    caption_node = figcaption or css_first(node, _CAPTION_QUERY)
    if caption_node is None and node.tag == "table":
        rows = css(node, "tr") if rows is None else rows
        caption_node = rows[1] if len(rows) > 1 else None
    if caption_node is None and node.tag != "figure":
        caption_node = node  # a picture box whose only text is its caption
    caption = clean_text(caption_node.text(separator=" ")) if caption_node is not None else ""
    return _image_block(images[0], caption or None, base_url)


def _box_parts(node: LexborNode) -> _BoxParts | None:
    """``node.css("img")``, ``node.css_first("figcaption")`` and ``node.css("tr")`` in one
    walk (document order, the node itself included); None for a box over the size limit."""
    images: list[LexborNode] = []
    rows: list[LexborNode] = []
    figcaption = None
    for count, item in enumerate(node.traverse()):
        if count > MAX_PICTURE_NODES:
            return None
        tag = item.tag
        if tag in _IMAGE_TAGS:
            images.append(item)
        elif tag == "tr":
            rows.append(item)
        elif tag == "figcaption" and figcaption is None:
            figcaption = item
    return images, figcaption, rows


_SRC_KEYS = ("data-src", "data-original", "data-lazy-src", "src")


def _image_block(img: LexborNode, caption: str | None, base_url: str) -> list[Block]:
    attrs = img.attributes
    src = None
    for key in _SRC_KEYS:
        value = attrs.get(key)
        if value and not value.startswith("data:"):
            src = value
            break
    if not src:
        return []
    for key in ("width", "height"):
        value = attrs.get(key)
        # isdecimal: int() reads it ("²".isdigit() too, but int("²") raises)
        if value and value.isdecimal() and int(value) < _TINY:
            return []
    if caption is None:  # MasterCMS keeps the caption in the title attribute
        caption = clean_text(attrs.get("title")) or None
    credit: str | None = None
    if caption:
        caption, credit = split_credit(caption)
    url = absolute_url(base_url, src) if base_url else src.strip()
    if not url:
        return []
    image = Image(position=0, url=url, caption=caption or None, credit=credit)
    alt = clean_text(attrs.get("alt"))
    return [Block(image=image, text=alt)]


def assemble(blocks: list[Block], title: str | None, sapo: str | None, *,
             take_lead: bool = False, trim: bool = False) -> Body:
    """Turn blocks into body text, images, authors and credits (see module doc).

    With ``take_lead`` a bold first paragraph (the lead on pages without a sapo element)
    is returned as ``lead`` instead of staying in the text. With ``trim`` (a container the
    generic extractor guessed) the page's own lines are taken off the text: short lines
    that are not sentences at its start and end ("Advertisement", "close", "Comments"), a
    heading that ends it, and lines that are mostly a link ("SEE MORE: ...").
    """
    title_key = match_key(title or "")
    sapo_key = match_key(sapo or "")
    longest = max(len(title or ""), len(sapo or "")) + 20
    kept: list[Block] = []
    images: list[Image] = []
    credits: list[str] = []
    for block in blocks:
        if block.image is not None:  # a caption that repeats the title stays a caption
            images.append(block.image)
            kept.append(block)
            continue
        if len(block.text) <= longest and _repeats(block.text, title_key,
                                                   sapo_key if len(kept) < 3 else ""):
            continue  # only short blocks can repeat the title or sapo
        previous = kept[-1] if kept else None
        if len(block.text) <= MAX_BYLINE_CHARS and is_credit_line(block.text):
            _attach_credit(block.text, previous, credits)
            continue
        if previous is not None and _is_caption(block, previous):
            caption, credit = split_credit(block.text)
            assert previous.image is not None
            previous.image.caption = caption or None
            previous.image.credit = previous.image.credit or credit
            continue
        if _is_related_line(block) or is_dateline(block.text):
            continue
        kept.append(block)
    authors, byline_credits, kept = _take_byline(kept)
    if trim:
        kept = _trim(kept)
    for credit in byline_credits:
        if credit not in credits:
            credits.append(credit)
    for position, image in enumerate(images):
        image.position = position
    paragraphs = [b for b in kept if b.image is None]
    lead = None
    if take_lead and len(paragraphs) > 1 and _is_lead(paragraphs[0]):
        lead = paragraphs.pop(0).text
    return Body(text="\n\n".join(b.text for b in paragraphs) or None, images=images,
                authors=authors, credits=credits, lead=lead)


_HEAD = 40


def _repeats(text: str, title_key: str, sapo_key: str) -> bool:
    """``match_key(text)`` is empty, ``title_key`` or ``sapo_key`` (when that is not empty).

    The key of the first characters is a prefix of the whole key (the key is made char by
    char, but for a capital sigma, whose lower case depends on what follows): when it is
    not a prefix of the targets' keys, the whole key is not computed."""
    head = match_key(text[:_HEAD])
    if head and not title_key.startswith(head) and not (sapo_key and sapo_key.startswith(head)) \
            and "Σ" not in text[:_HEAD]:
        return False
    key = match_key(text) if len(text) > _HEAD else head
    return not key or key == title_key or (bool(sapo_key) and key == sapo_key)


def _is_lead(block: Block) -> bool:
    return block.bold and not block.heading and MIN_LEAD_CHARS <= len(block.text) <= MAX_LEAD_CHARS


def _attach_credit(text: str, previous: Block | None, credits: list[str]) -> None:
    _, who = split_credit(text)
    if previous is not None and previous.image is not None and who:
        previous.image.credit = previous.image.credit or who
    elif who and text.lower().lstrip("( ").startswith("nguồn") and who not in credits:
        credits.append(who)


def _is_caption(block: Block, previous: Block) -> bool:
    """An italic, centred or caption-classed short paragraph right after a bare picture."""
    if previous.image is None or previous.image.caption or len(block.text) > MAX_CAPTION_CHARS:
        return False
    return block.italic or block.centered or block.caption_like


def is_dateline(text: str) -> bool:
    """A short line that only states a date ("15:20, ngày 13 tháng 12 năm 2022")."""
    if len(text) > 80 or not has_digit(text) or parse_date(text, now=_FAR_FUTURE) is None:
        return False
    rest = _DATE_WORDS.sub(" ", text.lower())
    return sum(ch.isalpha() for ch in rest) <= 12


def _is_related_line(block: Block) -> bool:
    lowered = block.text[:60].lower().lstrip("»>•-–: ")
    if not lowered.startswith(BOX_HEADINGS):
        return False
    return len(block.text) < 40 or block.link_ratio > 0.5


CHROME_LINE_CHARS = 50
MAX_LINK_LINE_CHARS = 200
_SENTENCE_END = re.compile(r"(?<!\.\.)[.!?;:)\]\"'”’»]\s*$")


def _chrome_line(block: Block) -> bool:
    """A short line of the page, not of the article: no sentence, no heading, no picture."""
    return block.image is None and not block.heading and len(block.text) < CHROME_LINE_CHARS \
        and _SENTENCE_END.search(block.text) is None


def _trim(blocks: list[Block]) -> list[Block]:
    """``blocks`` without the page's own lines (see ``assemble``)."""
    kept = [b for b in blocks if b.image is not None
            or not (b.link_ratio >= 0.6 and len(b.text) < MAX_LINK_LINE_CHARS)]
    start, end = 0, len(kept)
    while start < end and _chrome_line(kept[start]):
        start += 1
    while end > start and (_chrome_line(kept[end - 1]) or kept[end - 1].heading):
        end -= 1
    return kept[start:end]


def _take_byline(blocks: list[Block]) -> tuple[list[str], list[str], list[Block]]:
    """Find the author line among the last text blocks; drop it and all after it."""
    text_indexes = [i for i, b in enumerate(blocks) if b.image is None]
    window = text_indexes[-_BYLINE_WINDOW:]
    start: int | None = None
    for index in reversed(window):
        if _is_byline_block(blocks[index]):
            start = index
            break
    if start is None:
        return [], [], blocks
    # Author and agency may be on two lines ("Minh Anh" / "Theo TTXVN").
    while start - 1 in text_indexes and start - 1 >= 0 and _is_byline_block(blocks[start - 1]) \
            and start - 1 >= (window[0] if window else 0):
        start -= 1
    authors: list[str] = []
    credits: list[str] = []
    for block in blocks[start:]:
        if block.image is not None or not _is_byline_block(block):
            continue
        found_authors, found_credits = split_byline(block.text)
        authors += [a for a in found_authors if a not in authors]
        credits += [c for c in found_credits if c not in credits]
    return authors, credits, blocks[:start]


def _is_byline_block(block: Block) -> bool:
    if block.image is not None or block.heading:
        return False
    if looks_like_byline(block.text):
        return True
    return block.right and len(block.text) <= 60 and not block.text.endswith((".", "?", "!"))
