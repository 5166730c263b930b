"""Which API families of one device get probed, and why the others were not (audit.protocol_status).

The fingerprint's gate (probes/fingerprint/gate.py) says per family: proven, absent or ambiguous,
with the maker signals pointing at it. Here that becomes a decision:

- proven -> probed;
- absent (a definite 404, or a document of another kind) -> not-tried, with the answer;
- ambiguous and pointed at, credentials given -> confirmed with the device's one login
  (probes/fingerprint/confirm.py): proven -> probed, absent -> not-tried, else failed;
- ambiguous and pointed at, no credentials -> not-tried ("no credentials were given"): unknown,
  never "no";
- ambiguous and nothing points at it -> not-tried: no login is ever sprayed at a family nobody
  pointed at (the lockout budget is one failed login per account per device, quirk 2).

After the probes ran, what they said about the maker may point at a family nothing pointed at
before (`reopen_families`). A family whose every probe failed on a login or transport problem is
`failed` with the first reason ("onvif: failed (GetDeviceInformation: NotAuthorized)").
"""

from __future__ import annotations

from models.audit import ProbeRecord, ProtocolStatus
from probes.base import FamilyGate, Fingerprint, IdentitySignal, Observation
from probes.context import ProbeContext
from probes.fingerprint.confirm import confirm
from probes.fingerprint.gate import pointers
from probes.registry import FAMILIES

MAKER = {"isapi": "Hikvision", "dahua_cgi": "Dahua", "onvif": "ONVIF"}
PREFIX = {"isapi": "isapi.", "dahua_cgi": "dahua.", "onvif": "onvif."}
MAX_REASON = 240


def _clip(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "…"


def _pointed(gate: FamilyGate) -> str:
    return "pointed at by " + ", ".join(gate.pointers[:3]) if gate.pointers else ""


def _join(*parts: str) -> str:
    return _clip("; ".join(p for p in parts if p))


def _decide(ctx: ProbeContext, fp: Fingerprint, family: str, gate: FamilyGate) -> tuple[bool, ProtocolStatus]:
    """Whether `family`'s probes run, and its status, from its gate verdict (module docstring)."""
    credentials = bool(ctx.login.candidates) or ctx.login.no_auth
    if family in fp.protocols:
        return True, ProtocolStatus("probed", _join(gate.reason, _pointed(gate)))
    if gate.state == "absent":
        return False, ProtocolStatus("not-tried", _clip(gate.reason))
    if not gate.pointers:
        return False, ProtocolStatus("not-tried", _join(gate.reason, f"no signal pointed at {MAKER[family]}"))
    if not credentials:
        return False, ProtocolStatus("not-tried", _join("no credentials were given for this device",
                                                        gate.reason, _pointed(gate)))
    if family == "onvif":
        # The ONVIF client asks GetDeviceInformation without, then with, the login itself.
        return True, ProtocolStatus("probed", _join(gate.reason, _pointed(gate)))
    found = confirm(ctx, family)
    if found.state == "proven":
        fp.protocols.add(family)
        return True, ProtocolStatus("probed", _join(found.reason, _pointed(gate)))
    state = "not-tried" if found.state == "absent" else "failed"
    return False, ProtocolStatus(state, _join(found.reason, _pointed(gate)))


def open_families(ctx: ProbeContext, fp: Fingerprint) -> tuple[set[str], dict[str, ProtocolStatus]]:
    """The families whose probes run, and a status for every family (settled after the probes).

    Confirmed families are added to `fp.protocols`. Failed logins are recorded nowhere here:
    the caller adds the `failed` reasons to the device's errors.
    """
    run: set[str] = set()
    status: dict[str, ProtocolStatus] = {}
    for family in FAMILIES:
        gate = fp.families.setdefault(family, FamilyGate("ambiguous", "not checked"))
        go, status[family] = _decide(ctx, fp, family, gate)
        if go:
            run.add(family)
    return run, status


def reopen_families(ctx: ProbeContext, fp: Fingerprint, status: dict[str, ProtocolStatus],
                    observations: list[Observation]) -> set[str]:
    """A second look after the probes: a family left ambiguous with nothing pointing at it may now be
    pointed at by what a probed family said (ONVIF GetDeviceInformation: Manufacturer HIKVISION on a
    device whose realm and headers named nobody). Same rules, same one login."""
    signals = [o for o in observations if isinstance(o, IdentitySignal)]
    pointed = pointers(ctx.target, [*fp.signals, *signals])
    run: set[str] = set()
    for family in ("isapi", "dahua_cgi"):
        gate = fp.families.get(family)
        if gate is None or gate.state != "ambiguous" or gate.pointers or not pointed[family] \
                or status.get(family, ProtocolStatus("")).state != "not-tried":
            continue
        gate.pointers = pointed[family]
        go, status[family] = _decide(ctx, fp, family, gate)
        if go:
            run.add(family)
    return run


def settle(status: dict[str, ProtocolStatus], records: list[ProbeRecord]) -> set[str]:
    """Mark a probed family `failed` when none of its probes got an answer; returns the families that
    answered at least one probe."""
    answered = set()
    for family, st in status.items():
        if st.state != "probed":
            continue
        mine = [r for r in records if r.probe.startswith(PREFIX[family])]
        if any(r.outcome in ("ok", "unsupported") for r in mine):
            answered.add(family)
            continue
        failures = [r for r in mine if r.outcome not in ("ok", "unsupported", "skipped")] or mine
        if failures:
            first = next((r for r in failures if r.outcome in ("auth-failed", "locked")), failures[0])
            status[family] = ProtocolStatus("failed", _clip(f"{first.probe}: {first.reason}"))
    return answered
