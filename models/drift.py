"""What changed between two audit runs. Pure: both runs come in as values, nothing is read here.

Devices are matched by their store id (the store's identity rule: serial, then MAC, then
address and port). Unknown stays unknown: a verdict that went from True to None ("the device
would not tell us this time") is reported as such, never as "switched off"; one that went from
False to None is not a change at all (we only know less).

**Relevant** changes, the ones `camaudit diff` exits 1 for:
- an analytics feature going to enabled=True (device roll-up or one NVR channel), including
  a feature first seen on (was unknown) and a feature on in a device new to this run;
- a remote-access setting going to enabled=True, NTP time sync excepted (it sends no
  personal data and is on almost everywhere, so it would make every new camera "relevant");
- a data flow (HTTP push host, network storage, cloud storage, audio recording) that is on now and
  was not on before (`data-flow-on`);
- an egress destination labelled "unknown" that the device did not talk to before (compared only
  when both runs have egress results for the device; a new device's unknown destinations count).
Callers pass the earlier run with last-known values (models.last_read.with_last_known): a device
that run could not read is compared as it was when last read, so "unreadable, then on" is not
"switched on" unless it was off when last read.
Everything else (devices removed, identity and firmware changes, things switched off,
capabilities added, findings new or resolved) is listed but does not count as relevant.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from models.audit import DATA_FLOW_KINDS, DataFlow, DeviceAudit, FeatureVerdict, RemoteAccessVerdict
from models.egress.values import EgressDestination
from models.features import (
    FEATURE_IDS,
    FEATURE_INFO,
    ON_OFF,
    REMOTE_ACCESS_IDS,
    counts_as_remote,
    remote_name,
    tri_state_text,
)
from models.read_status import READ, read_nothing, read_status

IDENTITY_FIELDS = ("brand", "manufacturer", "model", "device_type", "serial", "mac", "name")
FIRMWARE_FIELDS = ("firmware", "firmware_date")


@dataclass
class RunState:
    """One run as drift needs it: device audits keyed by store device id."""

    run_id: int
    started: dt.datetime
    devices: Mapping[int, DeviceAudit]
    destinations: Mapping[int, Sequence[EgressDestination]] | None = None   # None: no egress analysis


@dataclass(frozen=True)
class Change:
    device_id: int
    device: str              # "Reception (10.20.0.11:80)"
    kind: str                # a key of KINDS
    subject: str             # feature id, remote-access id, field name, finding id, destination
    before: str | None
    after: str | None
    relevant: bool
    text: str                # one sentence for people

    def to_json(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "device": self.device, "kind": self.kind, "subject": self.subject,
                "before": self.before, "after": self.after, "relevant": self.relevant, "text": self.text}


KINDS: dict[str, str] = {   # kind -> how people read it
    "device-added": "new device", "device-removed": "device gone", "identity": "identity",
    "firmware": "firmware", "access": "access", "feature-on": "analytics on", "feature-off": "analytics off",
    "feature-unknown": "now unknown", "capability-added": "capability added",
    "capability-removed": "capability removed", "remote-on": "remote access on", "remote-off": "remote access off",
    "remote-unknown": "now unknown", "remote-destination": "remote access destination",
    "remote-supported": "remote access supported", "remote-unsupported": "remote access not supported",
    "not-read": "not read",
    "data-flow-on": "data flow on", "data-flow-off": "data flow off", "data-flow-unknown": "data flow now unknown",
    "destination-new": "new destination", "destination-gone": "destination gone", "finding-new": "new finding",
    "finding-resolved": "finding gone", "finding-not-checked": "finding not checked",
}


@dataclass
class Drift:
    before_run: int
    before_started: dt.datetime
    after_run: int
    after_started: dt.datetime
    egress_compared: bool
    changes: list[Change] = field(default_factory=list)

    @property
    def relevant(self) -> list[Change]:
        return [c for c in self.changes if c.relevant]

    def to_json(self) -> dict[str, Any]:
        return {"before_run": self.before_run, "before_started": self.before_started.isoformat(),
                "after_run": self.after_run, "after_started": self.after_started.isoformat(),
                "egress_compared": self.egress_compared, "relevant_count": len(self.relevant),
                "changes": [c.to_json() for c in self.changes]}


# What auditor/judge/classify.py notes on a verdict that a read left unknown by not answering in time.
UNANSWERED_NOTE = "did not answer in time, so whether it is on is unknown"


def timed_out(verdict: FeatureVerdict) -> bool:
    """Unknown because a read got no answer in time, not because the device said nothing."""
    return verdict.enabled is None and any(UNANSWERED_NOTE in line for line in verdict.evidence)


def _filled(now: FeatureVerdict, then: FeatureVerdict | None) -> FeatureVerdict:
    if then is None or not ((now.enabled is None and then.enabled is not None)
                            or (now.supported is None and then.supported is not None)):
        return now
    return dataclasses.replace(now, supported=then.supported if now.supported is None else now.supported,
                               enabled=then.enabled if now.enabled is None else now.enabled)


def _filled_remote(now: RemoteAccessVerdict, then: RemoteAccessVerdict | None) -> RemoteAccessVerdict:
    if then is None:
        return now
    return dataclasses.replace(now, supported=then.supported if now.supported is None else now.supported,
                               enabled=then.enabled if now.enabled is None else now.enabled,
                               destination=now.destination or then.destination)


def fill_unknown(audit: DeviceAudit, earlier: DeviceAudit) -> DeviceAudit:
    """`audit` with each value it left unknown (feature, NVR channel, remote-access setting) taken from
    `earlier`, the device's previous readable audit: a change is judged against what was last known, so
    "timed out, then on" is not "switched on" when it was on before (and still is when it was off).
    A channel `audit` could not list keeps its earlier verdicts."""
    def filled(now: Mapping[str, FeatureVerdict], then: Mapping[str, FeatureVerdict]) -> dict[str, FeatureVerdict]:
        return {**then, **{k: _filled(v, then.get(k)) for k, v in now.items()}}

    channels = {n: filled(audit.channels.get(n, {}), earlier.channels.get(n, {}))
                for n in sorted({*audit.channels, *earlier.channels})} if audit.channels or earlier.channels else {}
    return dataclasses.replace(
        audit, features=filled(audit.features, earlier.features), channels=channels,
        remote_access={k: _filled_remote(v, earlier.remote_access.get(k)) for k, v in audit.remote_access.items()})


def any_timed_out(audit: DeviceAudit) -> bool:
    """Whether some read of this audit failed (a timeout, a reset, a probe that gave up, a problem a probe
    recovered from): its unknown values are then judged by what was last known (fill_unknown)."""
    return bool(audit.errors) or any(p.outcome == "error" for p in audit.probes) or any(
        timed_out(v) for v in [*audit.features.values(),
                               *(v for by_channel in audit.channels.values() for v in by_channel.values())])


def device_label(audit: DeviceAudit, earlier: DeviceAudit | None = None) -> str:
    """"Name (address:port)"; the earlier audit's name when this one could not read it."""
    where = f"{audit.address}:{audit.port}"
    name = audit.name or (earlier.name if earlier else None)
    return f"{name} ({where})" if name else where


def address_key(audit: DeviceAudit) -> tuple[int, int, str, int]:
    """Sort devices by address numerically (10.0.0.9 before 10.0.0.10), names after addresses."""
    try:
        ip = ipaddress.ip_address(audit.address)
        return (ip.version, int(ip), "", audit.port)
    except ValueError:
        return (9, 0, audit.address, audit.port)


def _read(audit: DeviceAudit) -> bool:
    """Whether camaudit read all of the device's settings in this audit (models.read_status): only then
    can a finding or data flow that is missing now count as gone, not merely unchecked."""
    return read_status(audit) == READ


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _switches(device_id: int, label: str, kind: str, subject: str, name: str,
              before: bool | None, after: bool | None, relevant_on: bool) -> list[Change]:
    """One enabled-flag transition as a change (or none); `kind` is "feature" or "remote"."""
    if before == after or (after is None and before is not True) or (after is False and before is None):
        return []
    if after is True:
        was = " (it was unknown before)" if before is None else ""
        return [Change(device_id, label, f"{kind}-on", subject, tri_state_text(before, ON_OFF), "on", relevant_on,
                       f"{name} switched on{was}.")]
    if after is False:
        return [Change(device_id, label, f"{kind}-off", subject, "on", "off", False, f"{name} switched off.")]
    return [Change(device_id, label, f"{kind}-unknown", subject, "on", "unknown", False,
                   f"{name} was on; this audit could not tell whether it still is.")]


def _features(device_id: int, label: str, before: Mapping[str, FeatureVerdict],
              after: Mapping[str, FeatureVerdict], where: str = "") -> list[Change]:
    changes: list[Change] = []
    empty = FeatureVerdict()
    for fid in FEATURE_IDS:
        old, new = before.get(fid, empty), after.get(fid, empty)
        name = f"{where}{FEATURE_INFO[fid].label}"
        subject = f"{where}{fid}"
        changes += _switches(device_id, label, "feature", subject, name, old.enabled, new.enabled, True)
        if old.supported is False and new.supported is True:
            changes.append(Change(device_id, label, "capability-added", subject, "no", "yes", False,
                                  f"{name} is now supported (not before)."))
        elif old.supported is True and new.supported is False:
            changes.append(Change(device_id, label, "capability-removed", subject, "yes", "no", False,
                                  f"{name} is no longer supported."))
    return changes


def _channels(device_id: int, label: str, before: DeviceAudit, after: DeviceAudit) -> list[Change]:
    changes: list[Change] = []
    for channel in sorted(after.channels):
        old = before.channels.get(channel, {})
        changes += [c for c in _features(device_id, label, old, after.channels[channel], f"channel {channel}: ")
                    if c.kind.startswith("feature-")]   # capabilities are compared on the roll-up
    return changes


def _remote(device_id: int, label: str, before: DeviceAudit, after: DeviceAudit) -> list[Change]:
    changes: list[Change] = []
    for rid in REMOTE_ACCESS_IDS:
        old, new = before.remote_access.get(rid), after.remote_access.get(rid)
        old_on, new_on = (old.enabled if old else None), (new.enabled if new else None)
        name = remote_name(rid)
        changes += _switches(device_id, label, "remote", rid, name, old_on, new_on, counts_as_remote(rid))
        old_has, new_has = (old.supported if old else None), (new.supported if new else None)
        if old_on is False and new_on is None and new_has is True:
            # "off" then "the firmware has it, state unknown": we know less, and it may be on.
            changes.append(Change(device_id, label, "remote-unknown", rid, "off", "unknown", False,
                                  f"{name} was off; this audit could not read it, and the firmware has it."))
        if old_has is False and new_has is True:
            changes.append(Change(device_id, label, "remote-supported", rid, "no", "yes", False,
                                  f"The firmware now has {name} (it did not before)."))
        elif old_has is True and new_has is False:
            changes.append(Change(device_id, label, "remote-unsupported", rid, "yes", "no", False,
                                  f"The firmware no longer has {name}."))
        old_to, new_to = (old.destination if old else None), (new.destination if new else None)
        if old_to and new_to and old_to != new_to:
            changes.append(Change(device_id, label, "remote-destination", rid, old_to, new_to, False,
                                  f"{name} now points to {new_to} (was {old_to})."))
    return changes


def _flow_key(flow: DataFlow) -> tuple[str, str | None, int | None]:
    return flow.kind, flow.destination, flow.channel


def _flow_name(key: tuple[str, str | None, int | None]) -> str:
    kind, destination, channel = key
    where = f" to {destination}" if destination else (f" on channel {channel}" if channel is not None else "")
    return f"{DATA_FLOW_KINDS.get(kind, kind)}{where}"


def _data_flows(device_id: int, label: str, before: DeviceAudit, after: DeviceAudit) -> list[Change]:
    """Data flows on/off/unknown by (kind, destination, channel); a flow never seen before counts as unknown."""
    old = {_flow_key(f): f.enabled for f in before.data_flows}
    changes: list[Change] = []
    for flow in after.data_flows:
        key = _flow_key(flow)
        name = _flow_name(key)
        changes += [dataclasses.replace(c, kind=c.kind.replace("flow-", "data-flow-"), subject=f"{key[0]}:{name}")
                    for c in _switches(device_id, label, "flow", key[0], name, old.get(key), flow.enabled, True)]
    gone = {_flow_key(f) for f in after.data_flows}
    for key, was in old.items():
        if was is True and key not in gone:
            changes.append(Change(device_id, label, "data-flow-off", f"{key[0]}:{_flow_name(key)}", "on", "off",
                                  False, f"{_flow_name(key)} is no longer configured."))
    return changes


def _identity(device_id: int, label: str, before: DeviceAudit, after: DeviceAudit) -> list[Change]:
    changes: list[Change] = []
    for kind, names in (("identity", IDENTITY_FIELDS), ("firmware", FIRMWARE_FIELDS)):
        for name in names:
            old, new = _text(getattr(before, name)), _text(getattr(after, name))
            if old is not None and new is not None and old != new:
                changes.append(Change(device_id, label, kind, name, old, new, False,
                                      f"{name.replace('_', ' ').capitalize()} changed from {old} to {new}."))
    old_at, new_at = f"{before.address}:{before.port}", f"{after.address}:{after.port}"
    if old_at != new_at:
        changes.append(Change(device_id, label, "identity", "address", old_at, new_at, False,
                              f"The device moved from {old_at} to {new_at}."))
    for name, old_v, new_v in (("reachable", before.reachable, after.reachable), ("auth", before.auth, after.auth)):
        if old_v != new_v:
            changes.append(Change(device_id, label, "access", name, _text(old_v), _text(new_v), False,
                                  f"{'Reachable' if name == 'reachable' else 'Login'} changed from "
                                  f"{_text(old_v) or 'unknown'} to {_text(new_v) or 'unknown'}; "
                                  "what camaudit could read changed with it."))
    return changes


def _findings(device_id: int, label: str, before: DeviceAudit, after: DeviceAudit) -> list[Change]:
    old = {f.id: f for f in before.findings}
    new = {f.id: f for f in after.findings}
    added = [Change(device_id, label, "finding-new", fid, None, f.severity, False, f"New finding: {f.title}")
             for fid, f in new.items() if fid not in old]
    if _read(after):
        gone = [Change(device_id, label, "finding-resolved", fid, f.severity, None, False,
                       f"No longer found: {f.title}") for fid, f in old.items() if fid not in new]
    else:   # nothing could be read, so nothing was resolved
        gone = [Change(device_id, label, "finding-not-checked", fid, f.severity, None, False,
                       f"Could not be checked this time: {f.title}") for fid, f in old.items() if fid not in new]
    return added + gone


def _dest_name(d: EgressDestination) -> str:
    names = f" ({', '.join(d.names)})" if d.names else ""
    return f"{d.address}:{d.port}/{d.transport}{names}"


def _destinations(device_id: int, label: str, before: Iterable[EgressDestination],
                  after: Iterable[EgressDestination]) -> list[Change]:
    old = {d.key: d for d in before}
    new = {d.key: d for d in after}
    changes = [Change(device_id, label, "destination-new", _dest_name(d), None, d.label, d.label == "unknown",
                      f"New {d.label} destination {_dest_name(d)}.") for k, d in new.items() if k not in old]
    changes += [Change(device_id, label, "destination-gone", _dest_name(d), d.label, None, False,
                       f"No traffic to {_dest_name(d)} any more.") for k, d in old.items() if k not in new]
    return changes


def _added(device_id: int, audit: DeviceAudit, destinations: Sequence[EgressDestination]) -> list[Change]:
    label = device_label(audit)
    on = [FEATURE_INFO[f].label for f in FEATURE_IDS if audit.features.get(f, FeatureVerdict()).enabled is True]
    remote = [remote_name(r) for r in REMOTE_ACCESS_IDS if counts_as_remote(r)
              and (v := audit.remote_access.get(r)) is not None and v.enabled is True]
    what = "; ".join(p for p in (f"analytics on: {', '.join(on)}" if on else "",
                                 f"remote access on: {', '.join(remote)}" if remote else "") if p)
    changes = [Change(device_id, label, "device-added", "device", None, audit.model or "device",
                      bool(on or remote), f"First seen in this audit{f' ({what})' if what else ''}.")]
    return changes + _destinations(device_id, label, [], destinations)


def compare_runs(before: RunState, after: RunState) -> Drift:
    """Every change from `before` to `after`, devices in `after`'s order, removed devices last."""
    egress = before.destinations is not None and after.destinations is not None
    drift = Drift(before.run_id, before.started, after.run_id, after.started, egress_compared=egress)
    for device_id, new in sorted(after.devices.items(), key=lambda item: address_key(item[1])):
        new_dest = list((after.destinations or {}).get(device_id, [])) if egress else []
        old = before.devices.get(device_id)
        if old is None:
            drift.changes += _added(device_id, new, new_dest)
            continue
        label = device_label(new, old)
        if read_nothing(new) and not read_nothing(old):
            # Timed out everywhere, unreachable, login refused: say so once; what it had on stays unknown
            # below ("now unknown"), never "switched off" (issue 15).
            drift.changes.append(Change(device_id, label, "not-read", "device", read_status(old), read_status(new),
                                        False, f"Not read this time ({read_status(new)}): its settings are "
                                        "unknown now, not off; they are compared again when it answers."))
        drift.changes += _identity(device_id, label, old, new)
        drift.changes += _features(device_id, label, old.features, new.features)
        drift.changes += _channels(device_id, label, old, new)
        drift.changes += _remote(device_id, label, old, new)
        if _read(old) and _read(new):
            drift.changes += _data_flows(device_id, label, old, new)
        # Only a device seen in both runs' traffic can have new destinations; one the earlier
        # capture missed has no baseline, so nothing about it is "new".
        if egress and device_id in (before.destinations or {}) and device_id in (after.destinations or {}):
            drift.changes += _destinations(device_id, label, (before.destinations or {})[device_id], new_dest)
        drift.changes += _findings(device_id, label, old, new)
    for device_id, old in sorted(before.devices.items(), key=lambda item: address_key(item[1])):
        if device_id not in after.devices:
            drift.changes.append(Change(device_id, device_label(old), "device-removed", "device", old.model or "device",
                                        None, False, "Not in this audit (it was in the earlier one)."))
    return drift
