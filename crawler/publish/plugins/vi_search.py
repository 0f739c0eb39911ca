"""Vietnamese search helpers for Datasette (hanoi-news).

* SQL functions ``vi_fold(text)`` and ``vi_fts_query(q)`` on every connection, used by the
  canned ``search`` query (ranked with bm25) and the per-place feed.
* An ASGI wrapper that makes Datasette's own search box precise: an unquoted place name in
  ``?_search=`` (``dong da``, ``Bắc Từ Liêm``) is rewritten into a quoted phrase, because
  once diacritics are folded ``dong da`` as two AND-ed words matches almost every article
  (``đã`` + ``đồng``). It also drops the internal ``search_fold`` column from the
  ``articles`` table pages unless the reader asks for columns explicitly.

Keep this file free of imports from ``crawler`` so that plain ``datasette --plugins-dir
plugins`` works too.
"""
from __future__ import annotations

import json
import re
import time
import unicodedata
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode
from markupsafe import Markup

_D = str.maketrans({"đ": "d", "Đ": "D"})


def vi_fold(text):
    """Same as ``parsers.textnorm.fold``: lower case, no marks, đ→d."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFD", str(text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_D).lower()


# District-level units of Hanoi before 1 July 2025 (the papers keep using them) and the city.
# Ward and commune names are added from the ``places`` table when it exists.
BUILTIN_PLACES = [
    "Hà Nội", "Ba Đình", "Hoàn Kiếm", "Tây Hồ", "Long Biên", "Cầu Giấy", "Đống Đa",
    "Hai Bà Trưng", "Hoàng Mai", "Thanh Xuân", "Nam Từ Liêm", "Bắc Từ Liêm", "Từ Liêm",
    "Hà Đông", "Sơn Tây", "Ba Vì", "Chương Mỹ", "Đan Phượng", "Đông Anh", "Gia Lâm",
    "Hoài Đức", "Mê Linh", "Mỹ Đức", "Phú Xuyên", "Phúc Thọ", "Quốc Oai", "Sóc Sơn",
    "Thạch Thất", "Thanh Oai", "Thanh Trì", "Thường Tín", "Ứng Hòa",
]

_WORD = re.compile(r"\w+\*?", re.UNICODE)


def _lower_tokens(text: str) -> tuple[str, ...]:
    """NFC, lower case, old/new tone placement unified (hoà = hòa), as tokens."""
    t = unicodedata.normalize("NFC", text).lower()
    for old, new in (("oà", "òa"), ("oá", "óa"), ("oả", "ỏa"), ("oã", "õa"), ("oạ", "ọa"),
                     ("uỳ", "ùy"), ("uý", "úy"), ("uỷ", "ủy"), ("uỹ", "ũy"), ("uỵ", "ụy")):
        t = t.replace(old, new)
    return tuple(_WORD.findall(t))
_PHRASE_OR_REST = re.compile(r'"([^"]*)"|([^"]+)')


class Gazetteer:
    """Folded multi-word place names, as tuples of tokens."""

    def __init__(self, names=()):
        self.names: set[tuple[str, ...]] = set()
        self.accented: set[tuple[str, ...]] = set()
        self.longest = 1
        self.add(BUILTIN_PLACES)
        self.add(names)

    def add(self, names):
        for name in names:
            if not name:
                continue
            toks = tuple(_WORD.findall(vi_fold(name)))
            if len(toks) >= 2:
                self.names.add(toks)
                self.accented.add(_lower_tokens(name))
                self.longest = max(self.longest, len(toks))

    def same_marks(self, run) -> bool:
        """Typed without diacritics, or with the place's own: "Đống Đa" yes, "đồng đã" no."""
        if all(vi_fold(t) == t.lower() for t in run):
            return True
        return _lower_tokens(" ".join(run)) in self.accented

    def group(self, tokens):
        """Split raw tokens into runs: place names (>= 2 tokens) and single words."""
        folded = [vi_fold(t) for t in tokens]
        out, i = [], 0
        while i < len(tokens):
            for n in range(min(self.longest, len(tokens) - i), 1, -1):
                run = tokens[i:i + n]
                if tuple(folded[i:i + n]) in self.names and not any(
                    t.endswith("*") for t in run
                ) and self.same_marks(run):
                    out.append(("phrase", tokens[i:i + n]))
                    i += n
                    break
            else:
                out.append(("word", [tokens[i]]))
                i += 1
        return out


_default_gazetteer = Gazetteer()

# District-level names: an article "about" one of these is tagged with it in article_places
# (from the gazetteer), so searches for them can also require the tag. Folding makes
# "Hội đồng đã" match the phrase "dong da"; the tag removes those false hits.
# (Not "Từ Liêm": split in 2013 and not in the gazetteer; it stays a phrase search that finds
# both Bắc and Nam Từ Liêm.)
DISTRICTS = {tuple(_WORD.findall(vi_fold(n))) for n in BUILTIN_PLACES
             if n not in ("Hà Nội", "Từ Liêm")}


def query_places(query) -> list[str]:
    """Folded district names a query asks for: ``dong da hop`` → ``["dong da"]``."""
    found = []
    for kind, text in _split(str(query or "")):
        toks = _WORD.findall(vi_fold(text))
        if kind == "phrase":
            if tuple(toks) in DISTRICTS and _default_gazetteer.same_marks(text.split()):
                found.append(" ".join(toks))
            continue
        for k, run in _default_gazetteer.group(text.split()):
            folded = tuple(_WORD.findall(vi_fold(" ".join(run))))
            if k == "phrase" and folded in DISTRICTS:
                found.append(" ".join(folded))
    return sorted(set(found))


def _split(query: str):
    """Yield ('phrase', text) for quoted parts and ('words', text) for the rest."""
    if query.count('"') % 2:
        query += '"'
    for m in _PHRASE_OR_REST.finditer(query):
        if m.group(1) is not None:
            if m.group(1).strip():
                yield "phrase", m.group(1).strip()
        elif m.group(2).strip():
            yield "words", m.group(2)


def quote_place_names(query: str, gazetteer: Gazetteer | None = None) -> str:
    """``dong da hop`` → ``"dong da" hop``; already quoted phrases are left alone.

    The result is still a plain Datasette search string (escape_fts keeps quoted phrases),
    so readers see what was searched for.
    """
    gaz = gazetteer or _default_gazetteer
    parts = []
    for kind, text in _split(query or ""):
        if kind == "phrase":
            parts.append(f'"{text}"')
            continue
        tokens = text.split()
        # group() works on whole white-space separated tokens (keeps punctuation as typed)
        for k, toks in gaz.group(tokens):
            parts.append(f'"{" ".join(toks)}"' if k == "phrase" else toks[0])
    return " ".join(parts)


def vi_fts_query(query, gazetteer: Gazetteer | None = None):
    """Turn what a reader typed into an FTS5 expression on the folded column.

    ``Đống Đa họp`` → ``search_fold : ("dong da" AND "hop")``. Place names become phrases;
    every other word must occur (AND); ``word*`` is a prefix search.
    """
    if query is None:
        return None
    gaz = gazetteer or _default_gazetteer
    terms = []
    for kind, text in _split(str(query)):
        if kind == "phrase":
            toks = _WORD.findall(vi_fold(text))
            if toks:
                terms.append('"' + " ".join(t.rstrip("*") for t in toks) + '"')
            continue
        raw = _WORD.findall(text)
        for k, toks in gaz.group(raw):
            folded = [vi_fold(t) for t in toks]
            if k == "phrase":
                terms.append('"' + " ".join(folded) + '"')
            elif folded[0].endswith("*") and len(folded[0]) > 1:
                terms.append('"' + folded[0].rstrip("*") + '"*')
            else:
                terms.append('"' + folded[0].rstrip("*") + '"')
    if not terms:
        return '"\x01"'  # matches nothing, and is valid FTS5 syntax
    return "search_fold : (" + " AND ".join(terms) + ")"


# --- per-database gazetteers (places table), refreshed every few minutes -------------------

_GAZ_CACHE: dict[str, tuple[float, Gazetteer]] = {}
_GAZ_TTL = 300.0


def _places_from_conn(conn):
    try:
        rows = conn.execute(
            "select name from places union select full_name from places"
        ).fetchall()
        return [r[0] for r in rows]
    except Exception:
        return []


async def _gazetteer_for(datasette, db_name):
    hit = _GAZ_CACHE.get(db_name)
    if hit and time.monotonic() - hit[0] < _GAZ_TTL:
        return hit[1]
    names = []
    try:
        db = datasette.get_database(db_name)
        if await db.table_exists("places"):
            res = await db.execute("select name from places", custom_time_limit=2000)
            names = [r[0] for r in res.rows]
    except Exception:
        names = []
    gaz = Gazetteer(names)
    _GAZ_CACHE[db_name] = (time.monotonic(), gaz)
    return gaz


@hookimpl
def prepare_connection(conn, database, datasette):
    gaz = Gazetteer(_places_from_conn(conn))
    conn.create_function("vi_fold", 1, vi_fold, deterministic=True)
    conn.create_function(
        "vi_fts_query", 1, lambda q: vi_fts_query(q, gaz), deterministic=True
    )
    conn.create_function(
        "vi_query_places", 1, lambda q: json.dumps(query_places(q)), deterministic=True
    )


@hookimpl
def render_cell(value, column, table, database, datasette):
    if column == "search_fold" and table == "articles" and value:
        return Markup("<em>(folded copy of title, sapo and body for search)</em>")
    if column == "id" and table == "news" and isinstance(value, str) and value:
        # views have no row pages: link each article to its row in the articles table
        url = datasette.urls.row(database, "articles", tilde_encode(value))
        return Markup('<a href="{}">{}</a>').format(url, value)
    return None


def split_districts(query: str, gazetteer: Gazetteer | None = None):
    """``dong da hop`` → (["dong da"], "hop"): district names out, the rest as typed.

    On the news view a district name becomes a filter on the article's gazetteer tags
    (exact, and fast: no FTS phrase over the very common syllables dong/da), and only the
    other words go to full-text search.
    """
    gaz = gazetteer or _default_gazetteer
    districts, rest = [], []
    for kind, text in _split(str(query or "")):
        if kind == "phrase":
            toks = tuple(_WORD.findall(vi_fold(text)))
            if toks in DISTRICTS and gaz.same_marks(text.split()):
                districts.append(" ".join(toks))
            else:
                rest.append(f'"{text}"')
            continue
        for k, run in gaz.group(text.split()):
            folded = tuple(_WORD.findall(vi_fold(" ".join(run))))
            if k == "phrase" and folded in DISTRICTS:
                districts.append(" ".join(folded))
            else:
                rest.append(" ".join(run))
    return sorted(set(districts)), " ".join(rest)


# Views whose rows have an ``id`` = articles.id: a district name in ``_search`` also
# requires the article to be tagged with that place.
TAGGED_VIEWS = {"news"}
TAG_WHERE = (
    "id in (select ap.article_id from article_places ap join places p on p.id = ap.place_id"
    " where p.ascii_name = '{name}')"
)


def _rewrite(path: str, pairs: list[tuple[str, str]], gaz: Gazetteer, db_names):
    """Return new query pairs, or None when nothing changes."""
    bits = path.strip("/").split("/")
    if len(bits) != 2 or bits[0] not in db_names:
        return None
    resource = bits[1].rsplit(".", 1)[0] if bits[1].endswith((".json", ".csv")) else bits[1]
    changed = False
    out = []
    for k, v in pairs:
        if k == "_search" and v:
            if resource in TAGGED_VIEWS:
                districts, rest = split_districts(v, gaz)
                for name in districts:
                    clause = TAG_WHERE.format(name=name.replace("'", ""))
                    if ("_where", clause) not in pairs:
                        out.append(("_where", clause))
                if districts:
                    changed = True
                    if not rest:
                        continue  # the place filter alone answers the search
                    v = rest
            nv = quote_place_names(v, gaz)
            if nv != v:
                v, changed = nv, True
        out.append((k, v))
    keys = {k for k, _ in out}
    if resource == "articles" and not keys & {"_col", "_nocol", "sql"}:
        out.append(("_nocol", "search_fold"))
        changed = True
    return out if changed else None


_TAG_NAME = re.compile(re.escape(TAG_WHERE).replace(re.escape("{name}"), "([^']*)"))


def _escaped(text: str) -> str:
    return str(Markup.escape(text))


async def _place_labels(datasette, db_name: str, names: list[str]) -> dict[str, str]:
    """Folded tag name -> the place's own name ("dong da" -> "Đống Đa")."""
    labels = {}
    db = datasette.databases[db_name]
    for name in names:
        try:
            row = (await db.execute(
                "select name from places where ascii_name = ? order by valid_to is null desc"
                " limit 1", [name])).first()
        except Exception:  # no places table (a plain Datasette over another file)
            row = None
        labels[name] = row[0] if row else name
    return labels


def relabel_page(html: str, labels: dict[str, str], typed: str) -> str:
    """The table page of a search whose district names became place filters, for a reader:

    * each place filter reads "Place: Đống Đa" instead of its SQL (``TAG_WHERE``);
    * the search box shows what was typed, not only the words left for full-text search;
    * the search form does not repeat the filters as hidden fields: searching again rebuilds
      them from the new text (otherwise a second search would keep the first district).
    """
    for name, label in labels.items():
        clause = _escaped(TAG_WHERE.format(name=name))
        # (the first copy is the search form's; the CSV form further down keeps its own)
        html = html.replace(f'<input type="hidden" name="_where" value="{clause}">', "", 1)
        html = html.replace(f"<code>{clause}</code>",
                            f"Place: <strong>{_escaped(label)}</strong>"
                            " <small>(articles tagged with it)</small>")
    n = len(labels)
    html = re.sub(r"<h3>\d+ extra where clauses?</h3>",
                  lambda m: m.group(0) if html.count("<code>", m.end(), html.find("</ul>", m.end())) else
                  f"<h3>{n} place filter{'s' if n != 1 else ''}</h3>", html, count=1)
    return re.sub(r'(<input id="_search" type="search" name="_search" value=")[^"]*(")',
                  lambda m: m.group(1) + _escaped(typed) + m.group(2), html, count=1)


# A search nobody asked before may come back before its matches are counted
# (crawler/publish/plugins/query_cache.py, HANOI_NEWS_SEARCH_COUNT_MS): Datasette then heads the page with
# the search alone and lists its facets as "timed out". Say what is going on instead.
# (This assumes query_cache is on: with HANOI_NEWS_QUERY_CACHE=0 nothing is left behind.)
_UNCOUNTED = re.compile(r"<h3>(\s*where search matches )")
PENDING_NOTE = ('<p class="hn-pending"><em>Still counting the matches of this search: '
                'reload in a moment for the total and the facets.</em></p>')


# Facets left to the background (a page over its facet budget, crawler/publish/plugins/query_cache.py) are
# listed by Datasette as "timed out"; they are being computed for the next reader.
_TIMED_OUT = re.compile(r'<p class="facets-timed-out">These facets timed out: ([^<]*)</p>')


def note_pending_count(html: str) -> str:
    """Mark a search page that has rows but no total (its count is being computed), and
    facets that are still being computed."""
    html = _TIMED_OUT.sub(lambda m: '<p class="facets-timed-out"><em>Still computing these '
                          f'facets: {m.group(1)}. Reload in a moment to see them.</em></p>',
                          html, count=1)
    m = _UNCOUNTED.search(html)
    if not m:
        return html
    end = html.find("</h3>", m.end())
    if end < 0:
        return html
    end += len("</h3>")
    return html[:m.start()] + "<h3>Matching rows " + html[m.start(1) + 1:end] + PENDING_NOTE + html[end:]


def _relabelling_send(send, labels: dict[str, str], typed: str | None):
    """Wrap ``send`` so that an HTML page goes through ``relabel_page`` (whole body; with no
    ``labels``, only ``note_pending_count``)."""
    start: dict | None = None
    chunks: list[bytes] = []

    async def wrapped(message):
        nonlocal start
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if b"text/html" not in headers.get(b"content-type", b""):
                return await send(message)
            start = message
            return None
        if message["type"] != "http.response.body" or start is None:
            return await send(message)
        chunks.append(message.get("body", b""))
        if message.get("more_body"):
            return None
        html = b"".join(chunks).decode("utf-8")
        if labels:
            html = relabel_page(html, labels, typed)
        body = note_pending_count(html).encode("utf-8")
        headers = [(k, v) for k, v in start.get("headers") or [] if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        await send(dict(start, headers=headers))
        await send({"type": "http.response.body", "body": body, "more_body": False})
        return None

    return wrapped


async def _relabel_if_tagged(datasette, db_name, pairs, final, send):
    """``send`` wrapped by ``_relabelling_send`` when the page filters on place tags, whether
    the search box made the filter (``final``) or it came in the URL (a redirect of the
    filter form, a bookmark). The search box gets back what reads as the same search."""
    tags = [m.group(1) for k, v in final if k == "_where"
            for m in [_TAG_NAME.fullmatch(v)] if m]
    if not tags:  # the count or facets may still be pending
        return _relabelling_send(send, {}, None)
    labels = await _place_labels(datasette, db_name, tags)
    from_url = [labels[m.group(1)] for k, v in pairs if k == "_where"
                for m in [_TAG_NAME.fullmatch(v)] if m]
    typed = " ".join(from_url + [v for k, v in pairs if k == "_search" and v])
    return _relabelling_send(send, labels, typed)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def wrapped(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method") in ("GET", "HEAD"):
                path = scope.get("path", "")
                qs = scope.get("query_string", b"").decode("latin-1")
                bits = path.strip("/").split("/")
                if len(bits) == 2 and bits[0] in datasette.databases:
                    pairs = parse_qsl(scope["query_string"].decode("utf-8"),
                                      keep_blank_values=True)
                    final = pairs
                    if "_search=" in qs or bits[1].split(".")[0] == "articles":
                        gaz = await _gazetteer_for(datasette, bits[0])
                        new = _rewrite(path, pairs, gaz, datasette.databases)
                        if new is not None:
                            scope = dict(scope, query_string=urlencode(new).encode("utf-8"))
                            final = new
                    if bits[1] in TAGGED_VIEWS:  # the HTML page (not .json/.csv) of a view
                        send = await _relabel_if_tagged(datasette, bits[0], pairs, final, send)
            await app(scope, receive, send)

        return wrapped

    return wrap
