"""A read that times out under load never changes a result: it leaves the value unknown, and the next
run's answer is judged against what was last known.

At 1,000 devices a second run reported 47 features "switched on" that had only timed out before: a
channel whose analytics read timed out let another channel's "off" stand for the whole device. Here
one device is audited three times, the middle run with `slow_endpoints` on one channel's analytics
(the answer comes after the read timeout), and every verdict of the slow run is compared with the
normal ones.
"""

from __future__ import annotations

import dataclasses

import pytest

from auditor.commands.demo import site_credentials
from auditor.report.load import load_run
from auditor.run.orchestrator import AuditOptions, run_audit
from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from models.db import open_store
from models.drift import UNANSWERED_NOTE, compare_runs
from models.last_read import with_last_known
from models.store import get_run
from probes.base import Target
from probes.context import ProbeSettings
from probes.http import HttpSettings

# Short enough for the slow answers (DELAY) to time out, long enough for loopback answers.
SETTINGS = ProbeSettings(http=HttpSettings(connect_timeout=2.0, read_timeout=0.6, deadline=1.2), onvif_timeout=0.6)
DELAY = 2.0
# Profile, and the analytics paths of one channel that answer late. Each was a wrong "off" before
# the fix: the other channel's "off" became the device's.
CASES = {
    "hik-ptz-speed-dome": ["/ISAPI/Smart/AudioDetection/channels/1", "/ISAPI/Smart/FieldDetection/2"],
    "hik-face-nvr-challenge-all": ["/ISAPI/Smart/regionEntrance/2", "/ISAPI/Smart/FieldDetection/3"],
    "hik-acusense-nvr": ["/ISAPI/Intelligent/channels/1/faceCapture", "/ISAPI/Smart/FieldDetection/2"],
}


def _verdicts(audit) -> dict[tuple[str, str], tuple[bool | None, bool | None]]:
    out = {("device", fid): (v.supported, v.enabled) for fid, v in audit.features.items()}
    for channel, verdicts in audit.channels.items():
        out |= {(f"channel {channel}", fid): (v.supported, v.enabled) for fid, v in verdicts.items()}
    return out


def _audit(store, fleet):
    device = fleet.devices[0]
    target = Target(address=device.address, port=device.ports["http"], found_by=("given",))
    outcome = run_audit(store, [target], site_credentials(fleet), scope=[device.address],
                        options=AuditOptions(concurrency=1, probe=SETTINGS))
    return outcome.run_id, outcome.devices[0]


@pytest.mark.parametrize("profile_id", sorted(CASES))
def test_a_timed_out_read_is_unknown_and_never_switches_a_feature(profile_id, start_fleet, tmp_path):
    profile = bundled_profile(profile_id)
    slow = dataclasses.replace(profile, quirks=(*profile.quirks,
                                                Quirk("slow_endpoints", {"paths": CASES[profile_id], "delay": DELAY})))
    normal_fleet, slow_fleet = start_fleet(profile), start_fleet(slow)   # same serial: one device in the store
    with open_store(tmp_path / "camaudit.db") as store:
        first_id, first = _audit(store, normal_fleet)
        slow_id, slowed = _audit(store, slow_fleet)
        last_id, last = _audit(store, normal_fleet)

        before, after = _verdicts(first), _verdicts(slowed)
        assert _verdicts(last) == before, "the simulator answered differently without the quirk"
        # The slow run knows less, never something else: no "off" and no "not supported" from a timeout.
        wrong = {key: (before[key], after.get(key)) for key in before
                 if after.get(key, (None, None))[1] not in (before[key][1], None)
                 or (before[key][0] is True and after.get(key, (None, None))[0] is False)}
        assert not wrong, wrong
        # ... and it did time out: some verdict that was known is unknown now, and says why.
        lost = [key for key in before if before[key][1] is not None and after.get(key, (None, None))[1] is None]
        assert lost
        assert any(UNANSWERED_NOTE in line for v in [*slowed.features.values()] for line in v.evidence)

        # camaudit diff slow-run -> next run: nothing "switched on" that was on before the timeouts.
        later = load_run(store, get_run(store, run_id=last_id)).state()
        drift = compare_runs(with_last_known(store, load_run(store, get_run(store, run_id=slow_id)).state(),
                                             later.devices), later)
        assert [c.text for c in drift.changes if c.kind == "feature-on"] == []
        # Against the first run (no timeouts) nothing changed either: the quirk only slowed answers.
        full = compare_runs(load_run(store, get_run(store, run_id=first_id)).state(), later)
        assert [c.text for c in full.changes if c.kind.startswith("feature-")] == []
