"""Egress findings on the generated site capture, cross-checked with hand-built audits in the
store: undisclosed egress (hik-acusense-nvr calls Hik-Connect with hik_connect off), a clean
device, a dormant cloud setting, repeated failed attempts (the airport), unknown servers."""

from __future__ import annotations

import pytest

from auditor.run.egress import EgressOptions, analyze_files
from models.egress.values import EgressDevice
from tests.egress.conftest import Site, audit_of, needs_tshark, record_audits

pytestmark = needs_tshark


@pytest.fixture
def analyse(site: Site, store):
    def run(*audits) -> dict[str, EgressDevice]:
        if audits:
            record_audits(store, *audits)
        report = analyze_files(store, [site.pcap], EgressOptions())
        return {d.address: d for d in report.devices}
    return run


def ids(device: EgressDevice, finding: str) -> list[str]:
    return [f.title for f in device.findings if f.id == finding]


def nvr_audit(site: Site, *, hik_connect: bool | None):
    nvr = site.device("hik-acusense-nvr")
    return audit_of("hik-acusense-nvr", address=nvr["address"], remote={
        "hik_connect": (hik_connect, "litedev.hik-connect.com"),
        "isup": (True, "47.254.132.18"), "email": (True, "smtp.office365.com")})


def test_undisclosed_egress_fires_for_the_device_whose_config_says_cloud_off(site: Site, analyse):
    [case] = site.truth["scenarios"]["undisclosed_egress"]
    devices = analyse(nvr_audit(site, hik_connect=False))
    nvr = devices[site.device(case["device"])["address"]]
    [title] = ids(nvr, "egress-undisclosed-cloud")
    assert case["address"] in title and "Hik-Connect" in title and "off" in title
    assert nvr.findings[0].severity == "high"
    # the ISUP platform and the mail relay are the servers its enabled settings name: not "unknown"
    assert ids(nvr, "egress-unknown-server") == []


def test_undisclosed_egress_does_not_fire_for_clean_devices(site: Site, analyse):
    bullet = site.device("hik-school-bullet")
    devices = analyse(nvr_audit(site, hik_connect=True),
                      audit_of("hik-school-bullet", address=bullet["address"], remote={
                          "hik_connect": (True, "litedev.hik-connect.com"), "ntp": (True, "time.windows.com")}))
    assert ids(devices[bullet["address"]], "egress-undisclosed-cloud") == []
    assert ids(devices[site.device("hik-acusense-nvr")["address"]], "egress-undisclosed-cloud") == []
    assert devices[bullet["address"]].findings == []


def test_without_an_audit_no_config_finding_is_guessed(site: Site, analyse):
    devices = analyse()
    nvr = devices[site.device("hik-acusense-nvr")["address"]]
    assert ids(nvr, "egress-undisclosed-cloud") == [] and ids(nvr, "egress-cloud-dormant") == []
    unknown = ids(nvr, "egress-unknown-server")       # ISUP and mail: nothing says they are expected
    assert len(unknown) == 2 and any("47.254.132.18:7660/tcp" in t for t in unknown)


def test_dormant_cloud_setting(site: Site, analyse):
    oem = site.device("honeywell-dahua-oem")          # streams video only; its audit says P2P is on
    assert oem["destinations"] == []
    devices = analyse(audit_of("honeywell-dahua-oem", address=oem["address"],
                               remote={"dahua_p2p": (True, "www.easy4ipcloud.com")}))
    [title] = ids(devices[oem["address"]], "egress-cloud-dormant")
    assert "Dahua P2P" in title and "no traffic" in title and "www.easy4ipcloud.com" in title
    face = site.device("dahua-wizmind-face")           # P2P on and talking: not dormant
    devices = analyse(audit_of("dahua-wizmind-face", address=face["address"],
                               remote={"dahua_p2p": (True, "www.easy4ipcloud.com")}))
    assert ids(devices[face["address"]], "egress-cloud-dormant") == []


def test_repeated_failed_attempts_the_airport_case(site: Site, analyse):
    case = site.truth["scenarios"]["unanswered_syn"]
    devices = analyse()
    by_id = {d["id"]: d for d in site.truth["devices"]}
    for device_id in case["devices"]:
        truth = by_id[device_id]
        dest = next(x for x in truth["destinations"] if x["address"] == case["address"])
        [title] = ids(devices[truth["address"]], "egress-failed-attempts")
        assert f"{case['address']}:443/tcp" in title and f"{dest['failed_attempts']} attempts" in title
        assert ids(devices[truth["address"]], "egress-unknown-server") == []


def test_with_a_real_audit_of_the_simulators(site: Site, start_fleet, tmp_path):
    """The cross-check end to end: a real audit of the simulated NVR and bullet camera (the
    devices answer on loopback; the capture shows them by MAC on the site network)."""
    from models.db import open_store
    from tests.audit.helpers import audit_fleet

    fleet = start_fleet("hik-acusense-nvr", "hik-school-bullet")
    audits = audit_fleet(fleet, tmp_path / "real.db")
    assert {a.remote_access["hik_connect"].enabled for a in audits.values()} == {False, True}
    with open_store(tmp_path / "real.db") as store:
        devices = {d.address: d for d in analyze_files(store, [site.pcap], EgressOptions()).devices}
    nvr = devices[site.device("hik-acusense-nvr")["address"]]
    bullet = devices[site.device("hik-school-bullet")["address"]]
    assert nvr.device_id is not None and bullet.device_id is not None          # linked by MAC
    assert len(ids(nvr, "egress-undisclosed-cloud")) == 1
    assert ids(bullet, "egress-undisclosed-cloud") == []


def test_traffic_to_a_configured_push_host_is_labelled_configured_not_unknown(site: Site, analyse):
    import dataclasses

    from models.audit import DataFlow

    dome = site.device("hik-dome-push-nas")
    push = DataFlow("http_push", True, "https://arc.sentinel-monitoring.example:8443/hik/events", "HTTPS",
                    evidence=["isapi /ISAPI/Event/notification/httpHosts -> HTTP 200"])
    audit = dataclasses.replace(audit_of("hik-dome-push-nas", address=dome["address"], remote={}), data_flows=[push])
    device = analyse(audit)[dome["address"]]
    [arc] = [d for d in device.destinations if d.port == 8443]
    assert arc.label == "configured"
    assert ids(device, "egress-unknown-server") == []
    [title] = ids(device, "egress-configured-data-flow")
    assert "198.51.100.80:8443/tcp" in title and "push host" in title


def test_without_an_audit_the_push_host_is_unknown(site: Site, analyse):
    dome = site.device("hik-dome-push-nas")
    device = analyse()[dome["address"]]
    assert [d.label for d in device.destinations if d.port == 8443] == ["unknown"]
    assert any("198.51.100.80:8443/tcp" in t for t in ids(device, "egress-unknown-server"))
