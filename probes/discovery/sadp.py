"""Hikvision SADP (UDP 37020): the inquiry Hikvision's SADP tool sends and the ProbeMatch reply.

SADP answers without credentials and says more than any other unauthenticated surface: model,
serial, MAC, firmware build, the HTTP and SDK ports and whether Hik-Connect (the vendor cloud)
is on (`HCPlatformEnable`, PROTOCOLS.md d). Answering SADP at all marks Hikvision firmware,
including OEM builds (TruVision, LTS, Annke) whose `OEMInfo` names the brand.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

from probes._xml import children, local, parse_xml, text, to_bool
from probes.base import Evidence, RemoteAccessObservation
from probes.discovery.reply import DiscoveryReply, compact, port_number, signal

PORT = 37020
MULTICAST_V4 = "239.255.255.250"
# "V5.5.800build 190725" (no space on cameras), "V4.30.005 build 200721" (NVRs): version, YYMMDD.
_SOFTWARE = re.compile(r"^\s*(?P<version>V?[\d.]+\S*?)\s*build\s*(?P<date>\d{6})\b", re.IGNORECASE)


def new_probe_id() -> str:
    return str(uuid.uuid4()).upper()


def build_probe(probe_id: str) -> bytes:
    """The `inquiry` probe; Uuid upper case as the SADP tool writes it."""
    return (f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>{probe_id}</Uuid>'
            "<Types>inquiry</Types></Probe>").encode()


def parse_software_version(value: str | None) -> tuple[str | None, str | None]:
    """`V5.5.800build 190725` -> ("V5.5.800", "2019-07-25"); the date is None when not a date."""
    if not value:
        return None, None
    found = _SOFTWARE.match(value)
    if not found:
        return value.strip() or None, None
    raw = found["date"]
    try:
        day = dt.date(2000 + int(raw[:2]), int(raw[2:4]), int(raw[4:]))
    except ValueError:
        return found["version"], None
    return found["version"], day.isoformat()


def parse_reply(data: bytes, source: str, *, probe_id: str | None = None) -> DiscoveryReply | None:
    """A ProbeMatch as a DiscoveryReply; None when the datagram is not an answer to our inquiry.

    Raises MalformedResponse or HostileResponse (DTD, entities) for replies that cannot be read.
    """
    doc = parse_xml(data, f"SADP reply from {source}")
    if local(doc.root.tag) != "ProbeMatch":
        return None                         # our own Probe looped back, or another SADP message
    fields = {local(c.tag): text(c) for c in children(doc.root)}
    answered = fields.get("Uuid")
    if probe_id and answered and answered.upper() != probe_id.upper():
        return None
    version, build_date = parse_software_version(fields.get("SoftwareVersion"))
    evidence = Evidence("sadp", f"UDP {PORT} inquiry", "ProbeMatch",
                        excerpt=f"{fields.get('DeviceDescription') or '?'} {fields.get('DeviceSN') or ''} "
                                f"{fields.get('SoftwareVersion') or ''}".strip()[:120])
    signals = compact([
        # Answering SADP at all is Hikvision firmware behaviour, whatever brand OEMInfo names.
        signal("manufacturer", "Hikvision", "sadp", evidence),
        signal("vendor", fields.get("OEMInfo"), "sadp", evidence),
        signal("model", fields.get("DeviceDescription"), "sadp", evidence),
        signal("serial", fields.get("DeviceSN"), "sadp", evidence),
        signal("mac", fields.get("MAC"), "sadp", evidence),
        signal("firmware", version, "sadp", evidence),
        signal("firmware_date", build_date, "sadp", evidence),
    ])
    ports = [("sdk", p) for p in [port_number(fields.get("CommandPort"))] if p]
    ports += [("sdk-tls", p) for p in [port_number(fields.get("SDKOverTLSPort"))] if p]
    return DiscoveryReply("sadp", source, signals, http_port=port_number(fields.get("HttpPort")),
                          ports=tuple(ports), observations=_cloud(fields), notes=tuple(doc.notes))


def _cloud(fields: dict[str, str | None]) -> tuple[RemoteAccessObservation, ...]:
    """Hik-Connect state from `SupportHCPlatform` / `HCPlatformEnable` (the latter may read "flase")."""
    supported = to_bool(fields.get("SupportHCPlatform"))
    enabled = to_bool(fields.get("HCPlatformEnable"))
    if supported is None and enabled is None:
        return ()
    if supported is False and not enabled:
        enabled = False
    evidence = Evidence("sadp", f"UDP {PORT} inquiry", "ProbeMatch",
                        excerpt=f"SupportHCPlatform={fields.get('SupportHCPlatform')} "
                                f"HCPlatformEnable={fields.get('HCPlatformEnable')}")
    return (RemoteAccessObservation("hik_connect", enabled, None, evidence),)
