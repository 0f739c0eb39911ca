"""Polite HTTP fetching: robots.txt, per-host rate limit, retries with backoff and
Retry-After, size limit, a per-host circuit breaker, and raw capture of every response.

One ``Fetcher`` serves one source (one run); the ``httpx.Client`` is passed in.

Hostile hosts (issue 15): a URL is requested only when it is in the source's scope
(``urls.refusal``: http(s), one of the source's hosts and ports), checked again at every
redirect hop (the fetcher follows redirects itself) together with robots.txt of the hop's
host; a refused URL is a ``fetches`` row with its reason and no request. A public source
never reads an answer from a local or private address (a name that resolves there). The
body is read raw and decoded layer by layer with the size limit on every layer
(``inflate``).
"""
from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable
from urllib.parse import urljoin, urlsplit, urlunsplit

import httpx
from protego import Protego
from sqlite_utils import Database

from . import clock, inflate
from .rawstore import RawStore
from .sources import Politeness, Source
from .urls import is_local_host, refusal

log = logging.getLogger(__name__)

RETRY_STATUS = {429, 500, 502, 503, 504, 520, 522, 524}
BREAKER_STATUS = {403, 429} | RETRY_STATUS
ROBOTS_MAX_AGE_S = 24 * 3600  # robots.txt is re-read once a day (kept in state.db ``hosts``)
GLOBAL_CONCURRENCY = 4  # requests in flight across all sources of one process
MAX_REDIRECTS = 8
REDIRECT_STATUS = {301, 302, 303, 307, 308}
_IN_FLIGHT = threading.BoundedSemaphore(GLOBAL_CONCURRENCY)


@dataclass
class FetchResult:
    url: str
    kind: str
    final_url: str | None = None
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    fetched_at: str = ""
    elapsed_ms: int = 0
    not_modified: bool = False
    attempts: int = 0
    capture: str | None = None
    error: str | None = None
    paused: bool = False  # not sent: the host is paused (breaker open, robots.txt unreadable)
    _done: bool = field(default=True, repr=False)

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def redirected_home(self) -> bool:
        if not self.final_url or self.final_url == self.url:
            return False
        return urlsplit(self.final_url).path in ("", "/") and urlsplit(self.url).path not in ("", "/")


@dataclass
class HostState:
    next_allowed: float = 0.0
    failures: int = 0
    open_until: float = 0.0
    reason: str = ""
    robots: Protego | None = None
    robots_loaded: bool = False
    robots_error: str | None = None
    persisted_failures: int = 0
    opens: int = 0  # times the breaker opened in a row (no success between): the pause doubles


class Stopped(Exception):
    """The run was asked to stop (SIGINT/SIGTERM) while waiting."""


def make_client(source: Source) -> httpx.Client:
    pol = source.politeness
    timeout = httpx.Timeout(pol.timeout_s, connect=pol.connect_timeout_s)
    return httpx.Client(
        timeout=timeout, follow_redirects=False,  # the Fetcher follows them, checking every hop
        headers={"User-Agent": source.user_agent, "Accept-Language": "vi,en;q=0.5",
                 "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                 "Accept-Encoding": "gzip, deflate"},  # what ``inflate`` undoes
        transport=httpx.HTTPTransport(retries=1),
    )


class Fetcher:
    def __init__(
        self,
        client: httpx.Client,
        source: Source,
        *,
        rawstore: RawStore | None = None,
        on_fetch: Callable[[FetchResult], None] | None = None,
        stop: threading.Event | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        state: Database | None = None,
    ):
        self.client = client
        client.follow_redirects = False  # followed here, every hop checked (see module doc)
        if _set_location_aside not in client.event_hooks["response"]:
            client.event_hooks = {**client.event_hooks,
                                  "response": [*client.event_hooks["response"], _set_location_aside]}
        self.source = source
        self.pol: Politeness = source.politeness
        self.rawstore = rawstore
        self.on_fetch = on_fetch
        self.stop = stop or threading.Event()
        self.monotonic = monotonic
        self.rng = rng or random.Random()
        self.state = state  # state.db: the breaker and robots.txt survive restarts
        self.hosts: dict[str, HostState] = {}
        self.requests_made = 0

    # -- public -------------------------------------------------------------------------
    def get(self, url: str, *, kind: str, etag: str | None = None,
            last_modified: str | None = None) -> FetchResult:
        """Fetch one URL politely. Never raises for network or HTTP trouble: see ``error``."""
        why = refusal(self.source, url)
        if why:
            return self.refuse(url, kind, f"refused: {why}")
        result = FetchResult(url=url, kind=kind)
        state = self._host(url)
        if state.open_until > self.monotonic():
            result.error = f"host paused by circuit breaker: {state.reason}"
            result.paused = True
            result.fetched_at = clock.iso()
            self._emit(result)
            return result
        if self.pol.obey_robots and not urlsplit(url).path == "/robots.txt":
            verdict = self._robots_verdict(url, state)
            if verdict:
                result.error = verdict
                result.paused = state.robots_error is not None
                result.fetched_at = clock.iso()
                self._emit(result)
                return result
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._attempts(url, headers, result, state)  # each attempt is its own fetches row
        return result

    def refuse(self, url: str, kind: str, why: str) -> FetchResult:
        """A URL that is not requested: a ``fetches`` row with ``why`` and no status."""
        result = FetchResult(url=url[:2000], kind=kind, error=why[:500], fetched_at=clock.iso())
        self._emit(result)
        return result

    def crawl_delay(self, url: str) -> float:
        return self._interval(self._host(url))

    def is_paused(self, url: str) -> bool:
        """Is the URL's host paused by the circuit breaker (now, or by an earlier run)?"""
        return self._host(url).open_until > self.monotonic()

    def pause_reason(self, url: str) -> str:
        return self._host(url).reason

    # -- host state (memory + state.db) ---------------------------------------------------
    def _host(self, url: str) -> HostState:
        key = self._host_key(url)
        state = self.hosts.get(key)
        if state is None:
            state = self.hosts[key] = HostState()
            self._load_host(key, state)
        return state

    def _load_host(self, key: str, state: HostState) -> None:
        if self.state is None or "hosts" not in self.state.table_names():
            return
        row = self.state.execute("select consecutive_failures, open_until, reason, robots_txt, robots_fetched_at, "
                                 "breaker_opens from hosts where host = ?", [key]).fetchone()
        if row is None:
            return
        failures, open_until, reason, robots_txt, robots_at, opens = row
        state.failures = state.persisted_failures = int(failures or 0)
        state.opens = int(opens or 0)
        state.reason = reason or ""
        if open_until:
            left = (datetime.fromisoformat(open_until) - clock.now()).total_seconds()
            if left > 0:
                state.open_until = self.monotonic() + left
            elif state.failures >= self.pol.breaker_threshold:
                state.failures = self.pol.breaker_threshold - 1  # half-open: one more failure re-opens
        if robots_at is not None and robots_txt is not None:
            age = (clock.now() - datetime.fromisoformat(robots_at)).total_seconds()
            if 0 <= age < ROBOTS_MAX_AGE_S:
                state.robots = Protego.parse(robots_txt) if robots_txt else None
                state.robots_loaded = True

    def _save_host(self, key: str, state: HostState, **extra: object) -> None:
        if self.state is None:
            return
        open_until = None
        left = state.open_until - self.monotonic()
        if left > 0:
            open_until = (clock.now() + timedelta(seconds=left)).isoformat(timespec="seconds")
        row = {"host": key, "consecutive_failures": state.failures, "open_until": open_until,
               "reason": state.reason or None, "breaker_opens": state.opens, **extra}
        with self.state.atomic():
            self.state.table("hosts").upsert(row, pk="host")
        state.persisted_failures = state.failures

    # -- internals ----------------------------------------------------------------------
    def _host_key(self, url: str) -> str:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}".lower()

    def _interval(self, state: HostState) -> float:
        interval = 1.0 / self.pol.rate_per_second if self.pol.rate_per_second > 0 else 0.0
        if state.robots is not None:
            delay = state.robots.crawl_delay(self.source.user_agent)
            if delay:
                interval = max(interval, float(delay))
        return interval

    def _wait(self, seconds: float) -> None:
        if seconds > 0 and self.stop.wait(seconds):
            raise Stopped()
        if self.stop.is_set():
            raise Stopped()

    def _pace(self, state: HostState) -> None:
        if self.stop.is_set():  # checked before every request, waiting or not
            raise Stopped()
        now = self.monotonic()
        if state.next_allowed > now:
            self._wait(state.next_allowed - now)
        state.next_allowed = max(self.monotonic(), state.next_allowed) + self._interval(state)

    def _robots_verdict(self, url: str, state: HostState) -> str | None:
        if not state.robots_loaded:
            parts = urlsplit(url)
            robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            res = self.get(robots_url, kind="robots")
            state.robots_loaded = True
            state.robots_error = None
            text: str | None = None
            if res.ok:
                text = res.body.decode("utf-8", errors="replace")
                state.robots = Protego.parse(text)
            elif res.status is not None and 400 <= res.status < 500 and res.status not in (401, 403, 429):
                state.robots = None  # no robots.txt: everything allowed
                text = ""
            else:  # 5xx, 401/403/429, network trouble: assume nothing is allowed for now (RFC 9309)
                state.robots_error = res.error or f"HTTP {res.status}"
                state.robots_loaded = False
            if text is not None:
                self._save_host(self._host_key(url), state, robots_txt=text, robots_fetched_at=clock.iso())
        if state.robots_error:
            return f"robots.txt unavailable ({state.robots_error}); not fetching until it can be read"
        if state.robots is not None and not state.robots.can_fetch(url, self.source.user_agent):
            return "disallowed by robots.txt"
        return None

    def _backoff(self, attempt: int) -> float:
        base = self.pol.backoff_base_s * (2 ** (attempt - 1))
        return base * (0.5 + self.rng.random())  # full jitter around the exponential step

    def _attempts(self, url: str, headers: dict[str, str], result: FetchResult, state: HostState) -> None:
        for attempt in range(1, self.pol.max_retries + 2):
            result.attempts = attempt
            self._pace(state)
            retry_after = self._one_request(url, headers, result)
            self.requests_made += 1
            try:
                self._after_attempt(url, result, state, retry_after, attempt)
            finally:
                self._emit(result)
            if result._done:
                return

    def _after_attempt(self, url: str, result: FetchResult, state: HostState, retry_after: float | None,
                       attempt: int) -> None:
        """Decide what follows an attempt; sets ``result._done`` when there is no retry."""
        result._done = True
        status = result.status
        failed = result.error is not None or status in BREAKER_STATUS
        if not failed:
            state.failures = 0
            if state.persisted_failures or state.opens:
                state.reason = ""
                state.opens = 0
                self._save_host(self._host_key(url), state)
            return
        retryable = (result.error or "").startswith("transport") or status in RETRY_STATUS
        if status in BREAKER_STATUS or (result.error or "").startswith("transport"):
            state.failures += 1
            if state.failures >= self.pol.breaker_threshold:
                state.opens += 1
                pause = min(self.pol.breaker_pause_s * 2 ** min(state.opens - 1, 30), self.pol.breaker_max_pause_s)
                reason = (f"{state.failures} failures in a row, last: {result.error or f'HTTP {status}'}"
                          + (f" (paused {state.opens} times in a row)" if state.opens > 1 else ""))
                self._open(url, state, pause, reason)
                return
        if not retryable or attempt > self.pol.max_retries:
            return
        delay = retry_after if retry_after is not None else self._backoff(attempt)
        if delay > self.pol.max_retry_after_s:
            result.error = (result.error or f"HTTP {status}") + f"; Retry-After {delay:.0f}s: host paused"
            self._open(url, state, delay, f"HTTP {status} with Retry-After {delay:.0f}s")
            return
        log.info("retry %s in %.1fs (attempt %d: %s)", url, delay, attempt, result.error or status)
        state.next_allowed = max(state.next_allowed, self.monotonic() + delay)
        result._done = False

    def _open(self, url: str, state: HostState, pause_s: float, reason: str) -> None:
        state.open_until = self.monotonic() + pause_s
        state.reason = reason
        log.warning("pausing %s for %.0fs: %s", self._host_key(url), pause_s, reason)
        self._save_host(self._host_key(url), state)

    def _one_request(self, url: str, headers: dict[str, str], result: FetchResult) -> float | None:
        """One attempt: the request and the redirects it leads to, each hop checked."""
        result.final_url = None
        hop = url
        for _ in range(MAX_REDIRECTS + 1):
            with _IN_FLIGHT:
                retry_after, location = self._request(hop, headers, result, requested=url)
            if location is None:
                return retry_after
            target, why = self._redirect_refusal(hop, location)
            if why:
                result.error = f"redirect to {target[:300]} refused: {why}"[:500]
                return None
            self._pace(self._host(target))  # the next hop is a request to its host like any other
            hop = target
            headers = {}  # validators belong to the URL asked for
        result.error = f"too many redirects (more than {MAX_REDIRECTS}; a redirect loop?)"
        return None

    def _redirect_refusal(self, hop: str, location: str) -> tuple[str, str | None]:
        """(target, why it is not followed: None when it is)."""
        try:
            target = urljoin(hop, location.strip())
            target = urlunsplit(urlsplit(target)._replace(fragment=""))
        except ValueError as exc:
            return location, f"malformed URL ({exc})"
        why = refusal(self.source, target)
        if why is None and self.pol.obey_robots:
            why = self._robots_verdict(target, self._host(target))
        return target, why

    def _request(self, url: str, headers: dict[str, str], result: FetchResult,
                 requested: str) -> tuple[float | None, str | None]:
        """One HTTP request; returns (Retry-After seconds, redirect Location)."""
        result.error = None
        result.status = None
        result.body = b""
        result.final_url = url
        result.fetched_at = clock.iso()
        started = time.perf_counter()
        deadline = self.monotonic() + self.pol.total_timeout_s
        try:
            with self.client.stream("GET", url, headers=headers) as resp:
                result.status = resp.status_code
                result.headers = {k.lower(): v for k, v in resp.headers.items()}
                location = result.headers.pop(LOCATION_ASIDE, None)
                if location is not None:
                    if resp.status_code in REDIRECT_STATUS:
                        return None, location
                    result.headers["location"] = location  # kept as sent (201, 300 ...)
                why = self._peer_refusal(resp)
                if why:
                    result.error = f"refused: {why}"
                    return None, None
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.pol.max_bytes:
                    result.error = f"response larger than {self.pol.max_bytes} bytes (Content-Length {declared})"
                    return None, None
                chunks = []
                for chunk in inflate.decoded(resp.iter_raw(), resp.headers.get("content-encoding"),
                                             self.pol.max_bytes):
                    if self.monotonic() > deadline:
                        result.error = f"transport: total timeout of {self.pol.total_timeout_s:g}s exceeded"
                        return None, None
                    chunks.append(chunk)
                result.body = b"".join(chunks)
                reason = resp.reason_phrase
                request_headers = list(resp.request.headers.items())
        except inflate.TooLarge as exc:
            result.error = f"response larger than {self.pol.max_bytes} bytes ({exc})"
            return None, None
        except inflate.BadEncoding as exc:
            result.error = f"content encoding: {exc}"[:500]
            return None, None
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
            result.error = f"transport: {type(exc).__name__}: {exc}"[:500]
            return None, None
        except httpx.HTTPError as exc:
            result.error = f"http: {type(exc).__name__}: {exc}"[:500]
            return None, None
        except (httpx.InvalidURL, ValueError, UnicodeError) as exc:  # not HTTPErrors: never out of a run
            result.error = f"malformed URL: {type(exc).__name__}: {exc}"[:500]
            return None, None
        finally:
            result.elapsed_ms = int((time.perf_counter() - started) * 1000)
        result.not_modified = result.status == 304
        if self.rawstore is not None and result.status is not None:
            result.capture = self.rawstore.write(
                self.source.id, url, result.status, reason,
                list(result.headers.items()), result.body, result.fetched_at, request_headers,
                requested_url=requested)
        if result.status in (429, 503):
            return _retry_after_seconds(result.headers.get("retry-after")), None
        return None, None

    def _peer_refusal(self, resp: httpx.Response) -> str | None:
        """A public source's host name that resolved to a local or private address (DNS
        pointing inside): the answer is not read. Not judged behind a proxy (the environment's
        HTTP(S)_PROXY), whose address is the peer."""
        if is_local_host(urlsplit(self.source.base_url).hostname or ""):
            return None
        if self.client.trust_env and urllib.request.getproxies():
            return None  # the peer is the proxy (often on a private network), not the site
        stream = resp.extensions.get("network_stream")
        try:
            peer = stream.get_extra_info("server_addr") if stream is not None else None
        except Exception:  # a transport without socket details (tests' mock transports)
            return None
        if isinstance(peer, tuple) and peer and is_local_host(str(peer[0])):
            return f"{resp.url.host} resolved to the local or private address {peer[0]}"
        return None

    def _emit(self, result: FetchResult) -> None:
        if result.error or (result.status or 0) >= 400:
            log.info("fetch source=%s kind=%s status=%s attempt=%d url=%s error=%s", self.source.id, result.kind,
                     result.status, result.attempts, result.url, result.error)
        else:
            log.debug("fetch source=%s kind=%s status=%s ms=%d url=%s", self.source.id, result.kind,
                      result.status, result.elapsed_ms, result.url)
        if self.on_fetch is not None:
            self.on_fetch(result)


LOCATION_ASIDE = "x-hanoi-news-location"


def _set_location_aside(response: httpx.Response) -> None:
    """httpx builds the next request of every redirect even when it does not follow it, and
    a Location it cannot make a URL of (``javascript:alert(1)``) raises ``InvalidURL`` out
    of ``send``. The Location is moved aside before that, for the Fetcher to judge."""
    if "location" in response.headers:
        response.headers[LOCATION_ASIDE] = response.headers.pop("location")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


__all__ = ["Fetcher", "FetchResult", "Stopped", "make_client"]
