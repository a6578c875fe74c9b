"""The suite's socket guard: nothing beyond loopback, refused at once; loopback still works."""

import socket
import threading
import time

import pytest

from homeroom.testing import network


def test_a_connection_beyond_loopback_fails_at_once():
    started = time.monotonic()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        with pytest.raises(network.NetworkBlocked):
            sock.connect(("192.0.2.1", 80))  # TEST-NET-1: routed nowhere
    assert time.monotonic() - started < 1
    assert network.refused == ["('192.0.2.1', 80)"]
    network.refused.clear()  # the refusal was this test's point, not its failure


def test_connect_ex_and_ipv6_beyond_loopback_are_refused():
    with (
        socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as sock,
        pytest.raises(network.NetworkBlocked),
    ):
        sock.connect_ex(("2001:db8::1", 80, 0, 0))
    with pytest.raises(network.NetworkBlocked):
        socket.create_connection(("192.0.2.1", 25), timeout=30)
    assert len(network.refused) == 2
    network.refused.clear()


def test_loopback_connections_still_work():
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        accepted = threading.Thread(target=lambda: server.accept()[0].close())
        accepted.start()
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass
        accepted.join(timeout=5)
    assert network.refused == []


@pytest.mark.parametrize(
    "family, address",
    [
        (socket.AF_INET, ("127.0.0.1", 5432)),
        (socket.AF_INET, ("127.8.9.10", 1)),
        (socket.AF_INET, ("localhost", 25)),
        (socket.AF_INET6, ("::1", 25, 0, 0)),
        (socket.AF_INET6, ("::ffff:127.0.0.1", 25, 0, 0)),
        (socket.AF_UNIX, ".s.PGSQL.5432"),
    ],
)
def test_what_counts_as_local(family, address):
    assert network.is_local(family, address)


@pytest.mark.parametrize(
    "family, address",
    [
        (socket.AF_INET, ("192.0.2.1", 80)),
        (socket.AF_INET, ("api.twilio.com", 443)),
        (socket.AF_INET6, ("2001:db8::1", 80, 0, 0)),
        (socket.AF_INET6, ("::ffff:192.0.2.1", 80, 0, 0)),
    ],
)
def test_what_does_not(family, address):
    assert not network.is_local(family, address)
