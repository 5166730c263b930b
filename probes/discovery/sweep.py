"""TCP connect sweep of the ports cameras and recorders listen on.

Non-blocking connects multiplexed with `selectors`, so hundreds are in flight at once and an
address that never answers costs one `timeout`, not one per port. A port is open when the
three-way handshake completes; the connection is then closed at once without sending anything.
"""

from __future__ import annotations

import errno
import resource
import selectors
import socket
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

# Port -> why a camera would have it open. Order matters: HTTP_PORTS picks the first open one.
CAMERA_PORTS: dict[int, str] = {
    23: "telnet (left on by some Dahua/OEM firmware; a finding of its own)",
    80: "HTTP (web UI, ISAPI, Dahua CGI, ONVIF)",
    81: "HTTP on consumer cameras and port-forward set-ups",
    88: "HTTP/ONVIF on Foscam-style cameras",
    443: "HTTPS",
    554: "RTSP",
    8000: "Hikvision SDK (DEV_MANAGE) or alternate HTTP",
    8080: "alternate HTTP",
    8081: "alternate HTTP",
    8443: "alternate HTTPS",
    8554: "alternate RTSP",
    8899: "ONVIF on some OEM cameras",
    10554: "alternate RTSP",
    34567: "Xiongmai (XMEye) DVR/IPC protocol",
    37777: "Dahua SDK / DVRIP",
}
HTTP_PORTS = (80, 8080, 81, 88, 8081)
# Large scopes sweep these first; the other ports only on addresses that answered something.
FIRST_PORTS = (80, 443, 554)
HTTPS_PORTS = (443, 8443)
_PENDING = {errno.EINPROGRESS, errno.EWOULDBLOCK, errno.EALREADY, errno.EAGAIN}


@dataclass
class _Attempt:
    sock: socket.socket
    address: str
    port: int
    started: float


def _fd_budget(wanted: int) -> int:
    """At most half the file descriptors this process may still open."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(8, min(wanted, soft // 2))


def _start(address: str, port: int, now: float) -> tuple[_Attempt | None, int | None]:
    """Begin one connect: (attempt in flight, None) or (None, errno it finished with at once)."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    try:
        sockaddr = socket.getaddrinfo(address, port, family, socket.SOCK_STREAM, 0, socket.AI_NUMERICHOST)[0][4]
        sock = socket.socket(family, socket.SOCK_STREAM)
    except OSError:
        return None, errno.EINVAL
    sock.setblocking(False)
    code = sock.connect_ex(sockaddr)
    if code in _PENDING:
        return _Attempt(sock, address, port, now), None
    sock.close()
    return None, code


def sweep(pairs: Iterable[tuple[str, int]], *, timeout: float = 0.8, concurrency: int = 256) -> dict[str, set[int]]:
    """Open ports per address among `pairs` (address, port). Never raises for unreachable hosts."""
    return sweep_with_liveness(pairs, timeout=timeout, concurrency=concurrency)[0]


def sweep_with_liveness(pairs: Iterable[tuple[str, int]], *, timeout: float = 0.8,
                        concurrency: int = 256) -> tuple[dict[str, set[int]], set[str]]:
    """(open ports per address, addresses that answered at all: open, or refused with a RST)."""
    found: dict[str, set[int]] = {}
    alive: set[str] = set()

    def settle(address: str, port: int, code: int | None) -> None:
        if code == 0:
            found.setdefault(address, set()).add(port)
        if code in (0, errno.ECONNREFUSED):
            alive.add(address)
    todo: Iterator[tuple[str, int]] = iter(pairs)
    limit = _fd_budget(concurrency)
    selector = selectors.DefaultSelector()
    flying: dict[int, _Attempt] = {}
    exhausted = False
    try:
        while True:
            now = time.monotonic()
            while not exhausted and len(flying) < limit:
                pair = next(todo, None)
                if pair is None:
                    exhausted = True
                    break
                attempt, code = _start(pair[0], pair[1], now)
                if attempt is None:
                    settle(pair[0], pair[1], code)
                else:
                    flying[attempt.sock.fileno()] = attempt
                    selector.register(attempt.sock, selectors.EVENT_WRITE, attempt)
            if not flying:
                if exhausted:
                    return found, alive
                continue
            oldest = min(a.started for a in flying.values())
            for key, _ in selector.select(max(0.0, min(0.05, oldest + timeout - now))):
                attempt = key.data
                settle(attempt.address, attempt.port, attempt.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
                _finish(selector, flying, attempt)
            now = time.monotonic()
            for attempt in [a for a in flying.values() if now - a.started >= timeout]:
                _finish(selector, flying, attempt)
    finally:
        for attempt in list(flying.values()):
            _finish(selector, flying, attempt)
        selector.close()


def _finish(selector: selectors.BaseSelector, flying: dict[int, _Attempt], attempt: _Attempt) -> None:
    selector.unregister(attempt.sock)
    flying.pop(attempt.sock.fileno(), None)
    attempt.sock.close()
