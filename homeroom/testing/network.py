"""Tests reach no network beyond this machine.

A pytest plugin (named in the root ``conftest.py``): every ``connect`` and ``connect_ex`` of a
Python socket to an address that is not loopback (127.0.0.0/8, ::1, ``localhost``) raises
``NetworkBlocked`` at once, without waiting for a time-out; Unix sockets pass. Code under test
may catch the error and go on, so each refusal is also noted and fails the test that made it.
PostgreSQL (libpq connects outside Python), Chromium and the local SMTP and SMS-provider
servers on 127.0.0.1 are untouched.
"""

import ipaddress
import socket

import pytest

LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

refused: list[str] = []


class NetworkBlocked(RuntimeError):
    """A test tried to connect beyond loopback."""


def is_local(family, address) -> bool:
    """True for Unix sockets and for loopback addresses or names."""
    if family not in (socket.AF_INET, socket.AF_INET6):
        return True
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%", 1)[0]
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False  # a name other than localhost would need the network to resolve
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _refuse(sock, address):
    where = f"{address!r}"
    refused.append(where)
    raise NetworkBlocked(f"tests may not connect beyond loopback: {where}")


_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _guarded_connect(self, address):
    if not is_local(self.family, address):
        _refuse(self, address)
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not is_local(self.family, address):
        _refuse(self, address)
    return _connect_ex(self, address)


@pytest.fixture(autouse=True, scope="session")
def _loopback_only():
    socket.socket.connect = _guarded_connect
    socket.socket.connect_ex = _guarded_connect_ex
    yield
    socket.socket.connect = _connect
    socket.socket.connect_ex = _connect_ex


@pytest.fixture(autouse=True)
def _no_connection_refused(_loopback_only):
    """Fails the test when its code tried the network, even if it caught the refusal."""
    refused.clear()
    yield
    attempts = list(refused)
    refused.clear()
    if attempts:
        pytest.fail(f"tried to connect beyond loopback: {', '.join(attempts)}", pytrace=False)
