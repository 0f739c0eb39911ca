"""Page metadata: JSON-LD NewsArticle/Article and OpenGraph/<meta>/<link> tags.

Input is a parsed selectolax tree; output is a ``PageMeta`` of cleaned strings. Broken
JSON-LD (trailing commas, control characters, several objects) is tolerated.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

from selectolax.lexbor import LexborHTMLParser, LexborNode

from .text import clean_text

_ARTICLE_TYPES = {
    "newsarticle", "article", "reportagenewsarticle", "blogposting", "analysisnewsarticle",
    "opinionnewsarticle", "backgroundnewsarticle", "webpage", "liveblogposting",
}
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_JSON_CONTROL = re.compile(r"[\x00-\x1f]")
_OBJECT_RUN = re.compile(r"}\s*{")
_SALVAGE = ("datePublished", "dateModified")  # strict formats: safe to read from broken JSON
MAX_JSONLD_CHARS = 500_000
_WANTED = frozenset({
    "og:title", "twitter:title", "og:description", "description", "twitter:description",
    "article:published_time", "datepublished", "pubdate", "publishdate", "dc.date.issued",
    "og:published_time", "article:published", "article:modified_time", "datemodified",
    "og:updated_time", "article:section", "article:tag", "article:author", "author", "og:url",
    "og:site_name",
})


@dataclass
class PageMeta:
    """Fields read from JSON-LD (``ld_*``) and from meta tags (``meta_*``)."""

    ld_title: str | None = None
    ld_description: str | None = None
    ld_published: str | None = None
    ld_modified: str | None = None
    ld_authors: list[str] = field(default_factory=list)
    ld_org_authors: list[str] = field(default_factory=list)
    ld_section: str | None = None
    ld_keywords: list[str] = field(default_factory=list)
    ld_url: str | None = None
    ld_breadcrumb: list[str] = field(default_factory=list)
    meta_title: str | None = None
    meta_description: str | None = None
    meta_published: str | None = None
    meta_modified: str | None = None
    meta_authors: list[str] = field(default_factory=list)
    meta_section: str | None = None
    meta_tags: list[str] = field(default_factory=list)
    canonical: str | None = None
    og_url: str | None = None
    site_name: str | None = None
    html_title: str | None = None
    lang: str | None = None


def read_meta(tree: LexborHTMLParser) -> PageMeta:
    """Everything the page declares about itself in JSON-LD, meta and link tags."""
    meta = PageMeta()
    # lexbor's element lists by tag name (document order) cost less than a selector query.
    by_tag: dict[str | None, list[LexborNode]] = {tag: tree.tags(tag) for tag in _HEAD_TAGS}
    by_tag["script"] = [s for s in by_tag["script"]
                        if (s.attributes.get("type") or "").lower() == "application/ld+json"]
    by_tag["link"] = [n for n in by_tag["link"] if "rel" in n.attributes]
    _read_tags(meta, by_tag)
    for obj in _jsonld_objects(by_tag.get("script", [])):
        _read_jsonld(obj, meta)
    return meta


_HEAD_TAGS = ("meta", "link", "title", "html", "script")


def _read_tags(meta: PageMeta, by_tag: dict[str | None, list[LexborNode]]) -> None:
    values: dict[str, list[str]] = {}
    for node in by_tag.get("meta", ()):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower().strip()
        if key not in _WANTED:
            continue
        content = clean_text(attrs.get("content"))
        if content:
            values.setdefault(key, []).append(content)

    def first(*keys: str) -> str | None:
        for key in keys:
            if key in values:
                return values[key][0]
        return None

    meta.meta_title = first("og:title", "twitter:title")
    meta.meta_description = first("og:description", "description", "twitter:description")
    meta.meta_published = first("article:published_time", "datepublished", "pubdate",
                                 "publishdate", "dc.date.issued", "og:published_time",
                                 "article:published")
    meta.meta_modified = first("article:modified_time", "datemodified", "og:updated_time")
    meta.meta_section = first("article:section")
    meta.meta_tags = _split_keywords(values.get("article:tag", []))
    meta.meta_authors = values.get("article:author", []) + values.get("author", [])
    meta.og_url = first("og:url")
    meta.site_name = first("og:site_name")
    for node in by_tag.get("link", ()):
        rel = (node.attributes.get("rel") or "").lower().split()
        if "canonical" in rel and node.attributes.get("href"):
            meta.canonical = clean_text(node.attributes.get("href"))
            break
    titles = by_tag.get("title")
    meta.html_title = clean_text(titles[0].text()) if titles else None
    html = by_tag["html"][0] if by_tag.get("html") else None
    meta.lang = (html.attributes.get("lang") or None) if html else None


def _split_keywords(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in re.split(r"\s*[,;]\s*", value):
            part = clean_text(part)
            if part and part not in out:
                out.append(part)
    return out


def _jsonld_objects(scripts: list[LexborNode]) -> Iterator[dict[str, Any]]:
    """Every JSON object in the ld+json ``scripts``, flattening lists and ``@graph``."""
    for script in scripts:
        raw = script.text(deep=True)
        if not raw or len(raw) > MAX_JSONLD_CHARS:
            continue
        data = _loads_tolerant(raw)
        stack: list[Any] = [data]
        while stack:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
                yield item


def _loads_tolerant(raw: str) -> Any:
    """JSON, repaired if need be (trailing commas, raw control characters, "}{" runs of
    objects); if it still does not load, the dates salvaged by pattern."""
    text = raw.strip().removeprefix("<!--").removesuffix("-->").strip().rstrip(";")
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        pass
    repaired = _TRAILING_COMMA.sub(r"\1", _JSON_CONTROL.sub(" ", text))
    for candidate in (repaired, "[" + _OBJECT_RUN.sub("},{", repaired) + "]"):
        try:
            return json.loads(candidate)
        except (ValueError, RecursionError):
            continue
    salvaged = {key: match.group(1) for key, match in
                ((key, re.search(rf'"{key}"\s*:\s*"([^"]{{8,40}})"', text)) for key in _SALVAGE)
                if match}
    return {"@type": "NewsArticle", **salvaged} if salvaged else None


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds if k}


def _read_jsonld(obj: dict[str, Any], meta: PageMeta) -> None:
    kinds = _types(obj)
    if "breadcrumblist" in kinds:
        meta.ld_breadcrumb = _breadcrumb(obj)
        return
    if not kinds & _ARTICLE_TYPES:
        return
    # A NewsArticle beats a WebPage that came first.
    is_article = bool(kinds - {"webpage"})
    if meta.ld_title and not is_article:
        return
    meta.ld_title = _string(obj.get("headline") or obj.get("name")) or meta.ld_title
    meta.ld_description = _string(obj.get("description")) or meta.ld_description
    meta.ld_published = _string(obj.get("datePublished") or obj.get("dateCreated")) or meta.ld_published
    meta.ld_modified = _string(obj.get("dateModified")) or meta.ld_modified
    meta.ld_section = _string(obj.get("articleSection")) or meta.ld_section
    keywords = obj.get("keywords")
    if keywords:
        meta.ld_keywords = _split_keywords([_string(k) or "" for k in _as_list(keywords)])
    people, orgs = _authors(obj.get("author"))
    if people or orgs:
        meta.ld_authors, meta.ld_org_authors = people, orgs
    page = obj.get("mainEntityOfPage")
    url = _string(page.get("@id") or page.get("url")) if isinstance(page, dict) else _string(page)
    meta.ld_url = url or _string(obj.get("url")) or meta.ld_url


def _authors(value: Any) -> tuple[list[str], list[str]]:
    people: list[str] = []
    orgs: list[str] = []
    for item in _as_list(value):
        if isinstance(item, dict):
            name = _string(item.get("name"))
            target = orgs if "organization" in _types(item) else people
        else:
            name, target = _string(item), people
        if name and name not in target:
            target.append(name)
    return people, orgs


def _breadcrumb(obj: dict[str, Any]) -> list[str]:
    names: list[str] = []
    for item in _as_list(obj.get("itemListElement")):
        if isinstance(item, dict):
            name = _string(item.get("name"))
            inner = item.get("item")
            if not name and isinstance(inner, dict):
                name = _string(inner.get("name"))
            if name:
                names.append(name)
    return names


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, (str, int, float))), None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return clean_text(value) or None
