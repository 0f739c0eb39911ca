"""The reader's pages: an article, a place, a figure — Datasette row pages with our templates.

* ``prepare_connection``: the ``figures`` view (``crawler/publish/figures_sql.py``) and the
  SQL function ``hn_tilde_encode`` on every connection of a database that has
  ``indicators``.
* ``extra_template_vars``: on the row page of ``articles``, ``places`` or ``indicators``,
  what ``crawler/publish/pages.py`` gathers for it (``hn_page``) and the template that lays
  it out (``hn_template``: ``article_page.html``, ``place_page.html``, ``figure_page.html``),
  which ``templates/row.html`` extends instead of Datasette's own row page.
* ``render_cell``: columns named ``article_page``, ``figure_page`` or ``place_page`` (canned
  queries, the ``figures`` view) are links; so is a ``title`` next to an ``article_page``.

"""
from __future__ import annotations

import logging
import sqlite3
from datetime import datetime

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup

from crawler.publish import pages
from crawler.publish.pages import warc_root
from crawler.publish.figures_sql import figures_view_sql

# table -> (what its page shows, the template laying it out)
log = logging.getLogger(__name__)
PAGES = {"articles": (pages.article_context, "article_page.html"),
         "places": (pages.place_context, "place_page.html"),
         "indicators": (pages.figure_context, "figure_page.html")}
LINK_TEXT = {"article_page": "article", "figure_page": "figure", "place_page": "place"}
TITLE_COLUMNS = ("title", "last_article")  # linked to the row's article_page


@hookimpl(trylast=True)  # after query_cache's `pragma temp_store`, which drops temp views
def prepare_connection(conn, database, datasette):
    conn.create_function("hn_tilde_encode", 1,
                         lambda v: None if v is None else tilde_encode(str(v)),
                         deterministic=True)
    try:
        tables = {r[0] for r in conn.execute(
            "select name from sqlite_master where type in ('table', 'view')")}
        if "indicators" not in tables:
            return
        columns = {r[1] for r in conn.execute("pragma table_info(indicators)")}
        for statement in figures_view_sql(datasette.urls.database(database), columns, tables):
            conn.execute(statement)
    except sqlite3.Error:  # pragma: no cover - a connection without the view serves tables
        log.warning("no figures view on %s", database, exc_info=True)


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or table not in PAGES or request is None:
        return {}

    async def gather():
        pks = urlsafe_components(request.url_vars.get("pks", ""))
        if len(pks) != 1:
            return {}
        key = pks[0]
        build, template_name = PAGES[table]
        if table == "articles":
            page = await build(datasette, database, key, warc_root(datasette, database))
        else:
            page = await build(datasette, database, key)
        if not page:
            return {}
        return {"hn_page": page, "hn_template": template_name, "hn_tiles": _tiles(datasette)}

    return gather


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if column in LINK_TEXT:
        if isinstance(value, str) and value.startswith("/"):
            return Markup('<a href="{}">{}</a>').format(value, LINK_TEXT[column])
        return None
    if column in TITLE_COLUMNS and isinstance(value, str) and value and row is not None:
        try:
            page = row["article_page"]
        except (IndexError, KeyError):  # a row without the column
            return None
        if isinstance(page, str) and page.startswith("/"):
            return Markup('<a href="{}">{}</a>').format(page, value)
    return None


# Map tiles of the place page: OpenStreetMap unless metadata.yml says otherwise
# (plugins: hanoi-news-pages: {tile_url: …, tile_attribution: …}; an empty tile_url draws
# the points on a plain background). The page renders without them (offline, in tests).
DEFAULT_TILES = {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 "attribution": "© OpenStreetMap contributors"}


def _tiles(datasette) -> dict:
    config = datasette.plugin_config("hanoi-news-pages") or {}
    return {"url": config.get("tile_url", DEFAULT_TILES["url"]),
            "attribution": config.get("tile_attribution", DEFAULT_TILES["attribution"])}


def hn_time(value) -> str:
    """``2026-01-09T09:15:00+07:00`` as ``09/01/2026 09:15`` (the time as printed in Hanoi)."""
    if not value:
        return ""
    text = str(value)
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10:
        return dt.strftime("%d/%m/%Y")
    return dt.strftime("%d/%m/%Y %H:%M")


def hn_date(value) -> str:
    return hn_time(str(value)[:10]) if value else ""


@hookimpl
def prepare_jinja2_environment(env):
    env.filters["hn_time"] = hn_time
    env.filters["hn_date"] = hn_date
    env.globals["tilde_encode"] = tilde_encode
