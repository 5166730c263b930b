"""Where data leaves a Hikvision device (issue 9 item 7) and remote access that is "supported,
state unknown" (item 6): pure readers on recorded bodies (tests/data/isapi, see its README), the
probes on a stub answering those bodies, and the probes against the simulator over loopback."""

from __future__ import annotations

import dataclasses

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from probes.base import DataFlowObservation, RemoteAccessObservation
from probes.isapi import _flows, data_flows, remote_access
from tests.probes.test_isapi_parsing import NOT_SUPPORT, root, stub_ctx
from tests.probes.test_isapi_probes import audit

CAPS = "/ISAPI/System/capabilities"
SECRETS = ("Abc123-never-stored", "Hook-Pass-Invented", "Url-Pass-Invented", "alarm-user", "Nas-Pass-Invented")


# -- pure readers --------------------------------------------------------------------------
def test_ipc_push_slots_keep_the_set_host_without_token_or_password():
    [flow] = _flows.parse_http_hosts(root("http_hosts_ipc_slots.xml"))     # two slots hold 0.0.0.0
    assert (flow.enabled, flow.destination) == (True, "http://192.168.1.159:8123/api/hikvision")
    assert flow.detail == "HTTP, XML events, auth digest"
    assert "httpBroken=true" in flow.summary and "credentials set (not recorded)" in flow.summary
    assert not any(s in repr(flow) for s in SECRETS)


def test_nvr_push_host_by_hostname_over_https_drops_user_info_from_the_url():
    [flow] = _flows.parse_http_hosts(root("http_hosts_nvr_https_hostname.xml"))
    assert flow.destination == "https://receiver.example.net:443/events"
    assert not any(s in repr(flow) for s in SECRETS)


def test_nas_reports_what_is_mounted_and_its_status():
    shares = _flows.parse_nas(root("storage_nas_smb.xml"))
    assert [(f.destination, f.detail) for f in shares] == [
        ("192.168.0.1", "SMB/CIFS /pub/hik, status ok"),        # nasType NFS, mountType SMB/CIFS
        ("192.168.0.2", "NFS /volume2/Cameras, status offline")]
    assert all(f.enabled for f in shares)
    assert "Nas-Pass-Invented" not in repr(shares) and "credentials set" in shares[0].summary


def test_an_empty_nas_list_is_no_share():
    assert _flows.parse_nas(root("storage_nvr_no_nas.xml")) == []


def test_audio_per_channel_on_off_and_unknown_apart():
    flows = {f.channel: f for f in _flows.audio_per_channel(_flows.parse_streams(root("streaming_channels_nvr.xml")))}
    assert flows[1].enabled is False                  # 101 says off; 104 has no Audio element
    assert flows[3].enabled is True and flows[3].detail == "streams 301 (G.711ulaw)"
    assert flows[4].enabled is None                   # no Audio element at all: unknown, not off
    assert "no Audio element" in flows[4].detail


def test_capability_flags_say_which_services_exist_wherever_they_sit():
    claims = remote_access.parse_service_claims(root("capabilities_network_flags.xml"))
    assert claims["hik_connect"] == (True, "NetworkCap/isSupportEZVIZ=true")
    assert claims["isup"] == (True, "DeviceCap/isSupportEhome=true")          # NVR: top level
    assert claims["ddns"][0] is False
    assert "email" not in claims


# -- the probes on recorded bodies ---------------------------------------------------------
def test_data_flow_probe_on_recorded_bodies_only_reads_and_keeps_no_secret():
    ctx, stub = stub_ctx({data_flows.HTTP_HOSTS: (200, "http_hosts_ipc_slots.xml"),
                          data_flows.STORAGE: (200, "storage_nas_smb.xml"),
                          data_flows.STREAMS: (200, "streaming_channels_nvr.xml")})
    got = data_flows.PROBE.run(ctx)
    kinds = [(o.kind, o.enabled, o.destination, o.channel) for o in got]
    assert kinds == [("http_push", True, "http://192.168.1.159:8123/api/hikvision", None),
                     ("nas", True, "192.168.0.1", None), ("nas", True, "192.168.0.2", None),
                     ("audio_recording", False, None, 1), ("audio_recording", True, None, 3),
                     ("audio_recording", None, None, 4)]          # cloud storage: notSupport, nothing said
    assert [p for p, _ in stub.asked] == [data_flows.HTTP_HOSTS, data_flows.STORAGE, data_flows.STREAMS,
                                          data_flows.CLOUD]
    assert not any(s in repr(got) for s in SECRETS)


@pytest.mark.parametrize(("answer", "enabled"), [((403, NOT_SUPPORT), False),
                                                 ((403, "responsestatus_lowprivilege.xml"), None),
                                                 ((500, "html_500.html"), None)])
def test_an_unreadable_resource_is_off_only_when_the_firmware_has_no_such_function(answer, enabled):
    ctx, _ = stub_ctx({data_flows.HTTP_HOSTS: answer, data_flows.STORAGE: answer, data_flows.STREAMS: answer})
    got = data_flows.PROBE.run(ctx)
    assert {o.kind for o in got} == {"http_push", "nas", "audio_recording"}
    assert all(o.enabled is enabled and o.destination is None for o in got), got


def test_notsupport_with_a_true_capability_flag_is_supported_state_unknown():
    ctx, _ = stub_ctx({CAPS: (200, "capabilities_network_flags.xml")})      # every setting: notSupport
    got = {o.setting: o for o in remote_access.PROBE.run(ctx)}
    assert (got["hik_connect"].supported, got["hik_connect"].enabled) == (True, None)
    assert "isSupportEZVIZ=true" in got["hik_connect"].evidence.excerpt
    assert (got["ddns"].supported, got["ddns"].enabled) == (False, False)    # flag false and notSupport
    assert (got["email"].supported, got["email"].enabled) == (False, False)  # no flag: notSupport stands


# -- against the simulator -----------------------------------------------------------------
def test_profile_flows_come_back_from_the_simulator_read_only(start_fleet):
    profile = bundled_profile("hik-dome-push-nas")
    run = audit(start_fleet, profile)
    flows = [(o.kind, o.enabled, o.destination, o.channel) for o in run.of(DataFlowObservation)]
    assert flows == [
        ("http_push", True, "https://arc.sentinel-monitoring.example:8443/hik/events", None),
        ("http_push", True, "http://10.60.0.20:8123/api/hikvision", None),
        ("nas", True, "10.60.0.30", None), ("audio_recording", True, None, 1)]
    assert {e.method for e in run.device.log} == {"GET"} and run.device.log.writes() == []
    text = repr(run.observations)
    for secret in ("Zk93-arc-token", "Push-Host-Pass-40", "Nas-Share-Pass-40", "surgery40"):
        assert secret not in text


def test_a_device_with_nothing_configured_says_off_not_nothing(start_fleet):
    run = audit(start_fleet, bundled_profile("hik-school-bullet"))
    flows = {(o.kind, o.enabled, o.destination) for o in run.of(DataFlowObservation)}
    assert flows == {("http_push", False, None), ("nas", False, None), ("audio_recording", False, None)}


def test_a_viewer_sees_supported_state_unknown_where_the_admin_sees_the_state(start_fleet):
    profile = bundled_profile("hik-school-bullet")
    viewer = audit(start_fleet, profile, user="viewer")
    remote = {o.setting: o for o in viewer.of(RemoteAccessObservation)}
    for setting in ("hik_connect", "isup", "ddns", "upnp", "ftp"):       # NetworkCap flags are true
        assert (remote[setting].supported, remote[setting].enabled) == (True, None), remote[setting]
    assert remote["email"].supported is None                             # no flag says mail exists
    admin = {o.setting: o for o in audit(start_fleet, profile).of(RemoteAccessObservation)}
    assert (admin["hik_connect"].supported, admin["hik_connect"].enabled) == (True, True)


def test_a_forbidden_push_host_list_is_unknown_with_the_answer_as_evidence(start_fleet):
    base = bundled_profile("hik-dome-push-nas")
    quirk = Quirk("claims_then_fails", {"paths": [data_flows.HTTP_HOSTS], "status": 403})
    run = audit(start_fleet, dataclasses.replace(base, quirks=base.quirks + (quirk,)))
    [push] = [o for o in run.of(DataFlowObservation) if o.kind == "http_push"]
    assert (push.enabled, push.destination) == (None, None)
    assert "403" in push.evidence.result
    assert any(o.kind == "nas" and o.enabled for o in run.of(DataFlowObservation))   # the rest is still read


def test_hostile_or_broken_flow_resources_are_recorded_unknown_and_the_rest_is_read(start_fleet):
    base = bundled_profile("hik-dome-push-nas")
    quirks = (Quirk("xxe", {"paths": [data_flows.HTTP_HOSTS]}), Quirk("malformed_xml", {"paths": [data_flows.STORAGE]}))
    run = audit(start_fleet, dataclasses.replace(base, quirks=base.quirks + quirks))
    assert "isapi.data-flows" not in run.errors
    got = {o.kind: o for o in run.of(DataFlowObservation)}
    assert (got["http_push"].enabled, got["nas"].enabled) == (None, None)
    assert "HostileResponse" in got["http_push"].evidence.result
    assert "MalformedResponse" in got["nas"].evidence.result
    assert got["audio_recording"].enabled is True
    assert "root:x:0:0" not in repr(run.observations)
