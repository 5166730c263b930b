"""Merge one address's discovery replies and open ports into a single Target."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from probes.base import IdentitySignal, Observation, Target
from probes.discovery.reply import DISCOVERY_PROTOCOLS, DiscoveryReply
from probes.discovery.sweep import HTTP_PORTS, HTTPS_PORTS

# Which reply's HTTP port to believe first: SADP and DHIP read the device's own configuration,
# the WS-Discovery XAddr is where ONVIF is served (usually, not always, the web port).
_PORT_PRIORITY = ("sadp", "dhip", "ws_discovery")


@dataclass(frozen=True)
class Given:
    """An address the user named on its own (not found in a CIDR), with what they said about it."""

    address: str
    port: int | None = None        # from "host:port" or a URL
    scheme: str | None = None      # "http" | "https" from a URL
    label: str | None = None       # the text the user typed, e.g. "cam.local:8080"


def _http_port(replies: list[DiscoveryReply], ports: set[int], given: Given | None) -> tuple[int, str]:
    if given and given.port:
        scheme = given.scheme or ("https" if given.port in HTTPS_PORTS else "http")
        return given.port, scheme
    if given and given.scheme == "https":
        return 443, "https"
    for protocol in _PORT_PRIORITY:
        for reply in replies:
            if reply.protocol == protocol and reply.http_port:
                return reply.http_port, "http"
    for port in HTTP_PORTS:
        if port in ports:
            return port, "http"
    for port in HTTPS_PORTS:
        if port in ports:
            return port, "https"
    return 80, "http"


def _onvif_xaddr(replies: list[DiscoveryReply], address: str) -> str | None:
    xaddrs = [r.onvif_xaddr for r in replies if r.onvif_xaddr]
    return next((x for x in xaddrs if urlsplit(x).hostname == address), xaddrs[0] if xaddrs else None)


def merge_device(address: str, replies: list[DiscoveryReply], ports: set[int], given: Given | None,
                 errors: tuple[str, ...] = ()) -> tuple[Target, tuple[Observation, ...]]:
    """One Target for `address`, and the non-identity observations its replies carried."""
    found_by = [p for p in DISCOVERY_PROTOCOLS if any(r.protocol == p for r in replies)]
    if ports:
        found_by.append("tcp-sweep")
    if not found_by:
        found_by = ["given"]
    port, scheme = _http_port(replies, ports, given)
    https_port = port if scheme == "https" else next((p for p in HTTPS_PORTS if p in ports), None)
    hints: list[IdentitySignal] = []
    seen: set[tuple[str, str, str]] = set()
    for reply in sorted(replies, key=lambda r: DISCOVERY_PROTOCOLS.index(r.protocol)):
        for hint in reply.signals:
            key = (hint.field, hint.value, hint.source)
            if key not in seen:
                seen.add(key)
                hints.append(hint)
    observations = tuple(o for r in replies for o in r.observations)
    target = Target(address=address, port=port, scheme=scheme, https_port=https_port,
                    onvif_xaddr=_onvif_xaddr(replies, address), found_by=tuple(found_by),
                    open_ports=tuple(sorted(ports)), hints=tuple(hints), discovery_errors=errors)
    return target, observations
