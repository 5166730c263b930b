"""The one HTTP boundary: every request camaudit sends to a device goes through `exchange`.

DeviceHttp's GETs, the ONVIF zeep transport's POSTs and the fingerprint's clock POST used to read
bodies and map errors three ways, and one of them ignored its deadline (0.3 s took 157 s against
a device dripping a byte every 0.1 s); a device that sent headers and then stalled raised
urllib3's ReadTimeoutError out of the body read and ended the whole run. Here, once:

* a whole-request deadline, checked while a body drips and used to shorten each socket wait, and
  enforced by a watchdog that cuts the socket when a device drips its status line and headers
  (requests waits a full read timeout per byte there, without end);
* a size cap (announced Content-Length and bytes actually read);
* the per-device budget (probes/_budget.py: bytes, timeouts) charged and checked;
* every requests / urllib3 / http.client / socket / ssl failure translated into probes.errors.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions as u3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import InsecureRequestWarning

from probes import _budget
from probes._deadline import Watchdog, inflight
from probes.errors import (
    ConnectionDropped,
    MalformedResponse,
    ProbeError,
    ResponseTooLarge,
    TimedOut,
    TlsFailed,
    UnexpectedAnswer,
    Unreachable,
)

CHUNK = 16 << 10
# Every foreign failure family a request can raise. `mapped` translates exactly these, so a
# camaudit bug (TypeError, ...) still surfaces as a bug and is not disguised as a device outcome.
FOREIGN = (requests.exceptions.RequestException, requests.exceptions.RequestsWarning, u3.HTTPError,
           u3.HTTPWarning, u3.ProxySchemeUnsupported, http.client.HTTPException, OSError)


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    deadline: float               # the whole request, headers and a slowly dripping body included
    max_body: int


@dataclass
class Transfer:
    response: requests.Response   # closed; `content` holds the body
    body: bytes
    elapsed_ms: int

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def headers(self) -> dict[str, str]:
        """Header names in lower case."""
        return {k.lower(): v for k, v in self.response.headers.items()}


def exchange(session: requests.Session, method: str, url: str, limits: Limits, *,
             budget: _budget.DeviceBudget | None = None, where: str | None = None, **kwargs: Any) -> Transfer:
    """Send one request and read its body within `limits`; raise only probes.errors outcomes.

    `kwargs` go to requests (params, data, headers, auth). Redirects are never followed here.
    """
    budget = budget if budget is not None else _budget.current()
    if budget is not None:
        budget.check()
    where = where or (urlsplit(url).path or "/")
    watch(session)
    started = time.monotonic()
    try:
        with mapped(where, url, limits), Watchdog(limits.deadline, where):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", InsecureRequestWarning)
                first_wait = min(limits.read_timeout, limits.deadline)
                response = session.request(method, url, stream=True, allow_redirects=False,
                                           timeout=(min(limits.connect_timeout, limits.deadline), first_wait),
                                           **kwargs)
            with response:
                body = read_capped(response, started, limits, where, budget)
    except TimedOut:
        if budget is not None:
            budget.charge_timeout()
        raise
    response._content = body          # what zeep and callers read through response.content
    return Transfer(response, body, int((time.monotonic() - started) * 1000))


def read_capped(response: requests.Response, started: float, limits: Limits, where: str,
                budget: _budget.DeviceBudget | None = None) -> bytes:
    """The body, stopped at the size cap or the whole-request deadline, whichever comes first."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limits.max_body:
        raise ResponseTooLarge(f"{where} announced {int(declared) >> 10} KiB, over the "
                               f"{limits.max_body >> 10} KiB cap; not read")
    sock = _socket_of(response)
    chunks, size = [], 0
    while True:
        left = limits.deadline - (time.monotonic() - started)
        if left <= 0:
            raise TimedOut(f"{where} was still sending after {limits.deadline:g} s (a slow drip); reading stopped")
        shortened = sock is not None and left < limits.read_timeout
        if sock is not None:
            # Never wait on one recv past the deadline: a device that stalls after its headers
            # is stopped at the deadline, not at deadline + read timeout.
            sock.settimeout(max(0.01, min(limits.read_timeout, left)))
        try:
            # read1 returns whatever has arrived, so the deadline is checked between the bytes of
            # a drip too (stream()/iter_content wait for a whole chunk first).
            chunk = response.raw.read1(CHUNK, decode_content=True)
        except (u3.ReadTimeoutError, TimeoutError) as exc:
            if not shortened:
                raise
            said = "was still sending" if size else "had sent its headers and nothing more"
            raise TimedOut(f"{where} {said} after {limits.deadline:g} s; reading stopped") from exc
        if not chunk:
            break
        size += len(chunk)
        if budget is not None:
            budget.charge_bytes(len(chunk))
        if size > limits.max_body:
            raise ResponseTooLarge(f"{where} sent more than {limits.max_body >> 10} KiB; reading stopped")
        chunks.append(chunk)
    if time.monotonic() - started > limits.deadline:
        raise TimedOut(f"{where} was still sending after {limits.deadline:g} s (a slow drip); reading stopped")
    return b"".join(chunks)


# -- the watchdog (probes/_deadline.py) cuts the sockets; these connection classes register them --------
class _WatchedHTTP(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        current = getattr(inflight, "current", None)
        if current is not None:
            current.add(self.sock)


class _WatchedHTTPS(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        super().request(*args, **kwargs)
        current = getattr(inflight, "current", None)
        if current is not None:
            current.add(self.sock)


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTP


class _WatchedTlsPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPS


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedTlsPool}


def watch(session: requests.Session) -> None:
    """Mount the watchdog's connection classes on `session` (once)."""
    if not isinstance(session.get_adapter("http://x/"), _WatchedAdapter):
        adapter = _WatchedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)


def _socket_of(response: requests.Response) -> socket.socket | None:
    connection = getattr(response.raw, "connection", None) or getattr(response.raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


@contextmanager
def mapped(where: str, url: str = "", limits: Limits | None = None) -> Iterator[None]:
    """Inside the block, every foreign transport failure leaves as a probes.errors outcome."""
    try:
        yield
    except ProbeError:
        raise
    except FOREIGN as exc:
        raise translate(exc, where, url, limits) from exc


def translate(exc: BaseException, where: str, url: str = "", limits: Limits | None = None) -> ProbeError:
    """One requests / urllib3 / http.client / socket / ssl failure as a probes.errors outcome."""
    host = urlsplit(url).netloc or "the device"
    if isinstance(exc, ProbeError):
        return exc
    if isinstance(exc, u3.MaxRetryError) and isinstance(getattr(exc, "reason", None), BaseException):
        return translate(exc.reason, where, url, limits)        # the real cause is wrapped inside
    if isinstance(exc, (requests.exceptions.SSLError, u3.SSLError, ssl.SSLError)):
        return TlsFailed(f"TLS handshake with {host} failed")
    if isinstance(exc, (requests.exceptions.ConnectTimeout, u3.ConnectTimeoutError)):
        waited = f" within {limits.connect_timeout:g} s" if limits else ""
        return TimedOut(f"no answer from {host}{waited}")
    if isinstance(exc, (requests.exceptions.Timeout, u3.TimeoutError, TimeoutError)):
        waited = f" within {min(limits.read_timeout, limits.deadline):g} s" if limits else " in time"
        return TimedOut(f"{where} did not answer{waited}")
    if _caused_by(exc, ConnectionRefusedError) or isinstance(exc, (u3.NewConnectionError, u3.NameResolutionError)):
        return Unreachable(f"nothing listens on {host}")
    if isinstance(exc, (requests.exceptions.ContentDecodingError, u3.DecodeError)):
        return MalformedResponse(f"{where} sent a compressed body that does not decompress")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        u3.ProtocolError, u3.ProxyError, http.client.HTTPException, OSError)):
        return ConnectionDropped(f"{where}: the device closed the connection without a complete answer")
    return UnexpectedAnswer(f"{where}: the answer could not be used ({type(exc).__name__})")


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        reason = getattr(exc, "reason", None)
        exc = reason if isinstance(reason, BaseException) else (exc.__cause__ or exc.__context__)
        seen += 1
    return False
