"""A small static web server for the bundled fixture site (demo and tests).

Rules: a path maps to ``<root>/<path>``, else ``<root>/<path>.html``, else
``<root>/<path>/index.html``. ``{{BASE_URL}}`` in text responses becomes the server's own
base URL; with ``mirror_of`` (the demo), so does that origin (the fixture pages name the
real site in absolute links, as its pages do), so that every link of the served site leads
back to this server and nothing in the demo points at a real paper. Responses carry an ETag and Last-Modified and answer conditional GETs with 304,
like a well-behaved news site.
"""
from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {".html": "text/html; charset=utf-8", ".media": "text/html; charset=utf-8",
         ".xml": "application/xml; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8",
         ".txt": "text/plain; charset=utf-8", ".json": "application/json"}
LAST_MODIFIED = formatdate(1_700_000_000, usegmt=True)  # fixed: the fixture never changes


@dataclass
class FixtureServer:
    root: Path
    host: str = "127.0.0.1"
    port: int = 0
    mirror_of: str | None = None  # an origin ("https://laodongthudo.vn") served as this server
    requests: list[tuple[str, int]] = field(default_factory=list)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://{self.host}:{self._httpd.server_address[1]}"

    def resolve(self, path: str) -> Path | None:
        rel = unquote(path).lstrip("/")
        if ".." in Path(rel).parts:
            return None
        base = self.root / rel
        for candidate in (base, Path(f"{base}.html"), base / "index.html"):
            if candidate.is_file():
                return candidate
        return None

    def start(self) -> "FixtureServer":
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # no 40 ms delayed-ACK stall per response

            def do_GET(self) -> None:  # noqa: N802
                target = server.resolve(urlsplit(self.path).path or "/")
                if target is None:
                    body = b"<html><body><h1>404</h1></body></html>"
                    self._send(404, body, "text/html; charset=utf-8", {})
                    return
                body = target.read_bytes()
                ctype = TYPES.get(target.suffix, "application/octet-stream")
                if ctype.startswith(("text/", "application/xml", "application/rss")):
                    body = body.replace(b"{{BASE_URL}}", server.base_url.encode())
                    if server.mirror_of:
                        body = body.replace(server.mirror_of.encode(), server.base_url.encode())
                etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
                if self.headers.get("If-None-Match") == etag or (
                        self.headers.get("If-Modified-Since") == LAST_MODIFIED and not self.headers.get("If-None-Match")):
                    self._send(304, b"", None, {"ETag": etag, "Last-Modified": LAST_MODIFIED})
                    return
                self._send(200, body, ctype, {"ETag": etag, "Last-Modified": LAST_MODIFIED})

            def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str]) -> None:
                server.requests.append((self.path, status))
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer((self.host, self.port), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fixture-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> "FixtureServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
