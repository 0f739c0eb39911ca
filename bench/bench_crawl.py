"""Crawler benchmarks (issue 3).

1. Backfill of a generated local site (tests/support/fault_server.py) of 2,500 / 5,000 /
   10,000 articles with 20 ms server latency: achieved request rate as a share of the
   configured per-host limit, and peak memory of the crawling process (sampled as it goes,
   to see whether it stays flat as the article count grows).
2. A no-op incremental run over the unchanged site: requests by kind and the share
   answered 304.

The site runs in this process; each crawl runs in a child process, so that the child's
memory is the crawler's alone.

    .venv/bin/python bench/bench_crawl.py                  # all sizes, limit 40 req/s
    .venv/bin/python bench/bench_crawl.py --sizes 2500 --rate 20
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(args: argparse.Namespace) -> None:
    """Run one crawl; print a JSON line with timings, requests and memory samples."""
    from crawler.config import Settings
    from crawler.crawl import crawl
    from crawler.sources import load_sources

    source = load_sources(args.sources)[0]
    settings = Settings(db_path=Path(args.db), data_dir=Path(args.data_dir))
    samples: list[tuple[int, float]] = []
    done = [0]

    def progress(n: int) -> None:
        done[0] += n
        if done[0] % 250 == 0:
            samples.append((done[0], round(rss_mb(), 1)))

    prof = None
    if args.profile:
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    started = time.monotonic()
    if args.mode == "backfill":
        report = crawl(source, settings, mode="backfill", backfill_until=date(2000, 1, 1), progress=progress)
    else:
        report = crawl(source, settings, progress=progress)
    took = time.monotonic() - started
    breakdown = {}
    if prof is not None:
        import pstats

        prof.disable()
        stats = pstats.Stats(prof).stats
        wanted = {  # (file suffix, function) -> label; cumulative seconds
            ("socket.socket' objects>", "recv"): "network wait (recv)",
            ("crawler/fetch.py", "_request"): "fetch incl. network",
            ("crawler/rawstore.py", "write"): "WARC write (incl. fsync)",
            ("parsers/__init__.py", "parse"): "parse article",
            ("parsers/__init__.py", "extract_facts"): "extract facts",
            ("crawler/store.py", "save_article"): "save article (SQLite)",
            ("crawler/store.py", "record_fetch"): "fetches row (SQLite)",
            ("crawler/frontier.py", "mark_key"): "frontier updates",
            ("crawler/decode.py", "decode_html"): "decode",
            ("crawler/fetch.py", "_wait"): "rate-limit waits",
        }
        for (file, line, func), row in stats.items():
            for (suffix, name), label in wanted.items():
                if func == name and (file.endswith(suffix) or suffix in file or suffix in func):
                    breakdown[label] = round(breakdown.get(label, 0) + row[3], 2)
            if func == "<method 'recv' of '_socket.socket' objects>":
                breakdown["network wait (recv)"] = round(row[3], 2)
            if func == "<built-in method posix.fsync>":
                breakdown["fsync"] = round(row[3], 2)
            if func == "<method 'execute' of 'sqlite3.Connection' objects>":
                breakdown["sqlite execute (all)"] = round(row[3], 2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": took, "requests_by_kind": report.requests_by_kind, "summary": report.summary(),
                      "peak_rss_mb": round(peak, 1), "samples": samples, "status": report.status,
                      "breakdown_s": breakdown}))


def run_child(site_url: str, work: Path, rate: float, mode: str, profile: bool = False) -> dict:
    from tests.support.fault_server import site_sources_yaml

    sources = work / "sources.yml"
    sources.write_text(site_sources_yaml(site_url, rate=rate, stop_after_known=20), encoding="utf-8")
    cmd = [sys.executable, __file__, "--child", "--mode", mode, "--sources", str(sources),
           "--db", str(work / "archive.db"), "--data-dir", str(work / "data")] + (["--profile"] if profile else [])
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(sizes: list[int], rate: float, latency: float, profile: bool = False) -> None:
    from tests.support.fault_server import GeneratedSite

    for n in sizes:
        work = Path(tempfile.mkdtemp(prefix=f"bench-{n}-"))
        with GeneratedSite(n, per_page=20, latency_s=latency, hours_apart=2.0) as site:
            t0 = time.monotonic()
            res = run_child(site.base_url, work, rate, "backfill", profile)
            hits = site.hits()
            # the request rate while crawling: first to last request the server saw
            span = hits[-1].at - hits[0].at if len(hits) > 1 else 1.0
            achieved = (len(hits) - 1) / span
            print(f"backfill n={n}: {len(hits)} requests in {span:.1f}s = {achieved:.2f} req/s "
                  f"= {achieved / rate:.2f} of the {rate:g} req/s limit; wall {time.monotonic() - t0:.1f}s; "
                  f"peak RSS {res['peak_rss_mb']} MB; RSS by articles done {res['samples'][::max(1, len(res['samples']) // 8)]}; "
                  f"{res['summary']}", flush=True)
            if res.get("breakdown_s"):
                print(f"  where the time goes (s, cumulative, overlapping): {res['breakdown_s']}", flush=True)
            by_kind = Counter()
            site.log.clear()
            res2 = run_child(site.base_url, work, rate, "incremental")
            hits2 = site.hits()
            for h in hits2:
                kind = ("article" if site.index_of(h.path) else "listing" if h.path == "/thoi-su" else
                        "feed" if h.path.endswith(".rss") else "sitemap" if "sitemap" in h.path else
                        "robots" if h.path == "/robots.txt" else "other")
                by_kind[(kind, h.status)] += 1
            share_304 = sum(1 for h in hits2 if h.status == 304) / max(1, len(hits2))
            print(f"no-op incremental n={n}: {len(hits2)} requests {dict(by_kind)}; 304 share {share_304:.0%}; "
                  f"crawler's count {res2['requests_by_kind']}; {res2['seconds']:.2f}s", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--child", action="store_true")
    ap.add_argument("--mode", default="backfill")
    ap.add_argument("--sources")
    ap.add_argument("--db")
    ap.add_argument("--data-dir")
    ap.add_argument("--sizes", default="2500,5000,10000")
    ap.add_argument("--rate", type=float, default=40.0)
    ap.add_argument("--latency", type=float, default=0.02)
    ap.add_argument("--profile", action="store_true", help="where the time goes (cProfile; slower)")
    args = ap.parse_args()
    if args.child:
        child(args)
    else:
        bench([int(x) for x in args.sizes.split(",")], args.rate, args.latency, args.profile)


if __name__ == "__main__":
    main()
