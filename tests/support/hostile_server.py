"""A hostile news site on 127.0.0.1, for the tests of issue 15 (and bench/bench_hostile.py).

Every path is one attack on the crawler, next to a few ordinary articles so that a test can
see the crawl go on around the attack. Loopback only; every generated body is bounded; the
server shuts itself down after ``lifetime_s`` even if a test forgets to stop it. A second
listener, the *victim* (``victim_url``), stands for another service on the same machine: it
answers everything with an article and counts the requests it gets, which must stay 0.

Paths (``ARTICLES`` are ``/tin-<n>-<id>.html``, n = 1 ...):

- ``/bomb-gzip-gzip.html``: ``Content-Encoding: gzip, gzip``, ``bomb_bytes`` of zeros
  inside (a few KB on the wire); ``/bomb-gzip-chunked.html``: one gzip layer, streamed
  without Content-Length; ``/big-chunked.html``: ``big_bytes`` plain bytes, streamed without
  Content-Length; ``/odd-encoding.html``: ``Content-Encoding: x-hostile``.
- ``/go-away.html`` redirects to ``other_host_url``; ``/go-victim.html`` to the victim;
  ``/chuyen-huong-100050.html`` (article-shaped) to ``javascript:alert(1)``; ``/tin-<n>-<id>.html`` in ``redirect_to_victim``
  redirect to the same path on the victim.
- ``/listing``: the articles, plus the links of ``listing_extra``.
- ``/sitemap.xml``: an index of ``sitemap_children`` (default: ``/sitemaps/articles.xml``);
  ``/sitemaps/articles.xml``: the articles; ``/chain/<k>.xml``: an index whose only child is
  ``/chain/<k+1>.xml`` (up to ``chain_length``) with one new article each, ``/chain-tin-<k>-<id>.html``.
- ``/tin-sau-100070.html``: an article inside ``deep_levels`` nested ``<div>``;
  ``/tin-chon-100080.html``: an article after a ``<select>`` of ``options`` options (slow for
  lexbor, not deep).
- ``/entities.xml``: a sitemap whose ``<loc>`` comes from an entity declared after 5 KB of
  padding; ``/feed.xml``: an RSS feed of the articles.
- 200 answers carry an ETag and answer a matching If-None-Match with 304.
- ``canonical[n] = url``: article n names ``url`` as its canonical and takes the title
  ``"Bài giả mạo <n>"``.
"""
from __future__ import annotations

import functools
import gzip
import hashlib
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import urlsplit

GIB = 1024 ** 3
DEEP = "/tin-sau-100070.html"
OPTIONS = "/tin-chon-100080.html"
JS_REDIRECT = "/chuyen-huong-100050.html"


@functools.lru_cache(maxsize=4)
def gzip_zeros(size: int) -> bytes:
    """gzip of ``size`` zero bytes, compressed piece by piece (never held whole)."""
    engine = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    piece = bytes(1 << 20)
    out = []
    left = size
    while left > 0:
        out.append(engine.compress(piece[:min(left, len(piece))]))
        left -= len(piece)
    out.append(engine.flush())
    return b"".join(out)


def article_html(n: int, *, title: str | None = None, canonical: str | None = None,
                 wrap: tuple[str, str] = ("", "")) -> str:
    """An ordinary article of this site (our own words), optionally inside ``wrap``."""
    title = title or f"Phường Kim Liên hoàn thành kế hoạch thu ngân sách đợt {n}"
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    paras = "".join(
        f"<p>Đoạn {p}: UBND phường Kim Liên cho biết đến hết tháng {p + 2}, số thu ngân sách "
        f"đạt {n * 3 + p} tỷ đồng, bằng {40 + p}% dự toán năm, nhờ rà soát các hộ kinh doanh.</p>"
        for p in range(1, 5))
    day = 1 + n % 9
    return ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{title}</title>{link}"
            f'<meta property="article:published_time" content="2025-05-0{day}T08:00:00+07:00">'
            f"</head><body>{wrap[0]}<article><h1>{title}</h1>"
            f'<div class="content">{paras}</div></article>{wrap[1]}</body></html>')


class HostileSite:
    def __init__(self, articles: int = 4, *, bomb_bytes: int = 256 * 1024 * 1024,
                 big_bytes: int = 5_000_000, chain_length: int = 300, deep_levels: int = 100_000,
                 options: int = 30_000, lifetime_s: float = 300.0):
        self.articles = articles
        self.bomb_bytes = bomb_bytes
        self.big_bytes = big_bytes
        self.chain_length = chain_length
        self.deep_levels = deep_levels
        self.options = options
        self.lifetime_s = lifetime_s
        self.other_host_url = "http://evil.example/tin-1-100001.html"
        self.listing_extra: list[str] = []
        self.sitemap_children: list[str] | None = None
        self.canonical: dict[int, str] = {}
        self.redirect_to_victim: set[int] = set()
        self.log: list[tuple[float, str]] = []  # (time, path) of every request
        self.victim_hits: list[str] = []
        self.lock = threading.Lock()
        self._servers: list[ThreadingHTTPServer] = []
        self._bomb: bytes | None = None
        self.base_url = self.victim_url = ""

    # -- content --------------------------------------------------------------------------
    @staticmethod
    def article_path(n: int) -> str:
        return f"/tin-{n}-{100000 + n}.html"

    def paths(self) -> list[str]:
        return [self.article_path(n) for n in range(1, self.articles + 1)]

    def bomb(self) -> bytes:
        if self._bomb is None:
            self._bomb = gzip.compress(gzip_zeros(self.bomb_bytes), 9)
        return self._bomb

    def listing(self) -> str:
        links = [*self.paths(), *self.listing_extra]
        items = "".join(f'<h3><a href="{href}">Tin {i}</a></h3>' for i, href in enumerate(links))
        return f'<html><head><meta charset="utf-8"><title>Tin mới</title></head><body>{items}</body></html>'

    def urlset(self, paths: list[str]) -> str:
        rows = "".join(f"<url><loc>{self.base_url}{p}</loc></url>" for p in paths)
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>')

    @staticmethod
    def index(children: list[str]) -> str:
        rows = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
        return ('<?xml version="1.0" encoding="UTF-8"?>'
                f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>')

    def route(self, path: str) -> tuple[int, dict[str, str], Iterator[bytes] | bytes]:
        html = {"Content-Type": "text/html; charset=utf-8"}
        xml = {"Content-Type": "application/xml; charset=utf-8"}
        if path == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"
        if path == "/bomb-gzip-gzip.html":
            return 200, {**html, "Content-Encoding": "gzip, gzip"}, self.bomb()
        if path == "/bomb-gzip-chunked.html":
            return 200, {**html, "Content-Encoding": "gzip", "Transfer-Encoding": "chunked"}, \
                _pieces(gzip_zeros(self.bomb_bytes), 16 * 1024)
        if path == "/big-chunked.html":
            return 200, {**html, "Transfer-Encoding": "chunked"}, _zeros(self.big_bytes)
        if path == "/odd-encoding.html":
            return 200, {**html, "Content-Encoding": "x-hostile"}, gzip.compress(article_html(1).encode())
        if path == "/go-away.html":
            return 302, {"Location": self.other_host_url}, b""
        if path == "/go-victim.html":
            return 302, {"Location": self.victim_url + "/secret.html"}, b""
        if path == JS_REDIRECT:
            return 302, {"Location": "javascript:alert(1)"}, b""
        if path == "/listing":
            return 200, html, self.listing().encode()
        if path == "/feed.xml":
            items = "".join(f"<item><title>t</title><link>{self.base_url}{p}</link></item>" for p in self.paths())
            return 200, xml, f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'.encode()
        if path == "/sitemap.xml":
            children = self.sitemap_children if self.sitemap_children is not None \
                else [f"{self.base_url}/sitemaps/articles.xml"]
            return 200, xml, self.index(children).encode()
        if path == "/sitemaps/articles.xml":
            return 200, xml, self.urlset(self.paths()).encode()
        if path.startswith("/chain/") and path.endswith(".xml"):
            k = int(path[len("/chain/"):-4] or 0)
            if k > self.chain_length:
                return 404, html, b"<html><body>404</body></html>"
            nxt = [f"{self.base_url}/chain/{k + 1}.xml"] if k < self.chain_length else []
            body = self.index(nxt).replace("</sitemapindex>", "")
            body += f"<url><loc>{self.base_url}/chain-tin-{k}-{200000 + k}.html</loc></url></sitemapindex>"
            return 200, xml, body.encode()
        if path.startswith("/chain-tin-"):
            k = int(path.split("-")[2])
            return 200, html, article_html(k, title=f"Tin chuỗi số {k} của phường Kim Liên").encode()
        if path == DEEP:
            return 200, html, article_html(7, wrap=("<div>" * self.deep_levels, "</div>" * self.deep_levels)).encode()
        if path == OPTIONS:
            select = "<select>" + "<option>x" * self.options + "</select>"
            return 200, html, article_html(8, wrap=(select, "")).encode()
        if path == "/entities.xml":
            padding = "<!--" + " " * 5000 + "-->"
            body = (f'<?xml version="1.0"?>{padding}<!DOCTYPE urlset [<!ENTITY p "{self.base_url}'
                    f'{self.article_path(1)}">]><urlset><url><loc>&p;</loc></url></urlset>')
            return 200, xml, body.encode()
        for n in range(1, self.articles + 1):
            if path == self.article_path(n):
                if n in self.redirect_to_victim:
                    return 301, {"Location": self.victim_url + path}, b""
                if n in self.canonical:
                    return 200, html, article_html(n, title=f"Bài giả mạo {n}", canonical=self.canonical[n]).encode()
                return 200, html, article_html(n, canonical=self.base_url + path).encode()
        return 404, html, b"<html><body>404</body></html>"

    # -- servers --------------------------------------------------------------------------
    def start(self) -> "HostileSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                path = urlsplit(self.path).path
                with site.lock:
                    site.log.append((time.monotonic(), path))
                status, headers, body = site.route(path)
                if status == 200 and isinstance(body, bytes):
                    etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                    headers = {**headers, "ETag": etag}
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                chunked = headers.get("Transfer-Encoding") == "chunked"
                if not chunked:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    if chunked:
                        for piece in body:
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                        self.wfile.write(b"0\r\n\r\n")
                    elif body:
                        self.wfile.write(body)
                except OSError:  # the crawler hung up (a size limit): what it should do
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        class Victim(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                with site.lock:
                    site.victim_hits.append(self.path)
                body = article_html(99, title="Dịch vụ nội bộ không được phép lộ ra").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):  # quiet on client hang-ups
                pass

        for handler in (Handler, Victim):
            server = Server(("127.0.0.1", 0), handler)
            self._servers.append(server)
            threading.Thread(target=server.serve_forever, name="hostile-site", daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self._servers[0].server_address[1]}"
        self.victim_url = f"http://127.0.0.1:{self._servers[1].server_address[1]}"
        timer = threading.Timer(self.lifetime_s, self.stop)  # stops by itself
        timer.daemon = True
        timer.start()
        return self

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.shutdown()
            server.server_close()

    def __enter__(self) -> "HostileSite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def requests(self, prefix: str = "") -> list[str]:
        with self.lock:
            return [p for _, p in self.log if p.startswith(prefix)]


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _zeros(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        piece = b"<p>" + b"0" * (min(size, total - sent) - 3)
        sent += len(piece)
        yield piece


def hostile_source(base_url: str, *, listings: tuple[str, ...] = (), feeds: tuple[str, ...] = (),
                   sitemaps: tuple[str, ...] = (), **politeness: object):
    """A ``Source`` for the hostile site: generic parser, fast test politeness."""
    from crawler.sources import Listing, Politeness, Source

    pol = {"rate_per_second": 200.0, "timeout_s": 5.0, "connect_timeout_s": 2.0, "total_timeout_s": 20.0,
           "max_bytes": 1_000_000, "max_retries": 0, "backoff_base_s": 0.01, "breaker_threshold": 50,
           **politeness}
    return Source(id="hostile", name="Hostile site", base_url=base_url, parser="generic",
                  article_patterns=(r"^/[a-z0-9-]+-(\d+)\.html$",),
                  listings=tuple(Listing(url=u, item_selector="h3 a[href]") for u in listings),
                  feeds=feeds, sitemaps=sitemaps, stop_after_known=1000, politeness=Politeness(**pol))
