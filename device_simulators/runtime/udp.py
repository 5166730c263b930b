"""UDP responders for discovery protocols (WS-Discovery, SADP, DHIP), one socket per device,
all watched by the process's hub (runtime/hub.py).

Each binds the device's own loopback address, so a unicast probe to that address reaches
exactly one simulated device, as on a real LAN.
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from device_simulators.runtime.hub import hub
from device_simulators.runtime.requestlog import LoggedRequest, now

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

# (datagram, (host, port)) -> (reply or None, action name for the log)
DatagramHandler = Callable[[bytes, tuple[str, int]], tuple[bytes | None, str | None]]


class UdpService:
    def __init__(self, device: SimDevice, address: str, port: int, protocol: str,
                 handler: DatagramHandler) -> None:
        self.protocol = protocol
        self._device = device
        self._handler = handler
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((address, port))
        self._sock.setblocking(False)
        self.port = self._sock.getsockname()[1]

    def _ready(self) -> None:
        """One datagram, answered on the hub's thread (the responders only build a small reply)."""
        try:
            data, peer = self._sock.recvfrom(65535)
        except OSError:
            return
        try:
            reply, action = self._handler(data, peer)
        except Exception:  # noqa: BLE001 - a bad datagram must not kill the responder
            reply, action = None, "unparseable"
        self._device.log.record(LoggedRequest(
            time=now(), device=self._device.profile.id, protocol=self.protocol, source=peer[0],
            method="UDP", path="-", action=action, auth="none", status=None))
        if reply:
            try:
                self._sock.sendto(reply, peer)
            except OSError:
                pass

    def start(self) -> None:
        hub().add(self._sock, self._ready)

    def stop(self) -> None:
        hub().remove(self._sock)
        self._sock.close()
