"""One HTTP(S) server per simulated device port, shared by every HTTP protocol family.

The server authenticates (HTTP Digest/Basic through the device's AuthGate), routes each
request to the protocol handler that claims its path (ISAPI, Dahua CGI, ONVIF), applies the
profile's transport and content quirks, and logs every request. Protocol handlers only turn
a SimRequest into a SimResponse; they never touch sockets.
"""

from __future__ import annotations

import re
import socket
import socketserver
import ssl
import struct
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Protocol
from urllib.parse import parse_qs, urlsplit

from device_simulators.runtime import hostile
from device_simulators.runtime.auth import AuthResult
from device_simulators.runtime.hub import hub
from device_simulators.runtime.requestlog import LoggedRequest, now

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

MAX_REQUEST_BODY = 1 << 20


@dataclass
class SimRequest:
    method: str
    path: str                      # path without query, percent-decoding left to handlers
    query: dict[str, list[str]]
    target: str                    # path with query, as sent
    headers: dict[str, str]        # lower-case names
    body: bytes
    client: str
    scheme: str                    # http | https

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class SimResponse:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/xml; charset=UTF-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    # Handlers that authenticate inside the body (ONVIF WS-Security) report the outcome here.
    auth: str | None = None
    user: str | None = None
    action: str | None = None


class ProtocolHandler(Protocol):
    """What a protocol family provides to the HTTP server."""

    protocol: str

    def claims(self, path: str) -> bool:
        """True when this handler serves `path`."""

    def needs_http_auth(self, request: SimRequest) -> bool:
        """False for public paths and for protocols that authenticate in the body."""

    def handle(self, request: SimRequest, auth: AuthResult) -> SimResponse:
        """Answer an authenticated (or public) request."""


class _NotFound:
    """What answers a path no protocol claims, once a login got past `challenge_every_path`."""

    protocol = "http"

    def claims(self, path: str) -> bool:
        return False

    def needs_http_auth(self, request: SimRequest) -> bool:
        return True

    def handle(self, request: SimRequest, auth: AuthResult) -> SimResponse:
        return SimResponse(404, b"<html><body>404 Not Found</body></html>", "text/html")


def _challenges_every_path(device: SimDevice, handler: ProtocolHandler | None) -> bool:
    """Quirk `challenge_every_path`: much Hikvision firmware (IPCs and NVRs alike) answers 401 Digest to
    every HTTP path without a login, unknown paths included (PROTOCOLS.md "Real firmware varies").
    The protocol handlers already challenge their protected paths; what changes is the answer for
    paths nobody serves. The login page's own pre-login resources (/SDK/activateStatus) stay
    public, as the web UI needs them, and ONVIF keeps its WS-Security login."""
    if not device.profile.quirk("challenge_every_path") or device.profile.auth_scheme == "none":
        return False
    return handler is None


_SOAP_BODY = re.compile(rb"<(?:[\w.-]+:)?Body\b[^>]*>\s*<(?:[\w.-]+:)?([A-Za-z]\w*)")


def _soap_operation(request: SimRequest) -> str | None:
    """The operation a SOAP POST asked for, for the log even when no ONVIF service answered it."""
    if request.method != "POST":
        return None
    found = _SOAP_BODY.search(request.body[:4096])
    return found[1].decode() if found else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], device: SimDevice, scheme: str,
                 ssl_context: ssl.SSLContext | None) -> None:
        self.device = device
        self.scheme = scheme
        self.ssl_context = ssl_context
        super().__init__(address, _RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the address up in DNS (socket.getfqdn), ~70 ms per loopback
        # address here: over a minute for a 1,000-device fleet. Nothing reads the name.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def get_request(self) -> tuple[socket.socket, object]:
        sock, addr = super().get_request()
        if self.ssl_context is not None:
            sock = self.ssl_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, addr


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        return  # the device RequestLog is the log

    def version_string(self) -> str:
        return self.server.device.http_server_header or ""

    def send_header(self, keyword: str, value: str) -> None:
        # Camera firmware sends no Server header unless the profile names one.
        if keyword.lower() == "server" and not value:
            return
        super().send_header(keyword, value)

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes; without NODELAY every kept-alive answer
        # waits ~40 ms for the client's delayed ACK (Nagle), which real firmware does not.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.connection, ssl.SSLSocket):
            try:
                self.connection.settimeout(10)
                self.connection.do_handshake()
            except (ssl.SSLError, OSError):
                self.close_connection = True

    def do_GET(self) -> None:
        self._dispatch()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(min(length, MAX_REQUEST_BODY)) if length > 0 else b""

    def _dispatch(self) -> None:
        device = self.server.device
        split = urlsplit(self.path)
        request = SimRequest(
            method=self.command, path=split.path, query=parse_qs(split.query, keep_blank_values=True),
            target=self.path, headers={k.lower(): v for k, v in self.headers.items()},
            body=self._read_body(), client=self.client_address[0], scheme=self.server.scheme,
        )
        handler = device.handler_for(request.path)
        protocol = handler.protocol if handler else "http"
        auth = AuthResult("none")
        if _challenges_every_path(device, handler):
            auth = device.gate.check_http(request.method, request.headers.get("authorization"))
            response = self._respond(handler or _NotFound(), request, auth)
        elif handler is None:
            response = SimResponse(404, b"<html><body>404 Not Found</body></html>", "text/html")
        else:
            if handler.needs_http_auth(request):
                auth = device.gate.check_http(request.method, request.headers.get("authorization"))
            else:
                auth = AuthResult("not-required")
            response = self._respond(handler, request, auth)
        entry_auth = response.auth or auth.outcome
        device.log.record(LoggedRequest(
            time=now(), device=device.profile.id, protocol=protocol, source=request.client,
            method=request.method, path=request.target, action=response.action or _soap_operation(request),
            auth=entry_auth, status=response.status, user=response.user or auth.user,
        ))
        self._send(request, response)

    def _respond(self, handler: ProtocolHandler, request: SimRequest, auth: AuthResult) -> SimResponse:
        device = self.server.device
        if auth.outcome == "locked":
            return device.locked_response(handler.protocol)
        if auth.outcome in ("challenge", "failed", "stale"):
            body = b"<html><body>401 - Unauthorized</body></html>"
            return SimResponse(401, body, "text/html",
                               headers=device.gate.challenge_headers(stale=auth.outcome == "stale"))
        for quirk in device.profile.quirks:
            if quirk.name == "slow_endpoints" and quirk.applies_to(request.target):
                time.sleep(float(quirk.params.get("delay", 5)))
        early = hostile.transport_quirk(device.profile, request.target)
        if early is not None:
            return early
        response = handler.handle(request, auth)
        return hostile.content_quirks(device.profile, request.path, response)

    def _send(self, request: SimRequest, response: SimResponse) -> None:
        device = self.server.device
        if response.status == hostile.RESET:
            # RST instead of FIN: what a crashing web server on a camera looks like.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        drip = next((q for q in device.profile.quirks
                     if q.name == "slow_drip" and q.applies_to(request.path)), None)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        body = response.body
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if request.method == "HEAD":
            return
        try:
            if drip:
                interval = float(drip.params.get("interval", 1.0))
                for i in range(len(body)):
                    self.wfile.write(body[i:i + 1])
                    self.wfile.flush()
                    time.sleep(interval)
            else:
                self.wfile.write(body)
        except OSError:
            self.close_connection = True


class HttpService:
    """A running HTTP or HTTPS listener for one device."""

    def __init__(self, device: SimDevice, address: str, port: int, scheme: str = "http",
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.scheme = scheme
        self._server = _Server((address, port), device, scheme, ssl_context)
        self.port = self._server.server_address[1]

    def start(self) -> None:
        hub().add(self._server.socket, self._server._handle_request_noblock)

    def stop(self) -> None:
        hub().remove(self._server.socket)
        self._server.server_close()
