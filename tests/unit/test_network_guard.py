import socket

import httpx
import pytest

from tests.conftest import NetworkBlocked


def test_a_request_to_another_host_fails():
    with pytest.raises((NetworkBlocked, httpx.ConnectError)) as info:
        httpx.get("http://93.184.216.34/", timeout=2)
    assert "only localhost" in str(info.value) or isinstance(info.value.__context__, NetworkBlocked)


def test_a_raw_socket_to_another_host_fails():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock, pytest.raises(NetworkBlocked):
        sock.connect(("10.1.2.3", 80))


def test_localhost_is_allowed(fixture_site):
    response = httpx.get(fixture_site.base_url + "/robots.txt", timeout=5)
    assert response.status_code in (200, 404)
