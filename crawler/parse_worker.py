"""Parsing a fetched page (and extracting its facts) within a time budget.

lexbor cannot be interrupted once it builds a tree, and some markup makes it slow beyond
any page's worth: its time grows with the square of the nesting depth (100,000 nested
``<div>``: 25 s), of the ``<option>`` elements of one ``<select>``, of the attributes of one
element (``bench/bench_hostile.py``). ``parsers.nesting`` refuses the deep pages cheaply
and deterministically; for everything else, known or not, the page is parsed in a worker
process that is killed when it overruns ``parse_budget_s`` (a politeness setting): the page
is then a recorded parse failure, and the crawl goes on with a fresh worker. A worker that
dies (a crash in C code) is a parse failure too.

Cost: sending a 150 KB page and its parsed article and facts between processes adds about
0.7 ms of CPU to the 3.6 ms of parsing it and extracting its facts (1.2x; ``bench/bench_hostile.py``
section 4, both processes' CPU time), nothing next to the second between two requests to a
host, ten minutes in a reparse of a million pages. Workers start with ``spawn`` (the crawler shares its process
with Datasette's threads, where ``fork`` is unsafe), one per thread that parses at the same
time; ``MAX_IDLE`` of them are kept between pages. ``budget_s`` 0 parses in this process.
"""
from __future__ import annotations

import logging
import multiprocessing
import signal
import threading
from datetime import datetime
from multiprocessing.connection import Connection

import parsers
from parsers import ParseError

from .decode import decode_html, is_plain_utf8, looks_mojibake

log = logging.getLogger(__name__)

MAX_IDLE = 2


def parse_page(body: bytes, content_type: str | None, url: str, fetched_at: datetime,
               profile: "str | parsers.Profile | None") -> parsers.Article:
    """``parsers.parse`` of a fetched page. A page in valid UTF-8 without a BOM (nearly all)
    is parsed from its bytes: lexbor reads them as they are, where decoding, normalising
    and re-encoding a 150 KB page first cost about as much as the parse itself (4.8 -> 2.4 ms
    per page, 35 % script chrome; same run).
    Any other page, and one whose parse looks mis-decoded (mojibake already in the UTF-8),
    is decoded here (header, BOM, meta, detection, mojibake repair) and parsed as text."""
    if is_plain_utf8(body):
        article = parsers.parse(body, url, fetched_at=fetched_at, profile=profile)
        if not misdecoded(article):
            return article
    text, _how = decode_html(body, content_type)
    return parsers.parse(text, url, fetched_at=fetched_at, profile=profile)


def misdecoded(article: parsers.Article) -> bool:
    return looks_mojibake(f"{article.title}\n{article.sapo or ''}\n{article.body_text}")


def read_page(body: bytes, content_type: str | None, url: str, fetched_at: datetime,
              profile: "str | parsers.Profile | None"
              ) -> tuple[parsers.Article, parsers.Facts | None, str | None]:
    """(article, facts, why facts are missing) of one page; ``ParseError`` for a page that is
    not an article. Facts are an extra: their failure never loses the article."""
    article = parse_page(body, content_type, url, fetched_at, profile)
    if not article.title or not (article.body_text or "").strip():
        raise ParseError("no title or no body text found")
    if misdecoded(article):
        raise ParseError("text looks mis-decoded (mojibake); kept out of the archive")
    text = "\n\n".join(p for p in (article.title, article.sapo, article.body_text) if p)
    published = None
    if article.published_at:
        try:
            published = datetime.fromisoformat(article.published_at).date()
        except ValueError:
            published = None
    try:
        return article, parsers.extract_facts(text, published), None
    except Exception as exc:  # noqa: BLE001 - reported by the caller
        return article, None, f"{type(exc).__name__}: {exc}"


class _Worker:
    def __init__(self) -> None:
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_serve, args=(child,), name="hanoi-news-parse", daemon=True)
        self.process.start()
        child.close()

    def call(self, args: tuple, budget_s: float) -> tuple:
        self.conn.send(args)
        if not self.conn.poll(budget_s):
            raise TimeoutError
        return self.conn.recv()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


_IDLE: list[_Worker] = []
_LOCK = threading.Lock()


def read_within(budget_s: float, body: bytes, content_type: str | None, url: str,
                fetched_at: datetime, profile: "str | parsers.Profile | None"
                ) -> tuple[parsers.Article, parsers.Facts | None, str | None]:
    """``read_page`` in a worker process, given at most ``budget_s`` seconds of wall clock;
    ``ParseError`` when it is over budget or the worker died. ``budget_s`` 0: in process."""
    if budget_s <= 0:
        return read_page(body, content_type, url, fetched_at, profile)
    with _LOCK:
        worker = _IDLE.pop() if _IDLE else None
    if worker is None or not worker.process.is_alive():
        worker = _Worker()
    try:
        outcome = worker.call((body, content_type, url, fetched_at, profile), budget_s)
    except TimeoutError:
        worker.close()
        raise ParseError(f"parsing took longer than the budget of {budget_s:g} s: stopped "
                         "(parse_budget_s)") from None
    except (EOFError, OSError) as exc:
        worker.close()
        raise ParseError(f"the parser process died ({type(exc).__name__}, exit code "
                         f"{worker.process.exitcode})") from None
    with _LOCK:
        if len(_IDLE) < MAX_IDLE:
            _IDLE.append(worker)
            worker = None
    if worker is not None:
        worker.close()
    kind, value = outcome
    if kind == "ok":
        return value
    if kind == "parse-error":
        raise ParseError(value)
    raise RuntimeError(value)  # a parser bug, already formatted by the worker


def _serve(conn: Connection) -> None:
    """The worker's loop: one page in, one outcome out, until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops us
    while True:
        try:
            args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            outcome: tuple = ("ok", read_page(*args))
        except ParseError as exc:
            outcome = ("parse-error", str(exc))
        except Exception as exc:  # noqa: BLE001 - the parent records it
            outcome = ("crash", f"{type(exc).__name__}: {exc}")
        try:
            conn.send(outcome)
        except (EOFError, OSError):
            return
