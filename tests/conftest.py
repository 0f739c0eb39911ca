"""Shared fixtures, and the guard: no test may reach a host other than localhost."""
from __future__ import annotations

import ipaddress
import os
import socket
from pathlib import Path

import pytest

# The facets of a page get what is left of HANOI_NEWS_FACET_PAGE_MS after its rows and count
# (crawler/publish/plugins/query_cache.py): wall time, so on a loaded test machine a page could lose facets
# the test asserts on. Off unless a test sets it (the tests of that budget do).
os.environ.setdefault("HANOI_NEWS_FACET_PAGE_MS", "0")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SITE = FIXTURES / "site" / "www"


class NetworkBlocked(ConnectionRefusedError):
    pass


def _is_local(address) -> bool:
    if isinstance(address, (tuple, list)) and address:
        host = address[0]
    elif isinstance(address, (str, bytes)):  # AF_UNIX paths are local
        return True
    else:
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach {address!r}: only localhost is allowed")
    return _real_connect(self, address)


def _guarded_connect_ex(self, address):
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
        raise NetworkBlocked(f"tests may not reach {address!r}: only localhost is allowed")
    return _real_connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def no_network():
    """Fail any connection to a host other than localhost, for every test."""
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    yield
    socket.socket.connect = _real_connect
    socket.socket.connect_ex = _real_connect_ex


@pytest.fixture
def fixture_site():
    """The laodongthudo fixture site served on a free localhost port."""
    from crawler.fixture_server import FixtureServer

    with FixtureServer(SITE) as server:
        yield server
