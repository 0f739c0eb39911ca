"""Datasette's CSV (``.csv``, ``?_format=csv``, streamed or not) with formula-like cells
neutralised (crawler/publish/csv_safe.py says how and why). JSON and HTML pass untouched."""
from __future__ import annotations

from datasette import hookimpl

from crawler.publish.csv_safe import CsvRewriter


def _is_csv_request(scope) -> bool:
    path = scope.get("path", "")
    query = scope.get("query_string", b"")
    return path.endswith(".csv") or b"_format=csv" in query


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") != "http" or not _is_csv_request(scope):
                return await app(scope, receive, send)
            rewriter: CsvRewriter | None = None

            async def send_safe(message):
                nonlocal rewriter
                if message["type"] == "http.response.start":
                    headers = message.get("headers") or []
                    ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                    if ctype.startswith((b"text/csv", b"text/plain")):
                        rewriter = CsvRewriter()
                        # the length changes; the server then sends it chunked
                        message = {**message, "headers": [
                            (k, v) for k, v in headers if k.lower() != b"content-length"]}
                elif message["type"] == "http.response.body" and rewriter is not None:
                    more = message.get("more_body", False)
                    message = {**message, "body": rewriter.feed(message.get("body", b""), final=not more)}
                await send(message)

            return await app(scope, receive, send_safe)

        return guarded

    return wrap
