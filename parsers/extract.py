"""``parse_article(html, url) -> Article``: the fallback chain for every field.

Per field: JSON-LD -> OpenGraph/meta -> the site profile's selectors -> generic selectors
(and the generic main-content extractor for the body). ``extraction`` says which step gave
the body, ``date_source`` which gave ``published_at``, and ``field_sources`` which step gave
each field (``generic`` where the site profile found nothing and the fallback was used).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from typing import Callable, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .article import Article, Image, ParseError
from .body import Body, assemble, read_blocks
from .bylines import split_byline
from .cleanup import cut_after, remove_junk, remove_selectors
from .dates import parse_date, to_iso
from .generic import GENERIC, VERSION as GENERIC_VERSION, find_main_container
from .metadata import PageMeta, read_meta
from .nesting import check_nesting
from .profiles import Profile, get_profile, profile_by_name
from .query import css, css_first
from .select import matches_any, select, select_first
from .text import NOT_SPACE, clean_text, decode_page, match_key, page_source
from .urls import absolute_url, host_of, path_of

MIN_BODY_CHARS = 150
MAX_CATEGORY = 40
_TITLE_SEPARATOR = re.compile(r"\s+[-|–—:]\s+|\s*\|\s*")
_UPDATED_LABEL = re.compile(r"cập\s*nhật|updated?|sửa\s*đổi", re.I)
_URL_DATE = re.compile(r"/(20\d{2}|19\d{2})[/-](0[1-9]|1[0-2])[/-](0[1-9]|[12]\d|3[01])(?:[/-]|$)")
_LABEL = re.compile(r"^\s*\[[^\]]{1,24}\]\s*")  # "[Ảnh] ", "[E-magazine] "
_LEAD_AGENCY = re.compile(r"^\s*\(\s*([A-ZĐ][A-ZĐ0-9]{1,9})\s*\)\s*[-–—:]?\s*")
_HOME = {"trang chủ", "home", "trang chu", "trangchủ"}


def parse_article(html: str | bytes, url: str, *, fetched_at: datetime | None = None,
                  profile_name: str | Profile | None = None, use_profile: bool = True) -> Article:
    """Parse one article page (see module doc). Raises ``ParseError`` for non-pages.

    The profile is the one named ``profile_name`` (a source's ``parser:``, e.g. for a copy
    of the site served elsewhere), or that profile itself (a source's profile with the
    ``selectors:`` of sources.yml, profiles/configured.py), or else the one for the URL's host.
    ``use_profile=False`` ignores profiles (to measure the generic extractor).
    """
    head, source, sure = page_source(html)
    _check_is_html(head)
    check_nesting(source)  # lexbor's time grows with the square of the depth
    article = _parse_source(source, url, fetched_at, profile_name, use_profile)
    if not sure and _has_replacement(article):
        text, decoded = decode_page(html)  # invalid UTF-8 somewhere: the page's own charset
        if decoded is not html:
            _check_is_html(text)
            article = _parse_source(decoded, url, fetched_at, profile_name, use_profile)
    return article


def _has_replacement(article: Article) -> bool:
    """True when some text of ``article`` holds U+FFFD (lexbor's mark for a byte that is
    not UTF-8)."""
    for value in vars(article).values():
        if isinstance(value, str):
            if "\ufffd" in value:
                return True
        elif isinstance(value, list):
            for item in value:
                texts = (item,) if isinstance(item, str) else vars(item).values()
                if any(isinstance(t, str) and "\ufffd" in t for t in texts):
                    return True
    return False


def _parse_source(source: str | bytes, url: str, fetched_at: datetime | None,
                  profile_name: str | Profile | None, use_profile: bool) -> Article:
    tree = LexborHTMLParser(source)
    meta = read_meta(tree)
    profile = None
    if use_profile:
        profile = profile_name if isinstance(profile_name, Profile) else (
            (profile_by_name(profile_name) if profile_name else None) or get_profile(url))
        _drop_configured(tree, profile)
    chain = (profile, GENERIC) if profile else (GENERIC,)
    article = Article(url=url, parser=profile.name if profile else "generic",
                      parser_version=profile.version if profile else GENERIC_VERSION)
    article.canonical_url = _canonical(tree, meta, url)
    article.site_article_id = (profile.site_article_id(article.canonical_url)
                               or profile.site_article_id(url)) if profile else None
    origin = article.field_sources
    article.title, origin["title"] = _title(tree, meta, chain, url)
    on_page_sapo, on_page_from = _first_text_from(tree, chain, "sapo")
    sapo = _sapo(meta, on_page_sapo, chain[0])
    origin["sapo"] = _origin(sapo, (meta.ld_description, "json-ld"), (meta.meta_description, "meta"),
                             (on_page_sapo, on_page_from))
    article.sapo, sapo_credits = _split_lead_agency(sapo, on_page_sapo)
    article.category, origin["category"] = _category(tree, meta, chain)
    article.tags, origin["tags"] = _tags(tree, meta, chain)
    article.lang = meta.lang
    _dates(article, tree, meta, chain, url, fetched_at)
    finish_overrides = _apply_overrides(article, tree, profile, url, fetched_at)
    declared, declared_credits = _real_names(meta.ld_authors, meta)
    declared_from = "json-ld" if declared else "meta"
    declared = declared or _real_names(meta.meta_authors, meta)[0]
    selector_authors, selector_credits, selector_from = (
        ([], [], None) if declared else _selector_authors(tree, chain))
    body, article.extraction = _body(source, tree, profile, url, article,
                                     take_lead=on_page_sapo is None)
    origin["body"] = article.extraction
    if body.lead:  # no lead element on the page: its bold first paragraph is the sapo
        article.sapo = body.lead
        origin["sapo"] = "body"
    if article.sapo and profile is not None and profile.sapo_prefix is not None:
        # The paper's own tag before the lead ("Kinhtedothi - ", "ANTĐ - ") is not part of
        # it (removed last: the body's repeat of the lead still carries it).
        article.sapo = profile.sapo_prefix.sub("", article.sapo, count=1).strip() or None
    article.body_text = body.text
    article.images = body.images
    article.authors = _first_nonempty(declared, selector_authors, body.authors)
    origin["author"] = (declared_from if declared else selector_from if selector_authors
                        else "body" if body.authors else None)
    for name in [k for k, v in origin.items() if v is None]:
        del origin[name]  # a field not found has no source
    article.credits = _unique(
        [c for c in meta.ld_org_authors if not _is_site_name(c, meta)] + declared_credits
        + sapo_credits + selector_credits + body.credits)
    if finish_overrides is not None:
        finish_overrides(article)
    return article


def _check_is_html(text: str) -> None:
    first = NOT_SPACE.search(text)  # where text.strip() would start, without copying it
    if first is None:
        raise ParseError("empty page")
    start = first.start()
    if text.find("<", start, start + 65536) < 0:  # "<" not in text.strip()[:65536]
        raise ParseError("not HTML: no markup")
    if text[start] in "{[":
        stripped = text.strip()
        try:
            json.loads(stripped)
        except (ValueError, RecursionError):
            return
        raise ParseError("not HTML: a JSON document")


def _texts(tree: LexborHTMLParser | LexborNode, selectors: tuple[str, ...]) -> list[str]:
    """Cleaned texts of the elements matched by the first selector (in priority order) whose
    matches have any text.

    One query per selector tried: a profile's first selector usually matches, and a
    query of one selector walks the tree once. A long list (the generic profile's) is
    first checked by one combined query, so a page where none matches costs one walk.
    """
    if not selectors:
        return []
    if len(selectors) > 6:
        try:
            if not matches_any(tree, selectors):
                return []
        except ValueError:
            pass
    for selector in selectors:
        try:
            nodes = select(tree, selector)
        except ValueError:
            continue
        texts = [t for t in (clean_text(n.text(separator=" ")) for n in nodes) if t]
        if texts:
            return texts
    return []


def _first_text_from(tree: LexborHTMLParser, chain: tuple[Profile, ...],
                     attr: str) -> tuple[str | None, str | None]:
    """The first text of ``attr`` along the chain, and which step gave it."""
    for profile in chain:
        texts = _texts(tree, getattr(profile, attr))
        if texts:
            return texts[0], _step(profile)
    return None, None


def _step(profile: Profile) -> str:
    """``profile`` for a site profile's selectors, ``generic`` for the fallback's."""
    return "generic" if profile is GENERIC else "profile"


def _origin(value: object, *candidates: tuple[object, str | None]) -> str | None:
    """The step of the first candidate equal to ``value`` (None when ``value`` is empty)."""
    if not value:
        return None
    return next((step for candidate, step in candidates if candidate and candidate == value), None)


def _canonical(tree: LexborHTMLParser, meta: PageMeta, url: str) -> str | None:
    candidates = [meta.canonical, meta.og_url, meta.ld_url]
    if not any(candidates):  # MasterCMS prints the article URL in a hidden input
        print_url = css_first(tree, "input[name=__printURL]")
        candidates.append(print_url.attributes.get("value") if print_url else None)
    for candidate in candidates:
        if not candidate:
            continue
        absolute = absolute_url(url, candidate)
        if absolute:
            return absolute
    return None


def _title(tree: LexborHTMLParser, meta: PageMeta, chain: tuple[Profile, ...],
           url: str) -> tuple[str | None, str | None]:
    heading, heading_from = _first_text_from(tree, chain, "title")
    for candidate, step in ((meta.ld_title, "json-ld"), (meta.meta_title, "meta"),
                            (heading, heading_from), (meta.html_title, "html-title")):
        if not candidate:
            continue
        if heading and candidate != heading and match_key(heading) and match_key(heading) in match_key(candidate):
            return heading, heading_from  # "[Ảnh] Title - Site name" in the metas: the heading is plain
        return _strip_site_name(_LABEL.sub("", candidate), meta, url) or candidate, step
    return None, None


def _strip_site_name(title: str, meta: PageMeta, url: str) -> str:
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    host = host_of(url).removeprefix("www.").split(".")[0]
    names = {match_key(meta.site_name or ""), match_key(host)} - {""}
    last = match_key(parts[-1])
    if last and any(name in last or last in name for name in names):
        return title[: title.rfind(parts[-1])].rstrip(" -|–—:")
    return title


def _sapo(meta: PageMeta, on_page: str | None, profile: Profile) -> str | None:
    prefix = profile.sapo_prefix
    found = None
    for candidate in (meta.ld_description, meta.meta_description, on_page):
        if candidate:
            found = candidate
            break
    if found and on_page and found != on_page:
        # Metas are often cut short ("...") or drop the site tag: the page has the whole lead.
        short = match_key(found)
        page = match_key(prefix.sub("", on_page) if prefix else on_page)
        if short and (match_key(on_page).startswith(short) or page.startswith(short)):
            found = on_page
    return found


def _split_lead_agency(sapo: str | None, on_page: str | None) -> tuple[str | None, list[str]]:
    """``"(NSHN) - Sáng 19/10 ..."`` -> (``"Sáng 19/10 ..."``, ``["NSHN"]``)."""
    credits: list[str] = []
    for text in (on_page, sapo):
        match = _LEAD_AGENCY.match(text or "")
        if match and match.group(1) not in credits:
            credits.append(match.group(1))
    if sapo:
        sapo = _LEAD_AGENCY.sub("", sapo, count=1).strip() or None
    return sapo, credits


def _category(tree: LexborHTMLParser, meta: PageMeta,
              chain: tuple[Profile, ...]) -> tuple[str | None, str | None]:
    if meta.ld_section:
        return meta.ld_section, "json-ld"
    if meta.meta_section:
        return meta.meta_section, "meta"
    # A JSON-LD breadcrumb often ends with the article's own (long) title: skip it.
    crumbs = [c for c in meta.ld_breadcrumb if c.lower() not in _HOME and len(c) <= MAX_CATEGORY]
    if crumbs:
        return crumbs[-1], "json-ld"
    for profile in chain:
        texts = [t for t in _texts(tree, profile.category) if t.lower() not in _HOME]
        if texts:
            return texts[-1], _step(profile)
    return None, None


def _tags(tree: LexborHTMLParser, meta: PageMeta,
          chain: tuple[Profile, ...]) -> tuple[list[str], str | None]:
    if meta.ld_keywords:
        return meta.ld_keywords, "json-ld"
    if meta.meta_tags:
        return meta.meta_tags, "meta"
    for profile in chain:
        texts = _unique(t.lstrip("#").strip() for t in _texts(tree, profile.tags))
        if texts:
            return texts, _step(profile)
    return [], None


def _dates(article: Article, tree: LexborHTMLParser, meta: PageMeta,
           chain: tuple[Profile, ...], url: str, fetched_at: datetime | None) -> None:
    for source, raw in (("json-ld", meta.ld_published), ("meta", meta.meta_published)):
        found = parse_date(raw, now=fetched_at)
        if found:
            article.published_at, article.date_source = to_iso(found), source
            break
    updated_text = None
    if article.published_at is None:
        for profile in chain:
            for text in _date_texts(tree, profile.date):  # lazily: up to the first date
                published_text, updated_text = _split_updated(text)
                found = parse_date(published_text, now=fetched_at)
                if found:
                    article.published_at, article.date_source = to_iso(found), "byline"
                    article.field_sources["date"] = _step(profile)
                    break
            if article.published_at:
                break
    if article.published_at is None:
        match = _URL_DATE.search(path_of(url))
        found = parse_date("-".join(match.groups()), now=fetched_at) if match else None
        if found:
            article.published_at, article.date_source = to_iso(found), "url"
    if article.published_at is None and fetched_at is not None:
        article.published_at, article.date_source = to_iso(fetched_at), "first-seen"
    if article.date_source and article.date_source != "byline":
        article.field_sources["date"] = article.date_source
    updated = parse_date(meta.ld_modified or meta.meta_modified or updated_text, now=fetched_at)
    if updated is None:
        # The first text of the first profile that has one (the rest are not read).
        first = next((t for p in chain for t in _date_texts(tree, p.updated)), None)
        updated = parse_date(first, now=fetched_at) if first is not None else None
    article.updated_at = to_iso(updated) if updated else None


_LISTING_TAGS = frozenset(("aside", "nav", "footer"))
_HEADLINE_WORDS = 4


def _in_listing(node: LexborNode) -> bool:
    """True when a date element belongs to a list of other articles, not to this one: it
    sits in an ``<aside>``, ``<nav>`` or ``<footer>``, or in a list item that also holds a
    headline (a heading, or a link of four words or more: a sidebar's "Đọc nhiều" entry).
    A byline in a meta list (``<li class="date"><a href=permalink>14/12/2023</a></li>``)
    has neither."""
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html", "main", "article"):
        tag = parent.tag
        if tag in _LISTING_TAGS:
            return True
        if tag == "li":
            return any(a.tag != "a" or len(a.text(strip=True).split()) >= _HEADLINE_WORDS
                       for a in css(parent, "a[href], h2, h3, h4, h5, h6"))
        parent = parent.parent
    return False


def _date_texts(tree: LexborHTMLParser, selectors: tuple[str, ...]) -> Iterator[str]:
    """Date-bearing texts of the elements matching ``selectors`` (in order; at most five
    elements each, those of article lists skipped: ``datetime``, ``content``, text),
    produced as they are asked for: a caller that stops at the first usable one does not
    query the remaining selectors."""
    if len(selectors) > 1:  # one query tells whether any of them matches at all
        try:
            if not matches_any(tree, selectors):
                return
        except ValueError:
            pass
    for selector in selectors:
        try:
            nodes = select(tree, selector)
        except ValueError:
            continue
        for node in [n for n in nodes[:12] if not _in_listing(n)][:5]:
            attrs = node.attributes
            for value in (attrs.get("datetime"), attrs.get("content")):
                value = clean_text(value)
                if value and len(value) <= 200:
                    yield value
            value = clean_text(node.text(separator=" "))
            if value and len(value) <= 200:
                yield value


def _split_updated(text: str) -> tuple[str, str | None]:
    """``"Đăng: X | Cập nhật: Y"`` -> (X, Y); a text that starts with the label is kept."""
    match = _UPDATED_LABEL.search(text)
    if not match or match.start() == 0:
        return text, None
    return text[: match.start()], text[match.end():]


def _selector_authors(tree: LexborHTMLParser,
                      chain: tuple[Profile, ...]) -> tuple[list[str], list[str], str | None]:
    for profile in chain:
        for text in _texts(tree, profile.author)[:3]:
            if len(text) > 120:
                continue
            authors, credits = split_byline(text)
            if authors or credits:
                return authors, credits, _step(profile)
    return [], [], None


def _body(source: str | bytes, tree: LexborHTMLParser, profile: Profile | None, url: str,
          article: Article, *, take_lead: bool) -> tuple[Body, str | None]:
    """Profile containers first, then the generic extractor (on an untouched tree)."""
    touched = False
    for selector in profile.body if profile is not None else ():
        try:
            container = select_first(tree, selector)
        except ValueError:
            continue
        if container is None:
            continue
        touched = True  # reading a container removes boilerplate from it in place
        body = _read_container(container, profile, url, article, take_lead)
        if body.text and len(body.text) >= MIN_BODY_CHARS:
            return body, "profile"
    fresh = LexborHTMLParser(source) if touched else tree
    if touched:
        _drop_configured(fresh, profile)
    container = find_main_container(fresh)
    if container is not None:
        configured = profile if profile is not None and profile.overrides else None
        body = _read_container(container, configured, url, article, take_lead)
        if body.text:
            return body, "generic"
    return Body(text=None), None


def _read_container(container: LexborNode, profile: Profile | None, url: str,
                    article: Article, take_lead: bool) -> Body:
    if profile is not None:
        cut_after(container, profile.body_end)
        remove_selectors(container, profile.drop)
    remove_junk(container)
    blocks = read_blocks(container, article.canonical_url or url)
    return assemble(blocks, article.title, article.sapo, take_lead=take_lead)


def _is_site_name(value: str, meta: PageMeta) -> bool:
    key = match_key(value)
    return bool(key) and (key == match_key(meta.site_name or "") or "." in value and " " not in value)


def _real_names(names: list[str], meta: PageMeta) -> tuple[list[str], list[str]]:
    """(people, credits) among declared author names: a JSON-LD "Person" named "TTXVN" or
    "Nhóm PV" is a credit, as in a byline."""
    out: list[str] = []
    credits: list[str] = []
    for name in names:
        if _is_site_name(name, meta) or "http" in name or name.lower() in ("admin", "administrator"):
            continue
        authors, found = split_byline(name)
        out += [a for a in authors if a not in out]
        credits += [c for c in found if c not in credits]
    return out, credits


def _first_nonempty(*lists: list[str]) -> list[str]:
    return next((items for items in lists if items), [])


def _unique(items: object) -> list[str]:
    out: list[str] = []
    for item in items:  # type: ignore[attr-defined]
        if item and item not in out:
            out.append(item)
    return out


# -- sources.yml ``selectors:`` (profiles/configured.py) ---------------------------------------


def _drop_configured(tree: LexborHTMLParser, profile: Profile | None) -> None:
    """Elements a source's ``drop:`` names are never read, for any field."""
    dropped = profile.override("drop") if profile is not None else ()
    root = tree.root
    if dropped and root is not None:
        remove_selectors(root, dropped)


def _apply_overrides(article: Article, tree: LexborHTMLParser, profile: Profile | None,
                     url: str, fetched_at: datetime | None) -> Callable[[Article], None] | None:
    """The page's own elements named in sources.yml beat its metadata: title, sapo, dates,
    category and tags are set here (where a selector matches; the chain's value stays
    otherwise). Returns what sets the authors and images once the body has been read."""
    if profile is None or not profile.overrides:
        return None
    origin = article.field_sources  # a field read through sources.yml's selectors: "selectors"
    title = _texts(tree, profile.override("title"))
    if title:
        article.title, origin["title"] = title[0], "selectors"
    sapo = _texts(tree, profile.override("sapo"))
    if sapo:
        article.sapo, origin["sapo"] = _split_lead_agency(sapo[0], None)[0], "selectors"
    category = [t for t in _texts(tree, profile.override("category")) if t.lower() not in _HOME]
    if category:
        article.category, origin["category"] = category[-1], "selectors"
    tags = _unique(t.lstrip("#").strip() for t in _texts(tree, profile.override("tags")))
    if tags:
        article.tags, origin["tags"] = tags, "selectors"
    for attr in ("date", "updated"):
        for text in _date_texts(tree, profile.override(attr)):
            found = parse_date(_split_updated(text)[0], now=fetched_at)
            if found:
                if attr == "date":
                    article.published_at, article.date_source = to_iso(found), "byline"
                    origin["date"] = "selectors"
                else:
                    article.updated_at = to_iso(found)
                break
    authors, credits, _ = _selector_authors(tree, (replace(profile, author=profile.override("author")),))
    images = _configured_images(tree, profile.override("images"), article.canonical_url or url)

    def finish(done: Article) -> None:
        if authors or credits:
            done.authors = authors
            done.credits = _unique(done.credits + credits)
            done.field_sources["author"] = "selectors"
        if images:
            done.images = images
    return finish


def _configured_images(tree: LexborHTMLParser, selectors: tuple[str, ...], base_url: str) -> list[Image]:
    """The pictures (``img`` elements, or boxes holding one and its caption) matched by
    ``selectors``, outermost matches only, read as the body reads pictures."""
    nodes = [n for selector in selectors for n in _safe_select(tree, selector)]
    if not nodes:
        return []
    chosen = {n.mem_id for n in nodes}
    outer: list[LexborNode] = []
    for node in nodes:
        parent = node.parent
        while parent is not None and parent.mem_id not in chosen:
            parent = parent.parent
        if parent is None and all(node.mem_id != o.mem_id for o in outer):
            outer.append(node)
    boxes = LexborHTMLParser("<div>" + "".join(n.html or "" for n in outer) + "</div>")
    holder = css_first(boxes, "div")
    if holder is None:
        return []
    return assemble(read_blocks(holder, base_url), None, None).images


def _safe_select(tree: LexborHTMLParser, selector: str) -> list[LexborNode]:
    try:
        return select(tree, selector)
    except ValueError:
        return []
