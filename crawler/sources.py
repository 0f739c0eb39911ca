"""Sources as data: ``sources.yml`` → validated ``Source`` records."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml

from .errors import ConfigError

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
        )
    except ConfigError:
        raise
    except (TypeError, ValueError, KeyError, re.error) as exc:
        raise ConfigError(f"{where}: {exc}") from exc


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
