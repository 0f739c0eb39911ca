"""Hostile hosts (issue 15): what a compression bomb, deeply nested pages and an endless
sitemap chain cost the crawler, side by side with what they cost without its defences.

    .venv/bin/python bench/bench_hostile.py [--bomb-mib 2048] [--levels 100000 200000] [--chain 1000]
                                            [--only bomb|nesting|chain|worker]

1. ``Content-Encoding: gzip, gzip`` with --bomb-mib MiB of zeros inside (a few hundred bytes
   on the wire), max_bytes 8 MB: peak memory (ru_maxrss of a fresh process) of the
   Fetcher, and of httpx decoding on its own (``iter_bytes`` with the same size check: the
   path the fetcher took before issue 15).
2. A page inside N nested ``<div>``: time of ``parsers.parse`` and of lexbor's parse alone.
3. A sitemap index chaining child after child (--chain of them, one article each): sitemaps
   requested, articles stored, seconds to the first article and to the end of the run, with
   the default caps and with the caps lifted (interleaving stays).
4. What the parse budget costs a normal page: the fixture pages in a real site's chrome
   (~150 KB) parsed with their facts in this process and in the budget's worker process.

The tests (tests/unit/test_hostile_*.py, tests/integration/test_hostile_crawl.py) assert
the behaviour; this prints the figures.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.hostile_server import HostileSite, article_html, hostile_source  # noqa: E402

MAX_BYTES = 8_000_000


def _source(base_url: str, **kw):
    """``hostile_source`` with the settings this version of the crawler knows."""
    from crawler.sources import Politeness

    known = {f.name for f in dataclasses.fields(Politeness)}
    return hostile_source(base_url, **{k: v for k, v in kw.items() if k in known or k in
                                       ("listings", "feeds", "sitemaps")})


def bomb_child(how: str, url: str) -> None:
    """Run in a fresh process: fetch the bomb, print the outcome and the peak RSS."""
    started = time.perf_counter()
    if how == "fetcher":
        from crawler.fetch import Fetcher, make_client

        source = _source(url.rsplit("/", 1)[0], max_bytes=MAX_BYTES)
        res = Fetcher(make_client(source), source).get(url, kind="article")
        outcome = f"body {len(res.body)} bytes, error: {res.error}"
    else:
        import httpx

        size, outcome = 0, "read to the end"
        with httpx.Client() as client, client.stream("GET", url) as resp:
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    outcome = f"stopped past {MAX_BYTES} bytes (chunk of {len(chunk)} bytes)"
                    break
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{peak:.0f}\t{time.perf_counter() - started:.1f}\t{outcome}")


def bench_bomb(mib: int) -> None:
    site = HostileSite(bomb_bytes=mib * 1024 * 1024)
    started = time.perf_counter()
    wire = len(site.bomb())
    print(f"\n== 1. gzip, gzip bomb: {mib} MiB inside, {wire} bytes on the wire "
          f"(built in {time.perf_counter() - started:.0f} s); max_bytes {MAX_BYTES}")
    with site:
        url = site.base_url + "/bomb-gzip-gzip.html"
        rows = {}
        for how in ("fetcher", "httpx"):
            out = subprocess.run([sys.executable, __file__, "--bomb-child", how, url], capture_output=True,
                                 text=True, cwd=ROOT, timeout=1800)
            line = (out.stdout.strip().splitlines() or ["?\t?\t" + out.stderr.strip()[-300:]])[-1]
            peak, seconds, outcome = line.split("\t", 2)
            rows[how] = float(peak) if peak != "?" else float("nan")
            label = "Fetcher (crawler.fetch)" if how == "fetcher" else "httpx iter_bytes + size check"
            print(f"  {label:32s} peak RSS {peak:>6s} MB  {seconds:>5s} s  {outcome[:110]}")
        print(f"  ratio: httpx / Fetcher peak = {rows['httpx'] / rows['fetcher']:.1f}x")


def bench_nesting(levels: list[int]) -> None:
    import parsers
    from selectolax.lexbor import LexborHTMLParser

    print("\n== 2. an article inside N nested <div>")
    parsers.parse(article_html(1).encode(), "https://hanoimoi.vn/tin-1-100001.html")  # imports, warm-up
    for n in levels:
        page = article_html(1, wrap=("<div>" * n, "</div>" * n)).encode()
        started = time.perf_counter()
        try:
            parsers.parse(page, "https://hanoimoi.vn/tin-1-100001.html")
            outcome = "parsed"
        except parsers.ParseError as exc:
            outcome = f"ParseError: {exc}"[:80]
        ours = time.perf_counter() - started
        started = time.perf_counter()
        LexborHTMLParser(page)
        lexbor = time.perf_counter() - started
        print(f"  N={n:>7d} ({len(page) / 1e6:.1f} MB): parsers.parse {ours:7.3f} s ({outcome}); "
              f"lexbor alone {lexbor:7.2f} s; ratio {lexbor / ours:,.0f}x")


def bench_chain(length: int) -> None:
    from crawler.config import Settings
    from crawler.crawl import crawl
    from crawler.store import open_db

    print(f"\n== 3. a sitemap index chaining {length} children, one article each")
    for label, caps in (("default caps", {}),
                        ("caps lifted", {"max_sitemaps_per_run": 10 ** 6, "max_sitemap_depth": 10 ** 6,
                                         "max_urls_per_run": 10 ** 6})):
        with HostileSite(0, chain_length=length) as site, tempfile.TemporaryDirectory() as tmp:
            source = _source(site.base_url, sitemaps=("/chain/0.xml",), rate_per_second=1000.0, **caps)
            started = time.monotonic()
            crawl(source, Settings(db_path=Path(tmp) / "archive.db", data_dir=Path(tmp) / "data"))
            total = time.monotonic() - started
            log = list(site.log)
            first = next((t for t, p in log if p.startswith("/chain-tin-")), None)
            sitemaps = sum(p.startswith("/chain/") for _, p in log)
            stored = open_db(Path(tmp) / "archive.db").execute("select count(*) from articles").fetchone()[0]
            wait = f"{first - started:.2f} s" if first is not None else "never"
            print(f"  {label:13s}: {sitemaps:5d} sitemaps requested, {stored:5d} articles stored, "
                  f"first article after {wait}, run {total:.1f} s")


def bench_worker(rounds: int = 9) -> None:
    import statistics
    from datetime import datetime

    from crawler.evaluate_parsers import find_fixtures
    from tests.fixtures.site_chrome import wrap

    try:
        from crawler.parse_worker import read_page, read_within
    except ImportError:
        print("\n== 4. no parse budget in this version")
        return
    fixtures = [f for f in find_fixtures([ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "fixtures" / "site"])
                if f.site != "unknown"]
    pages = [(wrap(f.page.read_bytes()), f.url) for f in fixtures]
    when = datetime(2025, 6, 1)
    read_within(5.0, pages[0][0], None, pages[0][1], when, None)  # the worker is started
    from crawler import parse_worker

    worker_pid = parse_worker._IDLE[0].process.pid

    def cpu() -> float:  # this process and the worker (Linux /proc): the load of others does not count
        with open(f"/proc/{worker_pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return time.process_time() + (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    times: dict[str, list[float]] = {"in process": [], "worker": []}
    walls: dict[str, list[float]] = {"in process": [], "worker": []}
    for _ in range(rounds):
        for label, call in (("in process", lambda b, u: read_page(b, None, u, when, None)),
                            ("worker", lambda b, u: read_within(5.0, b, None, u, when, None))):
            started, started_cpu = time.perf_counter(), cpu()
            for body, url in pages:
                call(body, url)
            times[label].append((cpu() - started_cpu) / len(pages) * 1000)
            walls[label].append((time.perf_counter() - started) / len(pages) * 1000)
    here, there = statistics.median(times["in process"]), statistics.median(times["worker"])
    wall_here, wall_there = statistics.median(walls["in process"]), statistics.median(walls["worker"])
    print(f"\n== 4. parse + facts of {len(pages)} pages in site chrome, median of {rounds} interleaved rounds")
    print(f"  CPU (both processes): in process {here:.2f} ms/page; in the budget's worker {there:.2f} ms/page "
          f"(+{there - here:.2f} ms, {there / here:.2f}x)")
    print(f"  wall clock:           in process {wall_here:.2f} ms/page; in the budget's worker "
          f"{wall_there:.2f} ms/page ({wall_there / wall_here:.2f}x)")


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--bomb-child":
        bomb_child(sys.argv[2], sys.argv[3])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bomb-mib", type=int, default=2048)
    parser.add_argument("--levels", type=int, nargs="*", default=[100_000, 200_000])
    parser.add_argument("--chain", type=int, default=1000)
    parser.add_argument("--only", choices=("bomb", "nesting", "chain", "worker"))
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}; code from {ROOT}")
    if args.only in (None, "bomb"):
        bench_bomb(args.bomb_mib)
    if args.only in (None, "nesting"):
        bench_nesting(args.levels)
    if args.only in (None, "chain"):
        bench_chain(args.chain)
    if args.only in (None, "worker"):
        bench_worker()
    return 0


if __name__ == "__main__":
    sys.exit(main())
