"""Parser speed and body quality, side by side with trafilatura, on the fixture pages.

    .venv/bin/python bench/bench_parse.py [--seconds 2]

Prints articles/s (CPU time, median of interleaved rounds; wall clock too) for (a) the
profile parsers, (b) the generic extractor (profiles off) and (c) trafilatura.extract on the
same pages, the ratios, and the body_contains / body_excludes hit rate of the generic
extractor and of trafilatura on unknown-site pages and on profile pages with the profile
disabled.

Speed three times: on the fixture pages as they are (2-17 KB), and on the same pages
wrapped in a real site's chrome up to a real page's size, ~150 KB
(tests/fixtures/site_chrome.py: menus, sidebars of other articles, ad scripts, inline JSON and
CSS; the parse of every wrapped page equals the page's own, tests/unit/test_parse_chrome.py),
with the chrome's inline script at 35 % and at 70 % (how much of a real page is script is not
known; parsers pay per byte differently for markup and for script). The crawler parses pages
of the real size.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import unicodedata
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers import parse  # noqa: E402
from crawler.evaluate_parsers import Fixture, find_fixtures  # noqa: E402
from parsers.extract import parse_article  # noqa: E402
from tests.fixtures.site_chrome import wrap  # noqa: E402

DIRS = [ROOT / "tests" / "fixtures" / "pages", ROOT / "tests" / "fixtures" / "site"]


def rates(fns: dict[str, Callable[[bytes, str], object]], pages: list[tuple[bytes, str]],
          seconds: float) -> dict[str, float]:
    """Articles per second of each function over ``pages`` (median of the rounds, CPU
    time of this process: others' load on the machine does not count). Rounds are
    interleaved (one pass of each function in turn) so that what load remains (caches,
    frequency) hits all of them alike. Also fills ``WALL`` with the wall-clock rates."""
    for fn in fns.values():  # warm up imports and caches
        for html, url in pages[:3]:
            fn(html, url)
    cpu: dict[str, list[float]] = {name: [] for name in fns}
    wall: dict[str, list[float]] = {name: [] for name in fns}
    while min(sum(v) for v in wall.values()) < seconds or min(len(v) for v in cpu.values()) < 5:
        for name, fn in fns.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            for html, url in pages:
                fn(html, url)
            cpu[name].append(time.process_time() - start_cpu)
            wall[name].append(time.perf_counter() - start)
    WALL.update({name: len(pages) / statistics.median(wall[name]) for name in fns})
    return {name: len(pages) / statistics.median(cpu[name]) for name in fns}


WALL: dict[str, float] = {}


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def body_hits(body_of: Callable[[bytes, str], str | None], fixtures: list[Fixture],
              page_of: Callable[[bytes], bytes] | None = None) -> tuple[int, int, int, int]:
    """(contains found, contains total, excludes absent, excludes total) over ``fixtures``
    (each page passed through ``page_of`` first, when given)."""
    found = total = absent = excluded = 0
    for fixture in fixtures:
        html = fixture.page.read_bytes()
        body = _norm(body_of(page_of(html) if page_of else html, fixture.url) or "")
        found += sum(_norm(s) in body for s in fixture.body_contains)
        total += len(fixture.body_contains)
        absent += sum(_norm(s) not in body for s in fixture.body_excludes)
        excluded += len(fixture.body_excludes)
    return found, total, absent, excluded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per function")
    args = parser.parse_args()
    import trafilatura

    fixtures = find_fixtures(DIRS)
    profiled = [f for f in fixtures if f.site != "unknown"]
    unknown = [f for f in fixtures if f.site == "unknown"]

    def profile_body(html: bytes, url: str) -> str | None:
        return parse(html, url).body_text

    def generic_body(html: bytes, url: str) -> str | None:
        return parse_article(html, url, use_profile=False).body_text

    def trafilatura_body(html: bytes, url: str) -> str | None:
        return trafilatura.extract(html, url=url, include_comments=False)

    def trafilatura_fast(html: bytes, url: str) -> str | None:
        return trafilatura.extract(html, url=url, include_comments=False, fast=True)

    print(f"fixtures: {len(profiled)} profile-site pages, {len(unknown)} unknown-site pages; "
          f"Python {sys.version.split()[0]}, trafilatura {trafilatura.__version__}")
    functions = {
        "profile parsers (parsers.parse)": profile_body,
        "generic extractor (profiles off)": generic_body,
        "trafilatura.extract": trafilatura_body,
        "trafilatura.extract(fast=True)": trafilatura_fast,
    }
    for label, page_of in (("the fixture pages as they are", lambda b: b),
                           ("the same pages in site chrome (real page size; chrome 35 % script)", wrap),
                           ("the same pages in script-heavy chrome (70 % script)",
                            lambda b: wrap(b, script_share=0.70))):
        pages = [(page_of(f.page.read_bytes()), f.url) for f in profiled]
        unknown_pages = [(page_of(f.page.read_bytes()), f.url) for f in unknown]
        sizes = sorted(len(html) for html, _ in pages + unknown_pages)
        print(f"\n== {label}: {sizes[0] / 1024:.1f}-{sizes[-1] / 1024:.1f} KB, "
              f"median {statistics.median(sizes) / 1024:.1f} KB")
        speeds = rates(functions, pages, args.seconds)
        base, wall_base = speeds["trafilatura.extract"], WALL["trafilatura.extract"]
        print("speed on the profile-site pages (full parse: every field, not only the body);\n"
              "median of interleaved rounds, CPU time of this process (wall clock in brackets)")
        for name, value in speeds.items():
            wall = WALL[name]
            print(f"  {name:36s} {value:8.1f} articles/s {1e6 / value:7.0f} us/page"
                  f"  {value / base:5.1f}x trafilatura   (wall {wall:8.1f}/s {wall / wall_base:5.1f}x)")
        if unknown_pages:
            both = rates({"generic": generic_body, "trafilatura": trafilatura_body}, unknown_pages,
                         args.seconds)
            g, t = both["generic"], both["trafilatura"]
            print(f"  generic on unknown-site pages        {g:8.1f} articles/s   {g / t:5.1f}x trafilatura ({t:.1f}/s)"
                  f"   (wall {WALL['generic'] / WALL['trafilatura']:5.1f}x)")

    for label, page_of in (("pages as they are", None), ("pages in site chrome", wrap)):
        print(f"\nbody quality, {label}: body_contains found / body_excludes kept out")
        rows = [("profile parsers", profile_body, profiled)]
        for group_label, group in (("unknown-site pages", unknown), ("profile pages, profile off", profiled),
                                   ("all pages", fixtures)):
            rows.append((f"generic     / {group_label}", generic_body, group))
            rows.append((f"trafilatura / {group_label}", trafilatura_body, group))
            rows.append((f"traf. fast  / {group_label}", trafilatura_fast, group))
        for row_label, fn, group in rows:
            found, total, absent, excluded = body_hits(fn, group, page_of)
            both = (found + absent) / max(1, total + excluded)
            print(f"  {row_label:42s} contains {found:3d}/{total:<3d} excludes {absent:3d}/{excluded:<3d}  "
                  f"= {both:6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
