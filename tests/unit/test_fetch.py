"""The polite Fetcher against the generated local site: rate limit, robots.txt and its cache,
Crawl-delay, Retry-After, backoff, timeouts, size limit, stop requests; and the WARC store."""
from __future__ import annotations

import random
import threading
import time
from email.utils import formatdate
from pathlib import Path

import pytest

from crawler.fetch import Fetcher, Stopped, _retry_after_seconds, make_client
from crawler.rawstore import RawStore
from crawler.store import open_state
from tests.support.fault_server import Fault, GeneratedSite, site_source


@pytest.fixture
def site():
    with GeneratedSite(10) as s:
        yield s


def fetcher(site, tmp_path=None, **kw):
    source = site_source(site.base_url, **{k: v for k, v in kw.items() if k != "state"})
    return Fetcher(make_client(source), source, state=kw.get("state")), source


def test_user_agent_identifies_with_contact(site):
    f, source = fetcher(site)
    ua = f.client.headers["User-Agent"]
    assert "hanoi-news" in ua and "contact" in ua and "http" in ua


def test_rate_limit_per_host(site):
    f, _ = fetcher(site, rate=20)
    started = time.monotonic()
    for i in range(1, 9):
        assert f.get(site.base_url + site.article_path(i), kind="article").ok
    hits = site.hits(lambda h: site.index_of(h.path))
    # the server's clock sees arrival jitter: judge the average, not one gap
    assert hits[-1].at - hits[0].at >= 7 * 0.05 * 0.95
    assert time.monotonic() - started >= 7 * 0.05


def test_crawl_delay_from_robots_txt(tmp_path):
    with GeneratedSite(5, robots="User-agent: *\nCrawl-delay: 0.3\n") as site:
        f, _ = fetcher(site, rate=100)
        for i in (1, 2, 3):
            f.get(site.base_url + site.article_path(i), kind="article")
        hits = site.hits(lambda h: site.index_of(h.path))
        assert all(b.at - a.at >= 0.28 for a, b in zip(hits, hits[1:]))


def test_robots_disallow_and_its_cache_in_state_db(tmp_path):
    with GeneratedSite(5, robots="User-agent: *\nDisallow: /tin-so-4-\n") as site:  # i=2 of 5 is number 4
        state = open_state(tmp_path / "state.db")
        f, _ = fetcher(site, state=state)
        res = f.get(site.base_url + site.article_path(2), kind="article")
        assert res.error == "disallowed by robots.txt" and res.status is None
        assert f.get(site.base_url + site.article_path(1), kind="article").ok
        assert site.counts["/robots.txt"] == 1
        f2, _ = fetcher(site, state=state)  # a new run: robots.txt comes from state.db
        assert f2.get(site.base_url + site.article_path(3), kind="article").ok
        assert f2.get(site.base_url + site.article_path(2), kind="article").error == "disallowed by robots.txt"
        assert site.counts["/robots.txt"] == 1


def test_robots_missing_allows_and_robots_5xx_pauses(site):
    site.faults["/robots.txt"] = Fault("status", status=404, times=1)
    f, _ = fetcher(site)
    assert f.get(site.base_url + site.article_path(1), kind="article").ok
    site.faults["/robots.txt"] = Fault("status", status=503)
    f, _ = fetcher(site, max_retries=0)
    res = f.get(site.base_url + site.article_path(1), kind="article")
    assert res.paused and "robots.txt unavailable" in res.error
    assert site.counts.get(site.article_path(1)) == 1  # only the first fetcher's request


def test_retry_after_seconds_and_http_date():
    assert _retry_after_seconds("7") == 7.0
    assert _retry_after_seconds(None) is None and _retry_after_seconds("soon") is None
    later = formatdate(time.time() + 30, usegmt=True)
    assert 25 <= _retry_after_seconds(later) <= 31


def test_429_retry_after_is_honoured(site):
    site.faults[site.article_path(1)] = Fault("status", status=429, headers={"Retry-After": "1"}, times=1)
    f, _ = fetcher(site)
    res = f.get(site.base_url + site.article_path(1), kind="article")
    assert res.ok and res.attempts == 2
    hits = site.hits(lambda h: h.path == site.article_path(1))
    assert hits[1].at - hits[0].at >= 0.95


def test_backoff_is_exponential_with_jitter(site):
    f, source = fetcher(site)
    f.rng = random.Random(1)
    base = source.politeness.backoff_base_s
    for attempt in (1, 2, 3, 4):
        values = [f._backoff(attempt) for _ in range(200)]
        step = base * 2 ** (attempt - 1)
        assert step * 0.5 <= min(values) and max(values) <= step * 1.5
        assert len(set(values)) > 100  # jitter


def test_total_timeout_on_a_dripping_body(site):
    site.faults[site.article_path(1)] = Fault("drip", seconds=0.02)
    f, _ = fetcher(site, timeout_s=1, total_timeout_s=1.0, max_retries=0)
    started = time.monotonic()
    res = f.get(site.base_url + site.article_path(1), kind="article")
    assert "total timeout" in res.error and time.monotonic() - started < 2.5


def test_read_timeout(site):
    site.faults[site.article_path(1)] = Fault("timeout", seconds=1.5)
    f, _ = fetcher(site, timeout_s=0.3, max_retries=0)
    res = f.get(site.base_url + site.article_path(1), kind="article")
    assert res.error.startswith("transport") and "Timeout" in res.error


def test_size_limit(site):
    site.faults[site.article_path(1)] = Fault("big", size=20_000_000)
    f, source = fetcher(site)
    res = f.get(site.base_url + site.article_path(1), kind="article")
    assert "larger than" in res.error and res.body == b""


def test_stop_request_interrupts_waiting(site):
    f, _ = fetcher(site, rate=0.4)  # one request every 2.5 s
    f.get(site.base_url + site.article_path(1), kind="article")
    threading.Timer(0.2, f.stop.set).start()
    started = time.monotonic()
    with pytest.raises(Stopped):
        f.get(site.base_url + site.article_path(2), kind="article")
    assert time.monotonic() - started < 1.0


def test_breaker_state_is_persisted_and_half_opens(tmp_path, site):
    for i in range(1, 11):
        site.faults[site.article_path(i)] = Fault("status", status=500)
    state = open_state(tmp_path / "state.db")
    f, _ = fetcher(site, state=state, max_retries=0, breaker_pause_s=1.5, breaker_threshold=3)
    for i in (1, 2, 3):
        f.get(site.base_url + site.article_path(i), kind="article")
    assert f.is_paused(site.base_url)
    assert f.get(site.base_url + site.article_path(4), kind="article").paused
    f2, _ = fetcher(site, state=state, max_retries=0, breaker_pause_s=1.5, breaker_threshold=3)
    assert f2.is_paused(site.base_url)
    time.sleep(1.6)
    f3, _ = fetcher(site, state=state, max_retries=0, breaker_pause_s=1.5, breaker_threshold=3)
    assert not f3.is_paused(site.base_url)
    f3.get(site.base_url + site.article_path(5), kind="article")  # one more failure re-opens
    assert f3.is_paused(site.base_url)


def test_rawstore_roundtrip_and_torn_tail(tmp_path):
    store = RawStore(tmp_path)
    refs = [store.write("s", f"http://x/a-{i}.html", 200, "OK", [("Content-Type", "text/html")],
                        f"<p>{i} Hà Nội</p>".encode(), "2025-01-01T10:00:00+07:00", [("User-Agent", "t")],
                        requested_url="http://x/old" if i == 1 else None) for i in range(3)]
    assert store.read(refs[2]).body == "<p>2 Hà Nội</p>".encode()
    caps = list(store.iter_captures())
    assert [c.ref for c in caps] == refs and caps[1].requested_url == "http://x/old"
    assert caps[0].fetched_at == "2025-01-01T10:00:00+07:00" and caps[0].headers["content-type"] == "text/html"
    path = tmp_path / "s" / "2025-01-01.warc.gz"
    with open(path, "ab") as fh:  # what a kill -9 in the middle of a write leaves
        fh.write(b"\x1f\x8b\x08\x00torn")
    again = RawStore(tmp_path)
    ref = again.write("s", "http://x/a-9.html", 200, "OK", [], b"<p>9</p>", "2025-01-01T11:00:00+07:00")
    assert [c.body for c in again.iter_captures()][-1] == b"<p>9</p>" and again.read(ref).body == b"<p>9</p>"
    assert len(list(again.iter_captures())) == 4


def test_rawstore_torn_first_record_without_marker(tmp_path):
    store = RawStore(tmp_path)
    store.write("s", "http://x/a-1.html", 200, "OK", [], b"<p>1</p>", "2025-01-01T10:00:00+07:00")
    path = tmp_path / "s" / "2025-01-01.warc.gz"
    (tmp_path / "s" / "2025-01-01.warc.gz.end").unlink()  # killed before the marker, or an older file
    with open(path, "ab") as fh:
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03torn")
    again = RawStore(tmp_path)
    again.write("s", "http://x/a-2.html", 200, "OK", [], b"<p>2</p>", "2025-01-01T11:00:00+07:00")
    assert [c.body for c in again.iter_captures()] == [b"<p>1</p>", b"<p>2</p>"]
