"""Unit: ISAPI answers as real Hikvision firmware gives them (tests/data/isapi, README: facts from
maciej-or/hikvision_next's device captures), and junk that must never become a capability.

Covers Turbo HD DVR analog channels, IPDome/DVR device types, number-plate (ITC/Traffic)
resources, a trigger list that answers 500 (read id by id instead), the EventNotification
wrapper of old firmware, capability sections and what their silence may close.
"""

from __future__ import annotations

import pytest

from auditor.judge.classify import classify_features
from auditor.judge.identity import resolve_identity
from auditor.judge.taxonomy import ISAPI_FLAG_SECTIONS, covered
from models.features import FEATURE_IDS
from probes.base import Coverage, FeatureObservation, IdentitySignal
from probes.errors import MalformedResponse, ProbeError
from probes.http import HttpAnswer
from probes.isapi import PROBES, capabilities, identity, smart_events, traffic, triggers
from probes.isapi._caps import read_flags, sections
from probes.isapi._channels import channel_map
from probes.isapi._rules import parse_rule
from probes.isapi._status import shared_doc
from tests.probes.test_isapi_parsing import StubHttp, body, root, stub_ctx

DVR = {"/ISAPI/System/deviceInfo": (200, "deviceinfo_dvr.xml"),
       "/ISAPI/System/Video/inputs/channels": (200, "video_inputs_dvr.xml"),
       "/ISAPI/ContentMgmt/InputProxy/channels": (200, "inputproxy_empty_dvr.xml"),
       "/ISAPI/System/Video/inputs/channels/1/motionDetection": (200, "motion_acusense.xml")}


# -- DVRs and device types -----------------------------------------------------------------------
def test_dvr_analog_channels_are_walked_on_their_own_paths():
    ctx, stub = stub_ctx(DVR)
    cmap = channel_map(ctx)
    assert cmap.nvr is True
    assert [(c.id, c.proxied) for c in cmap.channels] == [(1, False), (2, False), (3, False), (4, False)]
    assert "4 analog inputs" in cmap.evidence.excerpt
    said = {(o.name, o.channel): o for o in smart_events.PROBE.run(ctx) if isinstance(o, FeatureObservation)}
    assert (said["motionDetection", 1].supported, said["motionDetection", 1].enabled) == (True, True)
    asked = [path for path, _ in stub.asked]
    assert "/ISAPI/System/Video/inputs/channels/4/motionDetection" in asked
    assert not any("/InputProxy/channels/1/video/" in path for path in asked)


@pytest.mark.parametrize(("name", "want"), [("deviceinfo_dvr.xml", "dvr"), ("deviceinfo_ptz_ipdome.xml", "ptz"),
                                            ("deviceinfo_nvr_isapi.xml", "nvr"),
                                            ("deviceinfo_ipc_hikvision.xml", "camera")])
def test_device_types_from_device_info(name, want):
    ctx, _ = stub_ctx({"/ISAPI/System/deviceInfo": (200, name)})
    signals = [o for o in identity.PROBE.run(ctx) if isinstance(o, IdentitySignal)]
    assert {s.value for s in signals if s.field == "device_type"} == {want}
    assert resolve_identity(signals).device_type == want


def test_dvr_triggers_name_analog_channels_and_mixed_namespaces():
    found = {t.id: t for t in triggers.parse_triggers(root("triggers_dvr_analog.xml"))}
    assert (found["VMD-1"].channel, found["VMD-1"].routes) == (1, ("record", "platform"))
    assert (found["fielddetection-3"].channel, found["fielddetection-3"].routes) == (3, ())   # white light only
    assert (found["faceSnap-2"].channel, found["faceSnap-2"].methods) == (2, ())
    assert found["diskerror"].channel is None


def test_old_firmware_wraps_the_trigger_list_and_thermometry_is_measurement():
    ctx, _ = stub_ctx({"/ISAPI/Event/triggers": (200, "triggers_eventnotification_thermal.xml")})
    doc = shared_doc(ctx, triggers.TRIGGERS)          # <EventNotification> is accepted as the list
    found = {t.id: t for t in triggers.parse_triggers(doc.root)}
    assert found["thermometry-2"].channel == 2 and found["thermometry-2"].routes == ("platform",)
    assert triggers.EVENT_TYPES["thermometry"] == "thermometry"      # not FaceThermometry (screening)


# -- number plates and a failing trigger list ------------------------------------------------------
ANPR = {"/ISAPI/System/deviceInfo": (200, "deviceinfo_ipc_hikvision.xml"),
        "/ISAPI/System/Video/inputs/channels": (200, "video_inputs_two.xml"),
        "/ISAPI/ITC/capability": (200, "itc_capability_anpr.xml"),
        "/ISAPI/Traffic/channels/1/vehicleDetect": (200, "vehicle_detect_no_namespace.xml"),
        "/ISAPI/Event/triggers": (500, "html_500.html"),
        "/ISAPI/Event/triggers/vehicledetection-1": (200, "trigger_vehicledetection_one.xml")}


def test_itc_capability_and_bare_vehicle_detect_config():
    claims = {c.name: c for c in read_flags(root("itc_capability_anpr.xml"))}
    assert claims["vehicleDetection"].supported is True and claims["vehicleDetection"].where.startswith("ITCCap/")
    assert sections(root("itc_capability_anpr.xml")) == {"ITCCap"}
    assert parse_rule(root("vehicle_detect_no_namespace.xml")).enabled is True


def test_number_plate_rule_per_channel_and_routes_read_id_by_id_when_the_list_fails():
    ctx, stub = stub_ctx(ANPR)
    plates = {o.channel: o for o in traffic.PROBE.run(ctx)}
    assert (plates[1].supported, plates[1].enabled) == (True, True)
    assert (plates[2].supported, plates[2].enabled) == (False, False)      # channel 2 answers notSupport
    out = [o for o in triggers.PROBE.run(ctx) if isinstance(o, FeatureObservation)]
    assert [(o.name, o.channel, o.sends_to) for o in out] == [("vehicleDetection", 1, ("platform",))]
    assert out[0].evidence.source == "/ISAPI/Event/triggers/vehicledetection-1"
    assert "IO, center" in out[0].evidence.excerpt
    asked = [path for path, _ in stub.asked if path.startswith("/ISAPI/Event/triggers")]
    assert asked[0] == "/ISAPI/Event/triggers" and "/ISAPI/Event/triggers/vehicledetection-1" in asked


def test_firmware_without_itc_says_no_number_plates_without_walking_channels():
    ctx, stub = stub_ctx({"/ISAPI/System/deviceInfo": (200, "deviceinfo_ipc_hikvision.xml")})
    (obs,) = traffic.PROBE.run(ctx)
    assert (obs.name, obs.supported, obs.enabled, obs.channel) == ("vehicleDetection", False, False, None)
    assert not any(path.startswith("/ISAPI/Traffic/") for path, _ in stub.asked)


# -- capability sections and coverage ------------------------------------------------------------
def test_real_nvr_flags_map_to_the_new_analytics():
    claims = {c.name: c.supported for c in read_flags(root("capabilities_nvr_isapi_org.xml"))}
    for name in ("StudentsStoodUp", "TeacherBehaviorDetect", "faceSnapModeling", "objectsThrownDetection",
                 "rapidMove", "parking", "thermometry", "fireDetection", "SceneChangeDetection",
                 "DefocusDetection", "PersonQueueDetection", "safetyHelmetDetection"):
        assert claims[name] is True, name
    assert claims["whiteListFaceContrast"] is False


def test_silence_only_closes_features_whose_flag_sections_were_read():
    ctx, _ = stub_ctx({"/ISAPI/System/capabilities": (200, "capabilities_nvr_isapi_org.xml")})
    out = capabilities.PROBE.run(ctx)
    (cov,) = [o for o in out if isinstance(o, Coverage)]
    assert cov.scope == "isapi-capabilities:DeviceCap+EventCap+SmartCap+SysCap+ThermalCap+VideoCap"
    device, _, notes = classify_features(out)
    assert notes == []
    state = {f: (device[f].supported, device[f].enabled) for f in FEATURE_IDS}
    assert state["classroom_behaviour"] == (True, None)
    assert state["objects_thrown"] == (True, None)
    assert state["face_recognition"] == (True, None)              # faceContrast, face modelling
    assert state["tamper_detection"] == (True, None)              # scene change / defocus flags
    assert state["temperature_measurement"] == (True, None)
    assert state["loitering"] == (False, False)                   # SmartCap read and silent about it
    # Never closed by silence: no section carries a flag for them, or the section was not read.
    for fid in ("emotion", "mask_detection", "fight_detection", "age_gender", "human_vehicle_filter",
                "vehicle_recognition", "pir_detection"):
        assert state[fid] == (None, None), fid


def test_coverage_table_only_names_known_sections_and_features():
    assert set(ISAPI_FLAG_SECTIONS) <= set(FEATURE_IDS)
    assert covered("isapi-capabilities:SmartCap") == tuple(
        f for f, where in ISAPI_FLAG_SECTIONS.items() if where == ("SmartCap",))
    assert "motion_detection" not in covered("isapi-capabilities:EventCap")      # VideoCap not read
    assert "motion_detection" in covered("isapi-capabilities:EventCap+VideoCap")
    assert covered("isapi-capabilities") == ()


# -- junk is unreadable, never a capability ------------------------------------------------------
SHARED = ("/ISAPI/System/deviceInfo", "/ISAPI/System/capabilities", "/ISAPI/Smart/capabilities",
          "/ISAPI/Event/triggers", "/ISAPI/ITC/capability", "/ISAPI/System/Video/inputs/channels")


@pytest.mark.parametrize("junk", ["junk_flat_a.xml", "html_login_page.html"])
@pytest.mark.parametrize("path", SHARED)
def test_a_document_with_the_wrong_root_is_unreadable(path, junk):
    ctx, _ = stub_ctx({path: (200, junk)})
    with pytest.raises(MalformedResponse, match="was expected"):
        shared_doc(ctx, path)


class JunkHttp(StubHttp):
    """A broken proxy in front of the camera: every path answers 200 with the same junk."""

    def __init__(self, name: str) -> None:
        super().__init__({})
        self.name = name

    def get(self, path: str, params=None, *, authenticate: bool = True) -> HttpAnswer:
        self.asked.append((path, params))
        return HttpAnswer(path, 200, {}, body(self.name), 3, False)


@pytest.mark.parametrize("junk", ["junk_flat_a.xml", "html_login_page.html"])
def test_junk_on_every_path_supports_nothing(junk):
    ctx, _ = stub_ctx({})
    ctx.http = JunkHttp(junk)  # type: ignore[assignment]
    observations = []
    for probe in PROBES:
        try:
            observations += probe.run(ctx)
        except ProbeError:
            continue
    device, channels, _ = classify_features(observations)
    said_yes = [f for f in FEATURE_IDS if device[f].supported or device[f].enabled]
    assert said_yes == []
    assert not any(v.supported for verdicts in channels.values() for v in verdicts.values())


def test_hybrid_recorder_walks_analog_and_proxied_channels_each_on_its_own_path():
    ctx, stub = stub_ctx({**DVR, "/ISAPI/ContentMgmt/InputProxy/channels": (200, "inputproxy_hybrid_ip_channels.xml")})
    cmap = channel_map(ctx)
    assert [(c.id, c.proxied) for c in cmap.channels] == [(1, False), (2, False), (3, False), (4, False), (5, True)]
    assert cmap.channels[-1].source_address == "192.168.254.2"
    smart_events.PROBE.run(ctx)
    asked = {path for path, _ in stub.asked}
    assert "/ISAPI/ContentMgmt/InputProxy/channels/5/video/motionDetection" in asked
    assert "/ISAPI/System/Video/inputs/channels/5/motionDetection" not in asked
    assert "/ISAPI/System/Video/inputs/channels/1/motionDetection" in asked
    assert "/ISAPI/ContentMgmt/InputProxy/channels/1/video/motionDetection" not in asked
