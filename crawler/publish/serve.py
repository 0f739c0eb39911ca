"""``hanoi-news run``: the scheduler and Datasette in one asyncio process.

Shutdown on SIGINT/SIGTERM is clean and quick: uvicorn stops serving, the scheduler is
paused, the running crawl is asked to stop between two requests (each article is its own
transaction, so nothing is left half-written), and the process exits 0 within seconds.
See STACK.md §3 for why the signal handlers are installed first.
"""
from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from datetime import datetime
from typing import Callable

import uvicorn

from ..errors import CrawlerError

log = logging.getLogger(__name__)


def check_port(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise CrawlerError(f"port {port} on {host} is already in use; stop the other server or pass --port") from exc


def serve(app, *, host: str, port: int,
          scheduler_setup: Callable[[asyncio.AbstractEventLoop], Callable[[], None]] | None = None,
          on_started: Callable[[str], None] | None = None, grace_s: float = 4.0) -> None:
    """Serve an ASGI app; ``scheduler_setup`` starts jobs and returns a stop function."""
    check_port(host, port)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    for s in previous:  # uvicorn re-raises the signal into these after its own shutdown
        signal.signal(s, lambda *_: None)

    async def main() -> None:
        stopper: Callable[[], None] | None = None

        async def start_when_up() -> None:
            nonlocal stopper
            while not server.started:
                await asyncio.sleep(0.05)
            if on_started:
                on_started(f"http://{host}:{port}/")
            if scheduler_setup:
                stopper = scheduler_setup(asyncio.get_running_loop())

        starter = asyncio.create_task(start_when_up())
        try:
            await server.serve()
        finally:
            starter.cancel()
            if stopper is not None:
                await asyncio.get_running_loop().run_in_executor(None, stopper)

    try:
        asyncio.run(main())
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


class JobRunner:
    """Runs crawl jobs on daemon threads so that shutdown never waits on a slow request."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.active: set[threading.Thread] = set()
        self.lock = threading.Lock()

    def run(self, name: str, fn: Callable[[threading.Event], object]) -> None:
        if self.stop.is_set():
            return

        def target() -> None:
            try:
                fn(self.stop)
            except CrawlerError as exc:
                log.warning("%s: %s", name, exc)
            except Exception:
                log.exception("job %s failed", name)
            finally:
                with self.lock:
                    self.active.discard(threading.current_thread())

        thread = threading.Thread(target=target, name=f"crawl-{name}", daemon=True)
        with self.lock:
            self.active.add(thread)
        thread.start()
        # The scheduler's worker waits for the crawl, but never past a shutdown: the crawl
        # runs on a daemon thread, so a request still in flight cannot hold the process.
        while thread.is_alive() and not self.stop.is_set():
            thread.join(0.2)

    def shutdown(self, grace_s: float) -> None:
        self.stop.set()
        deadline = datetime.now().timestamp() + grace_s
        for thread in list(self.active):
            thread.join(max(0.0, deadline - datetime.now().timestamp()))
