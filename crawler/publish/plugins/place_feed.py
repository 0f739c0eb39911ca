"""The Atom feed of a place: ``/<db>/place_feed.atom?place=<name or places.id>``.

The canned query ``place_feed`` (metadata.yml) chooses the articles; this route turns its
rows into Atom with feedgen. It replaces datasette-atom for this feed, which answered 500 for
a place without articles (``max()`` of no rows) and took the stored JSON byline for one
author's name. Here:

* an unknown place is a 404 that says so; no ``place`` is a 400 that says how to ask;
* a known place without articles is a valid, empty feed;
* the feed's title names the place (``Quận Đống Đa``; a name shared by an old district and a
  new ward names both), each entry's authors are the people of its byline, and its link is
  the article's page in this archive, which links the paper's own (an entry has one link:
  feedgen 1.0.0 writes entry links without their ``rel``, so a second link would make two
  "alternate" links, which Atom forbids).
"""
from __future__ import annotations

from datetime import datetime, timezone

from datasette import hookimpl
from datasette.utils.asgi import BadRequest, NotFound, Response

from crawler.publish.article_text import names

ROUTE = r"^/(?P<db>[^/]+)/place_feed\.atom$"
QUERY = "place_feed"
PLACES = """select id, full_name, name from places
            where id = :place or name = :place or full_name = :place
               or ascii_name = vi_fold(:place) or vi_fold(full_name) = vi_fold(:place)
            order by valid_to is not null, id limit 20"""


def _absolute(request, path: str) -> str:
    return f"{request.scheme}://{request.host}{path}"


async def place_feed(request, datasette):
    from datasette.utils import tilde_encode
    from feedgen.feed import FeedGenerator

    name = request.url_vars["db"]
    if name not in datasette.databases:
        raise NotFound("No such database")
    db = datasette.get_database(name)
    place = (request.args.get("place") or "").strip()
    places_url = datasette.urls.table(name, "places")
    if not place:
        raise BadRequest(
            f"Which place? Add ?place= with a name (Đống Đa, dong da, Phường Ba Đình) or an "
            f"id from {places_url}, e.g. {request.path}?place=dong+da")
    found = [dict(r) for r in (await db.execute(PLACES, {"place": place})).rows]
    if not found:
        raise NotFound(f"No place called {place!r} in the gazetteer: see {places_url}")
    canned = await datasette.get_canned_query(name, QUERY, request.actor)
    if canned is None:  # pragma: no cover - metadata.yml always has it
        raise NotFound("This archive has no place feed")
    rows = [dict(r) for r in (await db.execute(canned["sql"], {"place": place})).rows]

    titles = ", ".join(dict.fromkeys(p["full_name"] or p["name"] for p in found))
    self_url = _absolute(request, request.full_path)
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(f"Hanoi local news: {titles}")
    fg.subtitle(f"The latest articles naming {titles}, from the hanoi-news archive "
                f"(articles © their publishers)")
    fg.author({"name": "hanoi-news"})
    fg.link(href=self_url, rel="self", type="application/atom+xml")
    fg.link(href=_absolute(request, datasette.urls.row(name, "places", tilde_encode(found[0]["id"]))),
            rel="alternate", type="text/html")
    fg.language("vi")
    fg.generator("hanoi-news (Datasette, feedgen)")
    newest = None
    for r in rows:
        fe = fg.add_entry(order="append")
        fe.id(r["atom_id"])
        fe.title(r["atom_title"] or r["atom_id"])
        updated = _when(r.get("atom_updated"))
        fe.updated(updated)
        newest = max(newest, updated) if newest else updated
        if r.get("published_at"):
            fe.published(_when(r["published_at"]))
        # one link per entry: feedgen 1.0.0 drops the rel of entry links, and two links
        # would both be "alternate" (invalid Atom). The archive's page links the paper's.
        page = datasette.urls.row(name, "articles", tilde_encode(r["article_id"]))
        fe.link(href=_absolute(request, page))
        for person in names(r.get("atom_author_name")) or [r.get("paper") or "hanoi-news"]:
            fe.author({"name": person})
        if r.get("atom_content"):
            fe.summary(r["atom_content"])
        if r.get("paper"):
            fe.category(term=r["paper"])
    fg.updated(newest or datetime.now(timezone.utc))
    return Response(fg.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8")


def _when(value):
    try:
        dt = datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        dt = datetime(1970, 1, 1)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@hookimpl
def register_routes():
    return [(ROUTE, place_feed)]
