"""Issue 15, item 1: what ``hanoi-news run`` does, and what an operator does beside it.

Several sources (generated sites on loopback) are crawled at once into one archive, a few
tenths of a second apart, while ``publish``, ``reparse`` and ``export`` start at random
moments. Each scenario is tried ``HANOI_NEWS_CONCURRENCY_TRIES`` times (default 2; the
figures in the report come from 10) and counts the runs lost: a crawl that exits non-zero
or ends ``failed``, a run left ``running``, an article missing at the end. Nothing may be
lost, and the side commands must succeed too.

* as real processes: one ``crawl --source`` per source (cron), and the side commands;
* as threads in one process, the way ``run`` calls ``crawl`` from the scheduler's jobs.
"""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import threading
import time
import traceback
from contextlib import ExitStack
from pathlib import Path

import pytest

from crawler.config import Settings
from crawler.crawl import crawl
from crawler.sources import load_sources
from tests.support.fault_server import GeneratedSite, site_sources_yaml

ROOT = Path(__file__).resolve().parents[2]
TRIES = int(os.environ.get("HANOI_NEWS_CONCURRENCY_TRIES", "2"))
SOURCES = ("alpha", "beta", "gamma")
ARTICLES = 30


def _sources_yaml(sites: dict[str, GeneratedSite]) -> str:
    """One sources.yml holding every site, each under its own id."""
    parts = [site_sources_yaml(site.base_url, rate=30, source_id=sid).split("sources:\n", 1)[1]
             for sid, site in sites.items()]
    return "sources:\n" + "".join(parts)


def _sites(stack: ExitStack) -> dict[str, GeneratedSite]:
    return {sid: stack.enter_context(GeneratedSite(ARTICLES, latency_s=0.003)) for sid in SOURCES}


def _outcome(db_path: Path, crawled: tuple[str, ...] = SOURCES) -> dict[str, object]:
    conn = sqlite3.connect(db_path, timeout=60)
    try:
        runs = conn.execute("select source, status from runs order by id").fetchall()
        per_source = dict(conn.execute("select source, count(*) from articles group by source").fetchall())
    finally:
        conn.close()
    return {"runs": runs, "articles": per_source}


def _lost(outcome: dict[str, object], crawl_failures: int, crawled: tuple[str, ...] = SOURCES) -> int:
    """Runs lost in one try: crawls that failed, runs not ending ok, sources missing articles."""
    runs = outcome["runs"]
    not_ok = [r for r in runs if not str(r[1]).startswith("ok")]
    short = [s for s in crawled if outcome["articles"].get(s, 0) != ARTICLES]
    return max(crawl_failures, len(not_ok) + (len(crawled) - len(runs)), len(short))


def _wait_for(path: Path, deadline: float) -> None:
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)


def _cli(args: list[str], sources: Path, tmp: Path) -> list[str]:
    db, data = tmp / "archive.db", tmp / "data"
    common = ["--db", str(db)]
    if args[0] in ("crawl", "reparse"):
        common += ["--data-dir", str(data), "--sources", str(sources)]
    if args[0] == "export":
        common += ["--out", str(tmp / "exports")]
    return [sys.executable, "-m", "crawler", *args, *common]


def _cli_try(tmp: Path, rng: random.Random, crawled: tuple[str, ...], side: tuple[str, ...]) -> dict[str, object]:
    with ExitStack() as stack:
        sites = _sites(stack)
        sources = tmp / "sources.yml"
        sources.write_text(_sources_yaml(sites), encoding="utf-8")
        t0 = time.monotonic()
        plan = [(0.0, ["crawl", "--source", crawled[0]])]
        plan += [(rng.uniform(0.0, 1.5), ["crawl", "--source", s]) for s in crawled[1:]]
        # the side commands need an archive to work on: they start once it exists
        plan += [(rng.uniform(0.3, 2.5), [cmd]) for cmd in side]
        plan.sort(key=lambda p: p[0])
        procs: list[tuple[list[str], subprocess.Popen]] = []
        for at, args in plan:
            while time.monotonic() - t0 < at:
                time.sleep(0.01)
            if args[0] != "crawl":
                _wait_for(tmp / "archive.db", t0 + 30)
            procs.append((args, subprocess.Popen(_cli(args, sources, tmp), cwd=ROOT,
                                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)))
        crawl_failures, side_failures, errors = 0, 0, []
        for args, proc in procs:
            out, err = proc.communicate(timeout=300)
            text = (out + err).decode(errors="replace")
            bad = proc.returncode != 0 or "[failed]" in text
            if args[0] == "crawl":
                crawl_failures += bad
            else:
                side_failures += bad
            if bad:
                errors.append(f"{' '.join(args)} -> {proc.returncode}: {text[-600:]}")
    outcome = _outcome(tmp / "archive.db", crawled)
    return {"lost": _lost(outcome, crawl_failures, crawled), "side_failures": side_failures,
            "running": sum(1 for r in outcome["runs"] if r[1] == "running"),
            "errors": errors, "outcome": outcome}


def _thread_try(tmp: Path, rng: random.Random) -> dict[str, object]:
    from crawler.cli import cli
    from crawler.publish.export import export_archive
    from crawler.publish.snapshot import publish_archive

    with ExitStack() as stack:
        sites = _sites(stack)
        sources_path = tmp / "sources.yml"
        sources_path.write_text(_sources_yaml(sites), encoding="utf-8")
        sources = {s.id: s for s in load_sources(sources_path)}
        settings = Settings(db_path=tmp / "archive.db", data_dir=tmp / "data")
        reports, errors, side_failures = {}, [], []
        reparse_cmd = cli.commands["reparse"].callback

        def crawl_job(sid: str, delay: float) -> None:
            time.sleep(delay)
            try:
                reports[sid] = crawl(sources[sid], settings)
            except Exception as exc:  # noqa: BLE001 - counted as a lost run
                errors.append(f"crawl {sid}: {type(exc).__name__}: {exc}")

        def side_job(name: str, delay: float) -> None:
            time.sleep(delay)
            _wait_for(settings.db_path, time.monotonic() + 30)
            try:
                if name == "publish":
                    publish_archive(settings.db_path)
                elif name == "export":
                    export_archive(settings.db_path, tmp / "exports")
                else:
                    reparse_cmd(db=str(settings.db_path), data_dir=str(settings.data_dir),
                                sources=str(sources_path))
            except BaseException as exc:  # noqa: BLE001 - SystemExit of the command included
                side_failures.append(f"{name}: {type(exc).__name__}: {exc}\n{traceback.format_exc()[-1500:]}")

        threads = [threading.Thread(target=crawl_job, args=(SOURCES[0], 0.0))]
        threads += [threading.Thread(target=crawl_job, args=(s, rng.uniform(0.0, 1.0))) for s in SOURCES[1:]]
        threads += [threading.Thread(target=side_job, args=(n, rng.uniform(0.2, 2.0)))
                    for n in ("publish", "reparse", "export")]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
    failed = len(errors) + sum(1 for r in reports.values() if not r.status.startswith("ok"))
    errors += [f"{sid}: {r.summary()} {r.error or ''}" for sid, r in reports.items() if not r.status.startswith("ok")]
    outcome = _outcome(settings.db_path)
    return {"lost": _lost(outcome, failed), "side_failures": len(side_failures),
            "running": sum(1 for r in outcome["runs"] if r[1] == "running"),
            "errors": errors + side_failures, "outcome": outcome}


def _tally(name: str, results: list[dict[str, object]], crawls: int) -> None:
    lost = sum(r["lost"] for r in results)
    side = sum(r["side_failures"] for r in results)
    running = sum(r["running"] for r in results)
    print(f"\n{name}: {len(results)} tries x {crawls} crawls: runs lost {lost}, "
          f"side commands failed {side}, runs left 'running' {running}")
    problems = [e for r in results for e in r["errors"]]
    assert lost == 0 and side == 0 and running == 0, "\n".join(problems)[-4000:]


@pytest.mark.slow
@pytest.mark.parametrize("crawled,side", [
    (SOURCES, ()),                                   # cron: one crawl per source, at once
    (SOURCES[:1], ("publish", "reparse", "export")),  # an operator's commands during a crawl
    (SOURCES, ("publish", "reparse", "export")),      # both
], ids=["crawls", "side-commands", "all"])
def test_processes(tmp_path, crawled, side):
    rng = random.Random(int(os.environ.get("HANOI_NEWS_CONCURRENCY_SEED", "15")))
    results = []
    for i in range(TRIES):
        tmp = tmp_path / f"try{i}"
        tmp.mkdir()
        results.append(_cli_try(tmp, rng, crawled, side))
    _tally(f"processes {len(crawled)} crawls + {', '.join(side) or 'nothing'}", results, len(crawled))


@pytest.mark.slow
def test_run_like_threads_and_side_jobs(tmp_path):
    rng = random.Random(int(os.environ.get("HANOI_NEWS_CONCURRENCY_SEED", "15")))
    results = []
    for i in range(TRIES):
        tmp = tmp_path / f"try{i}"
        tmp.mkdir()
        results.append(_thread_try(tmp, rng))
    _tally("threads 3 crawls + publish, reparse, export", results, len(SOURCES))


@pytest.mark.slow
def test_processes_starting_at_once_migrate_once(tmp_path):
    """Two crawls from cron (and publish) open a new archive in the same instant: the schema
    is created once, and nobody fails on a table the other just created."""
    script = ("import sys; sys.path.insert(0, sys.argv[3]); import time\n"
              "from crawler.store import open_db, open_state\n"
              "while time.time() < float(sys.argv[2]): pass\n"
              "open_db(sys.argv[1] + '/archive.db').close(); open_state(sys.argv[1] + '/state.db').close()\n")
    failures = []
    for i in range(3):
        folder = tmp_path / str(i)
        folder.mkdir()
        start = time.time() + 1.5  # every process past its imports, then all at once
        procs = [subprocess.Popen([sys.executable, "-c", script, str(folder), str(start), str(ROOT)],
                                  stderr=subprocess.PIPE) for _ in range(4)]
        for p in procs:
            _out, err = p.communicate(timeout=60)
            if p.returncode:
                failures.append(err.decode()[-300:])
        for name, expected in (("archive.db", "hanoi-news-archive"), ("state.db", "hanoi-news-state")):
            conn = sqlite3.connect(folder / name)
            rows = conn.execute("select name, count(*) from _sqlite_migrations where migration_set = ? "
                                "group by name", [expected]).fetchall()
            conn.close()
            assert rows and all(n == 1 for _name, n in rows), rows
    assert not failures, failures
