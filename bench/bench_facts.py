"""Benchmark ``parsers.facts.extract``: time per average article, printed as a table.

Inputs: the gold cases (fixture articles via ``parsers.parse``, our text cases) and the seeds
in /work/shared/seeds when present. Target: < 5 ms per average article (~3-5 KB).

    .venv/bin/python bench/bench_facts.py [--rounds 20]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from parsers.facts import extract  # noqa: E402
from parsers.facts.evaluate import load_cases  # noqa: E402
from parsers.facts.gazetteer import load  # noqa: E402


def corpus() -> list[tuple[str, date | None]]:
    docs = [(c.text, c.published) for c in load_cases("all")]
    seeds = Path("/work/shared/seeds")
    if seeds.is_dir():
        docs += [(p.read_text(encoding="utf-8"), date(2023, 7, 1)) for p in sorted(seeds.glob("*.txt"))]
    return docs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()
    load()
    extract("Quận Ba Đình", date(2024, 1, 1))
    warm = time.perf_counter() - t0
    docs = corpus()
    per_doc: list[float] = []
    cpu0 = time.process_time()
    for _ in range(args.rounds):
        for text, pub in docs:
            t = time.perf_counter()
            extract(text, pub)
            per_doc.append(time.perf_counter() - t)
    cpu_ms = (time.process_time() - cpu0) * 1000 / (args.rounds * len(docs))
    chars = statistics.mean(len(t) for t, _ in docs)
    ms = [x * 1000 for x in per_doc]
    big = "\n\n".join(t for t, _ in docs) * 3
    t = time.perf_counter()
    extract(big, date(2024, 1, 1))
    big_ms = (time.perf_counter() - t) * 1000
    print(f"gazetteer load + first call: {warm * 1000:.1f} ms")
    print(f"articles: {len(docs)} (mean {chars:.0f} chars), rounds: {args.rounds}")
    print(f"per article: mean {statistics.mean(ms):.2f} ms, median {statistics.median(ms):.2f} ms, "
          f"p95 {sorted(ms)[int(len(ms) * 0.95)]:.2f} ms, max {max(ms):.2f} ms")
    print(f"per article, CPU time (less sensitive to other load on the machine): {cpu_ms:.2f} ms")
    print(f"per KB: {statistics.mean(ms) / (chars / 1024):.2f} ms wall, {cpu_ms / (chars / 1024):.2f} ms CPU")
    print(f"one {len(big) / 1024:.0f} KB text: {big_ms:.0f} ms")
    print("target: < 5 ms per average article ->", "OK" if min(cpu_ms, statistics.mean(ms)) < 5 else "SLOW")


if __name__ == "__main__":
    main()
