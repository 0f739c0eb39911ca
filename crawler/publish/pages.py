"""What the reader's pages show: the queries behind the article, place and figure pages.

``plugins/reader_pages.py`` calls these from Datasette's ``extra_template_vars`` hook for the
row pages of ``articles``, ``places`` and ``indicators``; the templates in ``templates/``
lay them out. Every query has a ``limit``; the place page's aggregates carry the
``-- hanoi-news: cached`` line, so ``plugins/query_cache.py`` keeps them between requests
and recounts them in the background after the crawler writes (a district has tens of
thousands of figures and officials' mentions at a million articles).

Figures come from the ``figures`` view (``figures_sql.py``), never from ``indicators``
directly.
"""
from __future__ import annotations

import re
from collections import OrderedDict
from pathlib import Path
from typing import Any

from datasette.database import QueryInterrupted
from datasette.utils import tilde_encode

from .article_text import marked_paragraphs, names, paragraphs, render_marked, locate, \
    version_changes, vn_number
from .figures_sql import KIND_LABELS, PERIOD_LABELS

DATE_SOURCES = {
    "json-ld": "from the page's structured data (JSON-LD)",
    "meta": "from the page's meta tags",
    "byline": "from the date printed with the byline",
    "url": "from the article's address",
    "feed": "from the paper's feed",
    "first-seen": "not printed: the day the crawler first saw the article",
}
LATEST_ARTICLES = 20
PLACE_FIGURE_ROWS = 3000
PLACE_OFFICIALS = 40
OFFICIAL_MENTIONS = 500
OTHER_COPIES = 20
# A place named in many articles: walk the date index newest first and probe its tag,
# instead of sorting every tagged article by date (tagged² > WALK_FACTOR × articles: the
# same rule as query_cache's district pages).
WALK_FACTOR = 20

CACHED = "-- hanoi-news: cached (place page)\n"


async def _rows(db, sql: str, params=None) -> list[dict[str, Any]]:
    results = await db.execute(sql, params or {})
    return [dict(r) for r in results.rows]


async def _first(db, sql: str, params=None) -> dict[str, Any] | None:
    rows = await _rows(db, sql, params)
    return rows[0] if rows else None


def format_value(value, value_max=None, denominator=None, unit=None, approx=None) -> str:
    """A figure as a Vietnamese paper prints it: ``4.520 tỷ đồng``, ``8–8,5 %``, ``18/18``."""
    if value is None:
        return "—"
    text = vn_number(float(value))[0]
    if value_max is not None:
        text += "–" + vn_number(float(value_max))[0]
    if denominator is not None:
        text += "/" + vn_number(float(denominator))[0]
    approx_words = {"over": "over ", "nearly": "nearly ", "about": "about ", "under": "under ",
                    "at_least": "at least "}
    text = approx_words.get(approx or "", "") + text
    if unit:
        text += ("" if unit == "%" else " ") + unit
    return text


def _figure_title(f: dict) -> str:
    parts = [f.get("metric") or f.get("metric_key") or "figure", ": ",
             format_value(f.get("value"), f.get("value_max"), f.get("value_denominator"),
                          f.get("unit"), f.get("approx"))]
    if f.get("period_text"):
        parts.append(f", {f['period_text']}")
    if f.get("kind") and f["kind"] != "actual":
        parts.append(f" ({KIND_LABELS.get(f['kind'], f['kind'])})")
    return "".join(parts)


def _decorate_figure(f: dict) -> dict:
    f["display_value"] = format_value(f.get("value"), f.get("value_max"),
                                      f.get("value_denominator"), f.get("unit"), f.get("approx"))
    f["period_label"] = PERIOD_LABELS.get(f.get("period_kind") or "", "period unknown")
    f["kind_label"] = KIND_LABELS.get(f.get("kind") or "", f.get("kind") or "")
    f["title_text"] = _figure_title(f)
    return f


def capture_path(datasette, database: str, ref: str | None, warc_root: Path | None) -> str | None:
    """Path of the page serving a raw capture (``plugins/capture.py``), when its WARC file
    is there; None otherwise (a capture reference that points nowhere is not linked)."""
    m = re.fullmatch(r"([A-Za-z0-9_-]+)/([0-9]{4}-[0-9]{2}-[0-9]{2}\.warc\.gz)#([0-9]+)",
                     ref or "")
    if not m or warc_root is None or not (warc_root / m[1] / m[2]).is_file():
        return None
    return datasette.urls.path(f"-/capture/{tilde_encode(database)}/{m[1]}/{m[2]}/{m[3]}")


def warc_root(datasette, database: str) -> Path | None:
    """Where a database's raw captures are: ``datasette._hn_warc_dirs[name]`` (set by
    ``crawler.publish.app.make_datasette``), else ``data/warc`` beside the database file."""
    dirs = getattr(datasette, "_hn_warc_dirs", None) or {}
    if database in dirs:
        return Path(dirs[database])
    db = datasette.databases.get(database)
    if db is None or not db.path:
        return None
    return Path(db.path).resolve().parent / "data" / "warc"


def _place_url(datasette, database: str, place_id: str) -> str:
    return datasette.urls.row(database, "places", tilde_encode(place_id))


async def _tables(db) -> set[str]:
    return set(await db.table_names())


# --- the article page ------------------------------------------------------------------------


async def article_context(datasette, database: str, article_id: str,
                          warc_root: Path | None = None) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    tables = await _tables(db)
    art = await _first(db, "select * from articles where id = :id", {"id": article_id})
    if art is None:
        return None
    source = await _first(db, "select * from sources where id = :s", {"s": art.get("source")}) \
        if "sources" in tables else None
    places = await _rows(db, """
        select ap.place_id, coalesce(p.name, ap.name) as name, coalesce(p.type, ap.type) as type,
               p.full_name, p.valid_to, ap.mentions, ap.is_primary
        from article_places ap left join places p on p.id = ap.place_id
        where ap.article_id = :id order by ap.is_primary desc, ap.first_offset, ap.place_id
        limit 200""", {"id": article_id}) if "article_places" in tables else []
    for p in places:
        p["url"] = _place_url(datasette, database, p["place_id"])
    figures = [_decorate_figure(f) for f in await _rows(
        db, "select * from figures where article_id = :id order by position, id limit 500",
        {"id": article_id})] if "indicators" in tables else []
    officials = await _rows(db, """
        select ao.official_id, coalesce(o.name, ao.name) as name, ao.title, ao.organisation,
               ao.roles, ao.place_id, ao.is_former, ao.sentence
        from article_officials ao left join officials o on o.id = ao.official_id
        where ao.article_id = :id order by ao.rowid limit 200""",
                            {"id": article_id}) if "article_officials" in tables else []
    for o in officials:
        o["url"] = datasette.urls.row(database, "officials", tilde_encode(o["official_id"]))
        o["place_url"] = _place_url(datasette, database, o["place_id"]) if o["place_id"] else None
    images = await _rows(db, "select * from images where article_id = :id order by position"
                             " limit 100", {"id": article_id}) if "images" in tables else []
    versions = await _rows(db, """
        select version, fetched_at, change, title, body_text, capture, content_hash
        from article_versions where article_id = :id order by version limit 100""",
                           {"id": article_id}) if "article_versions" in tables else []
    for older, newer in zip(versions, versions[1:]):
        newer["changes"] = version_changes(older, newer)
    for v in versions:
        v["capture_url"] = capture_path(datasette, database, v.get("capture"), warc_root)
        v.pop("body_text", None)
    copies = []
    if "article_clusters" in tables:
        copies = await _rows(db, f"""
            select c2.article_id, a.title, a.source, a.published_at, a.url, c2.similarity
            from article_clusters c1
            join article_clusters c2 on c2.cluster_id = c1.cluster_id
                                    and c2.article_id <> c1.article_id
            left join articles a on a.id = c2.article_id
            where c1.article_id = :id
            order by a.published_at limit {OTHER_COPIES}""", {"id": article_id})
        for c in copies:
            c["page"] = datasette.urls.row(database, "articles", tilde_encode(c["article_id"]))

    by_id = {f["id"]: f for f in figures}
    blocks = ([art["sapo"]] if art.get("sapo") else []) + paragraphs(art.get("body_text"))
    rendered, found = marked_paragraphs(
        blocks, figures, href=lambda i: by_id[i]["figure_page"],
        title=lambda i: by_id[i]["title_text"])
    for f in figures:
        f["in_text"] = f["id"] in found
    lead = rendered[0] if art.get("sapo") else None
    body = rendered[1:] if art.get("sapo") else rendered
    return {
        "article": art,
        "source": source,
        "authors": names(art.get("authors")),
        "credits": names(art.get("credits")),
        "date_source_text": DATE_SOURCES.get(art.get("date_source") or "",
                                             art.get("date_source") or "unknown"),
        "capture_url": capture_path(datasette, database, art.get("capture"), warc_root),
        "lead": lead,
        "body": body,
        "places": places,
        "figures": figures,
        "figures_found": len(found),
        "officials": officials,
        "images": images,
        "versions": versions,
        "copies": copies,
        "has_clusters": "article_clusters" in tables,
        "tags": names(art.get("tags")),
    }


# --- the place page --------------------------------------------------------------------------


async def _or_pending(work, default, name: str, pending: list[str]):
    """``await work``, or ``default`` (noting ``name`` in ``pending``) if it ran out of time."""
    try:
        return await work
    except QueryInterrupted:
        pending.append(name)
        return default


async def _latest_articles(db, place_id: str) -> tuple[int, list[dict]]:
    tagged = (await db.execute("select count(*) from article_places where place_id = :p",
                               {"p": place_id})).rows[0][0]
    if not tagged:
        return 0, []
    total = (await db.execute("select coalesce(max(art_rowid), 0) from article_index")).rows[0][0]
    cols = "f.article_id, f.published_at, f.source, f.title, f.sapo, f.place"
    if tagged * tagged > WALK_FACTOR * total:
        sql = f"""select {cols} from article_index f indexed by article_index_published
                  where exists (select 1 from article_places ap
                                where ap.article_id = f.article_id and ap.place_id = :p)
                  order by f.published_at desc limit {LATEST_ARTICLES}"""
    else:
        sql = f"""select {cols} from article_places ap
                  join article_index f on f.article_id = ap.article_id
                  where ap.place_id = :p order by f.published_at desc limit {LATEST_ARTICLES}"""
    return tagged, await _rows(db, sql, {"p": place_id})


async def _metric_labels(db, tables: set[str]) -> dict[str, str]:
    """Readable names of the metric keys, from the ``metrics`` table when it exists."""
    if "metrics" not in tables:
        return {}
    columns = set(await db.table_columns("metrics"))
    described = [c for c in ("description_en", "description_vi") if c in columns]
    if "key" not in columns or not described:
        return {}
    label = f"coalesce({', '.join(described)}, null)"
    return {r["key"]: r["label"] for r in await _rows(
        db, f"select key, {label} as label from metrics where {label} is not null limit 1000")}


async def _place_officials(db, place_id: str) -> list[dict]:
    """The people named with a title for the place, most recently named first: their last
    ``OFFICIAL_MENTIONS`` mentions, newest first (walking the date index for a place named
    often, like the latest articles), grouped by person, title and organisation."""
    named = (await db.execute("select count(*) from article_officials where place_id = :p",
                              {"p": place_id})).rows[0][0]
    if not named:
        return []
    total = (await db.execute("select coalesce(max(art_rowid), 0) from article_index")).rows[0][0]
    cols = ("ao.official_id, ao.name, ao.title, ao.organisation, ao.is_former, ao.article_id,"
            " f.published_at")
    # walking costs about total / named probes per mention kept, sorting one lookup per
    # mention: walk when named² > total × mentions kept ("+": probe by article, not place)
    if named * named > OFFICIAL_MENTIONS * total:
        sql = f"""select {cols} from article_index f indexed by article_index_published
                  cross join article_officials ao on ao.article_id = f.article_id
                  where +ao.place_id = :p
                  order by f.published_at desc limit {OFFICIAL_MENTIONS}"""
    else:
        sql = f"""select {cols} from article_officials ao
                  join article_index f on f.article_id = ao.article_id
                  where ao.place_id = :p
                  order by f.published_at desc limit {OFFICIAL_MENTIONS}"""
    people: OrderedDict[tuple, dict] = OrderedDict()
    # cached like the aggregates: 50-150 ms at a million articles, the same for every reader
    for r in await _rows(db, CACHED + sql, {"p": place_id}):
        key = (r["official_id"], r["title"], r["organisation"])
        if key not in people:
            people[key] = {**r, "last_seen": r["published_at"], "last_article": r["article_id"],
                           "mentions": 0, "ever_former": False}
        people[key]["mentions"] += 1
        people[key]["ever_former"] |= bool(r["is_former"])
    return list(people.values())[:PLACE_OFFICIALS]


async def _place_figures(db, place_id: str, labels: dict[str, str]) -> list[dict]:
    """The place's figures by metric, then by series (unit, what a % measures, period kind),
    each series one point per period and kind: its latest extracted report.

    Grouped on ``figure_keys`` (no lookup of the article per figure), then only the points
    shown are read from ``figures``; a figure without period bounds stays a point of its own
    article (its date is then the article's)."""
    keys = await _rows(db, CACHED + f"""
        select max(id) as id, count(*) as reports
        from figure_keys where place_id = :p and value is not null
        group by metric_key, series, period_date, kind,
                 case when period_date is null then article_id end
        limit {PLACE_FIGURE_ROWS}""", {"p": place_id})
    reports = {k["id"]: k["reports"] for k in keys}
    rows: list[dict] = []
    ids = list(reports)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join(f":i{n}" for n in range(len(chunk)))
        rows += await _rows(db, f"select * from figures where id in ({marks})",
                            {f"i{n}": v for n, v in enumerate(chunk)})
    for r in rows:
        r["reports"] = reports[r["id"]]
    rows.sort(key=lambda r: (r["metric_key"] or "", r["series"] or "", r["date"] or ""))
    metrics: OrderedDict[str, dict] = OrderedDict()
    for r in rows:
        _decorate_figure(r)
        m = metrics.setdefault(r["metric_key"] or "other", {
            "key": r["metric_key"] or "other",
            "label": labels.get(r["metric_key"]) or (r["metric_key"] or "other").replace("_", " "),
            "series": OrderedDict(), "points": 0})
        m["series"].setdefault(r["series"], []).append(r)
        m["points"] += 1
    out = sorted(metrics.values(), key=lambda m: -m["points"])
    for m in out:
        m["series"] = [{"label": k, "points": v, "unit": v[0]["unit"],
                        "chart": len({p["date"] for p in v}) >= 2,
                        "spec": series_chart(v, k)}
                       for k, v in sorted(m["series"].items(), key=lambda kv: -len(kv[1]))]
    return out


def series_chart(points: list[dict], label: str) -> dict:
    """A Vega-Lite line chart of one series (one unit, one kind of period): a line per kind
    (reported, estimate, target), each point linking to its figure."""
    unit = points[0].get("unit") or ""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": "container", "height": 150, "autosize": {"type": "fit", "contains": "padding"},
        "description": label,
        "data": {"values": [
            {"date": p["date"], "value": p["value"], "kind": p["kind_label"] or "reported",
             "shown": p["display_value"], "period": p.get("period_text") or p["date"],
             "article": p.get("title") or "", "href": p["figure_page"]} for p in points]},
        "mark": {"type": "line", "point": {"size": 50}, "tooltip": True},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": None},
            "y": {"field": "value", "type": "quantitative", "title": unit,
                  "scale": {"zero": False}},
            "color": {"field": "kind", "type": "nominal", "title": None,
                      "scale": {"domain": ["reported", "estimate", "target"],
                                "range": ["#1f5fa8", "#e08a00", "#7a7a7a"]},
                      "legend": {"orient": "bottom"}},
            "href": {"field": "href"},
            "tooltip": [{"field": "period", "title": "period"},
                        {"field": "shown", "title": "value"},
                        {"field": "kind"}, {"field": "article"}],
        },
    }


async def place_context(datasette, database: str, place_id: str) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    tables = await _tables(db)
    place = await _first(db, "select * from places where id = :id", {"id": place_id})
    if place is None:
        return None

    def link(rows):
        for r in rows:
            r["url"] = _place_url(datasette, database, r["id"])
        return rows

    parent = await _first(db, "select id, name, type, full_name from places where id = :p",
                          {"p": place.get("parent_id")}) if place.get("parent_id") else None
    if parent:
        link([parent])
    children = link(await _rows(db, """
        select id, name, type, full_name, latitude, longitude from places
        where parent_id = :id order by type, name limit 500""", {"id": place_id}))
    successors = link(await _rows(db, """
        select p.id, p.name, p.type, p.full_name, p.latitude, p.longitude
        from place_successors s join places p on p.id = s.new_place_id
        where s.old_place_id = :id order by p.type, p.name limit 500""", {"id": place_id}))
    # what each successor was before: its old wards and communes (with their district)
    formed_from: dict[str, list[dict]] = {}
    if successors:
        marks = ", ".join(f":s{i}" for i in range(len(successors)))
        rows = link(await _rows(db, f"""
            select s.new_place_id, p.id, p.name, p.type, p.full_name, p.level,
                   d.name as district
            from place_successors s join places p on p.id = s.old_place_id
            left join places d on d.id = p.parent_id
            where s.new_place_id in ({marks}) and p.level <> 'district'
            order by p.type, p.name limit 5000""",
                                {f"s{i}": s["id"] for i, s in enumerate(successors)}))
        for r in rows:
            formed_from.setdefault(r["new_place_id"], []).append(r)
    for s in successors:
        s["formed_from"] = formed_from.get(s["id"], [])
    predecessors = link(await _rows(db, """
        select p.id, p.name, p.type, p.full_name, p.level, p.latitude, p.longitude,
               d.name as district
        from place_successors s join places p on p.id = s.old_place_id
        left join places d on d.id = p.parent_id
        where s.new_place_id = :id order by p.level = 'district' desc, p.type, p.name
        limit 500""", {"id": place_id}))

    # a section over its time limit (a cold cache on a huge archive) says so; the page stays
    pending: list[str] = []
    tagged, latest = await _or_pending(_latest_articles(db, place_id), (0, []), "articles",
                                       pending) if "article_index" in tables else (0, [])
    for a in latest:
        a["page"] = datasette.urls.row(database, "articles", tilde_encode(a["article_id"]))
    metrics = await _or_pending(_place_figures(db, place_id, await _metric_labels(db, tables)),
                                [], "figures", pending) if "indicators" in tables else []
    officials = await _or_pending(_place_officials(db, place_id), [], "officials", pending) \
        if "article_officials" in tables else []
    for o in officials:
        o["url"] = datasette.urls.row(database, "officials", tilde_encode(o["official_id"]))
        o["article_url"] = datasette.urls.row(database, "articles", tilde_encode(o["last_article"]))

    points = []
    for role, rows in (("this", [place]), ("successor", successors),
                       ("predecessor", predecessors), ("ward", children)):
        for r in rows:
            if r.get("latitude") is not None and r.get("longitude") is not None:
                points.append({"lat": r["latitude"], "lon": r["longitude"], "role": role,
                               "name": r.get("full_name") or r.get("name"),
                               "url": _place_url(datasette, database, r["id"])})
    feed = datasette.urls.path(f"{datasette.urls.database(database)}/place_feed.atom") + \
        "?place=" + place_id
    return {
        "place": place,
        "is_current": not place.get("valid_to"),
        "parent": parent,
        "children": children,
        "successors": successors,
        "predecessors": predecessors,
        "tagged": tagged,
        "latest": latest,
        "more_url": datasette.urls.query(database, "latest_for_place") + "?place=" + place_id,
        "metrics": metrics,
        "officials": officials,
        "feed_url": feed,
        "map_points": points,
        "pending": pending,
    }


# --- a figure's own page (a row of indicators) ------------------------------------------------


async def figure_context(datasette, database: str, figure_id: str) -> dict[str, Any] | None:
    db = datasette.get_database(database)
    fig = await _first(db, "select * from figures where id = :id", {"id": figure_id})
    if fig is None:
        return None
    _decorate_figure(fig)
    sentence = fig.get("sentence") or ""
    spans = locate(sentence, [dict(fig, sentence=None)])
    fig["sentence_marked"] = render_marked(sentence, spans, href=lambda i: fig["article_page"],
                                           title=lambda i: fig["title_text"])
    qualifies = None
    if fig.get("qualifies_id") is not None:
        qualifies = await _first(db, "select * from figures where id = :id",
                                 {"id": fig["qualifies_id"]})
        if qualifies:
            _decorate_figure(qualifies)
    same_article = [_decorate_figure(f) for f in await _rows(db, """
        select * from figures where article_id = :a and id <> :id order by position, id
        limit 100""", {"a": fig["article_id"], "id": fig["id"]})]
    return {
        "figure": fig,
        "place_url": _place_url(datasette, database, fig["place_id"]) if fig.get("place_id")
        else None,
        "qualifies": qualifies,
        "same_article": same_article,
    }
