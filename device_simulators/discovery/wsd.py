"""WS-Discovery responder (UDP 3702): the ProbeMatches an ONVIF camera sends back.

Clients multicast a SOAP 1.2 Probe; every matching camera answers unicast with its endpoint
UUID, Types, Scopes and device-service URL. The scopes are where vendors disclose identity
before any login (Hikvision puts model and MAC there; OEM firmware rewrites only ``name/``),
so they are rendered per vendor from the profile's ``onvif`` section.
"""

from __future__ import annotations

import io
import itertools
import re
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote
from xml.sax.saxutils import escape

from device_simulators.discovery import lossy
from device_simulators.profile import Profile

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.udp import DatagramHandler

SOAP = "http://www.w3.org/2003/05/soap-envelope"
WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DN = "http://www.onvif.org/ver10/network/wsdl"
TDS = "http://www.onvif.org/ver10/device/wsdl"
# What a camera's device service implements; a Probe asking for anything else gets silence.
OWN_TYPES = frozenset({(DN, "NetworkVideoTransmitter"), (TDS, "Device")})
SCOPE_PREFIX = "onvif://www.onvif.org/"
# Stable namespace so a device keeps its endpoint UUID across restarts, as firmware does.
_UUID_NS = uuid.UUID("5f0c6b1e-3a8d-4d0a-9a53-0c2d4be1a7c1")
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Probe:
    message_id: str
    types: list[tuple[str | None, str]]   # (namespace or None when the prefix is undeclared, local)
    scopes: list[str]
    match_by: str


def endpoint_uuid(profile: Profile) -> str:
    """The device's WS-Discovery endpoint UUID, derived from its serial."""
    return str(uuid.uuid5(_UUID_NS, profile.identity.serial))


def vendor_scopes(profile: Profile) -> list[str]:
    """Scopes in the order and vocabulary the vendor's firmware uses."""
    ident, onvif = profile.identity, profile.onvif
    name = quote(str(onvif.get("scope_name") or ident.brand))
    hardware = quote(str(onvif.get("model") or ident.model))
    location = [f"location/{onvif['scope_location']}"] if onvif.get("scope_location") else []
    maker = ident.manufacturer.lower()
    if maker == "hikvision":
        # Hikvision (and its OEMs such as TruVision) also publish the MAC address as a scope.
        items = ["type/video_encoder", "Profile/Streaming", f"MAC/{ident.mac}", f"hardware/{hardware}",
                 f"name/{name}", *location]
    elif maker == "dahua":
        # Dahua firmware leads with location and ends with extension/unique_identifier;
        # OEM builds (Honeywell, Amcrest) change only the name/ value.
        items = [*location, f"name/{name}", f"hardware/{hardware}", "Profile/Streaming",
                 "type/Network_Video_Transmitter", "extension/unique_identifier"]
    else:
        items = ["type/video_encoder", "Profile/Streaming", f"hardware/{hardware}", f"name/{name}", *location]
    extra = [str(s) if "://" in str(s) else SCOPE_PREFIX + str(s) for s in onvif.get("extra_scopes") or []]
    return [SCOPE_PREFIX + s for s in items] + extra


def parse_probe(datagram: bytes) -> tuple[Probe | None, str]:
    """A Probe and the action name, or None and why it is not one."""
    if _DOCTYPE.search(datagram):
        return None, "rejected-doctype"
    namespaces: dict[str, str] = {}
    root = None
    try:
        # noqa below: DOCTYPE and ENTITY were refused above, so no entity can expand.
        for event, item in ET.iterparse(io.BytesIO(datagram), events=("start-ns", "end")):  # noqa: S314
            if event == "start-ns":
                namespaces.setdefault(*item)
            else:
                root = item
    except (ET.ParseError, ValueError, LookupError):   # LookupError: unknown encoding declared
        return None, "malformed"
    if root is None or root.tag != f"{{{SOAP}}}Envelope":
        return None, "malformed"
    body = root.find(f"{{{SOAP}}}Body/{{{WSD}}}Probe")
    message_id = root.findtext(f"{{{SOAP}}}Header/{{{WSA}}}MessageID", "").strip()
    if body is None:
        return None, "ignored"          # Hello, Bye, Resolve, other devices' ProbeMatches
    if not message_id:
        return None, "malformed"        # nothing to put in RelatesTo
    types = []
    for token in body.findtext(f"{{{WSD}}}Types", "").split():
        prefix, _, local = token.rpartition(":")
        types.append((namespaces.get(prefix), local))
    scopes_el = body.find(f"{{{WSD}}}Scopes")
    scopes = (scopes_el.text or "").split() if scopes_el is not None else []
    match_by = scopes_el.get("MatchBy", "") if scopes_el is not None else ""
    return Probe(message_id, types, scopes, match_by), "Probe"


def matches(probe: Probe, scopes: list[str]) -> bool:
    """WS-Discovery 5.1: every requested type and every requested scope must match."""
    # gSOAP-based firmware (Hikvision, Dahua) matches by local name when the prefix is undeclared.
    own_locals = {local for _, local in OWN_TYPES}
    types_ok = all((ns, local) in OWN_TYPES or (ns is None and local in own_locals)
                   for ns, local in probe.types)
    if probe.match_by.endswith("strcmp0"):
        return types_ok and all(s in scopes for s in probe.scopes)
    return types_ok and all(any(o == s.rstrip("/") or o.startswith(s.rstrip("/") + "/") for o in scopes)
                            for s in probe.scopes)


def render(device: SimDevice, probe: Probe, instance_id: int, number: int) -> bytes:
    scopes = " ".join(vendor_scopes(device.profile))
    http = device.ports.get("http")
    xaddrs = (f"<wsdd:XAddrs>http://{device.address}:{http}/onvif/device_service</wsdd:XAddrs>"
              if http else "")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP}" xmlns:wsa="{WSA}" xmlns:wsdd="{WSD}" '
        f'xmlns:dn="{DN}" xmlns:tds="{TDS}">'
        f"<SOAP-ENV:Header><wsa:MessageID>urn:uuid:{uuid.uuid4()}</wsa:MessageID>"
        f"<wsa:RelatesTo>{escape(probe.message_id)}</wsa:RelatesTo>"
        f"<wsa:To SOAP-ENV:mustUnderstand=\"true\">{WSA}/role/anonymous</wsa:To>"
        f"<wsa:Action SOAP-ENV:mustUnderstand=\"true\">{WSD}/ProbeMatches</wsa:Action>"
        f'<wsdd:AppSequence InstanceId="{instance_id}" MessageNumber="{number}"/></SOAP-ENV:Header>'
        "<SOAP-ENV:Body><wsdd:ProbeMatches><wsdd:ProbeMatch>"
        f"<wsa:EndpointReference><wsa:Address>urn:uuid:{endpoint_uuid(device.profile)}</wsa:Address>"
        "</wsa:EndpointReference><wsdd:Types>dn:NetworkVideoTransmitter tds:Device</wsdd:Types>"
        f"<wsdd:Scopes>{escape(scopes)}</wsdd:Scopes>{xaddrs}"
        "<wsdd:MetadataVersion>1</wsdd:MetadataVersion>"
        "</wsdd:ProbeMatch></wsdd:ProbeMatches></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    ).encode()


def make_responder(device: SimDevice) -> DatagramHandler:
    """Answer ONVIF Probes for `device`; ports are read when a Probe arrives."""
    instance_id = int(device.clock().timestamp())   # changes on each (simulated) boot
    numbers = itertools.count(1)

    def respond(datagram: bytes, peer: tuple[str, int]) -> tuple[bytes | None, str | None]:
        probe, action = parse_probe(datagram)
        if probe is None:
            return None, action
        if not matches(probe, vendor_scopes(device.profile)):
            return None, "Probe:no-match"
        return render(device, probe, instance_id, next(numbers)), action

    return lossy(device, "ws_discovery", respond)
