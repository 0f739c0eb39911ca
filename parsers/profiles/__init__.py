"""Site profiles: per-site selectors as data, looked up by host through a registry.

A profile says where each field lives on one site's pages (ordered fallback chains of CSS
selectors), what to remove from the body, and how to read the site's article id from a URL.
Shared code never branches on a site name: it asks ``get_profile(url)``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Profile:
    """Where one site keeps each field. Every selector tuple is tried in order."""

    name: str
    version: str
    hosts: tuple[str, ...]  # the host and its subdomains match ("www.", "m.")
    article_id: re.Pattern[str] | None = None  # group 1 = the site's article id
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
    sapo_prefix: re.Pattern[str] | None = None  # site tag the page prints before the lead ("Kinhtedothi - ")
    excluded_hosts: tuple[str, ...] = field(default=())  # subdomains that are other papers

    def matches(self, host: str) -> bool:
        """True when ``host`` is one of this profile's hosts or a subdomain of one."""
        host = host.lower().rstrip(".")
        if any(host == h or host.endswith("." + h) for h in self.excluded_hosts):
            return False
        return any(host == h or host.endswith("." + h) for h in self.hosts)

    def site_article_id(self, url: str | None) -> str | None:
        """The numeric id the site writes in its article URLs, if this URL has one."""
        if not url or self.article_id is None:
            return None
        match = self.article_id.search(url)
        return match.group(1) if match else None


def all_profiles() -> tuple[Profile, ...]:
    """Every registered site profile (the registry)."""
    from . import anninhthudo, hanoimoi, kinhtedothi, laodongthudo

    return (laodongthudo.PROFILE, hanoimoi.PROFILE, kinhtedothi.PROFILE, anninhthudo.PROFILE)


def get_profile(url: str | None) -> Profile | None:
    """The profile for the host of ``url``, or None for a site without one."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    return next((p for p in all_profiles() if p.matches(host)), None)


def profile_by_name(name: str) -> Profile | None:
    """The profile registered under ``name`` (as written in sources.yml)."""
    return next((p for p in all_profiles() if p.name == name), None)


def profile_versions() -> Mapping[str, str]:
    """``{profile name: version}`` for every profile, plus the generic extractor."""
    from ..generic import VERSION as GENERIC_VERSION

    versions = {p.name: p.version for p in all_profiles()}
    versions["generic"] = GENERIC_VERSION
    return MappingProxyType(versions)
