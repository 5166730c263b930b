"""Egress results (models.egress, issue 4) in reports and drift.

Egress runs are recorded with the store functions `camaudit egress analyze` uses, with values
taken from the simulator profiles' phone-home patterns, on top of the two real audits.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import build_report, render
from models.audit import Finding
from models.db import open_store
from models.egress.store import (
    get_egress_report,
    list_egress_runs,
    record_egress_device,
     record_egress_run_finished,
    record_egress_run_started,
)
from models.egress.values import EgressCapture, EgressDestination, EgressDevice
from models.store import get_run

T = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
SMTP = dict(address="52.97.146.162", port=587, transport="tcp", label="unknown", names=["smtp.office365.com"])
ISUP = dict(address="47.254.132.18", port=7660, transport="tcp", label="unknown", names=[])
HIK_CLOUD = dict(address="34.246.62.109", port=443, transport="tcp", label="vendor-cloud",
                 names=["litedev.hik-connect.com"], sni=["litedev.hik-connect.com"], setting="hik_connect")
NTP = dict(address="168.61.215.74", port=123, transport="udp", label="public-ntp", names=["time.windows.com"])
UNDISCLOSED = Finding("undisclosed-egress", "high",
                      "Vendor cloud traffic to litedev.hik-connect.com while the device's settings say "
                      "Hik-Connect is off.", ["34.246.62.109:443 tcp, 3 sessions"],
                      "Find out why the device calls the vendor cloud and block it at the firewall if unneeded.")


def _dest(spec: dict, failed: int = 0) -> object:
    return EgressDestination(country=None if spec["label"] == "unknown" else "IE", packets_out=40,
                                    packets_in=30, bytes_out=9000, bytes_in=4000, first_seen=T,
                                    last_seen=T + dt.timedelta(minutes=10), failed_attempts=failed,
                                    **{k: v for k, v in spec.items()})


def _record(store, started, devices) -> int:
    run = record_egress_run_started(store, kind="file", source="site.pcapng",
                                           site_networks=["127.0.0.0/8"], started=started)
    for device in devices:
        record_egress_device(store, run_id=run, device=device)
    capture = EgressCapture(kind="file", source="site.pcapng", packets=2000, bytes=900_000,
                                   started=T, ended=T + dt.timedelta(minutes=10))
    record_egress_run_finished(store, run_id=run, capture=capture, complete=True)
    return run


@pytest.fixture(scope="module")
def egress_db(site, tmp_path_factory) -> Path:
    """A copy of the two-run database with one egress run after each audit."""
    db = tmp_path_factory.mktemp("egress") / "camaudit.db"
    with sqlite3.connect(site.db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    nvr, gate = site.addresses["hik-acusense-nvr"], site.addresses["hik-school-bullet"]
    with open_store(db) as store:
        run1, run2 = get_run(store, run_id=site.run1), get_run(store, run_id=site.run2)
        between = run1.started + (run2.started - run1.started) / 2
        # device ids come from the audited device with that MAC, as the egress analysis links them
        nvr_mac = site.profiles["hik-acusense-nvr"].identity.mac
        gate_mac = site.profiles["hik-school-bullet"].identity.mac
        _record(store, between, [EgressDevice(nvr, nvr_mac, destinations=[_dest(SMTP)])])
        _record(store, run2.started + dt.timedelta(seconds=5), [
            EgressDevice(nvr, nvr_mac, destinations=[_dest(SMTP), _dest(ISUP, failed=12), _dest(HIK_CLOUD)],
                                findings=[UNDISCLOSED]),
            EgressDevice(gate, gate_mac, destinations=[_dest(HIK_CLOUD), _dest(NTP)])])
    return db


def _device(report, site, profile_id):
    """A device's section by serial: the two runs' fleets sat at different addresses."""
    return next(d for d in report.devices if d.audit.serial == site.profiles[profile_id].identity.serial)


def test_latest_report_shows_each_devices_destinations_and_findings(egress_db, site):
    with open_store(egress_db) as store:
        report = build_report(store)
    assert report.egress.available and len(report.egress.runs) == 1
    assert report.summary.egress_unknown.text() == "1 of 9 (11%)" and report.summary.egress_analysed == 2
    nvr = _device(report, site, "hik-acusense-nvr")
    assert [(x.address, x.label) for x in nvr.egress.destinations] == [
        ("52.97.146.162", "unknown"), ("47.254.132.18", "unknown"), ("34.246.62.109", "vendor-cloud")]
    assert nvr.egress.destinations[1].failed_attempts == 12
    assert "undisclosed-egress" in [f.id for f in nvr.findings]
    assert _device(report, site, "dahua-wizmind-face").egress is None          # not in the capture

    page = render(report, "html")
    assert "litedev.hik-connect.com" in page and "vendor-cloud (hik_connect)" in page
    assert "Not seen in the egress analysis" in page and "No egress analysis in this database" not in page
    assert "1 of 9 (11%)" in page and "talking to unknown external servers" in page
    rows = list(csv.DictReader(io.StringIO(render(report, "csv", table="destinations"))))
    assert len(rows) == 5 and {r["label"] for r in rows} == {"unknown", "vendor-cloud", "public-ntp"}
    assert "Find out why the device calls the vendor cloud" in render(report, "md")


def test_each_audit_uses_the_egress_of_its_own_time_and_drift_finds_new_unknown_destinations(egress_db, site):
    with open_store(egress_db) as store:
        first = build_report(store, run_id=site.run1)
        latest = build_report(store)
    nvr_then = _device(first, site, "hik-acusense-nvr")
    assert [x.address for x in nvr_then.egress.destinations] == ["52.97.146.162"]   # only the earlier capture
    drift = latest.drift
    assert drift.egress_compared
    new = [(c.subject, c.relevant) for c in drift.changes if c.kind == "destination-new"]
    assert new == [("47.254.132.18:7660/tcp", True), ("34.246.62.109:443/tcp (litedev.hik-connect.com)", False)]
    # the school gate was not in the earlier capture: no baseline, so nothing about it is "new"
    assert not [c for c in drift.changes if c.kind.startswith("destination") and "School gate" in c.device]


@pytest.mark.needs_tshark
@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed (make test installs it)")
def test_a_real_egress_analysis_of_the_site_capture_reaches_the_report(site, tmp_path):
    """`camaudit egress analyze` on the simulators' site capture, linked to the audited devices by MAC."""
    from device_simulators import bundled_profiles
    from device_simulators.egress.site import write_site_capture

    pcap, db = tmp_path / "site.pcap", tmp_path / "camaudit.db"
    write_site_capture(pcap, bundled_profiles(), packets=20_000, cameras=len(bundled_profiles()) + 3, seed=7)
    with sqlite3.connect(site.db) as src, sqlite3.connect(db) as dst:
        src.backup(dst)
    done = subprocess.run([sys.executable, "-m", "auditor.cli", "egress", "analyze", str(pcap), "--db", str(db)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with open_store(db) as store:
        report = build_report(store)
        stored = get_egress_report(store, run_id=list_egress_runs(store)[0].id)
    assert report.egress.available and report.egress.runs == [stored.run_id]
    in_run = {d.device_id for d in report.devices}
    linked = {d.device_id: d for d in stored.devices if d.device_id in in_run}
    assert report.summary.egress_analysed == len(linked) >= 5
    unknown = [did for did, d in linked.items() if any(x.label == "unknown" for x in d.destinations)]
    assert report.summary.egress_unknown.count == len(unknown) >= 1
    nvr = _device(report, site, "hik-acusense-nvr")
    assert ("34.246.62.109", "vendor-cloud") in [(x.address, x.label) for x in nvr.egress.destinations]
    assert any("undisclosed" in f.id for f in nvr.findings)                 # Hik-Connect off, traffic seen
    assert render(report, "csv", table="destinations").count("\n") - 1 == sum(
        len(d.destinations) for d in linked.values())
    text = render(report, "md")     # the GeoLite2 attribution is ours: its address stays a link there
    assert "GeoLite2 data created by MaxMind, available from https://www.maxmind.com." in text
    assert "https:\\/\\/www\\.maxmind" not in text


def test_the_summary_says_where_data_goes_by_country_with_undisclosed_destinations_first(egress_db):
    from auditor.report.dpia import pack_summary

    with open_store(egress_db) as store:
        report = build_report(store)
    pack = pack_summary(report)
    assert pack.egress_analysed
    first = pack.places[0]                                   # undisclosed destinations lead the table
    assert first.undisclosed >= 1 and first.country == "not known"
    # This recorded analysis has no geolocation data: the registry's country stands in, said to be that.
    ireland = [p for p in pack.places if p.country == "IE (registered)"]
    assert ireland and sum(p.disclosed for p in ireland) >= 1 and ireland[0].owner == "not known"
    page = render(report, "html")
    summary = page[:page.index('<section id="scope"')]
    assert 'aria-label="Where data goes: destinations by country' in summary
    assert "IE" in summary and "undisclosed" in summary
