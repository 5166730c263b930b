"""The "fail one path" harness: audit a simulated device cleanly, then once per path that audit asked for,
with only that path failing (answering after the read deadline, or resetting the connection), and say
which values the failure moved.

A read that fails says nothing about the device, so the audit with one failed path may know less than the
clean one, never something else: every value stays the same or becomes unknown (None). Anything else is
what issue 15 saw at 1,000 devices (47 features "switched on" in the next run that had only timed out).

Devices are pooled: a few copies of the profile run at once and each audit swaps the one-path quirk into
its copy's profile (the simulator reads quirks per request), so hundreds of audits need no new servers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from auditor.judge.advisories.findings import CANNOT_TELL_ID
from auditor.run.device_audit import audit_device
from device_simulators import Fleet
from device_simulators.profile import Profile, Quirk
from device_simulators.runtime.device import SimDevice
from models.audit import DeviceAudit, FeatureVerdict
from models.drift import Change, RunState, any_timed_out, compare_runs, fill_unknown
from models.read_status import read_nothing, read_status, was_read
from probes.base import Target
from probes.context import ProbeSettings
from probes.http import HttpSettings
from probes.login import Credentials

# The clean audit gets time to spare; the one-path audit a short deadline, so a slowed path times out fast.
CLEAN = ProbeSettings(http=HttpSettings(connect_timeout=3.0, read_timeout=5.0, deadline=8.0), onvif_timeout=5.0)
SHORT = ProbeSettings(http=HttpSettings(connect_timeout=1.0, read_timeout=0.25, deadline=0.4), onvif_timeout=0.3)
DELAY = 0.7          # seconds a slowed path waits before answering: past SHORT's deadline
FAILURES = ("slow", "reset")
# Changes a failed read may cause in `camaudit diff` (clean run -> run with the failure): "now unknown",
# "could not be checked this time".
ALLOWED_DRIFT = frozenset({"feature-unknown", "remote-unknown", "data-flow-unknown", "finding-not-checked",
                           "not-read"})
# ... and new findings that only say so: "camaudit cannot tell whether firmware ... is affected" (an unread
# firmware version) ...
ALLOWED_NEW_FINDINGS = frozenset({CANNOT_TELL_ID})
# ... or that restate a stronger finding that could not be checked this time (auditor/judge/findings.py: face
# capture is reported without "images leave the device" when the event routes were not read).
WEAKER_FINDINGS: dict[str, frozenset[str]] = {
    "face-capture-enabled": frozenset({"face-images-leave-device"}),
    "face-detection-enabled": frozenset({"face-capture-enabled", "face-images-leave-device",
                                         "face-recognition-enabled"}),
}


def failing(path: str, failure: str) -> Quirk:
    """The simulator quirk that makes exactly `path` (with its query) fail the way `failure` says."""
    if failure == "slow":
        return Quirk("slow_endpoints", {"paths": [path], "delay": DELAY, "exact": True})
    return Quirk("reset", {"paths": [path], "exact": True})


def audit(device: SimDevice, settings: ProbeSettings) -> DeviceAudit:
    creds = [Credentials(a.user, a.password) for a in device.profile.accounts[:1]]
    target = Target(address=device.address, port=device.ports["http"], found_by=("given",))
    return audit_device(target, creds, settings).audit


# Query parameters that name what is read (Dahua `action=getConfig&name=NAS`); others (ISAPI's
# `security=1&iv=<random>`) change from audit to audit, so such a target is failed by its path alone.
NAMING_PARAMS = frozenset({"action", "name", "channel", "format"})


def quirk_target(target: str) -> str:
    path, _, query = target.partition("?")
    names = {kv.split("=", 1)[0] for kv in query.split("&") if kv}
    return target if names <= NAMING_PARAMS else path


def shape(target: str) -> str:
    """The target with numbers as N: per-channel reads of one resource are one shape."""
    return re.sub(r"\d+", "N", quirk_target(target))


def requested(device: SimDevice, since: int = 0) -> list[str]:
    """The distinct HTTP targets (path and query) the device answered since log entry `since`, in order."""
    seen: dict[str, None] = {}
    for entry in device.log.entries()[since:]:
        if entry.protocol != "rtsp":
            seen.setdefault(entry.path, None)
    return list(seen)


def _asked(device: SimDevice, start: int, path: str) -> bool:
    """Whether the audit asked for `path` with a login (a read of a setting, not a fingerprint look whose
    failure is expected): the simulator logs a slowed request once it has answered."""
    until = time.monotonic() + DELAY + 0.2
    while True:
        if any((e.path == path or e.path.split("?", 1)[0] == path) and (e.user or e.auth in ("ok", "not-required"))
               for e in device.log.entries()[start:]):
            return True
        if time.monotonic() > until:
            return False
        time.sleep(0.05)


@dataclass
class OnePath:
    path: str
    failure: str
    audit: DeviceAudit
    asked: bool            # the audit asked for the path with a login (an earlier answer may make it unnecessary)


class Pool:
    """`size` copies of one profile; `run` audits them with one failing path each, `size` at a time."""

    def __init__(self, fleet: Fleet, base: Profile) -> None:
        self.base, self._free = base, list(fleet.devices)
        self._lock = threading.Lock()

    @contextmanager
    def _device(self, quirk: Quirk) -> Iterator[SimDevice]:
        with self._lock:
            device = self._free.pop()
        device.profile = dataclasses.replace(self.base, quirks=(*self.base.quirks, quirk))
        try:
            yield device
        finally:
            device.profile = self.base
            with self._lock:
                self._free.append(device)

    def one(self, path: str, failure: str) -> OnePath:
        with self._device(failing(path, failure)) as device:
            start = len(device.log)
            found = audit(device, SHORT)
            asked = _asked(device, start, path)
            return OnePath(path, failure, found, asked)

    def run(self, cases: Iterable[tuple[str, str]], workers: int) -> list[OnePath]:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(lambda case: self.one(*case), cases))


# ---- what may change: only unknown or the same ---------------------------------------------------

def _moved(before: object, after: object) -> bool:
    return before is not None and after is not None and before != after


def _features(where: str, clean: dict[str, FeatureVerdict], failed: dict[str, FeatureVerdict]) -> list[str]:
    out = []
    for fid, was in clean.items():
        now = failed.get(fid, FeatureVerdict())
        for name in ("supported", "enabled"):
            if _moved(getattr(was, name), getattr(now, name)):
                out.append(f"{where}{fid}.{name}: {getattr(was, name)} -> {getattr(now, name)}")
    return out


def moved_values(clean: DeviceAudit, failed: DeviceAudit) -> list[str]:
    """Every value the failed audit holds that differs from the clean one without being unknown: features
    (device and per channel), remote access, data flows and identity."""
    out = _features("", clean.features, failed.features)
    for channel, verdicts in clean.channels.items():   # a channel missing now has every verdict unknown
        out += _features(f"channel {channel}: ", verdicts, failed.channels.get(channel, {}))
    for rid, was in clean.remote_access.items():
        now = failed.remote_access.get(rid)
        for name in ("supported", "enabled", "destination"):
            if now is not None and _moved(getattr(was, name), getattr(now, name)):
                out.append(f"remote {rid}.{name}: {getattr(was, name)} -> {getattr(now, name)}")
    flows = {(f.kind, f.destination, f.channel): f.enabled for f in failed.data_flows}
    for flow in clean.data_flows:
        key = (flow.kind, flow.destination, flow.channel)
        if key in flows and _moved(flow.enabled, flows[key]):
            out.append(f"data flow {key}: {flow.enabled} -> {flows[key]}")
    for name in ("brand", "manufacturer", "model", "device_type", "serial", "mac", "firmware"):
        if _moved(getattr(clean, name), getattr(failed, name)):
            out.append(f"identity {name}: {getattr(clean, name)} -> {getattr(failed, name)}")
    return out


def as_last_known(failed: DeviceAudit, clean: DeviceAudit) -> DeviceAudit:
    """The failed run as `camaudit diff` judges it when the clean run was the device's previous read
    (models.last_read.with_last_known, without the store)."""
    if not was_read(read_status(failed)):
        return clean
    return fill_unknown(failed, clean) if any_timed_out(failed) else failed


def drift_problems(clean: DeviceAudit, failed: DeviceAudit) -> list[str]:
    """What `camaudit diff` would wrongly say: clean -> failed anything but "now unknown", and failed ->
    clean (the next run, everything answering again) anything relevant, like "switched on"."""
    now = dt.datetime.now(dt.UTC)

    def state(run_id: int, found: DeviceAudit) -> RunState:
        return RunState(run_id, now, {1: found})

    failed = dataclasses.replace(failed, address=clean.address, port=clean.port)   # another copy of the device
    forward = compare_runs(state(1, clean), state(2, failed)).changes
    back = compare_runs(state(2, as_last_known(failed, clean)), state(3, clean)).relevant
    unchecked = {c.subject for c in forward if c.kind == "finding-not-checked"}

    def allowed(c: Change) -> bool:
        if c.kind in ALLOWED_DRIFT:
            return True
        if c.kind == "finding-new":
            return c.subject in ALLOWED_NEW_FINDINGS or bool(WEAKER_FINDINGS.get(c.subject, set()) & unchecked)
        # Nothing read at all (the fingerprint or the login timed out): "not read", and the access line
        # says what could not be reached, never a login that is suddenly not needed.
        return c.kind == "access" and read_nothing(failed) and c.after != "not-required"

    return ([f"diff clean->failed: {c.kind} {c.text}" for c in forward if not allowed(c)]
            + [f"diff failed->clean: {c.kind} {c.text}" for c in back])
