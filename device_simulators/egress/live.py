"""Live phone-home emulation: simulated devices call simulated internet hosts on loopback.

Every distinct destination in the devices' ``phone_home`` lists (a DNS name, or a hard-coded
address) gets a loopback address from ``internet_base`` upward, served by an
``internet.InternetHost``; a ``internet.Resolver`` answers the names with those addresses.
One emitter thread per device binds its sockets to the device's own loopback address, so a
capture on ``lo`` shows each device's traffic coming from it, and repeats each pattern every
``every / speedup`` seconds: DNS lookup first (for named destinations, every time: the
emulator does not cache, so each session shows its query), then the session. TCP sessions
follow the same message scripts as the pcap generator, SMTP STARTTLS preamble included, so
a capture on ``lo`` dissects like the generated site capture.

Nothing leaves loopback: every address used is checked to be in 127.0.0.0/8, and hard-coded
public addresses are only keys of the ``internet`` mapping, never dialled.

Loopback caveat for ``syn_only``: no host listens, so the kernel answers the SYN at once
with an RST (ECONNREFUSED) instead of leaving it unanswered and retransmitting as on the
internet. An auditor counting failed attempts must count a SYN whose connection never saw a
SYN-ACK, whether it got silence (pcap, real sites) or an RST (loopback).
"""

from __future__ import annotations

import ipaddress
import random
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType

from device_simulators.egress import wire
from device_simulators.egress.flows import OUT
from device_simulators.egress.internet import IO_TIMEOUT, Arrival, InternetHost, Lookup, Resolver, recv_exact
from device_simulators.egress.patterns import tcp_script, udp_script
from device_simulators.profile import PhoneHome
from device_simulators.runtime.device import SimDevice, is_privileged

LOOPBACK = ipaddress.IPv4Network("127.0.0.0/8")


class EmulatorError(RuntimeError):
    """The emulator was asked to use an address outside loopback, or could not bind one."""


def loopback(address: str) -> str:
    """``address`` if it is a loopback IPv4 address; refuses anything else."""
    try:
        if ipaddress.IPv4Address(address) in LOOPBACK:
            return address
    except ValueError:
        pass
    raise EmulatorError(f"phone-home emulation only uses loopback addresses (127.0.0.0/8), not '{address}'")


@dataclass(frozen=True)
class Attempt:
    """One pattern occurrence as the device saw it."""

    time: float
    device: str
    source: str
    destination: str           # name, or the hard-coded public address
    address: str | None        # the loopback address it reached (None: lookup failed)
    port: int
    transport: str
    kind: str
    outcome: str               # ok | refused | nxdomain | timeout | error


class PhoneHomeEmulator:
    """Simulated internet, resolver and per-device emitters. Use as a context manager."""

    def __init__(self, devices: Iterable[SimDevice], *, internet_base: str = "127.0.200.1",
                 resolver_address: str = "127.0.53.1", resolver_port: int = 5353,
                 speedup: float = 60.0) -> None:
        self.devices = [d for d in devices if d.profile.phone_home]
        for device in self.devices:
            loopback(device.address)
        self.speedup = speedup
        self.internet: dict[str, str] = {}       # name or public address -> loopback address
        self.hosts: dict[str, InternetHost] = {}  # loopback address -> host
        base = ipaddress.IPv4Address(loopback(internet_base))
        privileged = is_privileged()
        for device in self.devices:
            for p in device.profile.phone_home:
                key = p.name or p.address
                if key not in self.internet:
                    address = loopback(str(base + len(self.hosts)))
                    self.internet[key] = address
                    self.internet.setdefault(p.address, address)
                    self.hosts[address] = InternetHost(address, key, privileged=privileged)
                self.hosts[self.internet[key]].add(device.address, p)
        names = {p.name: self.internet[p.name] for d in self.devices for p in d.profile.phone_home if p.name}
        self.resolver = Resolver(loopback(resolver_address), resolver_port, names)
        self.attempts: list[Attempt] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    # -- what tests read ------------------------------------------------------------------
    def arrivals(self, destination: str | None = None) -> list[Arrival]:
        """What reached the host standing for ``destination`` (name, public or loopback
        address); every host's arrivals when None."""
        if destination is None:
            return [a for h in self.hosts.values() for a in list(h.arrivals)]
        address = self.internet.get(destination, destination)
        host = self.hosts.get(address)
        return list(host.arrivals) if host else []

    @property
    def lookups(self) -> list[Lookup]:
        return list(self.resolver.lookups)

    # -- life cycle -----------------------------------------------------------------------
    def start(self) -> PhoneHomeEmulator:
        try:
            self.resolver.start()
            for host in self.hosts.values():
                host.start()
        except OSError as exc:
            self.stop()
            raise EmulatorError(f"cannot start the simulated internet: {exc.strerror or exc}. "
                                "Is another emulator running on the same addresses?") from exc
        for device in self.devices:
            thread = threading.Thread(target=self._emit, args=(device,), daemon=True,
                                      name=f"phone-home-{device.profile.id}")
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop the emitters first (so no session is cut by a vanishing host), then the hosts."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads.clear()
        for host in self.hosts.values():
            host.stop()
        self.resolver.stop()

    def __enter__(self) -> PhoneHomeEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- the emitters ---------------------------------------------------------------------
    def _emit(self, device: SimDevice) -> None:
        patterns = device.profile.phone_home
        now = time.monotonic()
        due = [now + 0.01 * i for i in range(len(patterns))]   # every pattern once at start-up
        while not self._stop.is_set():
            j = min(range(len(patterns)), key=due.__getitem__)
            if self._stop.wait(max(due[j] - time.monotonic(), 0)):
                return
            self._run(device, patterns[j])
            due[j] = max(due[j] + patterns[j].every / self.speedup, time.monotonic())

    def _run(self, device: SimDevice, p: PhoneHome) -> None:
        address, outcome = None, "ok"
        try:
            address = self._resolve(device, p)
            if address is None:
                outcome = "nxdomain"
            elif p.kind == "syn_only":
                outcome = self._connect_only(device, address, p)
            elif p.transport == "udp":
                self._udp(device, address, p)
            else:
                self._tcp(device, address, p)
        except TimeoutError:
            outcome = "timeout"
        except ConnectionRefusedError:
            outcome = "refused"
        except OSError:
            outcome = "error"
        with self._lock:
            self.attempts.append(Attempt(time.time(), device.profile.id, device.address, p.name or p.address,
                                         address, p.port, p.transport, p.kind, outcome))

    def _resolve(self, device: SimDevice, p: PhoneHome) -> str | None:
        if not p.name:
            return self.internet[p.address]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((device.address, 0))
            sock.settimeout(IO_TIMEOUT)
            txid = random.randrange(1 << 16)
            sock.sendto(wire.dns_query(txid, p.name), (self.resolver.address, self.resolver.port))
            _, rcode, answers = wire.parse_dns_response(sock.recv(512))
        return loopback(answers[0]) if rcode == wire.RCODE_NOERROR and answers else None

    def _port(self, address: str, p: PhoneHome) -> int:
        return self.hosts[address].ports.get((p.port, p.transport), p.port)

    def _connect_only(self, device: SimDevice, address: str, p: PhoneHome) -> str:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((device.address, 0))
            sock.settimeout(IO_TIMEOUT)
            sock.connect((loopback(address), self._port(address, p)))
        return "ok"        # only if something listens after all

    def _tcp(self, device: SimDevice, address: str, p: PhoneHome) -> None:
        with socket.create_connection((loopback(address), self._port(address, p)), timeout=IO_TIMEOUT,
                                      source_address=(device.address, 0)) as sock:
            for direction, payload, _ in tcp_script(p, random.Random()):
                data = b"".join(payload) if isinstance(payload, list) else payload
                if direction == OUT:
                    sock.sendall(data)
                elif len(recv_exact(sock, len(data))) < len(data):
                    raise TimeoutError("the host closed early")
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(65536):
                pass

    def _udp(self, device: SimDevice, address: str, p: PhoneHome) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.bind((device.address, 0))
            sock.settimeout(IO_TIMEOUT)
            target = (loopback(address), self._port(address, p))
            for direction, payload, _ in udp_script(p, time.time_ns() // 1000, random.Random()):
                if direction == OUT:
                    sock.sendto(payload, target)   # type: ignore[arg-type]
                    sock.recv(65536)               # every datagram gets one answer
