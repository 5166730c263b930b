"""dahua.identity: who the device says it is, from magicBox and the network config.

OEM firmware (Honeywell, Amcrest, Lorex, Intelbras) rewrites getVendor and getDeviceType but
keeps the Dahua CGI surface and, in getSystemInfo `updateSerial`, the Dahua base model it was
built from (PROTOCOLS.md b, e, quirk 10). So the surface answering is a maker signal, getVendor
is the brand as presented, and both are reported side by side for the auditor to weigh.
"""

from __future__ import annotations

import datetime as dt
import re

from probes.base import IdentitySignal, Observation
from probes.context import ProbeContext
from probes.dahua._cgi import (
    ENDPOINT_REFUSALS,
    PROTOCOL,
    CgiAnswer,
    call,
    failure_evidence,
    get_config,
    source_of,
    summary,
    unanswered,
)
from probes.dahua._kv import value
from probes.errors import ConnectionDropped, NotSupported, ProbeError, TimedOut

# What one endpoint may answer about itself, and one call going unanswered (a timeout or reset under
# load): either costs that call's facts only, never the others' (issue 15: one slow getMachineName
# made the whole identity, and with it the name and firmware date, come from other sources). Auth
# problems and an unreachable device still propagate.
ONE_CALL_FAILURES = (*ENDPOINT_REFUSALS, TimedOut, ConnectionDropped)

# Dahua's own model prefixes (IPC-HFW..., NVR4208-..., DHI-XVR...): an OEM unit whose
# updateSerial matches one was built from that Dahua model. [S26][S52]
_DAHUA_MODEL = re.compile(r"^(DHI?-)?(IPC|NVR|XVR|DVR|HCVR|SD\d|PTZ|ITC|TPC|VTO|VTH|HAC|DH-)[-\w]*", re.IGNORECASE)
# getDeviceClass -> camaudit device_type; unknown classes (VTO doorbells...) are not guessed.
_CLASSES = {"IPC": "camera", "SD": "camera", "ITC": "camera", "NVR": "nvr", "DVR": "nvr", "XVR": "nvr",
            "HCVR": "nvr", "HVR": "nvr", "TPC": "thermal"}
# `version=2.800.0000016.0.R,build:2020-06-05`, or the build on its own `build=` line.
_BUILD = re.compile(r"^(?P<version>[^,]+?)\s*(?:,\s*build\s*[:=]\s*(?P<build>[\d-]+))?\s*$")
_GENERIC_TYPES = {"ip camera", "ipc", "nvr", "dvr"}


# The identity fields each magicBox call states, left unknown when it goes unanswered.
UNREAD_FIELDS: dict[str, tuple[str, ...]] = {
    "getSystemInfo": ("model", "serial"), "getDeviceType": ("model",), "getSerialNo": ("serial",),
    "getSoftwareVersion": ("firmware", "firmware_date"), "getVendor": ("vendor",), "getMachineName": ("name",),
    "getDeviceClass": ("device_type",),
}


def _date(text: str | None) -> str | None:
    """ISO date from `2020-06-05` or `20200605`; None when it is not a real date."""
    digits = re.sub(r"\D", "", text or "")
    try:
        return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat() if len(digits) == 8 else None
    except ValueError:
        return None


class DahuaIdentity:
    id = "dahua.identity"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[IdentitySignal] = []
        answered: list[CgiAnswer] = []
        refused: list[ProbeError] = []

        def ask(action: str, *wanted: str) -> CgiAnswer | None:
            try:
                answer = call(ctx, "magicBox.cgi", action=action)
            except ONE_CALL_FAILURES as exc:        # one refused call does not cost the others
                refused.append(exc)
                if unanswered(exc):     # the judge leaves these fields unknown, not another source's
                    evidence = failure_evidence(source_of("magicBox.cgi", [("action", action)]), exc)
                    out.extend(IdentitySignal(f, "", PROTOCOL, evidence) for f in UNREAD_FIELDS.get(action, ()))
                return None
            if all(answer.doc.get(key) is None for key in wanted):
                return None      # 200 but not the key Dahua firmware answers: not evidence
            answered.append(answer)
            return answer

        def signal(field: str, text: str | None, answer: CgiAnswer, keys: tuple[str, ...]) -> None:
            if text:
                evidence = answer.evidence(summary(answer.doc.tree, keys))
                out.append(IdentitySignal(field, text.strip(), PROTOCOL, evidence))

        info = ask("getSystemInfo", "deviceType", "serialNumber", "updateSerial")
        dtype = ask("getDeviceType", "type")
        models = [(dtype, dtype.doc.get("type"), ("type",))] if dtype else []
        if info:
            models.append((info, info.doc.get("deviceType"), ("deviceType", "updateSerial")))
        if len(models) == 2 and (models[0][1] or "").strip().lower() in _GENERIC_TYPES:
            models.reverse()     # some units answer `type=IP Camera`; the real model is in getSystemInfo
        for answer, model, keys in models:
            if model and model not in {s.value for s in out if s.field == "model"}:
                signal("model", model, answer, keys)
        if info:
            base = info.doc.get("updateSerial")
            if base and _DAHUA_MODEL.match(base):
                signal("manufacturer", "Dahua", info, ("updateSerial", "deviceType"))
        serial = ask("getSerialNo", "sn")
        if serial:
            signal("serial", serial.doc.get("sn"), serial, ("sn",))
        elif info:
            signal("serial", info.doc.get("serialNumber"), info, ("serialNumber",))
        version = ask("getSoftwareVersion", "version")
        if version:
            match = _BUILD.match(version.doc.get("version") or "")
            if match:
                keys = ("version", "build")
                signal("firmware", match["version"], version, keys)
                signal("firmware_date", _date(match["build"] or version.doc.get("build")), version, keys)
        vendor = ask("getVendor", "vendor")
        if vendor:
            signal("vendor", vendor.doc.get("vendor"), vendor, ("vendor",))
        name = ask("getMachineName", "name")
        if name:
            signal("name", name.doc.get("name"), name, ("name",))
        dclass = ask("getDeviceClass", "class")
        if dclass:
            kind = _CLASSES.get((dclass.doc.get("class") or "").strip().upper())
            signal("device_type", kind, dclass, ("class",))
        if not answered:
            odd = [e for e in refused if not isinstance(e, NotSupported)]
            if odd:
                raise odd[0]
            raise NotSupported("magicBox.cgi answered none of the Dahua identity calls")
        # The Dahua CGI surface answering at all is a behaviour signal of Dahua firmware. [S26][S28]
        first = answered[0]
        out.insert(0, IdentitySignal("manufacturer", "Dahua", PROTOCOL,
                                     first.evidence("magicBox.cgi answers in Dahua's line format: "
                                                    + summary(first.doc.tree, [k for k, _ in first.doc.pairs][:3]))))
        out.extend(self._mac(ctx))
        return list(out)

    @staticmethod
    def _mac(ctx: ProbeContext) -> list[IdentitySignal]:
        try:
            answer = get_config(ctx, "Network")
        except ONE_CALL_FAILURES:
            return []
        table = answer.doc.tree.get("table")
        network = table.get("Network") if isinstance(table, dict) else None
        if not isinstance(network, dict):
            return []
        default = value(network, "DefaultInterface")
        names = ([default] if default else []) + sorted(str(k) for k in network if isinstance(network[k], dict))
        for name in names:
            mac = value(network, (name, "PhysicalAddress"))
            if mac and re.fullmatch(r"[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}", mac.strip()):
                normal = mac.strip().lower().replace("-", ":")
                return [IdentitySignal("mac", normal, PROTOCOL,
                                       answer.evidence(f"Network.{name}.PhysicalAddress={normal}"))]
        return []


PROBE = DahuaIdentity()
