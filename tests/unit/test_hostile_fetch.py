"""Issue 15, the fetcher against a hostile host (tests/support/hostile_server.py): compression
bombs and streamed bodies stay within the size limit and bounded memory, URLs outside the
source are refused without a request (at every redirect hop too), bad URLs are rows and not
exceptions, a public name resolving to a private address is not read, and the breaker's
pause grows each time it re-opens."""
from __future__ import annotations

import gzip
import socket
import tracemalloc
import zlib

import pytest

from crawler import inflate
from crawler.fetch import Fetcher, make_client
from crawler.store import open_state
from tests.support.fault_server import Fault, GeneratedSite, site_source
from tests.support.hostile_server import JS_REDIRECT, HostileSite, hostile_source

LIMIT = 1_000_000


@pytest.fixture(scope="module")
def site():
    with HostileSite(bomb_bytes=256 * 1024 * 1024) as s:
        s.bomb()  # built once, before any measurement
        yield s


def _fetcher(base_url: str, rows: list | None = None, **pol) -> Fetcher:
    source = hostile_source(base_url, **pol)
    return Fetcher(make_client(source), source, on_fetch=rows.append if rows is not None else None)


def _peak_of(call):
    tracemalloc.start()
    try:
        result = call()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_double_gzip_bomb_is_cut_at_the_limit_with_bounded_memory(site):
    f = _fetcher(site.base_url, max_bytes=LIMIT)
    res, peak = _peak_of(lambda: f.get(site.base_url + "/bomb-gzip-gzip.html", kind="article"))
    assert res.body == b"" and f"larger than {LIMIT} bytes" in res.error
    assert len(site.bomb()) < 4096  # a few KB on the wire ...
    assert peak < 8 * LIMIT, f"peak {peak / 1e6:.0f} MB for a limit of {LIMIT / 1e6:.0f} MB"  # ... 256 MiB inside


def test_streamed_bodies_without_content_length_are_cut_at_the_limit(site):
    f = _fetcher(site.base_url, max_bytes=LIMIT)
    res = f.get(site.base_url + "/big-chunked.html", kind="article")  # 5 MB, no Content-Length
    assert res.body == b"" and f"larger than {LIMIT} bytes" in res.error
    res, peak = _peak_of(lambda: f.get(site.base_url + "/bomb-gzip-chunked.html", kind="article"))
    assert res.body == b"" and f"larger than {LIMIT} bytes" in res.error
    assert peak < 8 * LIMIT, f"peak {peak / 1e6:.0f} MB for a limit of {LIMIT / 1e6:.0f} MB"


def test_an_encoding_the_fetcher_cannot_undo_is_an_error_not_a_body(site):
    res = _fetcher(site.base_url).get(site.base_url + "/odd-encoding.html", kind="article")
    assert res.body == b"" and "x-hostile" in res.error and not res.ok


def test_inflate_reads_what_servers_send():
    text = "Phường Kim Liên ".encode() * 5000
    raw_deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    cases = {
        "gzip": gzip.compress(text),
        "x-gzip": gzip.compress(text[:100]) + gzip.compress(text[100:]),  # two members
        "deflate": zlib.compress(text),
        "Deflate": raw_deflate.compress(text) + raw_deflate.flush(),  # raw, as some servers send
        "gzip, deflate": zlib.compress(gzip.compress(text)),
        "identity": text,
    }
    for header, body in cases.items():
        pieces = [body[i:i + 1000] for i in range(0, len(body), 1000)]
        assert b"".join(inflate.decoded(pieces, header, 10 * len(text))) == text, header
    with pytest.raises(inflate.TooLarge):
        list(inflate.decoded([gzip.compress(text)], "gzip", len(text) - 1))
    with pytest.raises(inflate.BadEncoding):
        list(inflate.decoded([b"not gzip at all"], "gzip", 10 ** 6))
    with pytest.raises(inflate.BadEncoding):
        list(inflate.decoded([text], "gzip, gzip, gzip, gzip", 10 ** 6))


def test_redirects_off_the_source_are_refused_without_a_request(site):
    f = _fetcher(site.base_url)
    away = f.get(site.base_url + "/go-away.html", kind="article")  # to another host
    assert away.status == 302 and away.body == b""
    assert away.error.startswith("redirect to http://evil.example/") and "not one of the source's hosts" in away.error
    port = f.get(site.base_url + "/go-victim.html", kind="article")  # to another port of 127.0.0.1
    assert port.status == 302 and "refused" in port.error and "not the source's own address" in port.error
    assert site.victim_hits == []


def test_a_javascript_location_is_a_fetch_error_not_an_exception(site):
    res = _fetcher(site.base_url).get(site.base_url + JS_REDIRECT, kind="article")
    assert res.status == 302 and "refused" in res.error and "not an http(s) URL" in res.error


def test_urls_outside_the_source_are_rows_without_a_request(site):
    rows: list = []
    f = _fetcher(site.base_url, rows)
    port = site.base_url.rsplit(":", 1)[1]
    bad = [
        f"{site.base_url}@evil.example/tin-1-100001.html",  # user info: the host is evil.example
        f"http://127.0.0.1.evil.example:{port}/tin-1-100001.html",  # a prefix of the base URL
        f"{site.victim_url}/tin-1-100001.html",  # another port of the same machine
        "http://127.0.0.1:abc/tin-1-100001.html",  # a port that is not a number
        "http://[127.0.0.1/tin-1-100001.html",  # malformed
        "javascript:alert(1)",
        f"{site.base_url}/tin 1.html",  # white space
    ]
    before = len(site.log)
    for url in bad:
        res = f.get(url, kind="article")
        assert res.status is None and res.error.startswith("refused: "), (url, res.error)
    assert len(rows) == len(bad) and all(r.error for r in rows)
    assert len(site.log) == before and site.victim_hits == []


def test_a_public_name_resolving_to_a_private_address_is_not_read(site, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kw):  # DNS that points a public name inside
        return real("127.0.0.1" if host == "news.example" else host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    port = site.base_url.rsplit(":", 1)[1]
    f = _fetcher(f"http://news.example:{port}", obey_robots=False)
    res = f.get(f"http://news.example:{port}/tin-1-100001.html", kind="article")
    assert res.body == b"" and not res.ok
    assert "resolved to the local or private address 127.0.0.1" in res.error


def test_breaker_pause_doubles_on_each_reopen_up_to_a_cap_and_resets_on_success(tmp_path):
    with GeneratedSite(3) as gen:
        gen.faults[gen.article_path(1)] = Fault("status", status=503)
        bad, good = gen.base_url + gen.article_path(1), gen.base_url + gen.article_path(2)
        source = site_source(gen.base_url, max_retries=0, breaker_threshold=1, breaker_pause_s=10,
                             extra_politeness="      breaker_max_pause_s: 30\n")
        state = open_state(tmp_path / "state.db")
        now = [1000.0]
        f = Fetcher(make_client(source), source, state=state, monotonic=lambda: now[0])
        pauses = []
        for _ in range(4):
            f.get(bad, kind="article")
            host = f._host(bad)
            pauses.append(round(host.open_until - now[0]))
            now[0] = host.open_until + 1  # the pause is over: the next failure re-opens it
        assert pauses == [10, 20, 30, 30]
        row = state.execute("select breaker_opens, reason from hosts").fetchone()
        assert row[0] == 4 and "paused 4 times in a row" in row[1]  # survives a restart
        assert f.get(good, kind="article").ok  # a success resets the growth
        assert state.execute("select breaker_opens from hosts").fetchone()[0] == 0
        f.get(bad, kind="article")
        assert round(f._host(bad).open_until - now[0]) == 10
