"""A running simulated device: one loopback address, the services its profile lists, one
request log and one authentication gate shared by all of them."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from device_simulators.profile import Profile
from device_simulators.runtime.auth import AuthGate
from device_simulators.runtime.http import HttpService, ProtocolHandler, SimResponse
from device_simulators.runtime.requestlog import RequestLog
from device_simulators.runtime.tcp import TcpService
from device_simulators.runtime.udp import UdpService

# Protocol family -> "module:factory". Factories take the SimDevice. Imported lazily so a
# profile only loads the families it speaks.
HTTP_FAMILIES = {
    "isapi": "device_simulators.isapi:make_handler",
    "dahua_cgi": "device_simulators.dahua:make_handler",
    "onvif": "device_simulators.onvif:make_handler",
}
DISCOVERY_FAMILIES = {
    "ws_discovery": ("device_simulators.discovery.wsd:make_responder", 3702),
    "sadp": ("device_simulators.discovery.sadp:make_responder", 37020),
    "dhip": ("device_simulators.discovery.dhip:make_responder", 37810),
}
RAW_TCP_SERVICES = ("rtsp", "sdk", "telnet", "ssh")


def _factory(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def is_privileged() -> bool:
    """Whether ports below 1024 can be bound (root, or CAP_NET_BIND_SERVICE)."""
    return os.geteuid() == 0


class SimDevice:
    def __init__(self, profile: Profile, address: str, *, privileged: bool | None = None,
                 log_dir: Path | None = None) -> None:
        self.profile = profile
        self.address = address
        self.privileged = is_privileged() if privileged is None else privileged
        self.log = RequestLog(log_dir / f"{profile.id}.jsonl" if log_dir else None)
        self.gate = AuthGate(profile)
        self.http_server_header: str | None = (profile.raw.get("http") or {}).get("server")
        self.ports: dict[str, int] = {}
        self.handlers: list[ProtocolHandler] = []
        self._services: list[HttpService | TcpService | UdpService] = []
        skew = profile.quirk("clock_skew")
        self.clock_offset = dt.timedelta(seconds=float(skew.params.get("seconds", 0)) if skew else 0)

    # -- what handlers use ------------------------------------------------------------
    def clock(self) -> dt.datetime:
        """The device's own idea of the current UTC time (clock_skew applied)."""
        return dt.datetime.now(dt.UTC) + self.clock_offset

    def url(self, service: str = "http") -> str:
        scheme = "https" if service == "https" else "http"
        return f"{scheme}://{self.address}:{self.ports[service]}"

    def handler_for(self, path: str) -> ProtocolHandler | None:
        return next((h for h in self.handlers if h.claims(path)), None)

    def locked_response(self, protocol: str) -> SimResponse:
        handler = next((h for h in self.handlers if h.protocol == protocol), None)
        custom = getattr(handler, "locked_response", None)
        if custom is not None:
            return custom()
        return SimResponse(401, b"<html><body>Account locked</body></html>", "text/html",
                           headers=self.gate.challenge_headers())

    # -- life cycle -------------------------------------------------------------------
    def _port(self, wanted: int) -> int:
        """The profile's port when it can be bound, else an ephemeral one (printed in the port map)."""
        return wanted if wanted >= 1024 or self.privileged else 0

    def start(self) -> SimDevice:
        try:
            self._start()
        except Exception:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        p, services = self.profile, self.profile.services
        self.handlers = [_factory(spec)(self) for fam, spec in HTTP_FAMILIES.items() if p.speaks(fam)]
        if services.http:
            self._add("http", HttpService(self, self.address, self._port(services.http)))
        if services.https or p.quirk("https_self_signed"):
            from device_simulators.runtime.tls import self_signed_context
            expired = p.quirk("https_expired")
            context = self_signed_context(p.identity.model, self.address,
                                          expired_days=float(expired.params.get("days", 30)) if expired else None)
            self._add("https", HttpService(self, self.address, self._port(services.https or 443),
                                           "https", context))
        for name in RAW_TCP_SERVICES:
            port = getattr(services, name)
            if port:
                self._add(name, TcpService(self, self.address, self._port(port), name))
        for fam, (spec, port) in DISCOVERY_FAMILIES.items():
            if p.speaks(fam):
                self._add(fam, UdpService(self, self.address, port, fam, _factory(spec)(self)))
        for service in self._services:
            service.start()

    def _add(self, name: str, service: HttpService | TcpService | UdpService) -> None:
        self._services.append(service)
        self.ports[name] = service.port

    def stop(self) -> None:
        """Stop every service; each leaves the hub, then closes its socket."""
        for service in self._services:
            try:
                service.stop()
            except OSError:
                pass
        self._services.clear()
        self.log.close()


def stop_all(stoppers: list[Callable[[], None]]) -> None:
    """Run shutdown callables in parallel and wait for all; errors during shutdown are ignored."""
    def quietly(stop: Callable[[], None]) -> None:
        try:
            stop()
        except Exception:  # noqa: BLE001,S110 - best effort during shutdown
            pass

    threads = [threading.Thread(target=quietly, args=(stop,), daemon=True) for stop in stoppers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
