"""Keep-alive connections to one device, on urllib3 pools directly (requests' own transport).

One `Connections` per device holds one pool per scheme, host and port: keep-alive, no retries,
no redirects, never a proxy or the environment (REQUESTS_CA_BUNDLE, HTTP_PROXY ...), and the
self-signed certificates cameras ship accepted unverified, as requests.Session(verify=False,
trust_env=False) did. Its connection classes register each request's socket with the request's
Watchdog (probes/_deadline.py), which cuts it at the deadline wherever the request waits.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from requests.utils import DEFAULT_ACCEPT_ENCODING, default_user_agent
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from probes._deadline import inflight
from probes.errors import UnexpectedAnswer

# What requests.Session sent with every request; devices saw these before and still do.
DEFAULT_HEADERS = {"User-Agent": default_user_agent(), "Accept-Encoding": DEFAULT_ACCEPT_ENCODING,
                   "Accept": "*/*", "Connection": "keep-alive"}


class Connections:
    """Keep-alive connections to one device: one urllib3 pool per scheme, host and port."""

    def __init__(self, headers: Mapping[str, str] | None = None) -> None:
        self.headers = {**DEFAULT_HEADERS, **(headers or {})}
        self._pools: dict[tuple[str, str, int], HTTPConnectionPool] = {}

    def pool(self, scheme: str, host: str, port: int | None) -> HTTPConnectionPool:
        key = (scheme, host, port or (443 if scheme == "https" else 80))
        pool = self._pools.get(key)
        if pool is None:
            if scheme == "https":
                # Cameras ship self-signed certificates: not verified (requests' verify=False).
                pool = _WatchedTlsPool(host, key[2], maxsize=4, block=False, retries=False, cert_reqs="CERT_NONE")
            elif scheme == "http":
                pool = _WatchedPool(host, key[2], maxsize=4, block=False, retries=False)
            else:
                raise UnexpectedAnswer(f"camaudit does not speak {scheme or 'an unnamed scheme'}:// to devices")
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            pool.close()

    def __enter__(self) -> Connections:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_session(headers: Mapping[str, str] | None = None) -> Connections:
    """The per-device connection object `exchange` sends through; close it when the device is done."""
    return Connections(headers)


# -- the watchdog (probes/_deadline.py) cuts the sockets; these connection classes register them --------
class _Watched:
    """Registers each request's socket with the thread's Watchdog, and whether it was kept alive."""

    sent = 0
    sock: socket.socket | None
    timeout: float | None

    def request(self, *args: Any, **kwargs: Any) -> None:
        reused = self.sent > 0 and self.sock is not None
        if reused and self.sock is not None:
            self.sock.settimeout(self.timeout)     # the last body read may have shortened it
        current = getattr(inflight, "current", None)
        if current is not None:
            current.reused = reused                # known even when sending fails (a closed idle connection)
        super().request(*args, **kwargs)  # type: ignore[misc]
        self.sent += 1
        if current is not None:
            current.add(self.sock)

    def connect(self) -> None:
        self.sent = 0
        super().connect()  # type: ignore[misc]


class _WatchedHTTP(_Watched, HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedTlsPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS

    def _validate_conn(self, conn: Any) -> None:
        # HTTPSConnectionPool's, without its InsecureRequestWarning per request: camaudit does not
        # verify camera certificates on purpose (they are self-signed), and says so above.
        if conn.is_closed:
            conn.connect()
