"""URL helpers that never raise: malformed URLs (``http://[x``) give None or ""."""
from __future__ import annotations

from urllib.parse import urljoin, urlsplit, urlunsplit


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless http(s) with a host."""
    if not href:
        return None
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return None
        return urlunsplit(parts._replace(fragment=""))
    except ValueError:
        return None


def host_of(url: str) -> str:
    """Lower-case host of ``url`` ("" when there is none or the URL is malformed)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def path_of(url: str) -> str:
    """Path of ``url`` ("" when the URL is malformed)."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""
