"""Recovering lost discovery replies, and saying how many were lost.

The UDP exchange retries probes that got no answer (udp.py). After the TCP sweep one more
chance is given, unicast, to addresses that showed life on TCP but whose discovery replies never
came: all protocols for an address with no UDP reply at all, and SADP/DHIP for an address with
the Hikvision (8000) or Dahua (37777) SDK port open that answered the other protocols but not
that one (PROTOCOLS.md e). Identity is decided from the replies only after this, so a lost
SADP datagram no longer costs a Hikvision OEM its brand (issue 10.4).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from probes.discovery.udp import UdpResult, reply_mac

# Discovery protocol -> the SDK port its vendor's firmware keeps open.
SDK_PORTS = {"sadp": 8000, "dhip": 37777}


def lost_pairs(addresses: Iterable[str], udp: UdpResult, open_ports: dict[str, set[int]],
               protocols: Sequence[str]) -> list[tuple[str, str]]:
    """(address, protocol) to probe again: live on TCP, yet silent on UDP where a reply was due."""
    answered: dict[str, set[str]] = {}
    for protocol, address in udp.answered:
        answered.setdefault(address, set()).add(protocol)
    pairs = []
    for address in addresses:
        ports = open_ports.get(address)
        if not ports or address in udp.errors:
            continue
        got = answered.get(address, set())
        if got:
            missing = [p for p in protocols if p not in got and SDK_PORTS.get(p) in ports]
        else:
            missing = list(protocols)
        pairs += [(address, p) for p in missing]
    return pairs


def absorb(udp: UdpResult, again: UdpResult) -> None:
    """Fold a re-probe's result into the first one; its answers count as recovered."""
    have = {(r.protocol, r.address, reply_mac(r)) for r in udp.replies}
    for reply in again.replies:
        if (reply.protocol, reply.address, reply_mac(reply)) not in have:
            udp.replies.append(reply)
    udp.recovered |= again.answered - udp.answered
    udp.retried |= again.probed
    udp.resent += len(again.probed) + again.resent
    udp.answered |= again.answered
    udp.notes.extend(again.notes)
    for address, why in again.errors.items():
        udp.errors.setdefault(address, why)


def loss_note(udp: UdpResult, reprobed: Sequence[str]) -> str | None:
    """The warning that discovery replies were lost and recovered by retrying, or None when no retry
    recovered anything: then the retries only met empty addresses and protocols a device does not speak,
    which is every normal sweep, and the counts stay in the discovery report without a line on stderr."""
    if not udp.recovered:
        return None
    again = f"; {len(reprobed)} address(es) that answered only on TCP were probed again" if reprobed else ""
    return ("Warning: discovery replies were lost or late on this network and were recovered by retrying. "
            f"UDP discovery retried {len(udp.retried)} unanswered probe(s) ({udp.resent} datagram(s) sent "
            f"again{again}): {len(udp.recovered)} answered only on a retry, {len(udp.unanswered)} never "
            "answered (empty addresses and protocols a device does not speak stay silent too).")
