"""Send the discovery datagrams to many addresses at once and collect what comes back.

One socket per protocol and address family; every datagram goes out first (replies are read
while sending, so a busy receive buffer never overflows), then replies are read until a short
quiet period has passed. Nothing here blocks on a single device, so a /24 costs the send time
plus `wait`. Unicast is the default; multicast is only sent when the caller asks for it.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from probes.discovery import dhip, sadp, wsd
from probes.discovery.reply import MAX_DATAGRAM, DiscoveryReply
from probes.errors import ProbeError

Parser = Callable[[bytes, str], DiscoveryReply | None]


@dataclass(frozen=True)
class _Protocol:
    name: str
    port: int
    datagram: bytes
    parse: Parser
    group_v4: str


@dataclass
class UdpResult:
    replies: list[DiscoveryReply] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _protocols(names: Sequence[str]) -> list[_Protocol]:
    message_id, probe_id = wsd.new_message_id(), sadp.new_probe_id()
    known = {
        "ws_discovery": _Protocol("ws_discovery", wsd.PORT, wsd.build_probe(message_id),
                                  lambda d, s: wsd.parse_reply(d, s, message_id=message_id), wsd.MULTICAST_V4),
        "sadp": _Protocol("sadp", sadp.PORT, sadp.build_probe(probe_id),
                          lambda d, s: sadp.parse_reply(d, s, probe_id=probe_id), sadp.MULTICAST_V4),
        "dhip": _Protocol("dhip", dhip.PORT, dhip.build_probe(), dhip.parse_reply, dhip.MULTICAST_V4),
    }
    return [known[n] for n in names if n in known]


def _family(address: str) -> int:
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def _sockaddr(address: str, port: int) -> tuple:  # type: ignore[type-arg]
    """Numeric sockaddr, keeping an IPv6 scope id (fe80::1%eth0)."""
    return socket.getaddrinfo(address, port, _family(address), socket.SOCK_DGRAM, 0,
                              socket.AI_NUMERICHOST)[0][4]


class _Exchange:
    def __init__(self, protocols: list[_Protocol], families: set[int], multicast: bool) -> None:
        self.result = UdpResult()
        self.selector = selectors.DefaultSelector()
        self.sockets: dict[tuple[str, int], socket.socket] = {}
        self.seen: set[tuple[str, str]] = set()
        for proto in protocols:
            for family in families:
                try:
                    sock = socket.socket(family, socket.SOCK_DGRAM)
                except OSError as exc:          # e.g. IPv6 switched off in the kernel
                    self.result.notes.append(f"no {family.name} socket for {proto.name}: {exc.strerror or exc}")
                    continue
                sock.setblocking(False)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                if multicast and family == socket.AF_INET:
                    # Link-local only, and do not hear our own probe.
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
                sock.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", 0))
                self.sockets[(proto.name, family)] = sock
                self.selector.register(sock, selectors.EVENT_READ, proto)

    def send(self, proto: _Protocol, address: str, port: int | None = None) -> None:
        sock = self.sockets.get((proto.name, _family(address)))
        if sock is None:
            return
        target = _sockaddr(address, port or proto.port)
        for _ in range(50):
            try:
                sock.sendto(proto.datagram, target)
                return
            except BlockingIOError:
                self.receive(0.01)            # let the kernel drain; read what has arrived meanwhile
            except OSError:
                return                        # no route, broadcast address, ICMP error queued: no device
        self.result.notes.append(f"could not send the {proto.name} probe to {address}: the send buffer stayed full")

    def receive(self, timeout: float) -> None:
        for key, _ in self.selector.select(timeout):
            proto: _Protocol = key.data
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            while True:
                try:
                    data, peer = sock.recvfrom(MAX_DATAGRAM)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break                     # ICMP port unreachable reported on the socket
                self._handle(proto, data, peer[0].split("%", 1)[0])

    def _handle(self, proto: _Protocol, data: bytes, source: str) -> None:
        if (proto.name, source) in self.seen:
            return                            # the same device answering unicast and multicast
        try:
            reply = proto.parse(data, source)
        except ProbeError as exc:
            self.result.notes.append(f"{source}: {exc.reason}")
            return
        if reply is not None:
            self.seen.add((proto.name, source))
            self.result.replies.append(reply)

    def close(self) -> None:
        self.selector.close()
        for sock in self.sockets.values():
            sock.close()


def probe_udp(addresses: Sequence[str], *, protocols: Sequence[str], wait: float,
              multicast: bool = False, clock: Callable[[], float] = time.monotonic) -> UdpResult:
    """Unicast every protocol's probe to every address (plus multicast when asked); collect replies.

    Returns once `wait` seconds have passed after the last datagram, or as soon as every address
    has answered every protocol.
    """
    chosen = _protocols(protocols)
    families = {_family(a) for a in addresses} | ({socket.AF_INET} if multicast else set())
    if not chosen or not families:
        return UdpResult()
    exchange = _Exchange(chosen, families, multicast)
    try:
        for proto in chosen:
            if multicast:
                exchange.send(proto, proto.group_v4)
        for index, address in enumerate(addresses):
            for proto in chosen:
                exchange.send(proto, address)
            if index % 64 == 63:
                exchange.receive(0)
        deadline = clock() + wait
        wanted = len(addresses) * len(chosen)
        while (remaining := deadline - clock()) > 0 and (multicast or len(exchange.seen) < wanted):
            exchange.receive(min(remaining, 0.1))
    finally:
        exchange.close()
    return exchange.result
