"""The one HTTP boundary: every request camaudit sends to a device goes through `exchange`.

DeviceHttp's GETs, the ONVIF POSTs and the fingerprint's clock POST used to read bodies and map
errors three ways, and one of them ignored its deadline (0.3 s took 157 s against a device dripping
a byte every 0.1 s); a device that sent headers and then stalled raised urllib3's ReadTimeoutError
out of the body read and ended the whole run. Here, once:

* a whole-request deadline, checked while a body drips and used to shorten each socket wait, and
  enforced by a watchdog that cuts the socket when a device drips its status line and headers
  (a read timeout is waited per byte there, without end);
* a size cap (announced Content-Length and bytes actually read);
* the per-device budget (probes/_budget.py: bytes, timeouts) charged and checked;
* every urllib3 / http.client / socket / ssl (and requests) failure translated into probes.errors.

Requests go out on urllib3 directly, through probes/_connections.py (one keep-alive pool per scheme,
host and port of one device), not through requests.Session: the session cost about 0.35 ms of CPU per
request on top of urllib3's own (settings merged per request, typing-Protocol isinstance checks,
hooks, cookie jars), half the auditor's CPU (issue 15).
"""

from __future__ import annotations

import functools
import http.client
import re
import socket
import ssl
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
import urllib3.exceptions as u3
from requests.utils import requote_uri
from urllib3 import HTTPResponse, Retry, Timeout

from probes import _budget
from probes._connections import Connections, open_session
from probes._deadline import Watchdog
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

__all__ = ["Connections", "Limits", "Transfer", "exchange", "mapped", "open_session", "read_capped", "translate",
           "with_query"]

CHUNK = 16 << 10
# Every foreign failure family a request can raise. `mapped` translates exactly these, so a
# camaudit bug (TypeError, ...) still surfaces as a bug and is not disguised as a device outcome.
FOREIGN = (requests.exceptions.RequestException, requests.exceptions.RequestsWarning, u3.HTTPError,
           u3.HTTPWarning, u3.ProxySchemeUnsupported, http.client.HTTPException, OSError)
# The device closed a kept-alive connection just as we reused it: nothing reached it, so once more
# on a fresh connection (what browsers and requests' own keep-alive users do).
_DROPPED_IDLE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)

_NO_RETRIES = Retry(False, redirect=False)     # urllib3 would build this per request from retries=False
_PLAIN_URL = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]*")
Params = Mapping[str, Any] | list[tuple[str, Any]] | None
Authorize = Callable[[str, str], str | None]     # (method, url) -> the Authorization header value, or None


@dataclass(frozen=True)
class Limits:
    connect_timeout: float
    read_timeout: float
    deadline: float               # the whole request, headers and a slowly dripping body included
    max_body: int


@dataclass
class Transfer:
    status: int
    headers: dict[str, str]       # lower-case names; repeated headers joined with ", " (as requests did)
    body: bytes
    elapsed_ms: int
    url: str = ""                 # what was requested, query included
    sent_authorization: bool = False


def with_query(url: str, params: Params) -> str:
    """`url` with `params` appended as requests encoded them (None values left out), requoted."""
    if params:
        pairs = params.items() if isinstance(params, Mapping) else params
        flat = [(k, v) for k, vs in pairs for v in (vs if isinstance(vs, (list, tuple)) else [vs]) if v is not None]
        if flat:
            url += ("&" if urlsplit(url).query else "?") + urlencode(flat)
    # requote_uri leaves these alone (nothing to unquote, nothing to quote): skip its cost per request.
    return url if _PLAIN_URL.fullmatch(url) else requote_uri(url)


def exchange(session: Connections, method: str, url: str, limits: Limits, *,
             budget: _budget.DeviceBudget | None = None, where: str | None = None, data: bytes | None = None,
             headers: Mapping[str, str] | None = None, params: Params = None,
             auth: Authorize | None = None) -> Transfer:
    """Send one request and read its body within `limits`; raise only probes.errors outcomes.

    `auth(method, url)` gives the Authorization header, if any (no 401 is answered here: that is
    DeviceHttp's, which alone knows the lockout rules). Redirects are never followed here.
    """
    budget = budget if budget is not None else _budget.current()
    if budget is not None:
        budget.check()
    url = with_query(url, params)
    where = where or (urlsplit(url).path or "/")
    parts = urlsplit(url)
    pool = session.pool(parts.scheme, parts.hostname or "", parts.port)
    sent = {**session.headers, **headers} if headers else dict(session.headers)
    authorization = auth(method, url) if auth is not None else None
    if authorization:
        sent["Authorization"] = authorization
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = _timeout(limits)
    started = time.monotonic()
    try:
        with mapped(where, url, limits):
            for attempt in (0, 1):
                watchdog = Watchdog(limits.deadline, where)
                try:
                    with watchdog:
                        response = pool.urlopen(method, target, body=data, headers=sent, redirect=False,
                                                assert_same_host=False, preload_content=False,
                                                decode_content=False, retries=_NO_RETRIES, timeout=timeout)
                        body = _read(response, started, limits, where, budget)
                    break
                except u3.ProtocolError as exc:
                    cause = exc.args[-1] if exc.args else None
                    if attempt or not watchdog.reused or not isinstance(cause, _DROPPED_IDLE):
                        raise
    except TimedOut:
        if budget is not None:
            budget.charge_timeout()
        raise
    received = {name.lower(): response.headers[name] for name in response.headers}
    return Transfer(response.status, received, body, int((time.monotonic() - started) * 1000), url,
                    bool(authorization))


@functools.lru_cache(maxsize=64)
def _timeout(limits: Limits) -> Timeout:
    return Timeout(connect=min(limits.connect_timeout, limits.deadline), read=min(limits.read_timeout, limits.deadline))


def _read(response: HTTPResponse, started: float, limits: Limits, where: str,
          budget: _budget.DeviceBudget | None) -> bytes:
    """Read the body; the connection goes back to its pool only after a complete answer."""
    try:
        body = read_capped(response, started, limits, where, budget)
    except BaseException:
        response.close()             # part of an answer is still on the wire: never reuse this connection
        raise
    finally:
        response.release_conn()
    return body


def read_capped(response: HTTPResponse, started: float, limits: Limits, where: str,
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
            # a drip too (stream() waits for a whole chunk first).
            chunk = response.read1(CHUNK, decode_content=True)
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


def _socket_of(response: HTTPResponse) -> socket.socket | None:
    sock = getattr(response.connection, "sock", None)
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
    if _caused_by(exc, ConnectionRefusedError) or isinstance(exc, (u3.NewConnectionError, u3.NameResolutionError)):
        # Before the timeouts: urllib3's NewConnectionError is (deprecated) a ConnectTimeoutError subclass.
        return Unreachable(f"nothing listens on {host}")
    if isinstance(exc, (requests.exceptions.ConnectTimeout, u3.ConnectTimeoutError)):
        waited = f" within {limits.connect_timeout:g} s" if limits else ""
        return TimedOut(f"no answer from {host}{waited}")
    if isinstance(exc, (requests.exceptions.Timeout, u3.TimeoutError, TimeoutError)):
        waited = f" within {min(limits.read_timeout, limits.deadline):g} s" if limits else " in time"
        return TimedOut(f"{where} did not answer{waited}")
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
