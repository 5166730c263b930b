"""Named fingerprint matchers: data, evaluated by one generic function.

As in projectdiscovery/nuclei-templates, a matcher only fires when everything it names agrees:
the status, a header regex and a body regex. Each says which protocol family answered and/or
which maker the answer points to. Only unauthenticated GETs are involved; a 401 challenge is an
answer too (PROTOCOLS.md quirk 1: Hikvision and Dahua challenge before anything else).

`specific` matchers need the device to answer a page that cannot exist differently: firmware
that challenges *every* path (401 everywhere) proves nothing by challenging /ISAPI/. Such a
challenge still names its maker in the realm, which is why realms are maker signals here and the
family itself is confirmed later with a login (probes/fingerprint/confirm.py).

Digest realms seen on real Hikvision firmware (public captures): cameras `IP Camera(C2183)`,
`IP Camera(J2914)`, `IP Camera(21388)` (RTSP and HTTP alike; Greenbone's Hikvision default-credential
test, several RTSP clients' comments); recorders `DVRNVRDVS` (same Greenbone test) or, as PROTOCOLS.md
"Real firmware varies" notes, the model name (`DS-7608NXI-I2`). A 401 whose body is ISAPI's
`<userCheck><statusValue>401</statusValue>` is Hikvision too (an ERI-K104-P4 NVR with `Server:
DNVRS-Webs` and a hex realm, maciej-or/hikvision_next issue #50).

Server headers (PROTOCOLS.md e): Hikvision web servers send `App-webs/`, `DNVRS-Webs` (NVRs,
DVRs) or `Hikvision-Webs`. Other values seen on cameras name no maker and are only noted:
`webserver` (Hikvision NVR firmware and many others), `Webs` / `GoAhead-Webs` (GoAhead, used by
many OEMs), `Boa/0.94.x`, `lighttpd`, `nginx`, `thttpd`, `uc-httpd` (Xiongmai).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from probes._xml import excerpt, parse_xml, text
from probes.base import Evidence, IdentitySignal
from probes.errors import BadResponse
from probes.http import HttpAnswer

ANY = "*"                      # a matcher applied to every answer seen (headers, realms)
DEVICE_INFO = "/ISAPI/System/deviceInfo"
MAGIC_BOX = "/cgi-bin/magicBox.cgi?action=getDeviceType"
CONTROL = "/camaudit-fingerprint-control-page"     # a path no firmware serves
BODY_WINDOW = 4096


@dataclass(frozen=True)
class Matcher:
    name: str
    path: str                              # request path, or ANY
    status: tuple[int, ...] = ()           # () = any status
    header: tuple[str, str] | None = None  # (lower-case header name, regex) that must match
    body: str | None = None                # regex that must match the first BODY_WINDOW bytes
    protocol: str | None = None            # protocol family proven to answer
    maker: str | None = None               # value of the "manufacturer" signal it yields
    source: str | None = None              # signal source (default: protocol)
    specific: bool = False                 # the control page must not get the same status
    extract: str | None = None             # name of an extractor in EXTRACTORS


MATCHERS: tuple[Matcher, ...] = (
    Matcher("isapi-device-info-open", DEVICE_INFO, (200,), body=r"<DeviceInfo\b",
            protocol="isapi", maker="Hikvision", extract="isapi_device_info"),
    # Basic-only firmware (old units, or an admin's choice) still proves the ISAPI surface.
    Matcher("isapi-device-info-challenge", DEVICE_INFO, (401,),
            header=("www-authenticate", r"^\s*(?:Digest|Basic)\s"),
            protocol="isapi", maker="Hikvision", specific=True),
    Matcher("dahua-magicbox-open", MAGIC_BOX, (200,), body=r"^\s*type=\S",
            protocol="dahua_cgi", maker="Dahua", extract="dahua_device_type"),
    # Dahua and its OEMs put the serial in the realm (PROTOCOLS.md b, quirk 1).
    Matcher("dahua-magicbox-challenge", MAGIC_BOX, (401,), header=("www-authenticate", r'realm="Login to [^"]+"'),
            protocol="dahua_cgi", maker="Dahua"),
    Matcher("dahua-realm", ANY, (401,), header=("www-authenticate", r'realm="(Login to ([^"]+))"'),
            maker="Dahua", source="realm", extract="realm_serial"),
    Matcher("hikvision-realm-ip-camera", ANY, (401,), header=("www-authenticate", r'realm="(IP Camera\(([^)"]*)\))"'),
            maker="Hikvision", source="realm"),
    Matcher("hikvision-realm-recorder", ANY, (401,), header=("www-authenticate", r'realm="(DVRNVRDVS)"'),
            maker="Hikvision", source="realm"),
    # Recorder firmware that puts its model in the realm: Hikvision model numbers (DS-76.., iDS-72..).
    Matcher("hikvision-realm-model", ANY, (401,),
            header=("www-authenticate", r'realm="((i?DS-[0-9][0-9A-Z]{3,}[-A-Z0-9/]*)(?:\([^)"]*\))?)"'),
            maker="Hikvision", source="realm", extract="realm_model"),
    Matcher("hikvision-user-check", ANY, (401,), body=r"<userCheck>\s*<statusValue>401<", maker="Hikvision",
            source="http-body"),
    Matcher("hikvision-server-app-webs", ANY, header=("server", r"^App-webs/"), maker="Hikvision",
            source="http-header"),
    Matcher("hikvision-server-dnvrs-webs", ANY, header=("server", r"^DNVRS-Webs"), maker="Hikvision",
            source="http-header"),
    Matcher("hikvision-server-hikvision-webs", ANY, header=("server", r"^Hikvision-Webs"), maker="Hikvision",
            source="http-header"),
)


@dataclass(frozen=True)
class Hit:
    matcher: Matcher
    answer: HttpAnswer
    groups: tuple[str, ...]        # the header regex's groups


def _check(m: Matcher, answer: HttpAnswer, control: HttpAnswer | None) -> Hit | None:
    if m.status and answer.status not in m.status:
        return None
    groups: tuple[str, ...] = ()
    if m.header:
        found = re.search(m.header[1], answer.header(m.header[0]) or "", re.IGNORECASE)
        if not found:
            return None
        groups = tuple(g or "" for g in found.groups())
    if m.body and not re.search(m.body.encode(), answer.body[:BODY_WINDOW], re.MULTILINE):
        return None
    if m.specific and (control is None or control.status == answer.status):
        return None
    return Hit(m, answer, groups)


def evaluate(matchers: tuple[Matcher, ...], answers: dict[str, HttpAnswer],
             control: HttpAnswer | None) -> list[Hit]:
    """Every matcher that fires, against its own path's answer or (ANY) against each answer."""
    hits = []
    for m in matchers:
        candidates = list(answers.values()) if m.path == ANY else [answers[m.path]] if m.path in answers else []
        hits.extend(hit for a in candidates if (hit := _check(m, a, control)) is not None)
    return hits


def evidence_for(hit: Hit) -> Evidence:
    m, a = hit.matcher, hit.answer
    shown = (a.header(m.header[0]) or "") if m.header and not m.body else excerpt(a.body)
    if m.header and m.header[0] == "www-authenticate":
        # The scheme and realm are the evidence; the nonce and opaque only add noise.
        realm = re.search(r'realm="[^"]*"', shown)
        shown = f"{shown.split(None, 1)[0] if shown.strip() else ''} {realm[0] if realm else ''}".strip()
    protocol = m.protocol or ("http" if m.source in ("realm", "http-header", "http-body") else m.source or "http")
    path = a.url.split("://", 1)[-1].partition("/")[2]
    return Evidence(protocol, "/" + path, f"HTTP {a.status}", excerpt=shown[:120], duration_ms=a.elapsed_ms)


def signals_for(hit: Hit) -> list[IdentitySignal]:
    """The maker signal a hit yields, plus whatever its extractor reads."""
    m, evidence = hit.matcher, evidence_for(hit)
    source = m.source or m.protocol or "http"
    found = [IdentitySignal("manufacturer", m.maker, source, evidence)] if m.maker else []
    if m.extract:
        for field, value in EXTRACTORS[m.extract](hit):
            if value:
                found.append(IdentitySignal(field, value.strip()[:200], source, evidence))
    return found


# -- extractors: (hit) -> [(signal field, value)] ---------------------------------------------
def _isapi_device_info(hit: Hit) -> list[tuple[str, str | None]]:
    """An ISAPI DeviceInfo answered without login (a device with authentication switched off)."""
    try:
        root = parse_xml(hit.answer.body, DEVICE_INFO).root
    except BadResponse:
        return []
    fields = [("model", "model"), ("serial", "serialNumber"), ("mac", "macAddress"),
              ("firmware", "firmwareVersion"), ("name", "deviceName"), ("device_type", "deviceType"),
              ("vendor", "manufacturer")]
    return [(field, text(root, tag)) for field, tag in fields]


def _dahua_device_type(hit: Hit) -> list[tuple[str, str | None]]:
    body = hit.answer.body[:BODY_WINDOW].decode("utf-8", "replace")
    found = re.search(r"^\s*type=(.+?)\s*$", body, re.MULTILINE)
    return [("model", found[1] if found else None)]


def _realm_model(hit: Hit) -> list[tuple[str, str | None]]:
    return [("model", hit.groups[1] if len(hit.groups) > 1 else None)]


def _realm_serial(hit: Hit) -> list[tuple[str, str | None]]:
    return [("serial", hit.groups[1] if len(hit.groups) > 1 else None)]


EXTRACTORS: dict[str, Callable[[Hit], list[tuple[str, str | None]]]] = {
    "isapi_device_info": _isapi_device_info,
    "dahua_device_type": _dahua_device_type,
    "realm_serial": _realm_serial,
    "realm_model": _realm_model,
}
