"""A generated news site on 127.0.0.1 with per-path fault rules, for the crawler's tests and
benchmarks.

The site: ``n`` articles ``/tin-so-<i>-<id>.html`` (newest first, one every ``hours_apart``
hours back from ``newest``), a paged listing ``/thoi-su`` (``?page=N``, next link in
``.paging a``), an RSS feed ``/rss/home.rss`` (newest 20), a sitemap index ``/sitemap.xml``
with monthly children ``/sitemaps/news-YYYY-M.xml``, and ``robots.txt``. Responses carry an
ETag and Last-Modified and answer conditional GETs with 304 (``validators=False`` turns
that off).

Faults: ``site.faults[path] = Fault(kind, times=N, ...)``; a fault applies to the first
``times`` requests of that path (None: always), then the path behaves normally. Kinds:
``timeout`` (sleep ``seconds`` before answering), ``reset`` (close the socket, no answer),
``status`` (answer ``status`` with ``headers``), ``redirect_loop``, ``wrong_charset``
(UTF-8 body declared windows-1252), ``no_charset``, ``truncate`` (Content-Length larger than
the body sent), ``big`` (``size`` bytes), ``malformed`` (broken HTML), ``drip`` (one byte
every ``seconds``), ``redirect_home``.
"""
from __future__ import annotations

import hashlib
import html
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

VN = timezone(timedelta(hours=7))
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)


@dataclass
class Fault:
    kind: str
    times: int | None = None
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 5.0
    size: int = 20_000_000
    hits: int = 0


@dataclass
class Hit:
    path: str
    status: int
    at: float
    conditional: bool


class GeneratedSite:
    def __init__(self, n: int = 60, *, per_page: int = 10, newest: datetime | None = None,
                 hours_apart: float = 12.0, latency_s: float = 0.0, validators: bool = True,
                 robots: str = "User-agent: *\nDisallow: /private/\n", paragraphs: int = 4,
                 keep_log: bool = True):
        self.n = n
        self.per_page = per_page
        self.newest = newest or datetime(2025, 6, 30, 9, 0, tzinfo=VN)
        self.hours_apart = hours_apart
        self.latency_s = latency_s
        self.validators = validators
        self.robots = robots
        self.paragraphs = paragraphs
        self.keep_log = keep_log
        self.faults: dict[str, Fault | list[Fault]] = {}
        self.edits: dict[int, int] = {}  # article index -> revision number
        self.removed: set[int] = set()
        self.extra_links: dict[int, list[str]] = {}  # listing page -> extra hrefs
        self.log: list[Hit] = []
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self.base_url = ""

    # -- content ----------------------------------------------------------------------
    # ``i`` counts from the newest article (1 = newest); the article's number ``k`` counts from
    # the oldest, so that growing ``n`` (with ``newest`` moved on) adds articles on top and
    # leaves every older article's URL, id and date unchanged.
    def number(self, i: int) -> int:
        return self.n - i + 1

    def article_id(self, i: int) -> int:
        return 100000 + self.number(i)

    def article_path(self, i: int) -> str:
        return f"/tin-so-{self.number(i)}-{self.article_id(i)}.html"

    def published(self, i: int) -> datetime:
        return self.newest - timedelta(hours=self.hours_apart * (i - 1))

    def article_html(self, i: int) -> str:
        rev = self.edits.get(i, 0)
        when = self.published(i).isoformat()
        k = self.number(i)
        title = f"Quận Ba Đình thu ngân sách đạt kết quả số {k}"
        paras = "".join(
            f"<p>Đoạn {p} của bài {k}: UBND quận Ba Đình cho biết thu ngân sách năm đạt "
            f"{k * 7 + p} tỷ đồng, tăng {p + 3}% so với cùng kỳ; Hà Nội tiếp tục chỉ đạo.</p>"
            for p in range(1, self.paragraphs + 1))
        if rev:
            paras += f"<p>Cập nhật lần {rev}: số liệu được điều chỉnh.</p>"
        url = f"{self.base_url}{self.article_path(i)}"
        return (
            "<!DOCTYPE html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            f"<title>{title}</title>"
            f"<meta property=\"og:title\" content=\"{title}\">"
            f"<meta name=\"description\" content=\"Tóm tắt bài {k} về Ba Đình.\">"
            f"<meta property=\"article:published_time\" content=\"{when}\">"
            f"<link rel=\"canonical\" href=\"{url}\">"
            "</head><body><div class=\"header\"><a href=\"/\">Trang chủ</a></div>"
            f"<article><h1>{title}</h1><p class=\"sapo\">Tóm tắt bài {k} về Ba Đình.</p>"
            f"<div class=\"content\">{paras}<img src=\"/img/{k}.jpg\" alt=\"Ảnh {k}\">"
            f"<p style=\"text-align: right\"><strong>Phóng viên {k % 5}</strong></p></div></article>"
            "<div class=\"footer\">Báo thử nghiệm</div></body></html>")

    def pages(self) -> int:
        return max(1, -(-self.n // self.per_page))

    def listing_html(self, page: int) -> str:
        first = (page - 1) * self.per_page + 1
        items = "".join(
            f"<div class=\"item\"><h3><a href=\"{self.article_path(i)}\">Bài {i}</a></h3></div>"
            for i in range(first, min(self.n, first + self.per_page - 1) + 1))
        items += "".join(f"<div class=\"item\"><h3><a href=\"{h}\">x</a></h3></div>"
                         for h in self.extra_links.get(page, []))
        nxt = f"<div class=\"paging\"><a href=\"/thoi-su?page={page + 1}\">Sau</a></div>" if page < self.pages() else ""
        return f"<html><head><meta charset=\"utf-8\"><title>Thời sự {page}</title></head><body>{items}{nxt}</body></html>"

    def feed_xml(self) -> str:
        items = "".join(
            f"<item><title>Bài {i}</title><link>{self.base_url}{self.article_path(i)}</link>"
            f"<pubDate>{formatdate(self.published(i).timestamp(), usegmt=True)}</pubDate></item>"
            for i in range(1, min(self.n, 20) + 1))
        return f"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"

    def months(self) -> dict[str, list[int]]:
        out: dict[str, list[int]] = {}
        for i in range(1, self.n + 1):
            d = self.published(i)
            out.setdefault(f"{d.year}-{d.month}", []).append(i)
        return out

    def sitemap_index(self) -> str:
        rows = "".join(
            f"<sitemap><loc>{self.base_url}/sitemaps/news-{m}.xml</loc>"
            f"<lastmod>{self.published(ids[0]).isoformat()}</lastmod></sitemap>"
            for m, ids in self.months().items())
        rows += f"<sitemap><loc>{self.base_url}/sitemaps/categories.xml</loc></sitemap>"
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sitemapindex "
                f"xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{rows}</sitemapindex>")

    def sitemap_month(self, month: str) -> str | None:
        ids = self.months().get(month)
        if ids is None:
            return None
        rows = "".join(
            f"<url><loc>{self.base_url}{self.article_path(i)}</loc>"
            f"<lastmod>{self.published(i).isoformat()}</lastmod></url>" for i in ids)
        return f"<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{rows}</urlset>"

    def index_of(self, path: str) -> int | None:
        if not (path.startswith("/tin-so-") and path.endswith(".html")):
            return None
        try:
            k = int(path[len("/tin-so-"):].split("-")[0])
        except ValueError:
            return None
        i = self.n - k + 1
        return i if 1 <= i <= self.n and path == self.article_path(i) else None

    def resolve(self, path: str, query: str) -> tuple[int, str, str] | None:
        """(status, content type, text) of a path, without faults."""
        h = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", self.robots
        if path in ("/", "/index.html"):
            return 200, h, "<html><body><h1>Trang chủ</h1><a href=\"/thoi-su\">Thời sự</a></body></html>"
        if path == "/thoi-su":
            page = int((parse_qs(query).get("page") or ["1"])[0])
            if 1 <= page <= self.pages():
                return 200, h, self.listing_html(page)
            return 404, h, "<html><body>404</body></html>"
        if path == "/rss/home.rss":
            return 200, "application/rss+xml; charset=utf-8", self.feed_xml()
        if path == "/sitemap.xml":
            return 200, "application/xml; charset=utf-8", self.sitemap_index()
        if path.startswith("/sitemaps/news-") and path.endswith(".xml"):
            text = self.sitemap_month(path[len("/sitemaps/news-"):-4])
            if text is not None:
                return 200, "application/xml; charset=utf-8", text
        if path.startswith("/private/"):
            return 200, h, "<html><body>secret</body></html>"
        i = self.index_of(path)
        if i is not None:
            if i in self.removed:
                return 410, h, "<html><body>Gone</body></html>"
            return 200, h, self.article_html(i)
        return 404, h, "<html><body>404</body></html>"

    # -- server -----------------------------------------------------------------------
    def start(self) -> "GeneratedSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()  # headers and body go out in two writes: no Nagle delay between them
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:  # noqa: N802
                parts = urlsplit(self.path)
                if site.latency_s:
                    time.sleep(site.latency_s)
                fault = site._take_fault(parts.path, parts.query)
                if fault is not None and self._fault(fault, parts.path):
                    return
                status, ctype, text = site.resolve(parts.path, parts.query)
                body = text.encode("utf-8")
                if fault is not None:
                    ctype, body = site._alter(fault, ctype, body)
                headers = {}
                if site.validators and status == 200:
                    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                    headers = {"ETag": etag, "Last-Modified": LAST_MODIFIED}
                    inm = self.headers.get("If-None-Match")
                    if inm == etag or (inm is None and self.headers.get("If-Modified-Since") == LAST_MODIFIED):
                        self._send(304, b"", None, headers)
                        return
                self._send(status, body, ctype, headers)

            def _fault(self, f: Fault, path: str) -> bool:
                """Faults that answer on their own; True when the request is done."""
                if f.kind == "timeout":
                    time.sleep(f.seconds)
                    return False
                if f.kind == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.close_connection = True
                    self.connection.close()
                    site._note(path, 0, False)
                    return True
                if f.kind == "status":
                    self._send(f.status, b"<html><body>error</body></html>", "text/html; charset=utf-8", f.headers)
                    return True
                if f.kind == "redirect_loop":
                    self._send(302, b"", None, {"Location": path + ("?loop=1" if "loop" not in self.path else "")})
                    return True
                if f.kind == "redirect_home":
                    self._send(301, b"", None, {"Location": "/"})
                    return True
                if f.kind == "truncate":
                    status, ctype, text = site.resolve(path, "")
                    body = text.encode()
                    site._note(path, status, False)
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body) + 5000))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return True
                if f.kind == "big":
                    site._note(path, 200, False)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(f.size))
                    self.end_headers()
                    chunk = b"<p>" + b"x" * 65530 + b"</p>"
                    try:
                        sent = 0
                        while sent < f.size:
                            self.wfile.write(chunk[: f.size - sent])
                            sent += len(chunk)
                    except OSError:
                        pass
                    self.close_connection = True
                    return True
                if f.kind == "drip":
                    status, ctype, text = site.resolve(path, "")
                    body = text.encode()
                    site._note(path, status, False)
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    try:
                        for b in body:
                            self.wfile.write(bytes([b]))
                            self.wfile.flush()
                            time.sleep(f.seconds)
                    except OSError:
                        pass
                    self.close_connection = True
                    return True
                return False

            def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str]) -> None:
                site._note(urlsplit(self.path).path, status,
                           bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since")))
                try:
                    self.send_response(status)
                    if ctype:
                        self.send_header("Content-Type", ctype)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except OSError:
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):  # quiet on client hang-ups
                pass

        self._httpd = Server(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, name="fault-site", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "GeneratedSite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- bookkeeping --------------------------------------------------------------------
    def _take_fault(self, path: str, query: str) -> Fault | None:
        key = path + ("?" + query if query and (path + "?" + query) in self.faults else "")
        with self.lock:
            rules = self.faults.get(key)
            if rules is None:
                return None
            for f in rules if isinstance(rules, list) else [rules]:
                if f.times is None or f.hits < f.times:
                    f.hits += 1
                    return f
        return None

    @staticmethod
    def _alter(f: Fault, ctype: str, body: bytes) -> tuple[str, bytes]:
        if f.kind == "wrong_charset":
            return "text/html; charset=windows-1252", body.replace(b'<meta charset="utf-8">', b"")
        if f.kind == "no_charset":
            return "text/html", body.replace(b'<meta charset="utf-8">', b"")
        if f.kind == "malformed":
            text = body.decode()
            text = text.replace("</p>", "").replace("</div>", "<div><span>").replace("</html>", "<p><b><i")
            return ctype, text.encode()
        return ctype, body

    def _note(self, path: str, status: int, conditional: bool) -> None:
        with self.lock:
            self.counts[path] = self.counts.get(path, 0) + 1
            if self.keep_log:
                self.log.append(Hit(path, status, time.monotonic(), conditional))

    def hits(self, predicate=lambda h: True) -> list[Hit]:
        with self.lock:
            return [h for h in self.log if predicate(h)]


def site_sources_yaml(base_url: str, *, rate: float = 100.0, source_id: str = "testsite",
                      extra_politeness: str = "", stop_after_known: int = 5, timeout_s: float = 3,
                      total_timeout_s: float = 5, breaker_pause_s: float = 60, max_retries: int = 2,
                      breaker_threshold: int = 5) -> str:
    """A sources.yml for the generated site with fast test politeness."""
    return f"""
sources:
  - id: {source_id}
    name: Test site
    base_url: {base_url}
    parser: generic
    article_patterns: ['^/[a-z0-9-]+-(\\d+)\\.html$']
    listings:
      - url: /thoi-su
        item_selector: "h3 a[href]"
        pagination: {{next_selector: ".paging a"}}
    feeds: [/rss/home.rss]
    sitemaps: [/sitemap.xml]
    sitemap_exclude: [/sitemaps/categories.xml]
    interval_minutes: 60
    stop_after_known: {stop_after_known}
    politeness:
      rate_per_second: {rate}
      timeout_s: {timeout_s}
      connect_timeout_s: 2
      total_timeout_s: {total_timeout_s}
      max_retries: {max_retries}
      backoff_base_s: 0.01
      max_retry_after_s: 5
      breaker_threshold: {breaker_threshold}
      breaker_pause_s: {breaker_pause_s}
{extra_politeness}
"""


def site_source(base_url: str, **kw):
    """A ``Source`` for the generated site (fast politeness)."""
    import tempfile
    from pathlib import Path

    from crawler.sources import load_sources

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "sources.yml"
        p.write_text(site_sources_yaml(base_url, **kw), encoding="utf-8")
        return load_sources(p)[0]
