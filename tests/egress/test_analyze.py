"""`camaudit egress analyze` on a generated site capture, checked against its ground truth:
destinations, names, SNI, HTTP Host, labels, bytes and packets each way, first/last seen,
failed attempts, DNS-only lookups, the --json contract, the store and damaged files."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from auditor.cli import main
from auditor.run.egress import EgressOptions, analyze_files
from models.egress.store import get_egress_report, list_egress_runs
from models.egress.tables import EgressDeviceRecord
from models.tables import Device
from probes.egress.networks import site_from_values
from tests.egress.conftest import Site, audit_of, needs_tshark, record_audits

pytestmark = needs_tshark

# Keys are a contract: added (geo_data, device_id, linked_by, located_in, registered_in, network_owner: issue 11;
# the capture's site: issue 14), never removed.
KEYS = {"capture": {"source", "packets", "started", "ended", "geo_data", "site"},
        "device": {"address", "mac", "device_id", "linked_by", "destinations", "dns_queries", "dns_unused", "findings"},
        "destination": {"address", "port", "transport", "names", "sni", "http_host", "country", "label", "packets_out",
                        "packets_in", "bytes_out", "bytes_in", "first_seen", "last_seen", "failed_attempts",
                        "located_in", "registered_in", "network_owner"},
        "finding": {"id", "severity", "title"}}
# What a correct labeller says about the simulated destinations (endpoints.toml and ports).
EXPECTED_LABELS = {
    "litedev.hik-connect.com": "vendor-cloud", "devcn.ezvizlife.com": "vendor-cloud",
    "time.ezvizlife.com": "vendor-cloud", "www.easy4ipcloud.com": "vendor-cloud",
    "p2p.amcrestcloud.com": "vendor-cloud", "time.windows.com": "public-ntp", "pool.ntp.org": "public-ntp",
    "smtp.office365.com": "unknown", "smtp.gmail.com": "unknown", "www.dahuaddns.com": "unknown",
    "47.254.132.18": "unknown", "121.40.18.33": "unknown", "198.51.100.23": "unknown",
    "arc.sentinel-monitoring.example": "unknown",     # hik-dome-push-nas's push host; no audit of it here
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["egress", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def analysed(site: Site, tmp_path_factory: pytest.TempPathFactory):
    """The capture analysed once into a store, with audits that link two devices (MAC, address)."""
    from models.db import open_store

    db = tmp_path_factory.mktemp("analysed") / "camaudit.db"
    with open_store(db) as store:
        record_audits(store,
                      audit_of("hik-school-bullet", address="127.9.9.9", remote={"hik_connect": (True, None)}),
                      audit_of("dahua-wizmind-face", address=site.device("dahua-wizmind-face")["address"],
                               remote={"dahua_p2p": (True, "www.easy4ipcloud.com")}, mac=None))
        report = analyze_files(store, [site.pcap], EgressOptions(site=site_from_values(None)))
        with store.reading() as session:
            links = {r.address: r.device_id for r in session.exec(select(EgressDeviceRecord))}
            devices = {d.id: d for d in session.exec(select(Device))}
    return report, links, devices, db


def test_every_destination_matches_the_ground_truth(site: Site, analysed):
    report = analysed[0]
    got = {(d.address, (x.address, x.port, x.transport)): x for d in report.devices for x in d.destinations}
    expected = {(d["address"], (x["address"], x["port"], x["transport"])): x
                for d in site.truth["devices"] for x in d["destinations"]}
    assert set(got) == set(expected)
    for key, truth in expected.items():
        mine = got[key]
        assert (mine.packets_out, mine.packets_in, mine.bytes_out, mine.bytes_in) == \
            (truth["packets_out"], truth["packets_in"], truth["bytes_out"], truth["bytes_in"]), key
        assert (mine.names, mine.sni, mine.http_host) == (truth["names"], truth["sni"], truth["http_host"]), key
        assert mine.first_seen.isoformat(timespec="microseconds") == truth["first_seen"], key
        assert mine.last_seen.isoformat(timespec="microseconds") == truth["last_seen"], key
        assert (mine.failed_attempts, mine.syn_packets) == (truth["failed_attempts"], truth["syn_packets"]), key
    airport = [x for x in got.values() if x.address == site.truth["scenarios"]["unanswered_syn"]["address"]]
    assert airport and all(x.failed_attempts > 0 and x.packets_in == 0 for x in airport)


def test_labels_and_countries(analysed):
    report = analysed[0]
    seen = {}
    for device in report.devices:
        for d in device.destinations:
            key = (d.sni or d.names or d.http_host or [d.address])[0]
            seen.setdefault(key, set()).add(d.label)
    assert seen == {k: {v} for k, v in EXPECTED_LABELS.items()}
    countries = {d.address: d.country for device in report.devices for d in device.destinations}
    assert countries["121.40.18.33"] == "CN"          # APNIC allocation to a Hangzhou cloud
    assert countries["198.51.100.23"] is None          # TEST-NET-2: no registry allocates it


def test_known_cloud_addresses_show_where_their_network_is_registered_and_who_runs_it(analysed):
    """Issue 11: the registry said "US" for Alibaba's Frankfurt range; the network data says DE, and by whom."""
    report = analysed[0]
    dests = {d.address: d for device in report.devices for d in device.destinations}
    alibaba = dests["47.254.132.18"]                   # the ISUP server in the simulated site
    assert (alibaba.geo_country, alibaba.located_in) == ("DE", "DE")
    assert alibaba.registered_in == alibaba.country                  # the registry allocation, labelled apart
    assert alibaba.network_owner is not None and "alibaba" in alibaba.network_owner.lower()
    assert dests["198.51.100.23"].network_owner is None and dests["198.51.100.23"].located_in is None  # TEST-NET-2
    assert report.capture.geo_data is not None and re.fullmatch(r"GeoLite2 data of \d{4}-\d{2}-\d{2}",
                                                                report.capture.geo_data)
    [finding] = [f for device in report.devices for f in device.findings
                 if f.id == "egress-unknown-server" and "47.254.132.18" in f.title]
    assert f"located in DE per {report.capture.geo_data}" in finding.title
    assert f"network {alibaba.network_owner}" in finding.title
    if alibaba.country:
        assert f"registered in {alibaba.country} (registry allocation)" in finding.title


def test_capture_totals_macs_and_internal_only_devices(site: Site, analysed):
    report = analysed[0]
    capture = site.truth["capture"]
    assert (report.capture.packets, report.capture.bytes) == (capture["packets"], capture["bytes"])
    assert report.capture.started.isoformat(timespec="microseconds") == capture["start"]
    assert report.capture.ended.isoformat(timespec="microseconds") == capture["end"]
    by_address = {d.address: d for d in report.devices}
    for truth in site.truth["devices"]:
        device = by_address[truth["address"]]
        if truth["destinations"]:
            assert device.mac == truth["mac"]
        intra = truth["intra_site"]
        assert (device.internal_packets, device.internal_bytes) == (intra["packets"], intra["bytes"])
    recorder = by_address[site.truth["site"]["recorder"]["address"]]
    assert recorder.destinations == [] and recorder.internal_packets > 0.9 * capture["packets"]
    assert not recorder.external


def test_dns_queries_that_led_nowhere(site: Site, analysed):
    report = analysed[0]
    unused = {(u["device"], u["name"]) for u in site.truth["scenarios"]["unused_dns"]}
    ids = {d["address"]: d["id"] for d in site.truth["devices"]}
    got = {(ids[d.address], name) for d in report.devices for name in d.unused_lookups}
    assert got == unused and len(got) == 2
    lookups = {q.name: q for d in report.devices for q in d.lookups}
    assert lookups["p2p-fallback.cctv-oem.example"].rcode == "NXDOMAIN"
    assert lookups["litedev.hik-connect.com"].led_to_connection
    # JSON: dns_queries is every name a device looked up, dns_unused the ones that led nowhere.
    for device in report.devices:
        document = device.to_json()
        assert document["dns_queries"] == sorted({q.name for q in device.lookups})
        assert set(document["dns_unused"]) <= set(document["dns_queries"])
    bullet = next(d for d in report.devices if "litedev.hik-connect.com" in {q.name for q in d.lookups})
    assert "litedev.hik-connect.com" in bullet.to_json()["dns_queries"]


def test_results_are_stored_and_linked_to_audited_devices(site: Site, analysed):
    report, links, devices, db = analysed
    bullet, face = site.device("hik-school-bullet"), site.device("dahua-wizmind-face")
    assert devices[links[bullet["address"]]].mac == bullet["mac"]           # by MAC (audited elsewhere)
    assert devices[links[face["address"]]].address == face["address"]       # by address (no MAC known)
    assert links[site.device("hik-acusense-nvr")["address"]] is None        # never audited
    how = {d.address: (d.linked_by, d.device_label) for d in report.devices}
    assert how[bullet["address"]][0] == "mac" and how[face["address"]][0] == "address"
    assert how[face["address"]][1].endswith(f" at {face['address']}")      # named: name / model at audit address
    assert how[site.device("hik-acusense-nvr")["address"]] == (None, None)
    from models.db import open_store

    with open_store(db) as store:
        again = get_egress_report(store, run_id=report.run_id)
        assert again is not None and again.to_json() == report.to_json()
        assert [r.id for r in list_egress_runs(store)] == [report.run_id]


def test_json_contract(site: Site, tmp_path: Path, capsys):
    code, out, _ = run_cli(capsys, "analyze", str(site.pcap), "--db", str(tmp_path / "c.db"), "--json")
    assert code == 0
    doc = json.loads(out)
    assert set(doc) == {"capture", "devices"} and set(doc["capture"]) == KEYS["capture"]
    assert doc["capture"]["packets"] == site.truth["capture"]["packets"]
    external = {d["address"] for d in site.truth["devices"] if d["destinations"] or d["dns_queries"]}
    assert {d["address"] for d in doc["devices"]} == external                # internal-only devices left out
    for device in doc["devices"]:
        assert set(device) == KEYS["device"]
        assert all(set(x) == KEYS["destination"] for x in device["destinations"])
        assert all(set(f) == KEYS["finding"] for f in device["findings"])
        for x in device["destinations"]:
            assert x["transport"] in ("tcp", "udp") and x["label"] in EXPECTED_LABELS.values()
            assert x["first_seen"].endswith("+00:00")


def test_allow_list_makes_a_destination_expected(site: Site, tmp_path: Path, capsys):
    allow = tmp_path / "allow.toml"
    allow.write_text('[[allow]]\ndestination = "smtp.office365.com"\nnote = "school mail relay"\n'
                     '[[allow]]\ndestination = "198.51.100.0/24"\nport = 443\n')
    code, out, _ = run_cli(capsys, "analyze", str(site.pcap), "--db", str(tmp_path / "a.db"), "--json",
                           "--allow", str(allow))
    assert code == 0
    dests = [x for d in json.loads(out)["devices"] for x in d["destinations"]]
    assert {x["label"] for x in dests if x["sni"] == ["smtp.office365.com"]} == {"allowed"}
    assert {x["label"] for x in dests if x["address"] == "198.51.100.23"} == {"allowed"}
    assert {x["label"] for x in dests if x["sni"] == ["smtp.gmail.com"]} == {"unknown"}


def test_site_network_option_replaces_the_private_ranges(site: Site, tmp_path: Path, capsys):
    code, out, _ = run_cli(capsys, "analyze", str(site.pcap), "--db", str(tmp_path / "s.db"), "--json",
                           "--site-network", "10.20.0.0/28")
    assert code == 0
    devices = {d["address"]: d for d in json.loads(out)["devices"]}
    # 10.20.0.16 and up are outside the site now: the devices at .11-.15 call them across the "edge"
    assert set(devices) <= {f"10.20.0.{n}" for n in range(16)}
    assert any(x["address"] == "10.20.0.2" for d in devices.values() for x in d["destinations"]) is False


def _frames_before(pcap: Path, cut: int) -> int:
    data, offset, frames = pcap.read_bytes()[:cut], 24, 0
    while offset + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, offset + 8)[0]
        if offset + 16 + caplen > len(data):
            break
        offset += 16 + caplen
        frames += 1
    return frames


def test_truncated_file_is_reported_partial_with_what_was_read(site: Site, tmp_path: Path, capsys):
    cut = site.pcap.stat().st_size // 2 + 7
    truncated = tmp_path / "cut.pcap"
    truncated.write_bytes(site.pcap.read_bytes()[:cut])
    code, out, err = run_cli(capsys, "analyze", str(truncated), "--db", str(tmp_path / "t.db"), "--json")
    assert code == 1
    assert "partial" in err and "cut short" in err and "Traceback" not in err
    doc = json.loads(out)
    assert doc["capture"]["packets"] == _frames_before(site.pcap, cut) < site.truth["capture"]["packets"]
    ended = doc["capture"]["ended"]
    truth = {(d["address"], x["address"], x["port"]): x for d in site.truth["devices"] for x in d["destinations"]}
    finished = [(d["address"], x) for d in doc["devices"] for x in d["destinations"]
                if truth[(d["address"], x["address"], x["port"])]["last_seen"] < ended]
    assert finished
    for device, x in finished:       # flows that ended before the damage are complete
        t = truth[(device, x["address"], x["port"])]
        assert (x["packets_out"], x["bytes_in"]) == (t["packets_out"], t["bytes_in"])
    from models.db import open_store

    with open_store(tmp_path / "t.db") as store:
        [run] = list_egress_runs(store)
        assert run.partial and not run.complete and "cut short" in run.problems[0]


def test_cli_errors_are_one_line(site: Site, tmp_path: Path, capsys):
    not_pcap = tmp_path / "notes.pcap"
    not_pcap.write_text("this is a text file, not a capture\n" * 50)
    cases = [
        (["analyze", str(tmp_path / "missing.pcap")], 2, "does not exist"),
        (["analyze", str(not_pcap)], 1, "is not a packet capture"),
        (["analyze", str(site.pcap), "--site-network", "10.20.0.0/33"], 2, "--site-network"),
        (["analyze", str(site.pcap), "--allow", str(not_pcap)], 2, "not valid TOML"),
        (["watch", "--interface", "no-such-if0", "--duration", "1"], 1, "interfaces: "),
    ]
    for args, exit_code, text in cases:
        code, _, err = run_cli(capsys, *args, "--db", str(tmp_path / "e.db"))
        assert code == exit_code, (args, err)
        assert text in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err, (args, err)
    assert "lo" in err.split("interfaces: ", 1)[1]                   # the interfaces are listed


def test_missing_tshark_says_how_to_install_it(site: Site, tmp_path: Path):
    env = dict(os.environ, PATH=str(tmp_path / "empty-bin"))
    result = subprocess.run([sys.executable, "-m", "auditor.cli", "egress", "analyze", str(site.pcap),
                             "--db", str(tmp_path / "n.db")], capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 1
    assert "tshark is not installed; install it with 'apt-get install tshark'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_runs_off_the_callers_event_loop(site: Site, store):
    async def from_a_running_loop():
        return analyze_files(store, [site.pcap], EgressOptions())

    report = asyncio.run(from_a_running_loop())      # pyshark must not touch this loop
    assert report.capture.packets == site.truth["capture"]["packets"]


def _split(pcap: Path, first: Path, second: Path) -> None:
    """Two classic pcap files, each with the global header, split at a record boundary."""
    data = pcap.read_bytes()
    offset = 24
    while offset < len(data) // 2:
        offset += 16 + struct.unpack_from("<I", data, offset + 8)[0]
    first.write_bytes(data[:offset])
    second.write_bytes(data[:24] + data[offset:])


def test_a_capture_split_over_files_is_one_window_and_a_bad_file_makes_it_partial(site: Site, tmp_path: Path,
                                                                                  capsys):
    one, two, junk = tmp_path / "part1.pcap", tmp_path / "part2.pcap", tmp_path / "junk.pcap"
    _split(site.pcap, one, two)
    junk.write_text("not a capture\n" * 20)
    code, out, err = run_cli(capsys, "analyze", str(one), str(two), "--db", str(tmp_path / "w.db"), "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["capture"]["packets"] == site.truth["capture"]["packets"]
    assert doc["capture"]["ended"] == site.truth["capture"]["end"]
    got = {(d["address"], x["address"], x["port"]): x for d in doc["devices"] for x in d["destinations"]}
    for device in site.truth["devices"]:
        for x in device["destinations"]:
            mine = got[(device["address"], x["address"], x["port"])]
            assert (mine["bytes_out"], mine["bytes_in"], mine["failed_attempts"]) == \
                (x["bytes_out"], x["bytes_in"], x["failed_attempts"])
    code, out, err = run_cli(capsys, "analyze", str(one), str(junk), str(two), "--db", str(tmp_path / "w.db"),
                             "--json")
    assert code == 1 and "junk.pcap is not a packet capture" in err
    assert json.loads(out)["capture"]["packets"] == site.truth["capture"]["packets"]


@pytest.mark.skipif(shutil.which("editcap") is None, reason="editcap (Wireshark) is not installed")
def test_pcapng_gives_the_same_result_as_pcap(site: Site, tmp_path: Path, capsys):
    ng = tmp_path / "site.pcapng"
    subprocess.run(["editcap", "-F", "pcapng", str(site.pcap), str(ng)], check=True, capture_output=True, timeout=60)
    results = []
    for path in (site.pcap, ng):
        code, out, _ = run_cli(capsys, "analyze", str(path), "--db", str(tmp_path / "ng.db"), "--json")
        assert code == 0
        doc = json.loads(out)
        doc["capture"].pop("source")
        results.append(doc)
    assert results[0] == results[1]
