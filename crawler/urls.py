"""URL normalisation and article identity: every variant of an article maps to one id."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .sources import Source

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "zarsrc", "zcid", "ref", "source",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "_ga",
    "gidzl", "mc_cid", "mc_eid", "rt",
}
HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


def normalize(url: str) -> str:
    """Identity form of a URL: https, bare host, no fragment, no tracking, no AMP suffix."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in HOST_PREFIXES:
        if host.startswith(prefix):
            host = host[len(prefix):]
            break
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    for suffix in ("/amp", "/amp/"):
        if path.endswith(suffix):
            path = path[: -len(suffix)] or "/"
    if path.startswith("/amp/"):
        path = path[4:]
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_") and k.lower() != "amp"]
    return urlunsplit(("https", host, path, urlencode(sorted(query)), ""))


def article_key(source: Source, url: str) -> str | None:
    """The article id a URL stands for, or None when the URL is not an article of the source.

    ``<source>:<site id>`` where the URL carries the site's numeric id, otherwise
    ``<source>:u<hash of the normalised URL path>`` (kinhtedothi 2022+ has no ids).
    """
    norm = normalize(url)
    m = source.article_match(norm)
    if m is None:
        return None
    if m.groups() and m.group(1):
        return f"{source.id}:{m.group(1)}"
    path = urlsplit(norm).path
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]
    return f"{source.id}:u{digest}"
