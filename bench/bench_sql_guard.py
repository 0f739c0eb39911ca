"""Benchmark: what SQL typed by the public costs the server, with and without the guard
(crawler/publish/plugins/sql_guard.py), side by side in one run.

    .venv/bin/python bench/bench_sql_guard.py [--filler 60] [--typed 6]

For each setting (HANOI_NEWS_SQL_GUARD=0 and =1) a Datasette server is started in a
process of its own on a small generated archive (bench_serve.build_test_archive), then:

* the news page (JSON) alone: median and p95 over 20 requests;
* the news page while ``--typed`` slow typed queries (each stopped by the 3 s time limit)
  run at once from other threads: median and p95 over 10 requests, and what the typed
  queries were answered;
* ``select length(hex(zeroblob(400000000)))``: its answer, how long it took, and the
  server's peak resident memory (VmHWM) before and after it.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_serve import _free_port, _stats, build_test_archive, serve_in_process  # noqa: E402

SLOW_SQL = ("with recursive c(x) as (select 1 union all select x + 1 from c) "
            "select count(*) from c")
BOMB_SQL = "select length(hex(zeroblob(400000000)))"


def _peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _page_times(client: httpx.Client, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        client.get("/archive/news.json").raise_for_status()
        times.append((time.perf_counter() - t) * 1000)
    return times


def measure(path: Path, guard: bool, typed: int) -> dict:
    os.environ["HANOI_NEWS_SQL_GUARD"] = "1" if guard else "0"
    port = _free_port()
    proc = serve_in_process(path, port)
    out: dict = {"guard": "on" if guard else "off"}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            client.get("/archive/news.json")  # counts and facets cached
            out.update(_stats(_page_times(client, 20), "alone_"))
            answers: list[int] = []

            def slow(i: int) -> None:
                with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
                    answers.append(c.get("/archive.json", params={"sql": SLOW_SQL, "_i": i}).status_code)

            threads = [threading.Thread(target=slow, args=(i,)) for i in range(typed)]
            for t in threads:
                t.start()
            time.sleep(0.5)  # the typed queries hold their threads by now
            out.update(_stats(_page_times(client, 10), "busy_"))
            for t in threads:
                t.join()
            out["typed_answers"] = " ".join(str(c) for c in sorted(answers))
            out["rss_before_mb"] = round(_peak_mb(proc.pid))
            t = time.perf_counter()
            r = client.get("/archive.json", params={"sql": BOMB_SQL})
            out["bomb_ms"] = round((time.perf_counter() - t) * 1000)
            out["bomb_answer"] = f"{r.status_code} {r.text[:60]!r}"
            out["rss_peak_mb"] = round(_peak_mb(proc.pid))
    finally:
        proc.terminate()
        proc.wait(10)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--filler", type=int, default=60, help="filler articles in the archive")
    ap.add_argument("--typed", type=int, default=6, help="slow typed queries at once")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "archive.db"
        build_test_archive(path, filler=args.filler).close()
        rows = [measure(path, guard, args.typed) for guard in (False, True)]
    keys = list(rows[0])
    print(f"{'':22}" + "".join(f"{'guard ' + r['guard']:>30}" for r in rows))
    for k in keys[1:]:
        print(f"{k:22}" + "".join(f"{str(r[k]):>30}" for r in rows))
    off, on = rows
    print(f"news page p95 while {args.typed} typed queries run: "
          f"{off['busy_p95_ms']} ms -> {on['busy_p95_ms']} ms "
          f"({off['busy_p95_ms'] / max(on['busy_p95_ms'], 0.1):.0f}x less); "
          f"peak memory after the zeroblob query: {off['rss_peak_mb']} MB -> {on['rss_peak_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
