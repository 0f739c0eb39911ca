"""URL helpers that never raise: malformed URLs (``http://[x``) give None or ""."""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit


# An absolute http(s) URL with a plain host, no fragment, params, spaces or controls: its
# own absolute form (urljoin returns it as is, urlsplit + urlunsplit round-trip it).
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\s\x00-\x1f\x7f#;?\[\]\\]*)?"
    r"(?:\?[^\s\x00-\x1f\x7f#;\[\]\\]+)?")


# A root-relative path (and query) with nothing urljoin would resolve or urlsplit would
# strip: no "//" start (a host), no dot segment (checked apart), no params, fragment,
# spaces or controls. Joined to a plain base it is the base's "scheme://host" + itself.
_PLAIN_ROOT_PATH = re.compile(
    r"/(?!/)[^\s\x00-\x1f\x7f#;?\[\]\\]*(?:\?[^\s\x00-\x1f\x7f#;\[\]\\]+)?")
_ORIGINS: dict[str, str | None] = {}  # base URL -> "scheme://host" for root paths, or None
_UNKNOWN = object()


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``, without fragment; None unless http(s) with a host."""
    if not href:
        return None
    try:
        if _PLAIN_ABSOLUTE.fullmatch(href):  # urljoin, urlsplit, urlunsplit give it back as is
            urlsplit(base)  # ... when the base is a URL at all (else ValueError, as urljoin)
            return href
        if href[0] == "/" and "/." not in href and _PLAIN_ROOT_PATH.fullmatch(href):
            origin = _ORIGINS.get(base, _UNKNOWN)
            if origin is _UNKNOWN:
                if len(_ORIGINS) >= 256:
                    _ORIGINS.clear()
                origin = _ORIGINS[base] = _origin(base)
            if origin is not None:
                return origin + href  # what _join gives (a test compares the two)
        return _join(base, href)
    except ValueError:
        return None


def _origin(base: str) -> str | None:
    """What ``_join(base, path)`` puts before a plain root path, if it does just that."""
    try:
        root = _join(base, "/")
        if root and root.endswith("/") and _join(base, "/a/b.jpg?c=d") == root + "a/b.jpg?c=d":
            return root[:-1]
    except ValueError:
        pass
    return None


def _join(base: str, href: str) -> str | None:
    """The general case of ``absolute_url``; may raise ValueError."""
    url = urljoin(base, href.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit(parts._replace(fragment=""))


@lru_cache(maxsize=1024)  # asked for the same page URL several times per parse
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
