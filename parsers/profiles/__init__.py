"""Site profiles: per-site selectors as data, looked up by host through a registry.

A profile says where each field lives on one site's pages (ordered fallback chains of CSS
selectors), what to remove from the body, and how to read the site's article id from a URL.
Shared code never branches on a site name: it asks ``get_profile(url)``.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from . import anninhthudo, hanoimoi, kinhtedothi, laodongthudo, nhipsonghanoi
from ..urls import host_of
from .base import Profile

PROFILES: tuple[Profile, ...] = (
    laodongthudo.PROFILE, hanoimoi.PROFILE, kinhtedothi.PROFILE, anninhthudo.PROFILE,
    nhipsonghanoi.PROFILE,
)


def all_profiles() -> tuple[Profile, ...]:
    """Every registered site profile (the registry)."""
    return PROFILES


def get_profile(url: str | None) -> Profile | None:
    """The profile for the host of ``url``, or None for a site without one."""
    if not url:
        return None
    host = host_of(url)
    return next((p for p in all_profiles() if p.matches(host)), None) if host else None


def profile_by_name(name: str) -> Profile | None:
    """The profile registered under ``name`` (as written in sources.yml)."""
    return next((p for p in all_profiles() if p.name == name), None)


def profile_versions() -> Mapping[str, str]:
    """``{profile name: version}`` for every profile, plus the generic extractor."""
    from ..generic import VERSION as GENERIC_VERSION

    versions = {p.name: p.version for p in all_profiles()}
    versions["generic"] = GENERIC_VERSION
    return MappingProxyType(versions)
