"""Sources as data: ``sources.yml`` → validated ``Source`` records."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import yaml

from .errors import ConfigError

if TYPE_CHECKING:
    from parsers.profiles import Profile

DEFAULT_USER_AGENT = (
    "hanoi-news/0.1 (+https://github.com/hanoi-news/hanoi-news; archive of Hanoi local news; "
    "contact: hanoi-news@proton.me)"
)


@dataclass(frozen=True)
class Politeness:
    rate_per_second: float = 1.0  # per host
    timeout_s: float = 20.0  # read timeout (between two bytes)
    total_timeout_s: float = 60.0  # whole request, body included (httpx has none: enforced by the Fetcher)
    connect_timeout_s: float = 10.0
    max_bytes: int = 8_000_000
    max_retries: int = 3
    backoff_base_s: float = 2.0
    max_retry_after_s: float = 600.0
    breaker_threshold: int = 5  # consecutive 403/429/5xx before the host is paused
    breaker_pause_s: float = 1800.0  # first pause; doubled each time the breaker re-opens
    breaker_max_pause_s: float = 21600.0  # ... up to this; a success resets it
    obey_robots: bool = True
    # caps per run against endless or hostile discovery (issue 15); what is left waits for the next run
    max_sitemaps_per_run: int = 500  # sitemap files requested in one run
    max_sitemap_depth: int = 3  # index (0) -> child (1) -> grandchild (2) -> ...; deeper is not read
    max_urls_per_run: int = 20000  # new article URLs one run adds to the frontier
    parse_budget_s: float = 5.0  # wall clock for parsing one page and extracting its facts


@dataclass(frozen=True)
class Pagination:
    next_selector: str | None = None  # CSS of the "next page" link; the last match wins
    template: str | None = None  # "{url}&s_cond=&BRSR={offset}" (offset = (page-1)*page_size)
    page_size: int = 16
    max_pages: int = 2000


@dataclass(frozen=True)
class Listing:
    url: str
    item_selector: str | None = None
    pagination: Pagination = field(default_factory=Pagination)


@dataclass(frozen=True)
class Source:
    id: str
    name: str
    base_url: str
    parser: str
    article_patterns: tuple[str, ...]  # regexes on the URL path; group 1 = site article id
    hosts: tuple[str, ...] = ()
    enabled: bool = True
    listings: tuple[Listing, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    sitemap_exclude: tuple[str, ...] = ()
    interval_minutes: float = 30.0
    stop_after_known: int = 20
    licence: str = ""
    licence_url: str = ""
    attribution: str = ""
    user_agent: str = DEFAULT_USER_AGENT
    politeness: Politeness = field(default_factory=Politeness)
    revisit_after_hours: tuple[float, ...] = (1.0, 24.0, 168.0)
    # sources.yml ``selectors:`` ((profile field, CSS selectors), ...): overrides read first
    selectors: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def parse_profile(self) -> "str | Profile":
        """What the parser gets for this source's pages: its ``parser:`` name, or with
        ``selectors:`` that profile (an empty one for ``generic``) with the overrides first."""
        if not self.selectors:
            return self.parser
        from parsers.profiles.configured import base_profile, configured_profile

        base = base_profile(self.parser)
        if base is None:  # validated at load; a Source built by hand may name anything
            raise ConfigError(f"source {self.id}: parser {self.parser!r} is not a known profile")
        return configured_profile(base, self.selectors, self.article_patterns)

    def absolute(self, path_or_url: str) -> str:
        return urljoin(self.base_url.rstrip("/") + "/", path_or_url)

    @property
    def own_hosts(self) -> frozenset[str]:
        """The base URL's host and the declared aliases (``hosts:``, e.g. www./m.)."""
        return frozenset({(urlsplit(self.base_url).hostname or "").lower(), *self.hosts})

    def owns(self, url: str) -> bool:
        """Is this URL on one of the source's hosts (or its base URL's host)? False for a
        malformed URL."""
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            return False
        return host in self.own_hosts

    def article_match(self, url: str) -> re.Match[str] | None:
        path = urlsplit(url).path
        for pattern in self.article_patterns:
            m = re.search(pattern, path)
            if m:
                return m
        return None

    def with_base_url(self, base_url: str, **changes: Any) -> "Source":
        return replace(self, base_url=base_url, **changes)


def _tuple(value: Any) -> tuple:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _build(entry: dict[str, Any], defaults: dict[str, Any], where: str) -> Source:
    where = _check_entry(entry, defaults, where)
    merged = {**defaults, **entry}
    missing = [k for k in ("id", "name", "base_url", "parser", "article_patterns") if not merged.get(k)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)}")
    try:
        pol = Politeness(**{**defaults.get("politeness", {}), **entry.get("politeness", {})})
        listings = []
        for item in _tuple(merged.get("listings")):
            if isinstance(item, str):
                item = {"url": item}
            pag = Pagination(**(item.get("pagination") or {}))
            listings.append(Listing(url=item["url"], item_selector=item.get("item_selector"), pagination=pag))
        patterns = _tuple(merged["article_patterns"])
        for p in patterns:
            re.compile(p)
        known = {f for f in Source.__dataclass_fields__}
        unknown = set(entry) - known
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        return Source(
            id=str(merged["id"]), name=str(merged["name"]), base_url=str(merged["base_url"]),
            parser=str(merged["parser"]), article_patterns=patterns,
            hosts=tuple(h.lower() for h in _tuple(merged.get("hosts"))),
            enabled=bool(merged.get("enabled", True)), listings=tuple(listings),
            feeds=_tuple(merged.get("feeds")), sitemaps=_tuple(merged.get("sitemaps")),
            sitemap_exclude=_tuple(merged.get("sitemap_exclude")),
            interval_minutes=float(merged.get("interval_minutes", 30)),
            stop_after_known=int(merged.get("stop_after_known", 20)),
            licence=str(merged.get("licence", "")), licence_url=str(merged.get("licence_url", "")),
            attribution=str(merged.get("attribution", "")),
            user_agent=str(merged.get("user_agent", DEFAULT_USER_AGENT)), politeness=pol,
            revisit_after_hours=tuple(float(h) for h in _tuple(merged.get("revisit_after_hours", (1, 24, 168)))),
            selectors=_selectors(entry.get("selectors"), where),
        )
    except ConfigError:
        raise
    except (TypeError, ValueError, KeyError, re.error) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


_REQUIRED = ("id", "name", "base_url", "parser", "article_patterns")
_LISTING_KEYS = frozenset(Listing.__dataclass_fields__)
_PAGINATION_KEYS = frozenset(Pagination.__dataclass_fields__)


def _check_entry(entry: Any, defaults: dict[str, Any], where: str) -> str:
    """Plain-worded checks of one sources.yml entry, before it is built; returns ``where``
    with the entry's id. Raises ConfigError naming the entry, the key and what to write."""
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: an entry must be a mapping of keys (id: ..., name: ...), "
                          f"not {type(entry).__name__}")
    if entry.get("id"):
        where = f"{where} ({entry['id']})"
    merged = {**defaults, **entry}
    missing = [k for k in _REQUIRED if not merged.get(k)]
    if missing:
        raise ConfigError(f"{where}: missing {', '.join(missing)} (every source needs "
                          f"{', '.join(_REQUIRED)})")
    base = str(merged["base_url"])
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{where}: base_url {base!r} must be an absolute http(s) URL, "
                          "e.g. https://example.vn")
    from parsers.profiles.configured import parser_names, selector_error

    parser, known = str(merged["parser"]), parser_names()
    if parser not in known:
        raise ConfigError(f"{where}: parser {parser!r} is unknown; use 'generic' (with selectors: "
                          f"for what it gets wrong) or one of {', '.join(known[1:])}")
    for i, pattern in enumerate(_tuple(merged["article_patterns"])):
        try:
            re.compile(str(pattern))
        except re.error as exc:
            raise ConfigError(f"{where}: article_patterns[{i}] '{pattern}' is not a valid regular "
                              f"expression ({exc})") from None
    for i, item in enumerate(_tuple(merged.get("listings"))):
        if isinstance(item, str):
            continue
        at = f"{where}: listings[{i}]"
        if not isinstance(item, dict) or not item.get("url"):
            raise ConfigError(f"{at} needs a url (a path such as /tin-tuc, or a mapping with url:)")
        pagination = item.get("pagination") or {}
        for keys, allowed, what in ((item, _LISTING_KEYS, ""), (pagination, _PAGINATION_KEYS, "pagination.")):
            if not isinstance(keys, dict):
                raise ConfigError(f"{at}.{what.rstrip('.')} must be a mapping")
            unknown = sorted(set(keys) - allowed)
            if unknown:
                raise ConfigError(f"{at}: unknown key(s) {', '.join(what + k for k in unknown)}; "
                                  f"known: {', '.join(sorted(what + k for k in allowed))}")
        for key, value in (("item_selector", item.get("item_selector")),
                           ("pagination.next_selector", pagination.get("next_selector"))):
            problem = selector_error(value) if value is not None else None
            if problem:
                raise ConfigError(f"{at}.{key}: {problem}")
    return where


def _selectors(value: Any, where: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """sources.yml ``selectors:`` -> ((profile field, selectors), ...), every selector
    compiled by lexbor first: a typo is an error at load time, not a silent miss."""
    if value is None:
        return ()
    from parsers.profiles.configured import FIELDS, canonical_field, selector_error

    if not isinstance(value, dict):
        raise ConfigError(f"{where}: selectors must be a mapping of field: CSS selector(s), "
                          f"fields {', '.join(sorted(FIELDS))}")
    out: dict[str, tuple[str, ...]] = {}
    named: dict[str, str] = {}  # field -> the key that set it
    for name, given in value.items():
        field_name = canonical_field(str(name))
        if field_name is None:
            close = difflib.get_close_matches(str(name), FIELDS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(f"{where}: selectors: unknown field {name!r}{hint}; "
                              f"known: {', '.join(sorted(FIELDS))}")
        if field_name in out:
            raise ConfigError(f"{where}: selectors: '{named[field_name]}' and '{name}' set the same "
                              f"field ({field_name}); give one of them")
        named[field_name] = str(name)
        items = _tuple(given)
        if not items:
            raise ConfigError(f"{where}: selectors.{name}: give a CSS selector or a list of them")
        for item in items:
            problem = selector_error(item)
            if problem:
                raise ConfigError(f"{where}: selectors.{name}: {problem}")
        out[field_name] = tuple(str(i).strip() for i in items)
    return tuple(sorted(out.items()))


def load_sources(path: str | Path) -> list[Source]:
    """Read and validate sources.yml. Raises ConfigError with a plain message."""
    path = Path(path)
    if not path.exists():
        raise ConfigError(f"{path} does not exist; copy sources.yml from the repository")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{path} is not valid YAML{at}: fix the file and try again") from exc
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        raise ConfigError(f"{path} must have a top-level 'sources:' list")
    defaults = data.get("defaults") or {}
    sources = [_build(e, defaults, f"{path} source #{i + 1}") for i, e in enumerate(data["sources"])]
    ids = [s.id for s in sources]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ConfigError(f"{path}: duplicate source id(s) {', '.join(sorted(dupes))}")
    return sources
