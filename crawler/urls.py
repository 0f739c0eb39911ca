"""URL normalisation, article identity (every variant of an article maps to one id), and the
source's scope: which URLs the crawler may request for a source at all."""
from __future__ import annotations

import hashlib
import ipaddress
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .sources import Source

TRACKING_PARAMS = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "zarsrc", "zcid", "ref", "source",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_id", "_ga",
    "gidzl", "mc_cid", "mc_eid", "rt",
}
HOST_PREFIXES = ("www.", "m.", "amp.", "mobile.")


DEFAULT_PORTS = {"http": 80, "https": 443}


def is_local_host(host: str) -> bool:
    """``localhost`` or an IP address that is not on the public internet (loopback, private,
    link-local, unspecified, reserved, multicast)."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global or address.is_multicast


def refusal(source: Source, url: str) -> str | None:
    """Why the crawler must not request ``url`` for ``source``; None when it may.

    A URL is in scope when its scheme is http(s), it carries no user name, its host is one
    of the source's hosts (the base URL's and the declared aliases, ``hosts:``) and its port
    is the scheme's default or the base URL's. A source that itself lives on this machine
    or a private network (tests, the demo) reaches exactly its own address and port, so a
    page cannot send the crawler to another service there."""
    try:
        parts = urlsplit(url)
        port = parts.port
        base = urlsplit(source.base_url)
        base_port = base.port or DEFAULT_PORTS.get(base.scheme)
    except ValueError as exc:
        return f"malformed URL ({exc})"
    if parts.scheme not in DEFAULT_PORTS:
        return f"not an http(s) URL (scheme {parts.scheme or 'missing'!r})"
    host = (parts.hostname or "").lower()
    if not host:
        return "no host in the URL"
    if parts.username is not None or "@" in parts.netloc:
        return "a user name in the URL"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        return "white space or control characters in the URL"
    if host not in source.own_hosts:
        return f"host {host} is not one of the source's hosts"
    port = port or DEFAULT_PORTS[parts.scheme]
    base_host = (base.hostname or "").lower()
    if is_local_host(base_host):
        if host != base_host or port != base_port:
            return f"{host}:{port} is not the source's own address {base_host}:{base_port}"
    elif is_local_host(host):
        return f"{host} is a local or private address"
    elif port not in (80, 443, base_port):
        return f"port {port} is not the source's"
    return None


def normalize(url: str) -> str:
    """Identity form of a URL: https, bare host, no fragment, no tracking, no AMP suffix.
    Raises ValueError for a malformed URL (a port that is not a number, ``http://[x``)."""
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
    """The article id a URL stands for, or None when the URL is not an article of the source
    (or is malformed).

    ``<source>:<site id>`` where the URL carries the site's numeric id, otherwise
    ``<source>:u<hash of the normalised URL path>`` (kinhtedothi 2022+ has no ids).
    """
    try:
        norm = normalize(url)
    except ValueError:
        return None
    m = source.article_match(norm)
    if m is None:
        return None
    if m.groups() and m.group(1):
        return f"{source.id}:{m.group(1)}"
    path = urlsplit(norm).path
    digest = hashlib.sha1(path.encode("utf-8")).hexdigest()[:16]
    return f"{source.id}:u{digest}"
