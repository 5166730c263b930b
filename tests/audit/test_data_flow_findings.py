"""Findings from data flows (issue 9 item 7) and the egress cross-check on hand-built audits:
each rule fires on what the configuration says, never on a flow that is off or unknown."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from auditor.judge.egress.findings import egress_findings, mark_configured
from auditor.judge.findings import derive_findings, destination_host, is_external
from models.audit import DataFlow
from models.egress.values import EgressDestination
from tests.store.builders import T0, hik_face_camera

PUSH_OUT = DataFlow("http_push", True, "https://arc.sentinel-monitoring.example:8443/hik/events", "HTTPS",
                    evidence=["isapi /ISAPI/Event/notification/httpHosts -> HTTP 200"])
PUSH_IN = DataFlow("http_push", True, "http://10.60.0.20:8123/api/hikvision", "HTTP")
NAS = DataFlow("nas", True, "10.60.0.30", "SMB/CIFS /volume2/Cameras, status ok")
AUDIO = DataFlow("audio_recording", True, None, "streams 101, 102 (AAC)", 1)


def ids(*flows: DataFlow) -> dict[str, str]:
    audit = dataclasses.replace(hik_face_camera(), data_flows=list(flows), findings=[])
    return {f.id: f.severity for f in derive_findings(audit, []) if f.id.startswith(("http-", "nas-", "audio-",
                                                                                       "cloud-"))}


@pytest.mark.parametrize(("destination", "host", "external"), [
    ("https://arc.example.net:8443/hik/events", "arc.example.net", True),
    ("http://10.60.0.20:8123/api/hikvision", "10.60.0.20", False),
    ("http://user@192.168.1.2/x", "192.168.1.2", False),
    ("10.70.0.25:445", "10.70.0.25", False),
    ("[fd00::5]:445", "fd00::5", False),
    ("8.8.8.8", "8.8.8.8", True),
])
def test_destination_hosts_from_urls_and_host_port(destination, host, external):
    assert destination_host(destination) == host
    assert is_external(destination) is external


def test_each_flow_raises_its_finding():
    assert ids(PUSH_OUT, PUSH_IN, NAS, AUDIO) == {"http-push-external": "high", "http-push-configured": "low",
                                                  "nas-recording": "medium", "audio-recording-enabled": "high"}


def test_flows_that_are_off_or_unknown_raise_nothing():
    off = [dataclasses.replace(f, enabled=False) for f in (PUSH_OUT, NAS, AUDIO)]
    unknown = [dataclasses.replace(f, enabled=None) for f in (PUSH_OUT, NAS, AUDIO)]
    assert ids(*off) == {} and ids(*unknown) == {}


def test_storage_outside_the_site_is_high_and_audio_names_its_channels():
    audit = dataclasses.replace(hik_face_camera(), findings=[], data_flows=[
        dataclasses.replace(NAS, destination="nas.backup-provider.example"),
        AUDIO, dataclasses.replace(AUDIO, channel=3)])
    found = {f.id: f for f in derive_findings(audit, [])}
    assert found["nas-recording"].severity == "high" and "outside the site" in found["nas-recording"].title
    assert "channels 1, 3" in found["audio-recording-enabled"].title


def dest(address: str, port: int, names: tuple[str, ...] = (), label: str = "unknown") -> EgressDestination:
    return EgressDestination(address=address, port=port, transport="tcp", label=label, country="GB",
                             packets_out=40, packets_in=30, bytes_out=5000, bytes_in=900, first_seen=T0,
                             last_seen=T0 + dt.timedelta(minutes=5), names=list(names))


def egress_ids(dests: list[EgressDestination], audit) -> list[str]:
    """Egress finding ids, leaving out the builder camera's dormant Hik-Connect (no traffic to it here)."""
    return [f.id for f in egress_findings(dests, audit) if f.id != "egress-cloud-dormant"]


def test_traffic_to_a_configured_push_host_is_configured_not_unknown():
    audit = dataclasses.replace(hik_face_camera(), data_flows=[PUSH_OUT])
    arc = dest("198.51.100.80", 8443, ("arc.sentinel-monitoring.example",))
    assert egress_ids([arc], audit) == ["egress-configured-data-flow"]
    [found] = [f for f in egress_findings([arc], audit) if f.id == "egress-configured-data-flow"]
    assert "configured, not unknown" in found.title and "push host" in found.title


def test_the_same_host_on_another_port_or_a_flow_switched_off_stays_unknown():
    audit = dataclasses.replace(hik_face_camera(), data_flows=[PUSH_OUT])
    other_port = dest("198.51.100.80", 443, ("arc.sentinel-monitoring.example",))
    assert egress_ids([other_port], audit) == ["egress-unknown-server"]
    off = dataclasses.replace(hik_face_camera(), data_flows=[dataclasses.replace(PUSH_OUT, enabled=False)])
    arc = dest("198.51.100.80", 8443, ("arc.sentinel-monitoring.example",))
    assert egress_ids([arc], off) == ["egress-unknown-server"]


def test_without_an_audit_a_push_host_is_just_unknown():
    arc = dest("198.51.100.80", 8443, ("arc.sentinel-monitoring.example",))
    assert [f.id for f in egress_findings([arc], None)] == ["egress-unknown-server"]


def test_a_nas_by_address_and_a_url_without_port_match_on_the_default_port():
    audit = dataclasses.replace(hik_face_camera(), data_flows=[
        dataclasses.replace(NAS, destination="203.0.113.30"),
        dataclasses.replace(PUSH_OUT, destination="https://hooks.example.org/cam")])
    found = egress_ids([dest("203.0.113.30", 2049), dest("192.0.2.9", 443, ("hooks.example.org",))], audit)
    assert found == ["egress-configured-data-flow"] * 2


def test_configured_destinations_are_relabelled_and_others_are_not():
    audit = dataclasses.replace(hik_face_camera(), data_flows=[PUSH_OUT])
    arc = dest("198.51.100.80", 8443, ("arc.sentinel-monitoring.example",))
    stranger = dest("198.51.100.99", 443, ("stranger.example.org",))
    cloud = dest("34.246.62.109", 443, ("litedev.hik-connect.com",), label="vendor-cloud")
    mark_configured([arc, stranger, cloud], audit)
    assert (arc.label, stranger.label, cloud.label) == ("configured", "unknown", "vendor-cloud")
    assert egress_ids([arc, stranger], audit) == ["egress-unknown-server", "egress-configured-data-flow"]
    mark_configured([stranger], None)
    assert stranger.label == "unknown"
