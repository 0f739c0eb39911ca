"""Serve the published SQLite snapshot of a database for download.

Datasette 0.65 offers ``/<db>.db`` only for immutable databases, while the live archive is
mutable (the crawler keeps writing to it). ``hanoi-news publish`` writes a consistent copy
(SQLite backup API) and its SHA-256 as one version under
``<directory of the db>/published/<db>.db.versions/``, made current by swapping the symlink
``published/<db>.db.current`` (crawler/publish/snapshot.py); this route streams it:

    /-/snapshot/<db>.db          the file (application/octet-stream, attachment), with its
                                 SHA-256 in the ``x-checksum-sha256`` header
    /-/snapshot/<db>.db.sha256   its SHA-256, ``<hex>  <db>.db``

Each request resolves ``<db>.db.current`` once, so the file and the checksum it names come
from the same version even while a publish swaps in the next one.
"""
from __future__ import annotations

from pathlib import Path

from datasette import hookimpl
from datasette.utils.asgi import AsgiFileDownload, NotFound, Response


def snapshot_path(db_path: str | Path, name: str | None = None) -> Path:
    p = Path(db_path)
    return p.parent / "published" / f"{name or p.stem}.db"


def _find(datasette, name) -> tuple[Path, Path]:
    """(snapshot file, its checksum file), both of the current version."""
    db = datasette.databases.get(name)
    if db is None or not db.path:
        raise NotFound("No such database")
    path = snapshot_path(db.path, name)
    current = path.with_name(path.name + ".current")
    if current.is_symlink():
        folder = current.resolve()
        return folder / path.name, folder / (path.name + ".sha256")
    return path, path.with_name(path.name + ".sha256")  # written before versions existed


def _digest(sumfile: Path) -> str | None:
    try:
        return sumfile.read_text().split()[0]
    except (OSError, IndexError):
        return None


async def snapshot(request, datasette):
    name = request.url_vars["name"]
    path, sumfile = _find(datasette, name)
    if not path.exists():
        raise NotFound(
            "No published snapshot yet: run `hanoi-news publish` to write one"
        )
    headers = {"content-disposition": f'attachment; filename="{name}.db"'}
    digest = _digest(sumfile)
    if digest:
        headers["x-checksum-sha256"] = digest
    return AsgiFileDownload(
        path,
        filename=f"{name}.db",
        content_type="application/octet-stream",
        headers=headers,
    )


async def snapshot_sum(request, datasette):
    name = request.url_vars["name"]
    _path, sumfile = _find(datasette, name)
    if not sumfile.exists():
        raise NotFound("No published snapshot yet")
    return Response.text(sumfile.read_text())


@hookimpl
def register_routes():
    return [
        (r"^/-/snapshot/(?P<name>[^/]+)\.db$", snapshot),
        (r"^/-/snapshot/(?P<name>[^/]+)\.db\.sha256$", snapshot_sum),
    ]
