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
from xml.etree.ElementTree import Element

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


def _fields(match: Element) -> dict[str, str | None]:
    """Child elements by name; the first non-empty value wins and names match in any case."""
    fields: dict[str, str | None] = {}
    for child in children(match):
        name = local(child.tag).lower()
        if fields.get(name) is None:
            fields[name] = text(child)
    return fields


def parse_reply(data: bytes, source: str) -> DiscoveryReply | None:
    """A ProbeMatch as a DiscoveryReply; None when the datagram is not a ProbeMatch at all.

    Any well-formed ProbeMatch counts, whatever its Uuid: some firmware echoes the probe's Uuid,
    some sends its own (PROTOCOLS.md d), so the Uuid proves nothing about which probe it answers.
    Lenient where real replies vary (PROTOCOLS.md quirk 17): MAC with dashes or colons in either
    case, `flase` for false, fields missing, trailing NUL padding.
    Raises MalformedResponse or HostileResponse (DTD, entities) for replies that cannot be read.
    """
    doc = parse_xml(data.rstrip(b"\x00\r\n\t "), f"SADP reply from {source}")
    match = doc.root if local(doc.root.tag) == "ProbeMatch" else next(children(doc.root, "ProbeMatch"), None)
    if match is None:
        return None                         # our own Probe looped back, or another SADP message
    fields = _fields(match)
    version, build_date = parse_software_version(fields.get("softwareversion"))
    model = fields.get("devicedescription")
    device_type = fields.get("devicetype")
    if not model and device_type and not device_type.isdigit():
        model = device_type                 # DeviceType is a numeric code, but some replies carry the model there
    evidence = Evidence("sadp", f"UDP {PORT} inquiry", "ProbeMatch",
                        excerpt=f"{model or '?'} {fields.get('devicesn') or ''} "
                                f"{fields.get('softwareversion') or ''}".strip()[:120])
    signals = compact([
        # Answering SADP at all is Hikvision firmware behaviour, whatever brand OEMInfo names.
        signal("manufacturer", "Hikvision", "sadp", evidence),
        signal("vendor", fields.get("oeminfo"), "sadp", evidence),
        signal("model", model, "sadp", evidence),
        signal("serial", fields.get("devicesn"), "sadp", evidence),
        signal("mac", fields.get("mac"), "sadp", evidence),
        signal("firmware", version, "sadp", evidence),
        signal("firmware_date", build_date, "sadp", evidence),
    ])
    ports = [("sdk", p) for p in [port_number(fields.get("commandport"))] if p]
    ports += [("sdk-tls", p) for p in [port_number(fields.get("sdkovertlsport"))] if p]
    return DiscoveryReply("sadp", source, signals, http_port=port_number(fields.get("httpport")),
                          ports=tuple(ports), observations=_cloud(fields), notes=tuple(doc.notes))


def _cloud(fields: dict[str, str | None]) -> tuple[RemoteAccessObservation, ...]:
    """Hik-Connect state from `SupportHCPlatform` / `HCPlatformEnable` (the latter may read "flase")."""
    supported = to_bool(fields.get("supporthcplatform"))
    enabled = to_bool(fields.get("hcplatformenable"))
    if supported is None and enabled is None:
        return ()
    if supported is False and not enabled:
        enabled = False
    evidence = Evidence("sadp", f"UDP {PORT} inquiry", "ProbeMatch",
                        excerpt=f"SupportHCPlatform={fields.get('supporthcplatform')} "
                                f"HCPlatformEnable={fields.get('hcplatformenable')}")
    # SupportHCPlatform=true with no readable HCPlatformEnable is "supported, state unknown" (issue 9.6).
    return (RemoteAccessObservation("hik_connect", enabled, None, evidence, supported=supported),)
