"""WS-Discovery (UDP 3702): the ONVIF Probe and the ProbeMatch a camera sends back.

A Probe for `dn:NetworkVideoTransmitter` is answered by every ONVIF camera with its endpoint
UUID, scopes and device-service URL (XAddrs), without credentials. Scopes carry identity:
Hikvision publishes `MAC/` and `hardware/`; OEM firmware rewrites only `name/` (PROTOCOLS.md c,
quirk 10), so `name/` is reported as the presented brand (`vendor`), never as the maker.
"""

from __future__ import annotations

import uuid
from urllib.parse import unquote, urlsplit

from probes._xml import descendants, find, local, parse_xml, text
from probes.base import Evidence
from probes.discovery.reply import DiscoveryReply, compact, signal
from probes.errors import MalformedResponse

PORT = 3702
MULTICAST_V4 = "239.255.255.250"
SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
SCOPE_PREFIX = "onvif://www.onvif.org/"


def new_message_id() -> str:
    return f"uuid:{uuid.uuid4()}"


def build_probe(message_id: str) -> bytes:
    """A SOAP 1.2 Probe for ONVIF video transmitters (the Types every camera matches)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<s:Envelope xmlns:s="{SOAP}" xmlns:a="{WSA}" xmlns:d="{WSD}" xmlns:dn="{DN}">'
        f"<s:Header><a:MessageID>{message_id}</a:MessageID>"
        "<a:To>urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To>"
        f"<a:Action>{WSD}/Probe</a:Action></s:Header>"
        "<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body>"
        "</s:Envelope>"
    ).encode()


def parse_scopes(scopes: list[str]) -> dict[str, list[str]]:
    """`onvif://www.onvif.org/name/HIKVISION%20X` -> {"name": ["HIKVISION X"]}; others kept whole."""
    parsed: dict[str, list[str]] = {}
    for scope in scopes:
        if not scope.startswith(SCOPE_PREFIX):
            continue
        key, _, value = scope[len(SCOPE_PREFIX):].partition("/")
        parsed.setdefault(key.lower(), []).append(unquote(value))
    return parsed


def _brand(name: str, model: str | None) -> str:
    """`HIKVISION iDS-2CD7A46G0/P-IZHS` with hardware `iDS-2CD7A46G0/P-IZHS` -> `HIKVISION`."""
    if model and name.endswith(model) and len(name) > len(model):
        return name[: -len(model)].strip(" -_")
    return name


def parse_reply(data: bytes, source: str, *, message_id: str | None = None) -> DiscoveryReply | None:
    """A ProbeMatch as a DiscoveryReply; None when the datagram is not an answer to our Probe.

    Raises MalformedResponse or HostileResponse (DTD, entities) for replies that cannot be read.
    """
    doc = parse_xml(data, f"WS-Discovery reply from {source}")
    if local(doc.root.tag) != "Envelope":
        raise MalformedResponse(f"WS-Discovery reply from {source} is not a SOAP envelope")
    relates_to = text(doc.root, "Header/RelatesTo")
    if message_id and relates_to and relates_to != message_id:
        return None                  # a reply to someone else's Probe (or a stale one of ours)
    match = next(descendants(doc.root, "ProbeMatch"), None)
    if match is None:
        return None                  # Hello, Bye, another client's Probe looped back
    scopes = parse_scopes((text(match, "Scopes") or "").split())
    xaddrs = (text(match, "XAddrs") or "").split()
    xaddr = _pick_xaddr(xaddrs, source)
    model = next(iter(scopes.get("hardware", [])), None)
    name = next(iter(scopes.get("name", [])), None)
    evidence = Evidence("ws_discovery", f"UDP {PORT} Probe", "ProbeMatch",
                        excerpt=" ".join(f"{k}/{v[0]}" for k, v in scopes.items()
                                         if k in ("name", "hardware", "mac"))[:120])
    signals = compact([
        signal("vendor", _brand(name, model) if name else None, "ws_discovery", evidence),
        signal("model", model, "ws_discovery", evidence),
        signal("mac", next(iter(scopes.get("mac", [])), None), "ws_discovery", evidence),
    ])
    http_port = None
    if xaddr:
        parts = urlsplit(xaddr)
        if parts.scheme == "http":
            http_port = parts.port or 80
    notes = () if find(match, "XAddrs") is not None else (f"{source} answered WS-Discovery without XAddrs",)
    return DiscoveryReply("ws_discovery", source, signals, http_port=http_port, onvif_xaddr=xaddr,
                          notes=notes)


def _pick_xaddr(xaddrs: list[str], source: str) -> str | None:
    """The device-service URL on the address that answered; else the first http(s) one."""
    usable = [x for x in xaddrs if urlsplit(x).scheme in ("http", "https")]
    for xaddr in usable:
        if urlsplit(xaddr).hostname == source:
            return xaddr
    return usable[0] if usable else None
