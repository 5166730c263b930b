"""onvif.identity: who the device says it is over ONVIF device management.

GetDeviceInformation's Manufacturer is what the firmware presents; OEM firmware rewrites it
(TruVision over Hikvision) or keeps its maker's name (Honeywell units say Dahua), so it goes
out both as a `manufacturer` statement and as the presented brand (`vendor`) and the resolver
weighs it against the other signal families (PROTOCOLS.md quirk 10). The ONVIF surface
answering says nothing about the maker: every brand speaks ONVIF.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from probes._xml import children, find, text
from probes.base import IdentitySignal, Observation
from probes.context import ProbeContext
from probes.errors import ProbeError
from probes.onvif._answer import PROTOCOL, Answer
from probes.onvif.client import SOFT, client_for

SCOPE_PREFIX = "onvif://www.onvif.org/"
# Scope kind -> signal field. `name/` is what the firmware calls itself, `hardware/` the model.
# `manufacturer/` is no ONVIF Core scope, but some firmware sends it (Uniview-style
# `manufacturer/UNIVIEW`); Axis does not: an AXIS M2036-LE announces Profile/Streaming|G|M|T,
# hardware/M2036-LE, name/AXIS%20M2036-LE and an empty location/ (RootSoft/ONVIF-Java
# lib/src/main/java/be/teletask/onvif/parsers/DiscoveryParser.java), Hikvision
# name/HIKVISION%20<model> (PROTOCOLS.md [S48]). So the maker also comes from a factory `name/`:
# "<brand> <model>" with the model equal to `hardware/`; a name the operator set says nothing.
SCOPE_FIELDS = {"name": "name", "hardware": "model", "location": "location"}
MAKER_SCOPES = frozenset({"manufacturer"})
# ONVIF type/ scopes: transmitters and encoders are cameras, recorders and storage are NVRs.
SCOPE_TYPES = {"video_encoder": "camera", "network_video_transmitter": "camera", "networkvideotransmitter": "camera",
               "ptz": "camera", "video_recorder": "nvr", "network_video_recorder": "nvr", "nvr": "nvr",
               "network_video_storage": "nvr"}
# Hikvision firmware reports "V5.5.800 build 190725" (YYMMDD build date).
_BUILD = re.compile(r"^(?P<version>\S.*?)\s+build\s+(?P<date>\d{6})$", re.IGNORECASE)


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _signal(field: str, value: Any, answer: Answer, excerpt: str) -> list[IdentitySignal]:
    text = _text(value)
    return [IdentitySignal(field, text[:200], PROTOCOL, answer.evidence(excerpt))] if text else []


def _build_date(digits: str) -> str | None:
    try:
        return dt.date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:6])).isoformat()
    except ValueError:
        return None


def from_device_information(answer: Answer) -> list[IdentitySignal]:
    info = answer.value
    maker, model = text(info, "Manufacturer"), text(info, "Model")
    firmware = text(info, "FirmwareVersion") or ""
    shown = f"Manufacturer={maker} Model={model} FirmwareVersion={firmware}"
    out = _signal("manufacturer", maker, answer, shown) + _signal("vendor", maker, answer, shown)
    out += _signal("model", model, answer, shown)
    build = _BUILD.match(firmware)
    out += _signal("firmware", build["version"] if build else firmware, answer, shown)
    if build:
        out += _signal("firmware_date", _build_date(build["date"]), answer, shown)
    serial = text(info, "SerialNumber")
    return out + _signal("serial", serial, answer, f"SerialNumber={serial}")


def from_network_interfaces(answer: Answer) -> list[IdentitySignal]:
    out: list[IdentitySignal] = []
    for interface in children(answer.value, "NetworkInterfaces"):
        info = find(interface, "Info")
        mac = (text(info, "HwAddress") or "").lower().replace("-", ":")
        if mac and mac not in {s.value for s in out}:
            out += _signal("mac", mac, answer, f"{text(info, 'Name') or ''} HwAddress={mac}")
    return out


def from_scopes(answer: Answer) -> list[IdentitySignal]:
    out: list[IdentitySignal] = []
    parsed: dict[str, tuple[str, str]] = {}          # kind -> (first value, scope item)
    for scope in children(answer.value, "Scopes"):
        item = text(scope, "ScopeItem") or ""
        if not item.startswith(SCOPE_PREFIX):
            continue
        kind, _, value = item[len(SCOPE_PREFIX):].partition("/")
        kind, value = kind.lower(), unquote(value)
        parsed.setdefault(kind, (value, item))
        if kind == "type" and (device_type := SCOPE_TYPES.get(value.lower())):
            out += _signal("device_type", device_type, answer, item)
        elif kind in MAKER_SCOPES:
            out += _signal("manufacturer", value, answer, item) + _signal("vendor", value, answer, item)
        elif field := SCOPE_FIELDS.get(kind):
            out += _signal(field, value, answer, item)
    return out + _factory_brand(parsed, answer)


def _factory_brand(parsed: dict[str, tuple[str, str]], answer: Answer) -> list[IdentitySignal]:
    """The brand in a factory `name/` scope ("AXIS M2036-LE" with hardware/M2036-LE -> "AXIS")."""
    name, item = parsed.get("name", ("", ""))
    model = parsed.get("hardware", ("", ""))[0].strip()
    if not model or not name.endswith(model):
        return []
    brand = name[: -len(model)].strip(" -_")
    return _signal("vendor", brand, answer, f"{item} (hardware/{model})") if brand else []


def from_hostname(answer: Answer) -> list[IdentitySignal]:
    name = text(answer.value, "HostnameInformation/Name")
    return _signal("hostname", name, answer, f"Name={name}")


READS: tuple[tuple[str, Callable[[Answer], list[IdentitySignal]]], ...] = (
    ("GetDeviceInformation", from_device_information),
    ("GetNetworkInterfaces", from_network_interfaces),
    ("GetScopes", from_scopes),
    ("GetHostname", from_hostname),
)


class OnvifIdentity:
    id = "onvif.identity"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        client = client_for(ctx)
        out: list[Observation] = []
        failed: list[ProbeError] = []
        for operation, parse in READS:
            try:
                out.extend(parse(client.call("devicemgmt", operation)))
            except SOFT as exc:
                failed.append(exc)
        if not out and failed:
            raise failed[0]
        return out
