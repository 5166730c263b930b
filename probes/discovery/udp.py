"""Send the discovery datagrams to many addresses at once and collect what comes back.

One socket per protocol and address family, with a large receive buffer. Datagrams go out
paced (`send_rate`, in short bursts, reading replies while waiting), so neither our buffer nor
a small camera's overflows. Once nothing has arrived for `retry_after` seconds, probes still
unanswered are sent again, up to `retries` times with the delay doubling each time: on a busy
LAN single datagrams are lost, and on a loaded host replies come late (issue 10.4 lost most
replies of a 200-device site). Waiting for quiet before retrying keeps retries from piling work
on devices that are merely slow. Replies are read for `wait` seconds after the first round, then
until `wait / 2` passes without a datagram, and never beyond `BUDGET * wait`; on a LAN without
losses the retries fall inside the first `wait`, so such a run takes no longer than before.

Per-address failures (an unusable zone id, no route) are recorded in `UdpResult.errors` for that
address and never stop the others.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from probes.discovery import dhip, sadp, wsd
from probes.discovery.addresses import address_problem, family, send_problem, sockaddr
from probes.discovery.reply import MAX_DATAGRAM, DiscoveryReply
from probes.errors import ProbeError

Parser = Callable[[bytes, str], DiscoveryReply | None]
Key = tuple[str, str]                      # (protocol, address)
RECEIVE_BUFFER = 4 << 20                   # bytes asked for; Linux grants up to net.core.rmem_max
BURST = 32                                 # datagrams that may leave back to back before pacing
BUDGET = 6                                 # an exchange ends at most BUDGET * wait after its first round
LARGE_SCOPE = 4096                         # probes in one exchange above which a small buffer is worth a note


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
    errors: dict[str, str] = field(default_factory=dict)     # address -> why it could not be probed
    probed: set[Key] = field(default_factory=set)             # unicast probes sent at least once
    answered: set[Key] = field(default_factory=set)
    retried: set[Key] = field(default_factory=set)            # sent again after no answer
    recovered: set[Key] = field(default_factory=set)          # answered only after being sent again
    resent: int = 0                                           # datagrams sent again

    @property
    def unanswered(self) -> set[Key]:
        return self.probed - self.answered


def _protocols(names: Iterable[str]) -> dict[str, _Protocol]:
    message_id, probe_id = wsd.new_message_id(), sadp.new_probe_id()
    known = {
        "ws_discovery": _Protocol("ws_discovery", wsd.PORT, wsd.build_probe(message_id),
                                  lambda d, s: wsd.parse_reply(d, s, message_id=message_id), wsd.MULTICAST_V4),
        # Any well-formed ProbeMatch counts: firmware differs on whether it echoes our Uuid.
        "sadp": _Protocol("sadp", sadp.PORT, sadp.build_probe(probe_id), sadp.parse_reply, sadp.MULTICAST_V4),
        "dhip": _Protocol("dhip", dhip.PORT, dhip.build_probe(), dhip.parse_reply, dhip.MULTICAST_V4),
    }
    return {n: known[n] for n in dict.fromkeys(names) if n in known}


def reply_mac(reply: DiscoveryReply) -> str:
    return next((s.value for s in reply.signals if s.field == "mac"), "")


class _Exchange:
    def __init__(self, protocols: dict[str, _Protocol], families: set[int], multicast: bool,
                 send_rate: float, clock: Callable[[], float]) -> None:
        self.result = UdpResult()
        self.protocols = protocols
        self.clock = clock
        self.interval = 1.0 / send_rate if send_rate > 0 else 0.0
        self.next_slot = clock()
        self.last_activity = clock()
        self.selector = selectors.DefaultSelector()
        self.sockets: dict[tuple[str, int], socket.socket] = {}
        self.seen: set[tuple[str, str, str]] = set()
        self.first_sent: dict[Key, float] = {}
        self.outstanding: set[Key] = set()     # probed, not yet answered (kept so the check is O(1))
        self.slowest = 0.0                     # longest first-send-to-reply time seen so far
        for proto in protocols.values():
            for fam in families:
                try:
                    sock = socket.socket(fam, socket.SOCK_DGRAM)
                except OSError as exc:          # e.g. IPv6 switched off in the kernel
                    self.result.notes.append(f"no {fam.name} socket for {proto.name}: {exc.strerror or exc}")
                    continue
                sock.setblocking(False)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
                if multicast and fam == socket.AF_INET:
                    # Link-local only, and do not hear our own probe.
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
                    sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
                sock.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
                self.sockets[(proto.name, fam)] = sock
                self.selector.register(sock, selectors.EVENT_READ, proto)

    def receive_buffer(self) -> int:
        """The smallest receive buffer the kernel granted (Linux reports twice what it books)."""
        return min((s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) for s in self.sockets.values()), default=0)

    def _pace(self) -> None:
        """Keep to `send_rate`, reading replies while ahead of schedule."""
        if not self.interval:
            return
        self.next_slot = max(self.next_slot, self.clock()) + self.interval
        while (ahead := self.next_slot - self.clock()) > BURST * self.interval:
            self.receive(ahead - BURST * self.interval)

    def send(self, proto: _Protocol, address: str, *, unicast: bool = True) -> None:
        if address in self.result.errors:
            return
        sock = self.sockets.get((proto.name, family(address)))
        if sock is None:
            return
        try:
            target = sockaddr(address, proto.port)
        except (OSError, UnicodeError, ValueError):
            self.result.errors[address] = address_problem(address) or f"{address}: not a usable address."
            return
        self._pace()
        for _ in range(50):
            try:
                sock.sendto(proto.datagram, target)
            except BlockingIOError:
                self.receive(0.01)            # let the kernel drain; read what has arrived meanwhile
                continue
            except OSError as exc:            # no route, a broadcast address, ...
                self.result.errors[address] = send_problem(address, proto.name, exc)
                return
            self.last_activity = self.clock()
            if unicast:
                key = (proto.name, address)
                if key in self.result.probed:
                    self.result.retried.add(key)
                    self.result.resent += 1
                elif key not in self.result.answered:
                    self.outstanding.add(key)
                self.result.probed.add(key)
                self.first_sent.setdefault(key, self.last_activity)
            return
        self.result.notes.append(f"could not send the {proto.name} probe to {address}: the send buffer stayed full")

    def receive(self, timeout: float) -> None:
        for key, _ in self.selector.select(max(timeout, 0.0)):
            proto: _Protocol = key.data
            sock: socket.socket = key.fileobj  # type: ignore[assignment]
            while True:
                try:
                    data, peer = sock.recvfrom(MAX_DATAGRAM)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    break                     # ICMP port unreachable reported on the socket
                self.last_activity = self.clock()
                self._handle(proto, data, peer[0].split("%", 1)[0])

    def _handle(self, proto: _Protocol, data: bytes, source: str) -> None:
        try:
            reply = proto.parse(data, source)
        except ProbeError as exc:
            self.result.notes.append(f"{source}: {exc.reason}")
            return
        if reply is None:
            return
        # One reply per device: keyed by address and MAC, so a device answering both unicast and
        # multicast (or a retry and the late first probe) counts once, while two devices behind
        # one source address (a multicast answer relayed by an NVR) both count.
        seen = (proto.name, source, reply_mac(reply))
        if seen in self.seen:
            return
        self.seen.add(seen)
        key = (proto.name, source)
        if key in self.first_sent and key not in self.result.retried:
            # Only probes sent once time a device (Karn): a reply after a retry may answer either send.
            self.slowest = max(self.slowest, self.clock() - self.first_sent[key])
        if key in self.result.retried and key not in self.result.answered:
            self.result.recovered.add(key)
        self.result.answered.add(key)
        self.outstanding.discard(key)
        self.result.replies.append(reply)

    def all_answered(self) -> bool:
        return not self.outstanding

    def listen(self, until: float, *, until_answered: bool) -> None:
        """Read replies until `until` (or, if asked, until every unicast probe has been answered)."""
        while (remaining := until - self.clock()) > 0 and not (until_answered and self.all_answered()):
            self.receive(min(remaining, 0.1))

    def listen_quiet(self, quiet: float, *, until: float, until_answered: bool) -> None:
        """Read replies until `quiet` seconds pass without a datagram sent or received (or `until`).

        The quiet period stretches to twice the slowest reply seen: devices answering late (a
        loaded host, a busy NVR) are waited for instead of being sent more work.
        """
        while (end := min(self.last_activity + max(quiet, 2 * self.slowest), until)) > self.clock():
            if until_answered and self.all_answered():
                return
            self.listen(end, until_answered=until_answered)

    def close(self) -> None:
        self.selector.close()
        for sock in self.sockets.values():
            sock.close()


def probe_udp(addresses: Sequence[str], *, protocols: Sequence[str], wait: float, multicast: bool = False,
              retries: int = 0, retry_after: float = 0.25, send_rate: float = 0.0,
              clock: Callable[[], float] = time.monotonic) -> UdpResult:
    """Unicast every protocol's probe to every address (plus multicast when asked); collect replies."""
    return probe_pairs([(a, p) for a in addresses for p in protocols], wait=wait,
                       multicast_protocols=protocols if multicast else (), retries=retries,
                       retry_after=retry_after, send_rate=send_rate, clock=clock)


def probe_pairs(pairs: Sequence[tuple[str, str]], *, wait: float, multicast_protocols: Sequence[str] = (),
                retries: int = 0, retry_after: float = 0.25, send_rate: float = 0.0,
                clock: Callable[[], float] = time.monotonic) -> UdpResult:
    """Unicast the probe of each (address, protocol) pair, retrying unanswered ones; collect replies.

    `multicast_protocols` also go to their IPv4 groups once; replies are then awaited for the whole
    quiet period, since nobody knows how many devices will answer.
    """
    multicast = bool(multicast_protocols)
    chosen = _protocols([*(p for _, p in pairs), *multicast_protocols])
    families = {family(a) for a, _ in pairs} | ({socket.AF_INET} if multicast else set())
    if not chosen or not families:
        return UdpResult()
    exchange = _Exchange(chosen, families, multicast, send_rate, clock)
    if len(pairs) > LARGE_SCOPE and 0 < (granted := exchange.receive_buffer()) < RECEIVE_BUFFER:
        exchange.result.notes.append(
            f"The UDP receive buffer is only {granted // 1024} KiB (the kernel's net.core.rmem_max caps it); on a "
            "scope this large some discovery replies may be dropped. Raise it with sysctl to avoid that.")
    try:
        for name in dict.fromkeys(multicast_protocols):
            if name in chosen:
                exchange.send(chosen[name], chosen[name].group_v4, unicast=False)
        for address, name in pairs:
            if name in chosen:
                exchange.send(chosen[name], address)
        first_round = exchange.clock()
        budget = first_round + BUDGET * wait
        delay = retry_after
        for _ in range(max(retries, 0)):
            # Retry once the exchange has gone quiet for `delay`: a lost datagram is then overdue,
            # while replies still trickling in mean slow devices, which a retry would only load more.
            exchange.listen_quiet(delay, until=min(exchange.clock() + 2 * wait, budget), until_answered=True)
            if exchange.all_answered() or exchange.clock() >= budget:
                break
            for name, address in sorted(exchange.outstanding, key=lambda k: (k[1], k[0])):
                exchange.send(chosen[name], address)
            delay *= 2
        # At least `wait` after the first round, then until `wait / 2` passes without a datagram.
        exchange.listen(min(first_round + max(wait, 2 * exchange.slowest), budget), until_answered=not multicast)
        exchange.listen_quiet(wait / 2, until=budget, until_answered=not multicast)
    finally:
        exchange.close()
    return exchange.result
