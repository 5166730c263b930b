"""The simulated internet on loopback: one host per phone-home destination, and a resolver.

A host listens on its own loopback address on every port the devices call (TCP listeners,
UDP responders) and plays the server's side of the same message scripts the pcap generator
uses (``patterns.tcp_script``/``udp_script``), chosen by the caller's address, so both ends
agree on every message length. What arrives is logged per host: source address and port,
SNI from the ClientHello, HTTP Host, byte counts. Destinations whose pattern is
``syn_only`` get no listener at all (see ``live`` for what that means on loopback).
"""

from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
from dataclasses import dataclass
from typing import Any

from device_simulators.egress import wire
from device_simulators.egress.flows import IN
from device_simulators.egress.patterns import tcp_script, udp_script
from device_simulators.profile import PhoneHome

IO_TIMEOUT = 1.0
POLL = 0.05          # how often serve_forever looks for a stop request


@dataclass(frozen=True)
class Arrival:
    """One connection or datagram that reached a simulated internet host."""

    time: float
    host: str                  # the host's loopback address
    port: int                  # the port the device called (as in its profile)
    transport: str
    source: str
    source_port: int
    kind: str
    sni: str | None = None
    http_host: str | None = None
    received: int = 0          # payload bytes from the device
    sent: int = 0              # payload bytes back to it


@dataclass(frozen=True)
class Lookup:
    """One query the simulated resolver answered."""

    time: float
    source: str
    name: str
    answers: tuple[str, ...]   # empty: NXDOMAIN


def recv_exact(sock: socket.socket, size: int) -> bytes:
    """Read exactly ``size`` bytes, or fewer if the peer closes first."""
    chunks, left = [], size
    while left > 0:
        chunk = sock.recv(min(left, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _http_host(request: bytes) -> str | None:
    for line in request.split(b"\r\n")[1:]:
        if line.lower().startswith(b"host:"):
            return line[5:].strip().decode("ascii", "replace")
    return None


class _TcpServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = False           # server_close() joins the handler threads
    owner: InternetHost
    port_in_profile: int


class _UdpServer(socketserver.UDPServer):
    allow_reuse_address = True
    owner: Any
    port_in_profile: int


class _TcpHandler(socketserver.BaseRequestHandler):
    """Plays the server side of the caller's script: read what it sends, send what it expects."""

    def handle(self) -> None:
        server: _TcpServer = self.server  # type: ignore[assignment]
        host, port = server.owner, server.port_in_profile
        sock: socket.socket = self.request
        sock.settimeout(IO_TIMEOUT)
        pattern = host.pattern_for(self.client_address[0], port, "tcp")
        sni = http_host = None
        received = sent = 0
        try:
            for direction, payload, note in tcp_script(pattern, random.Random()):
                data = b"".join(payload) if isinstance(payload, list) else payload
                if direction == IN:
                    sock.sendall(data)
                    sent += len(data)
                    continue
                got = recv_exact(sock, len(data))
                received += len(got)
                if note and note[0] == "sni":
                    sni = wire.parse_client_hello_sni(got)
                elif note and note[0] == "host":
                    http_host = _http_host(got)
                if len(got) < len(data):
                    break
            while chunk := sock.recv(65536):     # anything more, until the device closes
                received += len(chunk)
        except OSError:
            pass
        host.record(Arrival(time.time(), host.address, port, "tcp", self.client_address[0],
                            self.client_address[1], pattern.kind, sni, http_host, received, sent))


class _UdpHandler(socketserver.BaseRequestHandler):
    """NTP servers answer mode 4; vendor P2P servers answer each datagram with one of theirs."""

    def handle(self) -> None:
        server: _UdpServer = self.server  # type: ignore[assignment]
        host, port = server.owner, server.port_in_profile
        data, sock = self.request
        pattern = host.pattern_for(self.client_address[0], port, "udp")
        now_us = time.time_ns() // 1000
        replies = [m[1] for m in udp_script(pattern, now_us, random.Random()) if m[0] == IN]
        reply = wire.ntp_server(data, now_us) if pattern.kind == "ntp" else (replies or [b""])[0]
        if reply:
            sock.sendto(reply, self.client_address)
        host.record(Arrival(time.time(), host.address, port, "udp", self.client_address[0],
                            self.client_address[1], pattern.kind, received=len(data), sent=len(reply)))


def _serve(server: socketserver.BaseServer, name: str) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, args=(POLL,), daemon=True, name=name)
    thread.start()
    return thread


class InternetHost:
    """One simulated internet server: a loopback address standing in for a public one."""

    def __init__(self, address: str, label: str, *, privileged: bool) -> None:
        self.address, self.label = address, label
        self.privileged = privileged
        self.patterns: dict[tuple[str | None, int, str], PhoneHome] = {}
        self.ports: dict[tuple[int, str], int] = {}      # (profile port, transport) -> bound port
        self.arrivals: list[Arrival] = []
        self._lock = threading.Lock()
        self._servers: list[tuple[socketserver.BaseServer, threading.Thread]] = []

    def add(self, caller: str, pattern: PhoneHome) -> None:
        """Serve ``pattern`` to the device at ``caller`` (the first pattern per port is the default)."""
        self.patterns[(caller, pattern.port, pattern.transport)] = pattern
        self.patterns.setdefault((None, pattern.port, pattern.transport), pattern)

    def pattern_for(self, caller: str, port: int, transport: str) -> PhoneHome:
        return self.patterns.get((caller, port, transport)) or self.patterns[(None, port, transport)]

    def record(self, arrival: Arrival) -> None:
        with self._lock:
            self.arrivals.append(arrival)

    def start(self) -> InternetHost:
        for (caller, port, transport), pattern in list(self.patterns.items()):
            if caller is not None or pattern.kind == "syn_only":
                continue                      # nobody answers a syn_only destination
            bind_port = port if port >= 1024 or self.privileged else 0
            server: _TcpServer | _UdpServer
            if transport == "tcp":
                server = _TcpServer((self.address, bind_port), _TcpHandler)
            else:
                server = _UdpServer((self.address, bind_port), _UdpHandler)
            server.owner, server.port_in_profile = self, port
            self.ports[(port, transport)] = server.server_address[1]
            self._servers.append((server, _serve(server, f"internet-{self.label}-{port}/{transport}")))
        return self

    def stop(self) -> None:
        for server, thread in self._servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._servers.clear()


class _DnsHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        resolver: Resolver = self.server.owner  # type: ignore[attr-defined]
        data, sock = self.request
        try:
            txid, name, qtype = wire.parse_dns_query(data)
        except (ValueError, IndexError, UnicodeDecodeError):
            return
        address = resolver.table.get(name.lower().rstrip(".")) if qtype == wire.DNS_A else None
        answers = (address,) if address else ()
        sock.sendto(wire.dns_response(txid, name, list(answers), ttl=60), self.client_address)
        resolver.record(Lookup(time.time(), self.client_address[0], name, answers))


class Resolver:
    """A DNS server answering A queries for the simulated internet's names, NXDOMAIN otherwise."""

    def __init__(self, address: str, port: int, table: dict[str, str]) -> None:
        self.table = {k.lower(): v for k, v in table.items()}
        self.lookups: list[Lookup] = []
        self._lock = threading.Lock()
        self._server = _UdpServer((address, port), _DnsHandler)
        self._server.owner = self
        self.address, self.port = self._server.server_address[:2]
        self._thread: threading.Thread | None = None

    def record(self, lookup: Lookup) -> None:
        with self._lock:
            self.lookups.append(lookup)

    def start(self) -> Resolver:
        self._thread = _serve(self._server, "internet-resolver")
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
