"""URL helpers that never raise: malformed URLs (``http://[x``) give None or ""."""
from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit, urlunsplit


# An absolute http(s) URL with a plain host, no fragment, params, spaces or controls: its
# own absolute form (urljoin returns it as is, urlsplit + urlunsplit round-trip it).
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\s\x00-\x1f\x7f#;?\[\]\\]*)?"
    r"(?:\?[^\s\x00-\x1f\x7f#;\[\]\\]+)?")


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless http(s) with a host."""
    if not href:
        return None
    try:
        if _PLAIN_ABSOLUTE.fullmatch(href):  # urljoin, urlsplit, urlunsplit give it back as is
            urlsplit(base)  # ... when the base is a URL at all (else ValueError, as urljoin)
            return href
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
