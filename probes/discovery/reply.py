"""The typed value every discovery parser returns, and small helpers the three parsers share."""

from __future__ import annotations

from dataclasses import dataclass

from probes.base import Evidence, IdentitySignal, Observation
from probes.oui import normalise_mac

DISCOVERY_PROTOCOLS = ("ws_discovery", "sadp", "dhip")
MAX_DATAGRAM = 65535


@dataclass(frozen=True)
class DiscoveryReply:
    """What one device said in one discovery reply, before any login.

    `signals` become Target.hints; `observations` carry facts that are not identity (SADP's
    Hik-Connect state); ports are the ones the device *declared*, not ones a sweep saw open.
    """

    protocol: str                                   # ws_discovery | sadp | dhip
    address: str                                    # source address of the datagram
    signals: tuple[IdentitySignal, ...] = ()
    http_port: int | None = None
    ports: tuple[tuple[str, int], ...] = ()         # declared service ports, e.g. ("sdk", 8000)
    onvif_xaddr: str | None = None
    observations: tuple[Observation, ...] = ()
    notes: tuple[str, ...] = ()


def signal(field: str, value: object, source: str, evidence: Evidence) -> IdentitySignal | None:
    """An IdentitySignal for a non-empty scalar value; None for absent, empty or structured values."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    text = str(value).strip()
    if not text or text.lower() in ("null", "none", "unknown"):
        return None
    if field == "mac":
        mac = normalise_mac(text)
        if mac is None or mac == "00:00:00:00:00:00":
            return None
        text = mac
    return IdentitySignal(field=field, value=text[:200], source=source, evidence=evidence)


def port_number(value: object) -> int | None:
    """A TCP port from a reply field ("80", 80); None for 0, junk or out of range."""
    if isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number < 65536 else None


def compact(signals: list[IdentitySignal | None]) -> tuple[IdentitySignal, ...]:
    return tuple(s for s in signals if s is not None)
