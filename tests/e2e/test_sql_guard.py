"""SQL typed by the public cannot exhaust memory nor take every SQL thread
(crawler/publish/plugins/sql_guard.py, issue 15 §8)."""
from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from bench_serve import build_test_archive  # noqa: E402

from crawler.publish.app import make_datasette  # noqa: E402

# runs until the time limit stops it (a few million steps a second)
SLOW_SQL = ("with recursive c(x) as (select 1 union all select x + 1 from c) "
            "select count(*) from c")


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    path = tmp_path_factory.mktemp("guard") / "archive.db"
    build_test_archive(path).close()
    return path


def test_a_huge_value_is_refused_before_it_is_allocated(archive):
    ds = make_datasette(archive)
    r = asyncio.run(ds.client.get("/archive.json", params={
        "sql": "select length(hex(zeroblob(400000000)))"}))
    assert r.status_code == 400
    assert "too big" in r.json()["error"]
    ok = asyncio.run(ds.client.get("/archive.json", params={
        "sql": "select length(hex(zeroblob(1000000))) as n", "_shape": "array"}))
    assert ok.json() == [{"n": 2000000}]


def test_typed_sql_waits_for_a_slot_and_pages_do_not(archive, monkeypatch):
    """Six slow typed queries at once: two run, the others are told to come back (429),
    and the news page is answered while the two are still running."""
    monkeypatch.setenv("HANOI_NEWS_ADHOC_SQL_CONCURRENCY", "2")
    monkeypatch.setenv("HANOI_NEWS_ADHOC_SQL_WAIT_S", "0.2")
    ds = make_datasette(archive, settings={"sql_time_limit_ms": 1500})

    async def scenario():
        await ds.client.get("/archive/news.json")  # warm: counts and facets cached
        finished = {}

        async def typed(i):
            r = await ds.client.get("/archive.json", params={"sql": SLOW_SQL, "_x": str(i)})
            finished[f"typed{i}"] = time.monotonic()
            return r.status_code

        async def page():
            await asyncio.sleep(0.4)  # the two admitted queries are running by now
            r = await ds.client.get("/archive/news.json")
            finished["page"] = time.monotonic()
            return r.status_code

        results = await asyncio.gather(*(typed(i) for i in range(6)), page())
        return results[:6], results[6], finished

    typed_codes, page_code, finished = asyncio.run(scenario())
    assert sorted(typed_codes) == [400, 400, 429, 429, 429, 429]  # 400: stopped by the time limit
    assert page_code == 200
    admitted = [finished[f"typed{i}"] for i, c in enumerate(typed_codes) if c == 400]
    assert finished["page"] < min(admitted), "the page waited behind typed SQL"


def test_the_429_says_what_to_do(archive, monkeypatch):
    monkeypatch.setenv("HANOI_NEWS_ADHOC_SQL_CONCURRENCY", "1")
    monkeypatch.setenv("HANOI_NEWS_ADHOC_SQL_WAIT_S", "0")
    ds = make_datasette(archive, settings={"sql_time_limit_ms": 800})

    async def scenario():
        return await asyncio.gather(
            ds.client.get("/archive.json", params={"sql": SLOW_SQL}),
            ds.client.get("/archive/articles.json", params={"_where": "1 = 1", "_x": "1"}))

    slow, where = asyncio.run(scenario())
    codes = sorted([slow.status_code, where.status_code])
    assert codes == [400, 429]
    refused = slow if slow.status_code == 429 else where
    assert refused.headers["retry-after"] == "5"
    assert "try again" in refused.text
