"""The raw capture of a page, read from the WARC store: ``/-/capture/<db>/<source>/<file>/<offset>``.

A capture reference (``articles.capture``, ``article_versions.capture``) is
``<source>/<YYYY-MM-DD>.warc.gz#<offset>`` (crawler/rawstore.py); its page here is the same
three parts as a path. Read-only, and safe against path tricks: each part must look like
what the crawler writes (a source id of letters, digits, ``_`` and ``-``; a dated
``.warc.gz`` name; a decimal offset), and the file must resolve inside the database's WARC
directory; anything else is a 404, as is an offset where no response record starts.

The page shows what was fetched (URL, time, HTTP status and type) and the captured HTML in
a sandboxed frame: no script runs, and its Content-Security-Policy lets the page load
nothing from anywhere (the paper's images and styles stay on the paper's site).
``?as=text`` gives the payload as plain text, exactly as stored.
"""
from __future__ import annotations

import asyncio
import html
from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response

from crawler.publish.pages import warc_root
from crawler.rawstore import RawStore

ROUTE = (r"^/-/capture/(?P<db>[^/]+)/(?P<source>[A-Za-z0-9_-]+)/"
         r"(?P<file>[0-9]{4}-[0-9]{2}-[0-9]{2}\.warc\.gz)/(?P<offset>[0-9]{1,15})$")
LOCKED = {
    "content-security-policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; "
                               "img-src data:; frame-src 'self'",
    "x-content-type-options": "nosniff",
    "x-robots-tag": "noindex",
    "referrer-policy": "no-referrer",
}


def _read(root: Path, source: str, file: str, offset: str):
    path = (root / source / file).resolve()
    if not path.is_relative_to(root.resolve()) or not path.is_file():
        return None
    with open(path, "rb") as fh:  # each record is a gzip member of its own (rawstore.py):
        fh.seek(int(offset))      # anywhere else, warcio may read on to a later record
        if fh.read(2) != b"\x1f\x8b":
            return None
    try:
        return RawStore(root).read(f"{source}/{file}#{int(offset)}")
    except Exception:  # not a record start, a torn or foreign file: nothing to show
        return None


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"\' ')
    return "utf-8"


async def capture(request, datasette):
    v = request.url_vars
    name = v["db"]
    if name not in datasette.databases:
        raise NotFound("No such database")
    root = warc_root(datasette, name)
    cap = await asyncio.to_thread(_read, root, v["source"], v["file"], v["offset"]) \
        if root is not None else None
    if cap is None:
        raise NotFound(f"No capture at {v['source']}/{v['file']}#{v['offset']}")
    ctype = cap.headers.get("content-type", "application/octet-stream")
    try:
        text = cap.body.decode(_charset(ctype), errors="replace")
    except LookupError:
        text = cap.body.decode("utf-8", errors="replace")
    if request.args.get("as") == "text" or "html" not in ctype.lower():
        return Response(text, content_type="text/plain; charset=utf-8", headers=LOCKED)
    e = html.escape
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Raw capture of {e(cap.url or '')}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;margin:0}}header{{padding:.6em 1em;background:#f4f1e8;
border-bottom:1px solid #ccc;font-size:.9rem;line-height:1.5}}code{{word-break:break-all}}
iframe{{border:0;width:100%;height:calc(100vh - 7em)}}</style></head><body>
<header><strong>Raw capture</strong> (hanoi-news raw store, reference
<code>{e(cap.ref)}</code>)<br>URL <code>{e(cap.url or '')}</code><br>
fetched {e(cap.fetched_at)} · HTTP {cap.status} · {e(ctype)} · {len(cap.body):,} bytes ·
<a href="?as=text">as stored (text)</a><br>
Shown without its scripts, images or styles from the web; © its publisher.</header>
<iframe sandbox title="captured page" srcdoc="{e(text, quote=True)}"></iframe>
</body></html>"""
    return Response.html(page, headers=LOCKED)


@hookimpl
def register_routes():
    return [(ROUTE, capture)]
