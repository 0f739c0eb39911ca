"""Serve the published SQLite snapshot of a database for download.

Datasette 0.65 offers ``/<db>.db`` only for immutable databases, while the live archive is
mutable (the crawler keeps writing to it). ``hanoi-news publish`` writes a consistent copy
(SQLite backup API) to ``<directory of the db>/published/<db>.db``; this route streams it:

    /-/snapshot/<db>.db          the file (application/octet-stream, attachment)
    /-/snapshot/<db>.db.sha256   its SHA-256, written by publish
"""
from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response


def snapshot_path(db_path: str | Path, name: str | None = None) -> Path:
    p = Path(db_path)
    return p.parent / "published" / f"{name or p.stem}.db"


def _find(datasette, name):
    db = datasette.databases.get(name)
    if db is None or not db.path:
        raise NotFound("No such database")
    return snapshot_path(db.path, name)


async def snapshot(request, datasette):
    name = request.url_vars["name"]
    path = _find(datasette, name)
    if not path.exists():
        raise NotFound(
            "No published snapshot yet: run `hanoi-news publish` to write one"
        )
    return AsgiFileDownload(
        path,
        filename=f"{name}.db",
        content_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{name}.db"'},
    )


async def snapshot_sum(request, datasette):
    name = request.url_vars["name"]
    path = _find(datasette, name)
    sumfile = path.with_name(path.name + ".sha256")
    if not sumfile.exists():
        raise NotFound("No published snapshot yet")
    return Response.text(sumfile.read_text())


@hookimpl
def register_routes():
    return [
        (r"^/-/snapshot/(?P<name>[^/]+)\.db$", snapshot),
        (r"^/-/snapshot/(?P<name>[^/]+)\.db\.sha256$", snapshot_sum),
    ]
