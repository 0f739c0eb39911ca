"""The ``Profile`` record: where one site keeps each field, as data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Profile:
    """Where one site keeps each field. Every selector tuple is tried in order."""

    name: str
    version: str
    hosts: tuple[str, ...]  # the host and its subdomains match ("www.", "m.")
    article_id: re.Pattern[str] | None = None  # on the URL path; group 1 = the article id
    title: tuple[str, ...] = ("h1",)
    sapo: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()  # removed from the body before reading it
    body_end: tuple[str, ...] = ()  # nothing from these elements on belongs to the body
    sapo_prefix: re.Pattern[str] | None = None  # the paper's tag before the lead ("Kinhtedothi - "): not sapo
    excluded_hosts: tuple[str, ...] = field(default=())  # subdomains that are other papers
    # Set by configuration (sources.yml ``selectors:``, profiles/configured.py):
    images: tuple[str, ...] = ()  # picture elements (or boxes) of the article, instead of the body's
    # (field, selectors) given in sources.yml: read before the page's metadata
    overrides: tuple[tuple[str, tuple[str, ...]], ...] = ()
    id_on_path: bool = False  # ``article_id`` is a sources.yml pattern on the URL path

    def matches(self, host: str) -> bool:
        """True when ``host`` is one of this profile's hosts or a subdomain of one."""
        host = host.lower().rstrip(".")
        if any(host == h or host.endswith("." + h) for h in self.excluded_hosts):
            return False
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def override(self, name: str) -> tuple[str, ...]:
        """The selectors sources.yml gives for field ``name`` (empty when none)."""
        return next((sels for field_name, sels in self.overrides if field_name == name), ())

    def site_article_id(self, url: str | None) -> str | None:
        """The numeric id the site writes in its article URLs, if this URL has one."""
        if not url or self.article_id is None:
            return None
        try:
            target = urlsplit(url).path if self.id_on_path else url
        except ValueError:  # "http://[::1/"
            return None
        match = self.article_id.search(target)
        return match.group(1) if match else None
