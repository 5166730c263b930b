"""models.drift on hand-built audits: each rule of what changed and what counts as relevant."""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.audit import FeatureVerdict, Finding, RemoteAccessVerdict
from models.drift import RunState, compare_runs
from models.egress.values import EgressDestination
from tests.store.builders import T0, dahua_nvr, hik_face_camera, unknown_device


def Dest(address: str, port: int, transport: str, label: str, names: list[str] | None = None) -> EgressDestination:  # noqa: N802
    """A destination as drift reads it from the store (counts and times do not matter to drift)."""
    return EgressDestination(address, port, transport, label, None, 1, 1, 60, 60, T0, T0, names=list(names or []))


def _runs(before: dict, after: dict, *, dests: tuple[dict | None, dict | None] = (None, None)):
    return compare_runs(RunState(1, T0, before, dests[0]), RunState(2, T0 + dt.timedelta(days=30), after, dests[1]))


def _kinds(drift):
    return [(c.kind, c.subject, c.relevant) for c in drift.changes]


def test_identical_runs_have_no_changes():
    drift = _runs({1: hik_face_camera(), 2: dahua_nvr()}, {1: hik_face_camera(), 2: dahua_nvr()})
    assert drift.changes == [] and drift.relevant == []


def test_a_feature_switched_on_is_relevant_and_off_is_not():
    on = hik_face_camera()
    on.features["face_recognition"] = FeatureVerdict(True, True, ["FDLib enabled"])
    drift = _runs({1: hik_face_camera()}, {1: on})
    assert _kinds(drift) == [("feature-on", "face_recognition", True), ("capability-added", "face_recognition", False)]
    assert drift.relevant[0].text == "Face recognition switched on (it was unknown before)."
    back = _runs({1: on}, {1: hik_face_camera()})
    assert ("feature-off", "face_recognition", False) not in _kinds(back)        # True -> None is not "off"
    assert ("feature-unknown", "face_recognition", False) in _kinds(back)
    off = hik_face_camera()
    off.features["face_capture"] = FeatureVerdict(True, False, [])
    assert _kinds(_runs({1: hik_face_camera()}, {1: off})) == [("feature-off", "face_capture", False)]


def test_learning_more_is_not_a_change():
    before, after = hik_face_camera(), hik_face_camera()
    before.features["emotion"] = FeatureVerdict(None, None)
    after.features["emotion"] = FeatureVerdict(False, False, ["not listed"])
    assert _runs({1: before}, {1: after}).changes == []
    assert _runs({1: after}, {1: before}).changes == []                          # False -> None: we only know less


def test_remote_access_on_is_relevant_except_time_sync():
    after = hik_face_camera()
    after.remote_access["upnp"] = RemoteAccessVerdict(True, None, ["UPnP enabled=true"])
    after.remote_access["ntp"] = RemoteAccessVerdict(True, "time.windows.com", [])
    after.remote_access["hik_connect"] = RemoteAccessVerdict(True, "devcn.ezvizlife.com", [])
    drift = _runs({1: hik_face_camera()}, {1: after})
    assert [(c.kind, c.subject) for c in drift.relevant] == [("remote-on", "upnp")]
    assert ("remote-destination", "hik_connect", False) in _kinds(drift)
    assert ("remote-destination", "ntp", False) in _kinds(drift)


def test_channel_level_switches_on_count_even_when_the_rollup_is_unchanged():
    after = dahua_nvr()
    after.channels[2]["line_crossing"] = FeatureVerdict(True, True, ["channel 2 rule on"])
    after.features["line_crossing"] = FeatureVerdict(True, True, [])
    before = dahua_nvr()
    before.features["line_crossing"] = FeatureVerdict(True, True, [])                  # already on elsewhere
    drift = _runs({5: before}, {5: after})
    assert [(c.subject, c.relevant) for c in drift.changes] == [("channel 2: line_crossing", True)]


def test_devices_added_and_removed():
    quiet = unknown_device()
    drift = _runs({1: hik_face_camera(), 2: dahua_nvr()},
                  {1: hik_face_camera(), 3: quiet, 4: dahua_nvr(address="10.20.0.51")})
    assert [(c.kind, c.device_id, c.relevant) for c in drift.changes] == [
        ("device-added", 4, True),            # analytics and P2P on: a DPO must look at it
        ("device-added", 3, False),           # login failed: nothing known to be on
        ("device-removed", 2, False)]


def test_identity_and_firmware_changes_but_not_when_unknown_now():
    after = hik_face_camera(firmware="V5.7.15", address="10.20.0.12")
    drift = _runs({1: hik_face_camera()}, {1: after})
    assert {(c.kind, c.subject, c.before, c.after) for c in drift.changes} == {
        ("firmware", "firmware", "V5.7.3", "V5.7.15"), ("identity", "address", "10.20.0.11:80", "10.20.0.12:80")}
    blind = hik_face_camera()
    blind.identity = dataclasses.replace(blind.identity, firmware=None, model=None)
    assert not [c for c in _runs({1: hik_face_camera()}, {1: blind}).changes if c.kind in ("identity", "firmware")]


def test_findings_new_resolved_or_not_checked():
    after = hik_face_camera()
    after.findings = [after.findings[1], Finding("telnet-enabled", "high", "Telnet is enabled.", [], "Disable it.")]
    assert {(c.kind, c.subject) for c in _runs({1: hik_face_camera()}, {1: after}).changes} == {
        ("finding-new", "telnet-enabled"), ("finding-resolved", "face-capture-enabled")}
    locked_out = hik_face_camera()
    locked_out.auth, locked_out.findings = "failed", []
    kinds = {c.kind for c in _runs({1: hik_face_camera()}, {1: locked_out}).changes}
    assert "finding-not-checked" in kinds and "finding-resolved" not in kinds and "access" in kinds


def test_a_new_unknown_destination_is_relevant_and_a_known_one_is_not():
    old = {1: [Dest("34.246.62.109", 443, "tcp", "vendor-cloud", ["litedev.hik-connect.com"])]}
    new = {1: old[1] + [Dest("203.0.113.9", 8000, "tcp", "unknown"), Dest("162.159.200.1", 123, "udp", "public-ntp")]}
    drift = _runs({1: hik_face_camera()}, {1: hik_face_camera()}, dests=(old, new))
    assert drift.egress_compared
    assert [(c.kind, c.after, c.relevant) for c in drift.changes] == [
        ("destination-new", "unknown", True), ("destination-new", "public-ntp", False)]
    gone = _runs({1: hik_face_camera()}, {1: hik_face_camera()}, dests=(new, old))
    assert {c.kind for c in gone.changes} == {"destination-gone"} and not gone.relevant
    without = _runs({1: hik_face_camera()}, {1: hik_face_camera()}, dests=(None, new))
    assert not without.egress_compared and without.changes == []


def test_changes_serialise_for_json():
    on = hik_face_camera()
    on.features["face_recognition"] = FeatureVerdict(True, True, [])
    doc = _runs({1: hik_face_camera()}, {1: on}).to_json()
    assert doc["relevant_count"] == 1 and doc["before_run"] == 1 and doc["after_run"] == 2
    assert doc["changes"][0]["kind"] == "feature-on" and doc["changes"][0]["device"] == "Reception (10.20.0.11:80)"


def test_remote_access_off_then_supported_but_unknown_is_said_apart_from_off():
    from models.audit import RemoteAccessVerdict as V

    before, after = hik_face_camera(), hik_face_camera()
    before.remote_access["isup"] = V(False, None, ["Ehome enabled=false"], True)
    after.remote_access["isup"] = V(None, None, ["Ehome: HTTP 403 lowPrivilege"], True)
    before.remote_access["email"] = V(False, None, ["mailing notSupport"], False)
    after.remote_access["email"] = V(False, None, ["mailing: smtp server set"], True)
    kinds = _kinds(_runs({1: before}, {1: after}))
    assert ("remote-unknown", "isup", False) in kinds
    assert ("remote-supported", "email", False) in kinds
    # An off setting that stays off but is now unreadable with no sign the firmware has it: nothing said.
    after.remote_access["isup"] = V(None, None, ["Ehome: HTTP 403"], None)
    assert not any(k[1] == "isup" for k in _kinds(_runs({1: before}, {1: after})))


def test_a_new_data_flow_is_relevant_and_one_that_went_away_is_listed():
    import dataclasses

    from models.audit import DataFlow

    before, after = hik_face_camera(), hik_face_camera()
    nas = DataFlow("nas", True, "10.60.0.30", "NFS /volume2/Cameras")
    after.data_flows = [*after.data_flows, nas]
    before.data_flows = [dataclasses.replace(f, enabled=True) if f.kind == "audio_recording" else f
                         for f in before.data_flows]
    drift = _runs({1: before}, {1: after})
    kinds = {(c.kind, c.relevant) for c in drift.changes}
    assert ("data-flow-on", True) in kinds                      # the NAS is new
    assert ("data-flow-unknown", False) in kinds               # audio went from on to unknown
    [on] = [c for c in drift.changes if c.kind == "data-flow-on"]
    assert "10.60.0.30" in on.text
    gone = _runs({1: after}, {1: before})
    assert any(c.kind == "data-flow-off" and "10.60.0.30" in c.text for c in gone.changes)
