"""First contact with a real site: ``hanoi-news probe SOURCE [--save DIR]``.

Politely (the source's own politeness, robots.txt obeyed, one request at a time) it fetches
robots.txt, the home page, each feed and sitemap (and one child of a sitemap index), the first
page of each listing and a few articles, and says per entry point and per field what worked:
items found, which selectors matched, fields filled, where the date came from, and a verdict
with the likely fix. It writes nothing to the archive or the crawler's state; ``--save``
keeps what it fetched (body and headers) as the makings of profile fixtures.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from protego import Protego
from selectolax.lexbor import LexborHTMLParser, LexborNode

import parsers
from parsers.discovery import parse_feed, parse_listing, parse_sitemap
from parsers.profiles import profile_by_name
from parsers.select import select

from . import clock
from .decode import decode_html, is_plain_utf8
from .fetch import Fetcher, FetchResult, make_client
from .run_record import field_states
from .sources import Listing, Source
from .urls import article_key

PROFILE_FIELDS = ("title", "sapo", "date", "author", "body", "category", "tags")
_FIXTURE_FIELDS = ("canonical_url", "site_article_id", "title", "sapo", "authors", "credits", "published_at",
                   "category", "tags", "date_source", "body_text")  # tests/fixtures/pages/*.json
MAX_SAMPLES = 3


@dataclass
class EntryReport:
    kind: str  # robots | home | feed | sitemap | listing
    url: str
    status: int | None = None
    error: str | None = None
    links: int = 0  # links or items read
    items: list[str] = field(default_factory=list)  # article URLs of the source among them
    unmatched: list[str] = field(default_factory=list)  # a few links that are not
    children: int = 0
    next_page: str | None = None
    notes: list[str] = field(default_factory=list)
    verdict: str = ""
    fix: str | None = None

    @property
    def ok(self) -> bool:
        return self.verdict.startswith("OK")


@dataclass
class FieldReport:
    name: str
    value: str | None
    came_from: str | None  # json-ld | meta | profile | generic | ...
    state: str  # ok | fallback | missing
    selectors: list[tuple[str, int]] = field(default_factory=list)  # profile selector -> elements
    fix: str | None = None


@dataclass
class ArticleReport:
    url: str
    status: int | None = None
    error: str | None = None
    date_source: str | None = None
    fields: list[FieldReport] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    verdict: str = ""
    parsed: dict[str, Any] = field(default_factory=dict)  # in full, as a fixture's "expected" has it


@dataclass
class ProbeReport:
    source: str
    base_url: str
    parser: str
    entries: list[EntryReport] = field(default_factory=list)
    articles: list[ArticleReport] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)

    @property
    def fixes(self) -> list[str]:
        out = [f"{e.kind} {e.url}: {e.fix}" for e in self.entries if e.fix]
        out += [f"article {a.url}: {a.verdict}" for a in self.articles
                if a.verdict.startswith(("FAILED", "NOT PARSED"))]
        parsed = [a for a in self.articles if a.fields]
        fixes: dict[str, list[str]] = {}
        for a in parsed:
            for f in a.fields:
                if f.fix:
                    fixes.setdefault(f.name, []).append(f.fix)
        # a field wrong in one article of three may be that article (no byline printed); in
        # half of them or more, it is the profile
        return out + [f"article field {name}: {found[0]}" for name, found in fixes.items()
                      if 2 * len(found) >= len(parsed)]

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {**asdict(self), "fixes": self.fixes}


class Prober:
    def __init__(self, source: Source, client: httpx.Client, *, articles: int = 3, pages: int = 1):
        self.source = source
        self.max_articles = articles
        self.pages = max(1, pages)
        self.responses: list[FetchResult] = []
        self.fetcher = Fetcher(client, source, on_fetch=self._keep)
        self.report = ProbeReport(source.id, source.base_url, source.parser)
        self.profile = profile_by_name(source.parser)
        self.home_feeds: list[str] = []

    def _keep(self, res: FetchResult) -> None:
        if res._done and (res.status is not None or res.error):
            self.responses.append(res)

    def _get(self, url: str, kind: str) -> FetchResult:
        return self.fetcher.get(self._local(url), kind=kind)

    def _local(self, url: str) -> str:
        """A URL on one of the source's hosts is fetched through its base URL (a mirror, a
        local copy: never the real site behind it)."""
        base, parts = urlsplit(self.source.base_url), urlsplit(url)
        if (parts.hostname or "") in self.source.hosts and parts.netloc != base.netloc:
            return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, ""))
        return url

    # -- the walk -----------------------------------------------------------------------
    def run(self) -> ProbeReport:
        home = self._home()  # asks for robots.txt first (the fetcher's rule)
        self.report.entries.insert(0, self._robots())
        self.report.entries.append(home)
        for feed in self.source.feeds:
            self.report.entries.append(self._feed(self.source.absolute(feed)))
        for sitemap in self.source.sitemaps:
            self.report.entries.append(self._sitemap(self.source.absolute(sitemap)))
        for listing in self.source.listings:
            self.report.entries.append(self._listing(listing))
        for url in self._article_sample():
            self.report.articles.append(self._article(url))
        return self.report

    def _robots(self) -> EntryReport:
        res = next((r for r in self.responses if r.kind == "robots"), None)
        e = EntryReport("robots", self.source.absolute("/robots.txt"))
        if res is None:
            e.verdict = "not read (robots.txt is not obeyed for this source)"
            return e
        e.status, e.error = res.status, res.error
        if res.ok:
            robots = Protego.parse(res.body.decode("utf-8", errors="replace"))
            delay = robots.crawl_delay(self.source.user_agent)
            sitemaps = list(robots.sitemaps)
            e.notes.append(f"sitemaps it names: {', '.join(sitemaps) or 'none'}")
            if delay:
                e.notes.append(f"crawl-delay {delay} s (the crawler waits that long between requests)")
            blocked = [u for u in self._configured() if not robots.can_fetch(u, self.source.user_agent)]
            e.verdict = "OK" if not blocked else f"DISALLOWS {len(blocked)} entry point(s): {', '.join(blocked)}"
            if blocked:
                e.fix = "robots.txt disallows them for our user agent: remove them from sources.yml"
            missing = [s for s in sitemaps if urlsplit(s).path not in
                       {urlsplit(self.source.absolute(x)).path for x in self.source.sitemaps}]
            if missing and not e.fix:
                e.notes.append(f"not in sources.yml yet: {', '.join(missing)}")
        elif res.status is not None and 400 <= res.status < 500 and res.status not in (401, 403, 429):
            e.verdict = f"OK: no robots.txt (HTTP {res.status}): everything allowed"
        else:
            e.verdict = f"FAILED: {res.error or f'HTTP {res.status}'}: the crawler fetches nothing until it can read it"
            e.fix = "the host refuses us or is down: try later; if it answers 403, it may block our user agent"
        return e

    def _configured(self) -> list[str]:
        return [self.source.absolute(u) for u in (*self.source.feeds, *self.source.sitemaps,
                                                   *(x.url for x in self.source.listings))]

    def _home(self) -> EntryReport:
        url = self.source.absolute("/")
        res = self._get(url, "home")
        e = self._answer(EntryReport("home", url), res)
        if not res.ok:
            return e
        html = decode_html(res.body, res.headers.get("content-type"))[0]
        tree = LexborHTMLParser(html)
        feeds = [n.attributes.get("href") for n in tree.css("link[rel=alternate][href]")
                 if "rss" in (n.attributes.get("type") or "") or "atom" in (n.attributes.get("type") or "")]
        feeds += [n.attributes.get("href") for n in tree.css("a[href]")
                  if re.search(r"(^|/)rss(/|\.|$)|\.rss$|/feed/?$", n.attributes.get("href") or "")]
        feeds = list(dict.fromkeys(self.source.absolute(f) for f in feeds if f))
        e.notes.append(f"feeds it advertises: {', '.join(feeds[:8]) or 'none'}")
        self.home_feeds = feeds
        links = [self.source.absolute(n.attributes.get("href") or "") for n in tree.css("a[href]")]
        self._sort(e, links)
        e.verdict = f"OK: {len(e.items)} of {e.links} links are articles by the source's article_patterns"
        if not e.items:
            e.verdict = f"NO ARTICLE LINKS among {e.links} links"
            e.fix = ("article_patterns match none of the home page's links (e.g. "
                     f"{', '.join(e.unmatched[:2]) or '-'}): check them against real article URLs")
        return e

    def _answer(self, e: EntryReport, res: FetchResult) -> EntryReport:
        e.status, e.error = res.status, res.error
        if not res.ok:
            e.verdict = f"FAILED: {res.error or f'HTTP {res.status}'}"
        return e

    def _sort(self, e: EntryReport, links: list[str]) -> None:
        e.links += len(links)
        for url in links:
            if self._is_article(url):
                if url not in e.items:
                    e.items.append(url)
            elif len(e.unmatched) < MAX_SAMPLES and url not in e.unmatched:
                e.unmatched.append(url)

    def _is_article(self, url: str) -> bool:
        owned = self.source.owns(url) or url.startswith(self.source.base_url)
        return owned and article_key(self.source, url) is not None

    def _feed(self, url: str) -> EntryReport:
        res = self._get(url, "feed")
        e = self._answer(EntryReport("feed", url), res)
        advertised = [f for f in self.home_feeds if f != url]
        if res.ok:
            self._sort(e, [item["url"] for item in parse_feed(res.body)])
        self._verdict(e, res, fix_missing=(f"the home page advertises {', '.join(advertised[:3])}: use one"
                                           if advertised else "remove it from feeds, or find the feed's path"))
        return e

    def _sitemap(self, url: str) -> EntryReport:
        res = self._get(url, "sitemap")
        e = self._answer(EntryReport("sitemap", url), res)
        if res.ok:
            children, urls = parse_sitemap(res.body)
            e.children = len(children)
            kept = [(c, m) for c, m in children if not any(x in c for x in self.source.sitemap_exclude)]
            self._sort(e, [u[0] for u in urls])
            if kept:  # the newest child (by lastmod, else the last listed)
                child = max(kept, key=lambda c: c[1] or "") if any(m for _, m in kept) else kept[-1]
                child_url = self.source.absolute(child[0])
                cres = self._get(child_url, "sitemap")
                if cres.ok:
                    self._sort(e, [u[0] for u in parse_sitemap(cres.body)[1]])
                    e.notes.append(f"index of {len(children)} sitemaps ({len(kept)} kept); read {child_url}")
                else:
                    e.notes.append(f"child {child_url} failed: {cres.error or f'HTTP {cres.status}'}")
        self._verdict(e, res, fix_missing="remove it from sitemaps, or use the one robots.txt names")
        return e

    def _listing(self, listing: Listing) -> EntryReport:
        url = self.source.absolute(listing.url)
        e = EntryReport("listing", url)
        page_url: str | None = url
        res = None
        for page in range(self.pages):
            res = self._get(page_url, "listing")
            if page == 0:
                self._answer(e, res)
            if not res.ok:
                break
            links, nxt = parse_listing(res.body, res.final_url or page_url, listing.item_selector,
                                       listing.pagination.next_selector)
            self._sort(e, links)
            if page == 0:
                e.next_page = nxt or (listing.pagination.template.format(
                    url=url, offset=listing.pagination.page_size, page=2) if listing.pagination.template else None)
                if not links:
                    self._suggest_selector(e, res, listing)
                if not nxt and listing.pagination.next_selector:
                    e.notes.append(f"pagination.next_selector {listing.pagination.next_selector!r} matches "
                                   "nothing on page 1" + (" (the template is used)" if e.next_page else ""))
            page_url = nxt and self.source.absolute(nxt)
            if not page_url:
                break
        self._verdict(e, res, fix_missing="remove it from listings, or correct its path")
        if e.next_page:
            e.notes.append(f"next page: {e.next_page}")
        return e

    def _suggest_selector(self, e: EntryReport, res: FetchResult, listing: Listing) -> None:
        """The item selector found nothing: which container holds the page's article links?"""
        tree = LexborHTMLParser(decode_html(res.body, res.headers.get("content-type"))[0])
        anchors = [a for a in tree.css("a[href]")
                   if self._is_article(self.source.absolute(a.attributes.get("href") or ""))]
        e.notes.append(f"item_selector {listing.item_selector or '(the default)'!r} matches nothing; "
                       f"{len(anchors)} links on the page are articles")
        counts: Counter[str] = Counter()
        for a in anchors:
            for candidate in set(_containers(a)):
                counts[candidate] += 1
        if not counts:
            return
        best = max(counts, key=lambda s: (counts[s], -len(tree.css(s))))
        e.fix = f"item_selector: {best!r} finds {counts[best]} article links on this page"

    def _verdict(self, e: EntryReport, res: FetchResult | None, *, fix_missing: str) -> None:
        if res is None or not res.ok:
            why = (res.error if res else None) or f"HTTP {e.status}"
            e.verdict = f"FAILED: {why}"
            if "robots.txt" not in why:  # else the robots.txt line says what to do
                e.fix = e.fix or fix_missing
        elif e.items:
            e.verdict = f"OK: {len(e.items)} article links among {e.links} read"
        elif e.links:
            e.verdict = f"PATTERNS MATCH NOTHING: {e.links} links read, none is an article"
            e.fix = e.fix or (f"article_patterns do not match links such as {e.unmatched[0]}: "
                              "adjust them if those are articles")
        else:
            e.verdict = "EMPTY: answered without any link"
            e.fix = e.fix or fix_missing

    # -- articles -----------------------------------------------------------------------
    def _article_sample(self) -> list[str]:
        """Up to ``max_articles`` article URLs, taken in turn from each entry point."""
        queues = [list(e.items) for e in self.report.entries if e.kind != "robots" and e.items]
        out: list[str] = []
        while len(out) < self.max_articles and any(queues):
            for q in queues:
                while q:
                    url = q.pop(0)
                    if url not in out:
                        out.append(url)
                        break
                if len(out) >= self.max_articles:
                    break
        return out

    def _article(self, url: str) -> ArticleReport:
        res = self._get(url, "article")
        a = ArticleReport(url, res.status, res.error)
        if not res.ok:
            a.verdict = f"FAILED: {res.error or f'HTTP {res.status}'}"
            return a
        fetched = datetime.fromisoformat(res.fetched_at) if res.fetched_at else clock.now()
        try:
            if is_plain_utf8(res.body):
                html: str | bytes = res.body
            else:
                html = decode_html(res.body, res.headers.get("content-type"))[0]
            article = parsers.parse(html, res.final_url or url, fetched_at=fetched, profile=self.source.parser)
        except parsers.ParseError as exc:
            a.verdict = f"NOT PARSED: {exc}"
            return a
        text = "\n\n".join(p for p in (article.title, article.sapo, article.body_text) if p)
        facts = parsers.extract_facts(text, None)
        a.places = list(dict.fromkeys(p.name for p in facts.places))[:5]
        a.date_source = article.date_source
        a.parsed = {k: v for k, v in article.to_dict().items() if k in _FIXTURE_FIELDS}
        a.parsed["images"] = [{"caption": i.caption, "credit": i.credit} for i in article.images]
        states = field_states(article, facts)
        tree = LexborHTMLParser(html)
        values = {"title": article.title, "sapo": article.sapo, "date": article.published_at,
                  "author": ", ".join(article.authors) or None, "body": article.body_text,
                  "category": article.category, "tags": ", ".join(article.tags) or None}
        for name in PROFILE_FIELDS:
            f = FieldReport(name, _short(values[name]), article.field_sources.get(name),
                            states.get(name, "ok" if values[name] else "missing"))
            if name == "date" and f.state == "missing":
                f.came_from = article.date_source
            attr = name
            if self.profile is not None:
                f.selectors = [(s, _count(tree, s)) for s in getattr(self.profile, attr)]
            f.fix = _field_fix(f, self.profile is not None)
            a.fields.append(f)
        if article.images:
            a.fields.append(FieldReport("images", f"{len(article.images)} image(s)", None, "ok"))
        bad = [f.name for f in a.fields if f.state != "ok" and f.name in ("title", "date", "body")]
        a.verdict = "OK" if not bad else f"CHECK: {', '.join(bad)}"
        return a


def _containers(anchor: LexborNode) -> list[str]:
    """Selectors naming the anchor through a classed ancestor (up to three levels up)."""
    out = []
    node = anchor.parent
    for _ in range(3):
        if node is None or node.tag in ("body", "html"):
            break
        classes = (node.attributes.get("class") or "").split()
        if classes:
            out.append(f"{node.tag}.{classes[0]} a[href]")
        node = node.parent
    return out


def _count(tree: LexborHTMLParser, selector: str) -> int:
    try:
        return len(select(tree, selector))
    except ValueError:
        return 0


def _short(value: str | None, n: int = 70) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    return value if len(value) <= n else value[: n - 1] + "…"


def _field_fix(f: FieldReport, profiled: bool) -> str | None:
    tried = ", ".join(s for s, _ in f.selectors) or "none"
    if f.state == "fallback":
        return (f"the profile's {f.name} selectors ({tried}) found nothing; the generic extractor did "
                f"({f.came_from}): add the page's own selector to the profile")
    if f.state == "missing" and f.name in ("title", "date", "body", "author"):
        where = f"the profile's selectors ({tried})" if profiled else "the generic selectors"
        return f"not found in JSON-LD, metas or {where}: find it on the page and add a selector"
    return None


# -- saving --------------------------------------------------------------------------------
_EXT = {"robots": ".txt", "feed": ".xml", "sitemap": ".xml"}


def save(report: ProbeReport, responses: list[FetchResult], directory: Path) -> list[str]:
    """Every response as ``NN-kind-name.<ext>`` with its ``.json`` (URL, status, headers). An
    article's ``.json`` also has ``parsed``: what the parser read, to be checked by hand and
    renamed ``expected`` to make it a fixture (see ``README.txt`` written there)."""
    directory.mkdir(parents=True, exist_ok=True)
    parsed = {a.url: a for a in report.articles}
    written = []
    for i, res in enumerate((r for r in responses if r.status is not None), 1):
        name = _slug(urlsplit(res.url).path) or "home"
        stem = f"{i:02d}-{res.kind}-{name}"[:120]
        ext = ".html" if res.kind in ("article", "listing", "home") else _EXT.get(res.kind, ".body")
        (directory / f"{stem}{ext}").write_bytes(res.body)
        meta: dict[str, Any] = {"url": res.url, "final_url": res.final_url, "kind": res.kind,
                                "status": res.status, "error": res.error, "fetched_at": res.fetched_at,
                                "headers": res.headers}
        article = parsed.get(res.url)
        if res.kind == "article" and article is not None:
            meta["parsed"] = article.parsed
        (directory / f"{stem}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        written.append(f"{stem}{ext}")
    (directory / "README.txt").write_text(
        f"Fetched by 'hanoi-news probe {report.source}' from {report.base_url} at {clock.iso()}.\n"
        "Each NN-kind-name file is a response body as received; NN-kind-name.json has its URL, HTTP\n"
        "status and headers. To turn an article into a profile test: copy NN-article-x.html to\n"
        "tests/fixtures/pages/<site>/<name>.html and its .json to <name>.json, check every value of\n"
        "'parsed' by reading the page (they are what the parser read today, not the truth), write the\n"
        "correct ones under 'expected' and a few sentences of the body under 'body_contains' (see\n"
        "tests/fixtures/pages/README.md), drop 'parsed', and run\n"
        "'hanoi-news evaluate parsers'. The pages belong to their publisher: keep them out of\n"
        "the repository unless rewritten in our own words.\n", encoding="utf-8")
    return written


def _slug(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:80]


def probe(source: Source, *, client: httpx.Client | None = None, articles: int = 3, pages: int = 1,
          save_dir: Path | None = None) -> ProbeReport:
    own = client is None
    client = client or make_client(source)
    try:
        prober = Prober(source, client, articles=articles, pages=pages)
        report = prober.run()
        if save_dir is not None:
            report.saved = save(report, prober.responses, save_dir)
        return report
    finally:
        if own:
            client.close()


# -- printing ------------------------------------------------------------------------------
def format_report(r: ProbeReport) -> str:
    lines = [f"probe {r.source} at {r.base_url} (parser {r.parser})", ""]
    for e in r.entries:
        status = e.status if e.status is not None else "-"
        lines.append(f"{e.kind:<8} {e.url}  [{status}]  {e.verdict}")
        if e.items:
            lines.append(f"         e.g. {e.items[0]}")
        lines += [f"         {n}" for n in e.notes]
        if e.fix:
            lines.append(f"         FIX: {e.fix}")
    for a in r.articles:
        lines += ["", f"article  {a.url}  [{a.status if a.status is not None else '-'}]  {a.verdict}"]
        if a.date_source:
            lines.append(f"         date from: {a.date_source}")
        for f in a.fields:
            matched = ", ".join(f"{s}×{n}" for s, n in f.selectors if n) or ("no profile selector matched"
                                                                          if f.selectors else "")
            lines.append(f"         {f.name:<9} {f.state:<8} from {f.came_from or '-':<10} {matched}")
            lines.append(f"                   {f.value!r}" if f.value else "                   (nothing)")
        lines.append(f"         places: {', '.join(a.places) or 'none found'}")
    fixes = r.fixes
    lines += ["", "verdict: " + ("every entry point and sampled article worked" if not fixes and r.articles
                                 else f"{len(fixes)} thing(s) to fix" if fixes else "no article could be sampled")]
    lines += [f"  - {f}" for f in fixes]
    if r.saved:
        lines.append(f"saved {len(r.saved)} response(s) with their headers")
    return "\n".join(lines)
