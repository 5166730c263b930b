"""Unit: the ISAPI probes' parsing on recorded bodies (tests/data/isapi/, see its README).

Pure readers are fed the bodies directly; whole probes run against a stub HTTP client that
answers from those files, so each ResponseStatus variant, both namespaces, invalid UTF-8 and a
DOCTYPE are shown to become the right outcome without a device.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from probes._xml import XmlLimits, parse_xml
from probes.base import Evidence, FeatureObservation, IdentitySignal, RemoteAccessObservation, Target
from probes.context import ProbeContext, ProbeSettings
from probes.errors import HostileResponse, MalformedResponse, NotSupported, UnexpectedAnswer
from probes.http import HttpAnswer
from probes.isapi import _remote, identity, intelligent, remote_access, triggers
from probes.isapi._caps import read_flags
from probes.isapi._channels import Channel, parse_proxy_channels, parse_video_inputs
from probes.isapi._rules import parse_rule
from probes.isapi._status import (
    IsapiFailed,
    IsapiForbidden,
    IsapiNotSupported,
    get_doc,
    outcome,
    parse_response_status,
)
from probes.isapi._walk import Reading, Resource
from probes.isapi.face_library import parse_counts
from probes.login import LoginState

DATA = Path(__file__).parent.parent / "data" / "isapi"
NOT_SUPPORT = "responsestatus_notsupport_403.xml"


def body(name: str) -> bytes:
    return (DATA / name).read_bytes()


def root(name: str):
    return parse_xml(body(name), name).root


class StubHttp:
    """Answers GETs from recorded files; anything unlisted is notSupport (HTTP 403)."""

    def __init__(self, routes: dict[str, tuple[int, str]]) -> None:
        self.routes = routes
        self.asked: list[tuple[str, dict | None]] = []

    def get(self, path: str, params=None, *, authenticate: bool = True) -> HttpAnswer:
        self.asked.append((path, params))
        key = path + ("?secure" if params and "security" in params else "")
        status, name = self.routes.get(key, self.routes.get(path, (403, NOT_SUPPORT)))
        return HttpAnswer(path, status, {}, body(name) if name else b"", 3, False)

    def close(self) -> None:
        pass


def stub_ctx(routes: dict[str, tuple[int, str]]) -> tuple[ProbeContext, StubHttp]:
    ctx = ProbeContext(Target("127.0.0.1", 80), LoginState(), ProbeSettings())
    ctx.http.close()
    stub = StubHttp(routes)
    ctx.http = stub  # type: ignore[assignment]
    return ctx, stub


# -- ResponseStatus -----------------------------------------------------------------------
@pytest.mark.parametrize(("name", "http", "want"), [
    (NOT_SUPPORT, 403, "not-supported"),                               # statusCode 4, hikvision ns
    ("responsestatus_notsupport_code6.xml", 200, "not-supported"),     # statusCode 6, isapi ns, HTTP 200
    ("responsestatus_invalid_operation_nosub.xml", 403, "not-supported"),  # old firmware, std-cgi ns
    ("responsestatus_lowprivilege.xml", 403, "forbidden"),
    ("deviceerror_offline_channel.xml", 500, "device-error"),
    ("responsestatus_badparameters.xml", 400, "failed"),
    ("responsestatus_ok.xml", 200, "empty"),
])
def test_response_status_variants(name, http, want):
    status = parse_response_status(root(name))
    assert status is not None
    assert outcome(http, status) == want


def test_http_403_without_response_status_is_forbidden_and_404_is_not_supported():
    assert outcome(403, None) == "forbidden"
    assert outcome(404, None) == "not-supported"
    assert outcome(500, None) == "failed"
    assert outcome(200, None) == "ok"


@pytest.mark.parametrize(("name", "http", "error"), [
    (NOT_SUPPORT, 403, IsapiNotSupported),
    ("responsestatus_notsupport_code6.xml", 200, IsapiNotSupported),
    ("responsestatus_lowprivilege.xml", 403, IsapiForbidden),
    ("deviceerror_offline_channel.xml", 500, IsapiFailed),
    ("responsestatus_ok.xml", 200, MalformedResponse),
    ("doctype_xxe.xml", 200, HostileResponse),
])
def test_get_doc_turns_answers_into_outcomes_with_evidence(name, http, error):
    ctx, _ = stub_ctx({"/x": (http, name)})
    with pytest.raises(error) as caught:
        get_doc(ctx, "/x")
    evidence = getattr(caught.value, "evidence", None)
    if evidence is not None:
        assert evidence.source == "/x" and evidence.result.startswith(f"HTTP {http}")
        assert evidence.duration_ms == 3


def test_a_500_html_page_is_a_failure_with_a_short_excerpt():
    ctx, _ = stub_ctx({"/ISAPI/Smart/LineDetection/1": (500, "html_500.html")})
    with pytest.raises(IsapiFailed) as caught:
        get_doc(ctx, "/ISAPI/Smart/LineDetection/1")
    assert caught.value.evidence.result == "HTTP 500"
    assert "Internal Server Error" in caught.value.evidence.excerpt and not caught.value.device_error


def test_doctype_is_refused_unexpanded():
    with pytest.raises(HostileResponse):
        parse_xml(body("doctype_xxe.xml"), "deviceInfo")


# -- identity -------------------------------------------------------------------------------
def _signals(ctx) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for obs in identity.PROBE.run(ctx):
        assert isinstance(obs, IdentitySignal) and obs.source == "isapi"
        found.setdefault(obs.field, []).append(obs.value)
    return found


@pytest.mark.parametrize(("name", "want"), [
    ("deviceinfo_ipc_hikvision.xml", {"model": ["iDS-2CD7A46G0/P-IZHS"], "firmware_date": ["2019-07-25"],
                                      "device_type": ["camera"], "mac": ["44:19:b6:3a:5c:01"]}),
    ("deviceinfo_nvr_isapi.xml", {"model": ["DS-7608NXI-K2/8P"], "firmware_date": ["2022-04-15"],
                                  "device_type": ["nvr"], "firmware": ["V4.62.210"]}),
    ("deviceinfo_oem_truvision.xml", {"vendor": ["TruVision"], "manufacturer": ["Hikvision"]}),
])
def test_identity_in_both_namespaces(name, want):
    ctx, _ = stub_ctx({"/ISAPI/System/deviceInfo": (200, name)})
    got = _signals(ctx)
    for field, values in want.items():
        assert got.get(field) == values, (field, got)
    assert got["manufacturer"] == ["Hikvision"]
    assert "vendor" in got or name != "deviceinfo_oem_truvision.xml"


def test_identity_survives_invalid_utf8_and_says_so():
    ctx, _ = stub_ctx({"/ISAPI/System/deviceInfo": (200, "deviceinfo_latin1_name.xml")})
    signals = identity.PROBE.run(ctx)
    name = next(s for s in signals if s.field == "name")
    assert name.value.startswith("Caf") and "\\x" in name.value and "\ufffd" not in name.value   # a visible escape
    assert "not valid UTF-8" in name.evidence.result
    assert next(s.value for s in signals if s.field == "firmware_date") == "2017-01-24"


def test_identity_refuses_a_doctype_body():
    ctx, _ = stub_ctx({"/ISAPI/System/deviceInfo": (200, "doctype_xxe.xml")})
    with pytest.raises(HostileResponse):
        identity.PROBE.run(ctx)


def test_thermal_camera_is_recognised_from_capabilities():
    ctx, _ = stub_ctx({"/ISAPI/System/deviceInfo": (200, "deviceinfo_ipc_hikvision.xml"),
                       "/ISAPI/System/capabilities": (200, "capabilities_thermal_mixed_sections.xml")})
    assert set(_signals(ctx)["device_type"]) == {"camera", "thermal"}


@pytest.mark.parametrize(("text", "want"), [("build 240201", "2024-02-01"), ("build 191301", None),
                                            ("", None), ("V5.5.0build 191126", "2019-11-26")])
def test_build_date(text, want):
    assert identity.build_date(text) == want


# -- capability flags -------------------------------------------------------------------------
def test_flags_are_found_in_any_section_and_privacy_mask_is_not_mask_detection():
    claims = {(c.name, c.supported, c.where) for c in read_flags(root("capabilities_thermal_mixed_sections.xml"))}
    names = {name for name, _, _ in claims}
    assert ("motionDetection", True, "VideoCap/isSupportMotionDetection") in claims
    assert ("motionDetection", True, "EventCap/isSupportMotionDetection") in claims
    assert ("FaceThermometry", True, "EventCap/isSupportFaceThermometry") in claims
    assert ("fireDetection", True, "ThermalCap/isSupportFireDetection") in claims
    assert ("FaceDetect", False, "SmartCap/isSupportFaceDetect") in claims
    assert "LineDetection" not in names          # value "opt" is not a boolean: no claim either way
    assert not names & {"faceSnap.mask", "mask", "privacyMask", "violentMotion"}   # rapid move != fight


def test_simulator_capability_document_claims_match_its_events():
    claims = {c.name: c.supported for c in read_flags(root("capabilities_ipc.xml"))}
    assert claims["faceSnap"] and claims["FaceDetect"] and claims["LineDetection"]
    assert claims["faceContrast"] is False and claims["FDLib"] is False


# -- rules ----------------------------------------------------------------------------------
def test_line_rule_with_one_drawn_line_filters_humans():
    state = parse_rule(root("line_detection_one_line.xml"), "line")
    assert (state.switch, state.enabled, state.has_target) == (True, True, True)
    assert state.targets == {"human"} and state.filters_people_or_vehicles
    assert "1 of 4 lines can fire" in state.summary


def test_region_rule_switched_on_without_a_region_cannot_fire():
    state = parse_rule(root("region_exiting_enabled_undrawn.xml"), "region")
    assert (state.switch, state.enabled) == (True, False)
    assert state.has_target and not state.filters_people_or_vehicles
    assert "cannot fire" in state.summary


def test_region_targets_count_only_where_a_region_is_drawn():
    state = parse_rule(root("field_detection_drawn_vehicle.xml"), "region")
    assert state.enabled is True and state.targets == {"vehicle"}


def test_motion_with_acusense_target_and_motion_without_area():
    acusense = parse_rule(root("motion_acusense.xml"), "motion")
    assert acusense.enabled is True and acusense.targets == {"human", "vehicle"}
    empty = parse_rule(root("motion_enabled_empty_grid.xml"), "motion")
    assert (empty.switch, empty.enabled, empty.has_target) == (True, False, True)
    assert not empty.targets


def test_face_capture_attributes_and_thermometry_switch():
    capture = parse_rule(root("face_capture_attributes.xml"), "faceCapture")
    assert capture.enabled is True and capture.attributes == {"mask": False}
    thermometry = parse_rule(root("face_thermometry.xml"), "plain", "faceThermometryEnabled")
    assert thermometry.enabled is True


@pytest.mark.parametrize(("name", "want"), [
    ("face_capture_attributes.xml", {"faceSnap.mask": False}),
    # Attributes switched on while face capture itself is off never run.
    ("face_capture_off_attributes_on.xml", {"faceSnap.ageGroup": False, "faceSnap.gender": False,
                                            "faceSnap.mask": False}),
])
def test_face_attributes_are_on_only_while_capture_is(name, want):
    state = parse_rule(root(name), "faceCapture")
    capture = FeatureObservation("isapi", "faceSnap", True, state.enabled, Evidence("isapi", "/x/1"), 1)
    reading = Reading(Resource("faceSnap", "/x/{ch}", "faceCapture"), Channel(1), capture, state)
    got = {o.name: o.enabled for o in intelligent.face_attributes([reading])}
    assert got == want


def test_an_enabled_attribute_of_enabled_capture_is_enabled():
    state = dataclasses.replace(parse_rule(root("face_capture_off_attributes_on.xml"), "faceCapture"),
                                enabled=True)
    capture = FeatureObservation("isapi", "faceSnap", True, True, Evidence("isapi", "/x/1"), 1)
    reading = Reading(Resource("faceSnap", "/x/{ch}", "faceCapture"), Channel(1), capture, state)
    got = {o.name: (o.supported, o.enabled) for o in intelligent.face_attributes([reading])}
    assert got["faceSnap.ageGroup"] == (True, True) and got["faceSnap.mask"] == (True, False)


# -- channels, triggers, libraries ------------------------------------------------------------
def test_nvr_proxy_channels_with_online_state():
    channels = parse_proxy_channels(root("inputproxy_channels.xml"), root("inputproxy_status.xml"))
    assert [c.id for c in channels] == [1, 2, 3, 4, 5]
    first, offline = channels[0], channels[4]
    assert (first.online, first.source_address, first.source_model) == (True, "10.20.0.64", "DS-2CD2386G2-IU")
    assert (offline.online, offline.source_model) == (False, None)
    assert [c.id for c in parse_video_inputs(root("video_inputs_two.xml"))] == [1, 2]


def test_triggers_channel_routes_and_empty_lists():
    found = {t.id: t for t in triggers.parse_triggers(root("triggers_ipc_mixed.xml"))}
    assert found["VMD-1"].channel == 1 and found["VMD-1"].routes == ("email",)       # beep is not a route
    assert found["faceSnap-1"].routes == ("platform", "ftp", "record")
    assert found["shelteralarm-1"].methods == ()
    assert found["faceContrastSuccess-2"].channel == 2                             # from the id suffix
    assert found["objectsThrownDetection"].channel == 3                            # from dynVideoInputChannelID
    assert found["diskfull"].channel is None
    assert triggers.EVENT_TYPES["shelteralarm"] == "tamperDetection"


def test_face_library_counts_from_json():
    counts = parse_counts(json.loads(body("fdlib_count.json")))
    assert sorted(counts.values()) == [23, 148]
    assert parse_counts({"statusCode": 4}) == {} and parse_counts([]) == {}


# -- remote access: values and secrets ------------------------------------------------------
def test_remote_readers_take_hosts_and_never_secret_values():
    ezviz = _remote.parse_ezviz(root("ezviz_clear_code.xml"))
    assert (ezviz.enabled, ezviz.destination) == (True, "litedev.hik-connect.com")
    assert "QWERTY" not in ezviz.summary and "verificationCode present" in ezviz.summary
    ftp = _remote.parse_ftp(root("ftp_clear_password.xml"))
    assert (ftp.enabled, ftp.destination) == (True, "203.0.113.20")    # addressingFormatType wins
    assert "Ftp-Secret-42" not in ftp.summary
    ddns = _remote.parse_ddns(root("ddns_list.xml"))
    assert (ddns.enabled, ddns.destination) == (True, "www.hik-online.com") and "Ddns" not in ddns.summary
    ehome = _remote.parse_ehome(root("ehome_enabled.xml"))
    assert (ehome.enabled, ehome.destination) == (True, "47.254.132.18:7660")
    ntp = _remote.parse_ntp(root("time_manual.xml"), root("ntp_servers.xml"))
    assert (ntp.enabled, ntp.destination) == (False, "time.windows.com")


ROUTES = {
    "/ISAPI/System/Network/EZVIZ?secure": (400, "responsestatus_badparameters.xml"),
    "/ISAPI/System/Network/EZVIZ": (200, "ezviz_clear_code.xml"),
    "/ISAPI/System/Network/ftp": (200, "ftp_clear_password.xml"),
    "/ISAPI/System/Network/mailing": (200, "mailing_clear_password.xml"),
    "/ISAPI/System/Network/DDNS": (200, "ddns_list.xml"),
    "/ISAPI/System/Network/Ehome": (403, "responsestatus_lowprivilege.xml"),
    "/ISAPI/System/time": (200, "time_manual.xml"),
    "/ISAPI/System/time/ntpServers": (200, "ntp_servers.xml"),
    "/ISAPI/Event/triggers": (200, "triggers_ipc_mixed.xml"),
}


def test_remote_access_probe_outcomes_and_no_secret_in_evidence():
    ctx, stub = stub_ctx(ROUTES)
    found = {o.setting: o for o in remote_access.PROBE.run(ctx) if isinstance(o, RemoteAccessObservation)}
    assert (found["hik_connect"].enabled, found["hik_connect"].destination) == (True, "litedev.hik-connect.com")
    assert found["isup"].enabled is None                      # 403 lowPrivilege: unknown, not off
    assert found["upnp"].enabled is False and "notSupport" in found["upnp"].evidence.result
    assert found["email"].enabled is True                     # SMTP set and VMD-1 notifies by e-mail
    assert found["ntp"].enabled is False and found["ntp"].destination == "time.windows.com"
    assert found["ftp"].destination == "203.0.113.20"
    text = repr(list(found.values()))
    for secret in ("QWERTY", "Ftp-Secret-42", "Ddns-Secret-1", "Mail-Relay-Pass-9"):
        assert secret not in text
    ezviz_asks = [params for path, params in stub.asked if path == "/ISAPI/System/Network/EZVIZ"]
    assert ezviz_asks[0] and ezviz_asks[0]["security"] == "1" and len(ezviz_asks[0]["iv"]) == 32
    assert ezviz_asks[1] is None                              # asked again without after HTTP 400


def test_triggers_decorate_config_observations_with_routes():
    ctx, _ = stub_ctx({"/ISAPI/Event/triggers": (200, "triggers_ipc_mixed.xml")})
    snap = FeatureObservation("isapi", "faceSnap", True, True, None, 1)  # type: ignore[arg-type]
    tamper = FeatureObservation("isapi", "tamperDetection", True, True, None, 1)  # type: ignore[arg-type]
    for key, found in (("smart-events", [tamper]), ("intelligent", [snap]), ("thermal", [])):
        ctx.publish(f"isapi.{key}", found)
    out = {o.name: o for o in triggers.PROBE.run(ctx)}
    assert set(out) == {"faceSnap", "tamperDetection"}        # VMD-1 has no observed motion to decorate
    assert out["faceSnap"].sends_to == ("platform", "ftp", "record") and out["faceSnap"].channel == 1
    assert "reports nowhere" in out["tamperDetection"].evidence.excerpt and out["tamperDetection"].sends_to == ()


def test_not_supported_is_a_probe_error_subclass():
    assert issubclass(IsapiNotSupported, NotSupported)


def test_deeply_nested_capability_document_does_not_exhaust_the_stack():
    depth = 50_000
    body_ = (b'<DeviceCap xmlns="http://www.isapi.org/ver20/XMLSchema">' + b"<a>" * depth
             + b"<isSupportFaceSnap>true</isSupportFaceSnap>" + b"</a>" * depth + b"</DeviceCap>")
    # parse_xml refuses such depth by default (ResponseTooComplex); read_flags must survive it anyway.
    claims = read_flags(parse_xml(body_, "caps", limits=XmlLimits(max_depth=depth + 10)).root)
    assert [(c.name, c.supported) for c in claims] == [("faceSnap", True)]


def test_problems_are_recorded_explicitly_on_the_context_at_the_read_boundary():
    """A failure a probe recovers from is on the device's problem list; creating an error is not recording it."""
    ctx, _ = stub_ctx({"/ISAPI/Event/triggers": (500, "html_500.html"),
                       "/ISAPI/Smart/capabilities": (403, NOT_SUPPORT)})
    tamper = FeatureObservation("isapi", "tamperDetection", True, True, None, 1)  # type: ignore[arg-type]
    ctx.publish("isapi.smart-events", [tamper])
    UnexpectedAnswer("made, never raised through a read")          # no side effect
    assert triggers.PROBE.run(ctx) == []                            # carried on: list failed, tamper-1 notSupport
    assert [type(p).__name__ for p in ctx.problems] == ["IsapiFailed"]
    assert "/ISAPI/Event/triggers: the device could not answer (HTTP 500" in ctx.problems[0].reason
    assert ctx.problems[0].__traceback__ is None                    # a detached copy: no frames kept alive
    with pytest.raises(NotSupported):
        get_doc(ctx, "/ISAPI/Smart/capabilities")                   # notSupport: an answer, not a problem
    with ctx.expected(), pytest.raises(IsapiFailed):
        get_doc(ctx, "/ISAPI/Event/triggers")                       # an expected step: not recorded
    assert len(ctx.problems) == 1
