"""A static site on localhost for the configured-source tests, whose URLs carry queries.

``crawler/fixture_server.py`` serves paths only; a Joomla-like site pages its listings with
``?start=5`` and serves its feed at ``?format=feed&type=rss``. Rules here: a request for
``/a/b?x=1&y=2`` is the file ``<root>/a/b@x=1&y=2`` (a query in a file name, ``@`` for
``?``), one without a query is ``<root>/a/b``; each is tried as it is, then with ``.html``,
``.rss``, ``.xml``, then ``<root>/a/b/index.html``. ``{{BASE_URL}}`` in a response becomes
the server's own base URL. ETag and 304 as a well-behaved site; every request is logged.
"""
from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {".html": "text/html; charset=utf-8", ".rss": "application/rss+xml; charset=utf-8",
         ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
SUFFIXES = ("", ".html", ".rss", ".xml")


class StaticSite:
    def __init__(self, root: Path):
        self.root = root
        self.requests: list[tuple[str, int]] = []
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._httpd is not None, "server not started"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def resolve(self, target: str) -> Path | None:
        parts = urlsplit(target)
        rel = unquote(parts.path).strip("/")
        if ".." in Path(rel).parts:
            return None
        name = rel + (f"@{unquote(parts.query)}" if parts.query else "")
        base = self.root / name if name else self.root / "index"
        for candidate in [Path(f"{base}{s}") for s in SUFFIXES] + [base / "index.html"]:
            if candidate.is_file():
                return candidate
        return None

    def __enter__(self) -> "StaticSite":
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802
                found = site.resolve(self.path)
                if found is None:
                    self._send(404, b"<html><body><h1>404</h1></body></html>", TYPES[".html"], {})
                    return
                body = found.read_bytes().replace(b"{{BASE_URL}}", site.base_url.encode())
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", None, {"ETag": etag})
                    return
                self._send(200, body, TYPES.get(found.suffix, TYPES[".html"]), {"ETag": etag})

            def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str]) -> None:
                site.requests.append((self.path, status))
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
