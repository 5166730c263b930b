"""Raw TCP services a camera exposes besides HTTP: RTSP, the vendor SDK port, telnet, SSH.

They answer just enough for a port sweep or banner grab to recognise them, and log every
connection. RTSP requests go to device_simulators/rtsp.py.
"""

from __future__ import annotations

import socket
import socketserver
from typing import TYPE_CHECKING

from device_simulators import rtsp
from device_simulators.runtime.hub import hub
from device_simulators.runtime.requestlog import LoggedRequest, now

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

BANNERS = {
    "telnet": b"\r\n\r\nlogin: ",
    "ssh": b"SSH-2.0-dropbear_2014.63\r\n",
}


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], device: SimDevice, service: str) -> None:
        self.device = device
        self.service = service
        super().__init__(address, _Handler)


class _Handler(socketserver.BaseRequestHandler):
    server: _TcpServer

    def handle(self) -> None:
        device, service = self.server.device, self.server.service
        sock: socket.socket = self.request
        sock.settimeout(3)
        method, path = "TCP", "-"
        try:
            if service in BANNERS:
                sock.sendall(BANNERS[service])
            data = sock.recv(4096) if service in ("rtsp", "sdk") else b""
            if service == "rtsp" and data:
                method, path = self._rtsp(sock, data)
        except OSError:
            pass
        device.log.record(LoggedRequest(time=now(), device=device.profile.id, protocol=service,
                                        source=self.client_address[0], method=method, path=path,
                                        action=None, auth="none", status=None))

    def _rtsp(self, sock: socket.socket, data: bytes) -> tuple[str, str]:
        line = data.split(b"\r\n", 1)[0].decode("latin-1", "replace")
        parts = line.split()
        method = parts[0] if parts else "?"
        cseq = next((ln.split(b":", 1)[1].strip() for ln in data.split(b"\r\n")
                     if ln.lower().startswith(b"cseq:")), b"1")
        reply = rtsp.answer(self.server.device, method, parts[1] if len(parts) > 1 else "", cseq)
        sock.sendall(reply)
        return method, parts[1] if len(parts) > 1 else "-"


class TcpService:
    def __init__(self, device: SimDevice, address: str, port: int, service: str) -> None:
        self.service = service
        self._server = _TcpServer((address, port), device, service)
        self.port = self._server.server_address[1]

    def start(self) -> None:
        hub().add(self._server.socket, self._server._handle_request_noblock)

    def stop(self) -> None:
        hub().remove(self._server.socket)
        self._server.server_close()
