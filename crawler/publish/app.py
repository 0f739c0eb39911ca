"""The Datasette that serves an archive: metadata, plugins, templates, settings.

:func:`make_datasette` returns a configured :class:`datasette.app.Datasette` for one archive
file: metadata.yml (whose ``archive`` block is renamed to the file's stem, so ``demo.db``
works too), the plugins in ``plugins/``, the templates in ``templates/`` and the settings.
:func:`warm_up` asks for the front pages once the server is up.
"""
from __future__ import annotations

import copy
import sqlite3
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
METADATA_PATH = ROOT / "metadata.yml"
PLUGINS_DIR = HERE / "plugins"
TEMPLATES_DIR = HERE / "templates"
TEMPLATE_DB_KEY = "archive"

SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 3000,  # a runaway query is stopped after 3 s
    "facet_time_limit_ms": 120,  # a slower facet is finished in the background (query_cache)
    "suggest_facets": False,  # suggestions run a query per column: too slow at 1M rows
    "allow_csv_stream": True,
    "max_csv_mb": 0,  # streamed CSV is never truncated
    "default_page_size": 50,
    "max_returned_rows": 1000,
    "allow_download": True,  # only applies to immutable databases (a published snapshot)
    "num_sql_threads": 4,
    "default_cache_ttl": 60,
    "truncate_cells_html": 400,
}


# --- metadata --------------------------------------------------------------------------------


def _sources(db_path: Path) -> list[dict[str, Any]]:
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            conn.row_factory = sqlite3.Row
            return [dict(r) for r in conn.execute(
                "select id, name, base_url, licence, licence_url, attribution "
                "from sources order by id"
            )]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def _rename_db(obj: Any, old: str, new: str) -> Any:
    """Replace ``db: archive`` and ``/archive/`` links inside plugin configuration."""
    if isinstance(obj, dict):
        return {k: (new if k == "db" and v == old else _rename_db(v, old, new))
                for k, v in obj.items()}
    if isinstance(obj, list):
        return [_rename_db(v, old, new) for v in obj]
    if isinstance(obj, str):
        return obj.replace(f"/{old}/", f"/{new}/").replace(f"/{old}.", f"/{new}.")
    return obj


def load_metadata(
    db_name: str, *, metadata_path: str | Path | None = None, demo: bool = False,
    sources: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """metadata.yml with its ``archive`` database block renamed to ``db_name``."""
    path = Path(metadata_path or METADATA_PATH)
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    meta = copy.deepcopy(meta)
    meta.pop("x-templates", None)  # YAML anchors only
    dbs = meta.get("databases") or {}
    if TEMPLATE_DB_KEY in dbs and db_name != TEMPLATE_DB_KEY:
        dbs[db_name] = dbs.pop(TEMPLATE_DB_KEY)
    meta["databases"] = dbs
    if db_name != TEMPLATE_DB_KEY:
        meta = _rename_db(meta, TEMPLATE_DB_KEY, db_name)
        dbs = meta["databases"]
    if sources:
        items = "".join(
            f'<li><a href="{s["base_url"]}">{s["name"] or s["id"]}</a>'
            + (f' — {s["licence"]}' if s.get("licence") else "")
            + "</li>" for s in sources if s.get("base_url")
        )
        arts = dbs[db_name].get("tables", {}).get("articles", {})
        note = f"<p>Articles come from:</p><ul>{items}</ul>"
        for t in ("articles", "news", "article_versions", "images"):
            tm = dbs[db_name].get("tables", {}).get(t)
            if tm is not None:
                tm["description_html"] = (
                    f"<p>{tm.get('description', '')}</p>{note}"
                )
        del arts
    if demo:
        meta["title"] = "DEMO — " + meta.get("title", "")
        warn = (
            "DEMO DATA: crawled from the bundled fixture site on localhost, not from the "
            "real papers. Nothing here is real news. "
        )
        meta["description"] = warn + meta.get("description", "")
        dbs[db_name]["title"] = "DEMO — " + dbs[db_name].get("title", db_name)
        dbs[db_name]["description"] = warn + dbs[db_name].get("description", "")
        for dash in (meta.get("plugins", {}).get("datasette-dashboards") or {}).values():
            dash["title"] = "DEMO — " + dash.get("title", "")
    return meta


def make_datasette(
    db_path: str | Path, *, metadata_path: str | Path | None = None, demo: bool = False,
    immutable: bool = False, settings: dict[str, Any] | None = None,
    warc_dir: str | Path | None = None,
):
    """A Datasette serving ``db_path`` (key = file stem) with our metadata, plugins and
    templates.

    Mutable by default: the crawler may be writing (WAL keeps each read consistent).
    ``immutable=True`` is for a published snapshot, and enables the ``/<db>.db`` download.
    ``warc_dir``: the raw captures the article pages link to (``/-/capture/…``); default
    ``data/warc`` beside the database, where ``crawl`` and ``demo`` keep them.
    """
    from datasette.app import Datasette

    db_path = Path(db_path).resolve()
    name = db_path.stem
    meta = load_metadata(name, metadata_path=metadata_path, demo=demo,
                         sources=_sources(db_path))
    kwargs: dict[str, Any] = {"immutables": [str(db_path)]} if immutable else {
        "files": [str(db_path)]}
    ds = Datasette(
        metadata=meta,
        plugins_dir=str(PLUGINS_DIR),
        template_dir=str(TEMPLATES_DIR),
        settings={**SETTINGS, **(settings or {})},
        **kwargs,
    )
    # (not in metadata: /-/metadata.json is public, the server's paths are not)
    ds._hn_warc_dirs = {name: Path(warc_dir or db_path.parent / "data" / "warc").resolve()}
    _memoize_plugin_config(ds)
    return ds


def _memoize_plugin_config(ds) -> None:
    """``plugin_config`` once per (plugin, database, table), not once per table cell.

    datasette-render-markdown (installed with the dashboards) asks for its configuration in
    ``render_cell``, i.e. for every cell of every page; each call deep-merges the metadata
    (~700 merges for a 50-row news page, about a fifth of its rendering time). Our metadata
    is fixed when the server starts (no ``get_metadata`` plugin), so the answer is too.
    """
    original = ds.plugin_config
    memo: dict[tuple, Any] = {}

    def plugin_config(plugin_name, database=None, table=None, fallback=True):
        key = (plugin_name, database, table, fallback)
        if key not in memo:
            memo[key] = original(plugin_name, database=database, table=table,
                                 fallback=fallback)
        return copy.deepcopy(memo[key]) if isinstance(memo[key], (dict, list)) else memo[key]

    ds.plugin_config = plugin_config


async def warm_up(ds, *, log_fn=None) -> dict[str, float]:
    """Ask for the pages most readers open first, so their counts and facets are cached.

    Run once in the serving loop right after the server starts (``hanoi-news run`` and
    ``demo``): on a large archive the first ``news`` page otherwise pays for its count and
    four facets (about a second at 1M articles) for whoever comes first. Errors are
    logged, never raised: warming is an optimisation.
    """
    timings: dict[str, float] = {}
    paths = ["/"]
    for name, db in ds.databases.items():
        if db.path and not getattr(db, "is_memory", False):
            paths += [f"/{name}", f"/{name}/news"]
    for path in paths:
        started = time.perf_counter()
        try:
            await ds.client.get(path)
        except Exception as exc:  # pragma: no cover - logged, the server keeps running
            if log_fn:
                log_fn(f"warm-up of {path} failed: {exc}")
            continue
        timings[path] = round((time.perf_counter() - started) * 1000, 1)
    return timings
