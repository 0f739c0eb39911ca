"""A served archive (uvicorn on 127.0.0.1, free port, in a thread) and Debian's Chromium.

Chromium comes from the apt package ``chromium`` (/usr/bin/chromium); Playwright drives it
without ``playwright install``. Missing Chromium fails the tests when ``CI`` is set and skips
them otherwise.
"""
from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served_archive(tmp_path_factory):
    import uvicorn
    from bench_serve import add_reader_articles, build_test_archive

    from crawler.publish.snapshot import publish_archive
    from crawler.publish.app import make_datasette

    path = tmp_path_factory.mktemp("browser") / "archive.db"
    db = build_test_archive(path, filler=80)
    add_reader_articles(db, warc_root=path.parent / "data" / "warc")  # the reader's pages
    db.close()
    publish_archive(path)
    ds = make_datasette(path)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(ds.app(), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield {"base": f"http://127.0.0.1:{port}", "path": path}
    server.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser():
    # Module scope: Playwright's sync API runs an event loop on this thread while it is
    # open, so it must be closed before other modules' tests call asyncio.run().
    exe = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not exe:
        msg = (f"Chromium not found at {CHROMIUM}: "
               "apt-get install -y chromium (Debian package)")
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        if os.environ.get("CI"):
            pytest.fail("playwright is not installed")
        pytest.skip("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, headless=True,
                              args=["--disable-dev-shm-usage"])
        yield b
        b.close()


DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}  # a common phone, portrait


@pytest.fixture
def page(browser, served_archive):
    yield from _page(browser, served_archive, DESKTOP)


@pytest.fixture(params=["desktop", "phone"])
def sized_page(request, browser, served_archive):
    """(page, "desktop" or "phone"): the same test at a desktop and at a phone width."""
    viewport = DESKTOP if request.param == "desktop" else PHONE
    for pg in _page(browser, served_archive, viewport, is_mobile=request.param == "phone"):
        yield pg, request.param


def _page(browser, served_archive, viewport, is_mobile=False):
    context = browser.new_context(viewport=viewport, locale="vi-VN", is_mobile=is_mobile,
                                  has_touch=is_mobile,
                                  accept_downloads=True, base_url=served_archive["base"])
    pg = context.new_page()
    # nothing outside the served archive (fonts, tiles, CDNs) is ever fetched
    pg.route("**/*", lambda route: route.continue_()
             if route.request.url.startswith(served_archive["base"])
             or route.request.url.startswith(("data:", "blob:")) else route.abort())
    yield pg
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(pg, name, *, at: str | None = None, full: bool = False):
        """Screenshot; ``at`` scrolls that element to the top of the viewport first."""
        if at:
            pg.locator(at).first.evaluate("e => e.scrollIntoView({block: 'start'})")
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=full)
        return path

    return take
