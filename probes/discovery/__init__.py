"""Discovery: which addresses in scope are cameras or recorders, and what they said unasked.

    discover(addresses, settings=..., given=...) -> list[Target]
    discover_devices(...) -> DiscoveryReport      (Targets plus the non-identity facts and notes)

Every address gets unicast WS-Discovery, SADP and DHIP probes and a TCP connect sweep of the
camera ports, all in flight together; the answers are merged into one Target per address.
Multicast probes (which find devices the scope does not list) go out only when the settings
ask for them and the scope holds a non-loopback IPv4 address; their replies from outside the
scope are listed in `DiscoveryReport.outside_scope`, not audited.

Unanswered UDP probes are retried (udp.py), and addresses that answered the TCP sweep but not
UDP are probed again before the replies are merged (recovery.py); the report says how many.
An address that cannot be probed at all (an IPv6 zone naming no interface here, no route) is
recorded against that address in `DiscoveryReport.errors` and `Target.discovery_errors`, with one
readable line in `notes`; it never stops discovery of the others (issue 10.4).

What discovery learned is exposed two ways:
- `Target.hints`: IdentitySignals (maker behaviour, presented brand, model, serial, MAC, firmware)
  from SADP, DHIP and WS-Discovery scopes, for auditor/judge/identity.py.
- `Discovered.observations`: facts that are not identity, e.g. SADP's Hik-Connect state as a
  RemoteAccessObservation("hik_connect", enabled, None, Evidence("sadp", ...)), so the auditor can
  record the cloud setting even when no credentials are given.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from probes.base import Observation, Target
from probes.discovery.addresses import address_problem
from probes.discovery.merge import Given, merge_device
from probes.discovery.recovery import absorb, loss_note, lost_pairs
from probes.discovery.reply import DISCOVERY_PROTOCOLS, DiscoveryReply
from probes.discovery.sweep import CAMERA_PORTS, FIRST_PORTS, sweep, sweep_with_liveness
from probes.discovery.udp import UdpResult, probe_pairs, probe_udp

__all__ = ["CAMERA_PORTS", "DISCOVERY_PROTOCOLS", "Discovered", "DiscoveryReply", "DiscoveryReport",
           "DiscoverySettings", "Given", "discover", "discover_devices", "multicast_allowed"]


@dataclass(frozen=True)
class DiscoverySettings:
    protocols: tuple[str, ...] = DISCOVERY_PROTOCOLS   # which UDP discovery protocols to send
    udp_wait: float = 1.5          # seconds to keep listening after the last datagram went out
    ports: tuple[int, ...] = tuple(CAMERA_PORTS)        # TCP sweep; () switches the sweep off
    connect_timeout: float = 0.8   # per TCP connect
    concurrency: int = 256         # TCP connects in flight at once
    multicast: bool = False        # also multicast the probes (never for loopback-only scopes)
    # Up to this many addresses every port is tried on every address. Larger scopes (a /16 is
    # 65,534 addresses) try FIRST_PORTS (80, 443, 554) everywhere, and the other ports only where
    # something answered (a port open or refused, or a discovery reply): an address that drops
    # everything then costs one connect timeout per first port instead of one per port.
    full_sweep_limit: int = 1024
    # Unanswered UDP probes are sent again up to `retries` times, `retry_after` seconds after the
    # last send and doubling (0.25 s, 0.5 s), in scopes up to `full_sweep_limit` addresses; larger
    # scopes only re-probe addresses that answered the TCP sweep. Sends are paced at `send_rate`.
    retries: int = 2
    retry_after: float = 0.25
    send_rate: float = 5000.0      # datagrams per second (in bursts of 32)
    reprobe: bool = True           # probe again addresses live on TCP but silent on UDP


@dataclass(frozen=True)
class Discovered:
    """One device as discovery saw it."""

    target: Target
    observations: tuple[Observation, ...] = ()     # e.g. SADP's hik_connect RemoteAccessObservation
    replies: tuple[DiscoveryReply, ...] = ()


@dataclass
class DiscoveryReport:
    devices: list[Discovered] = field(default_factory=list)
    outside_scope: list[str] = field(default_factory=list)   # multicast answers from unlisted addresses
    notes: list[str] = field(default_factory=list)            # one line each: bad targets, losses, bad replies
    errors: dict[str, str] = field(default_factory=dict)      # address -> why it could not be probed
    retried: int = 0               # UDP probes sent again because no answer came
    recovered: int = 0             # replies that came only after a retry or a re-probe
    unanswered: int = 0            # probes never answered (empty addresses included)
    reprobed: list[str] = field(default_factory=list)         # live on TCP, silent on UDP, probed again

    @property
    def targets(self) -> list[Target]:
        return [d.target for d in self.devices]


def multicast_allowed(addresses: Sequence[str], settings: DiscoverySettings) -> bool:
    """Multicast only on request, and only when the scope reaches beyond loopback (IPv4 groups)."""
    if not settings.multicast:
        return False
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.version == 4 and not ip.is_loopback:
            return True
    return False


def _ports_for(address: str, givens: dict[str, Given], ports: Iterable[int]) -> list[int]:
    given = givens.get(address)
    return list(dict.fromkeys([*ports, *([given.port] if given and given.port else [])]))


def _sweep(addresses: list[str], givens: dict[str, Given], settings: DiscoverySettings,
           udp_worker: threading.Thread, udp: Callable[[], UdpResult]) -> dict[str, set[int]]:
    """TCP sweep; scopes over `full_sweep_limit` addresses go in two phases (see DiscoverySettings)."""
    if not settings.ports:
        return {}
    sweep_args = {"timeout": settings.connect_timeout, "concurrency": settings.concurrency}
    if len(addresses) <= settings.full_sweep_limit:
        return sweep(((a, p) for a in addresses for p in _ports_for(a, givens, settings.ports)), **sweep_args)
    first = [p for p in settings.ports if p in FIRST_PORTS]
    found, alive = sweep_with_liveness(((a, p) for a in addresses for p in first), **sweep_args)
    udp_worker.join()
    alive |= {r.address for r in udp().replies} | set(givens)
    rest = ((a, p) for a in addresses if a in alive for p in _ports_for(a, givens, settings.ports) if p not in first)
    for address, ports in sweep(rest, **sweep_args).items():
        found.setdefault(address, set()).update(ports)
    return found


def discover_devices(addresses: Iterable[str], *, settings: DiscoverySettings | None = None,
                     given: Iterable[Given] = ()) -> DiscoveryReport:
    """Probe every address; one Discovered per address that answered anything, or was given.

    Args:
        addresses: every address in scope (CIDRs already expanded), numeric IPv4/IPv6.
        settings: timeouts, ports, protocols, retries and the multicast switch.
        given: addresses the user named one by one (with a port or scheme if they gave one);
            these become Targets with found_by=("given",) even when nothing answers, so the
            audit can report them unreachable (with `discovery_errors` saying why, if known).
    """
    settings = settings or DiscoverySettings()
    givens = {g.address: g for g in given}
    ordered = list(dict.fromkeys([*addresses, *givens]))
    errors = {a: why for a in ordered if (why := address_problem(a))}
    usable = [a for a in ordered if a not in errors]
    udp = _udp_in_background(usable, settings)
    open_ports = _sweep(usable, givens, settings, udp.worker, udp.get)
    result = udp.join()
    reprobed: list[str] = []
    if settings.reprobe and (pairs := lost_pairs(usable, result, open_ports, settings.protocols)):
        reprobed = list(dict.fromkeys(a for a, _ in pairs))
        try:
            absorb(result, probe_pairs(pairs, wait=settings.udp_wait, retries=1,
                                       retry_after=settings.retry_after, send_rate=settings.send_rate))
        except OSError as exc:          # the first results stand; say why the second chance was lost
            result.notes.append(f"The UDP re-probe of {len(reprobed)} address(es) could not run "
                                f"({exc.strerror or exc}).")
    errors.update((a, why) for a, why in result.errors.items() if a not in errors)

    by_address: dict[str, list[DiscoveryReply]] = {}
    for reply in result.replies:
        by_address.setdefault(reply.address, []).append(reply)
    report = DiscoveryReport(errors=errors, retried=len(result.retried), recovered=len(result.recovered),
                             unanswered=len(result.unanswered), reprobed=reprobed)
    report.notes = [*_error_notes(errors, givens), *([n] if (n := loss_note(result, reprobed)) else []),
                    *result.notes]
    in_scope = set(ordered)
    report.outside_scope = sorted(a for a in by_address if a not in in_scope)
    for address in ordered:
        replies = by_address.get(address, [])
        ports = open_ports.get(address, set())
        if not replies and not ports and address not in givens:
            continue
        why = (errors[address],) if address in errors else ()
        target, observations = merge_device(address, replies, ports, givens.get(address), why)
        report.devices.append(Discovered(target, observations, tuple(replies)))
        report.notes.extend(note for r in replies for note in r.notes)
    return report


def _error_notes(errors: dict[str, str], givens: dict[str, Given]) -> list[str]:
    """One line per address the user named; addresses from a CIDR are summed up in one line."""
    named = [why for address, why in errors.items() if address in givens]
    rest = [why for address, why in errors.items() if address not in givens]
    if len(rest) > 3:
        named.append(f"{len(rest)} addresses in the scope could not be probed, e.g. {rest[0]}")
    else:
        named += rest
    return named


class _UdpRun:
    """The UDP exchange in a thread, alongside the TCP sweep; its failures surface in the caller."""

    def __init__(self, addresses: list[str], settings: DiscoverySettings) -> None:
        self.result = UdpResult()
        self.failure: BaseException | None = None
        large = len(addresses) > settings.full_sweep_limit
        self.args = {"protocols": settings.protocols, "wait": settings.udp_wait,
                     "multicast": multicast_allowed(addresses, settings),
                     "retries": 0 if large else settings.retries, "retry_after": settings.retry_after,
                     "send_rate": settings.send_rate}
        self.addresses = addresses
        self.worker = threading.Thread(target=self._run, name="camaudit-discovery-udp", daemon=True)

    def _run(self) -> None:
        try:
            self.result = probe_udp(self.addresses, **self.args)  # type: ignore[arg-type]
        except OSError as exc:          # e.g. no socket could be bound: the TCP sweep still runs
            self.result = UdpResult(notes=[f"UDP discovery (WS-Discovery, SADP, DHIP) could not run "
                                           f"({exc.strerror or exc}); only the TCP sweep was used."])
        except BaseException as exc:    # noqa: BLE001 - re-raised in the calling thread by join()
            self.failure = exc

    def get(self) -> UdpResult:
        return self.result

    def join(self) -> UdpResult:
        self.worker.join()
        if self.failure is not None:
            raise self.failure
        return self.result


def _udp_in_background(addresses: list[str], settings: DiscoverySettings) -> _UdpRun:
    run = _UdpRun(addresses, settings)
    run.worker.start()
    return run


def discover(addresses: Iterable[str], *, settings: DiscoverySettings | None = None,
             given: Iterable[Given] = ()) -> list[Target]:
    """One Target per address that answered a discovery probe or the TCP sweep (or was given)."""
    return discover_devices(addresses, settings=settings, given=given).targets
