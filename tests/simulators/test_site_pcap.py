"""The site capture generator, checked by the real tshark independently of the generator.

Everything asserted here is read back from the pcap by tshark (fields, display filters) and
compared with the ground truth the generator wrote: per-destination packets and frame.len
bytes each way, SNI, HTTP Host, DNS answers, unanswered SYNs, the intra-site share and the
Ethernet source MACs of the bundled profiles.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from device_simulators import bundled_profiles
from device_simulators.egress.site import truth_path, write_site_capture, write_site_pcap

pytestmark = [
    pytest.mark.needs_tshark,
    pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed"),
]

PACKETS, CAMERAS = 8_000, len(bundled_profiles()) + 3     # every profile plus a few fillers
FIELDS = ("frame.time_epoch", "frame.len", "eth.src", "ip.src", "ip.dst", "ip.proto", "tcp.srcport",
          "tcp.dstport", "udp.srcport", "udp.dstport", "tcp.flags.syn", "tcp.flags.ack",
          "tls.handshake.extensions_server_name", "http.host", "dns.qry.name", "dns.a",
          "dns.flags.response", "dns.flags.rcode", "rtp.version")


def tshark(pcap: Path, *args: str) -> str:
    result = subprocess.run(["tshark", "-n", "-r", str(pcap), *args], capture_output=True, text=True,
                            timeout=60, check=True)
    return result.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, list[dict]]:
    """A small site capture, its truth as saved on disk, and every frame as tshark dissects it."""
    pcap = tmp_path_factory.mktemp("site") / "site.pcap"
    _, saved = write_site_capture(pcap, bundled_profiles(), packets=PACKETS, cameras=CAMERAS, seed=7)
    assert saved == truth_path(pcap) and saved.name == "site.pcap.truth.json"
    truth = json.loads(saved.read_text())
    out = tshark(pcap, "-T", "fields", "-E", "separator=|", "-E", "occurrence=a", "-E", "aggregator=,",
                 *[arg for f in FIELDS for arg in ("-e", f)])
    rows = [dict(zip(FIELDS, line.split("|"), strict=True)) for line in out.splitlines()]
    return pcap, truth, rows


def _iso(epoch: str) -> str:
    moment = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=int(Decimal(epoch) * 10**6))
    return moment.isoformat(timespec="microseconds")


def _flow(row: dict, site_net: ipaddress.IPv4Network) -> tuple[str, tuple[str, int, str], int] | None:
    """(device address, (peer, peer port, transport), direction) for traffic crossing the site edge."""
    src, dst = ipaddress.ip_address(row["ip.src"]), ipaddress.ip_address(row["ip.dst"])
    if (src in site_net) == (dst in site_net):
        return None
    transport = "tcp" if row["ip.proto"] == "6" else "udp"
    sport, dport = (row[f"{transport}.srcport"], row[f"{transport}.dstport"])
    if src in site_net:
        return str(src), (str(dst), int(dport), transport), 0
    return str(dst), (str(src), int(sport), transport), 1


def test_capture_has_the_requested_packets_and_nothing_malformed(site):
    pcap, truth, rows = site
    assert len(rows) == PACKETS == truth["capture"]["packets"]
    assert sum(int(r["frame.len"]) for r in rows) == truth["capture"]["bytes"]
    assert tshark(pcap, "-Y", "_ws.malformed || _ws.expert.severity >= error") == ""
    assert _iso(rows[0]["frame.time_epoch"]) == truth["capture"]["start"]
    assert _iso(rows[-1]["frame.time_epoch"]) == truth["capture"]["end"]


def test_every_external_flow_matches_the_truth_packets_and_frame_bytes(site):
    _, truth, rows = site
    net = ipaddress.ip_network(truth["site"]["network"])
    seen: dict[tuple[str, tuple[str, int, str]], dict] = defaultdict(
        lambda: {"packets_out": 0, "packets_in": 0, "bytes_out": 0, "bytes_in": 0, "times": []})
    for row in rows:
        flow = _flow(row, net)
        if flow is None:
            continue
        device, key, direction = flow
        entry = seen[(device, key)]
        entry[("packets_out", "packets_in")[direction]] += 1
        entry[("bytes_out", "bytes_in")[direction]] += int(row["frame.len"])
        entry["times"].append(row["frame.time_epoch"])
    expected = {(d["address"], (x["address"], x["port"], x["transport"])): x
                for d in truth["devices"] for x in d["destinations"]}
    assert set(seen) == set(expected)
    for flow, dest in expected.items():
        got = seen[flow]
        assert {k: got[k] for k in ("packets_out", "packets_in", "bytes_out", "bytes_in")} == \
            {k: dest[k] for k in ("packets_out", "packets_in", "bytes_out", "bytes_in")}, flow
        assert (_iso(got["times"][0]), _iso(got["times"][-1])) == (dest["first_seen"], dest["last_seen"])
    assert truth["external"]["packets"] == sum(x["packets_out"] + x["packets_in"] for x in expected.values())


def test_sni_and_http_host_per_destination(site):
    _, truth, rows = site
    net = ipaddress.ip_network(truth["site"]["network"])
    sni, hosts = defaultdict(set), defaultdict(set)
    for row in rows:
        flow = _flow(row, net)
        if flow and row["tls.handshake.extensions_server_name"]:
            sni[flow[:2]].add(row["tls.handshake.extensions_server_name"])
        if flow and row["http.host"]:
            hosts[flow[:2]].add(row["http.host"])
    for device in truth["devices"]:
        for dest in device["destinations"]:
            key = (device["address"], (dest["address"], dest["port"], dest["transport"]))
            assert sorted(sni[key]) == dest["sni"], key
            assert sorted(hosts[key]) == dest["http_host"], key
    all_sni = {name for names in sni.values() for name in names}
    assert {"litedev.hik-connect.com", "smtp.office365.com", "smtp.gmail.com", "devcn.ezvizlife.com"} <= all_sni


def test_dns_answers_give_the_destination_names_and_the_unused_lookups(site):
    _, truth, rows = site
    resolver = truth["site"]["resolver"]["address"]
    answers: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rcodes: dict[tuple[str, str], str] = {}
    for row in rows:
        if row["dns.flags.response"] == "1" and row["ip.src"] == resolver:
            answers[row["ip.dst"]][row["dns.qry.name"]].update(filter(None, row["dns.a"].split(",")))
            rcodes[(row["ip.dst"], row["dns.qry.name"])] = row["dns.flags.rcode"]
    for device in truth["devices"]:
        got = answers[device["address"]]
        assert {q["name"]: set(q["answers"]) for q in device["dns_queries"]} == dict(got)
        for q in device["dns_queries"]:
            assert rcodes[(device["address"], q["name"])] == {"NOERROR": "0", "NXDOMAIN": "3"}[q["rcode"]]
        for dest in device["destinations"]:
            assert dest["names"] == sorted(n for n, addrs in got.items() if dest["address"] in addrs)
    unused = {(u["device"], u["name"]) for u in truth["scenarios"]["unused_dns"]}
    flagged = {(d["id"], q["name"]) for d in truth["devices"] for q in d["dns_queries"] if not q["led_to_connection"]}
    assert unused == flagged and len(unused) == 2


def test_unanswered_syns_are_the_airport_case(site):
    _, truth, rows = site
    case = truth["scenarios"]["unanswered_syn"]
    assert len(case["devices"]) == CAMERAS - len(bundled_profiles())
    syns: dict[str, set[str]] = defaultdict(set)
    syn_packets: dict[str, int] = defaultdict(int)
    answered = 0
    for row in rows:
        if row["ip.dst"] == case["address"] and row["tcp.flags.syn"] == "1":
            syns[row["ip.src"]].add(row["tcp.srcport"])
            syn_packets[row["ip.src"]] += 1
        answered += row["ip.src"] == case["address"]
    assert answered == 0
    by_id = {d["id"]: d for d in truth["devices"]}
    for device_id in case["devices"]:
        device = by_id[device_id]
        dest = next(x for x in device["destinations"] if x["address"] == case["address"])
        assert dest["failed_attempts"] == len(syns[device["address"]]) > 0
        assert dest["syn_packets"] == syn_packets[device["address"]] == dest["packets_out"]
        assert dest["syn_packets"] > dest["failed_attempts"]          # retransmissions were sent


def test_undisclosed_egress_is_in_the_capture(site):
    _, truth, rows = site
    [case] = truth["scenarios"]["undisclosed_egress"]
    assert (case["device"], case["setting"], case["name"]) == \
        ("hik-acusense-nvr", "hik_connect", "litedev.hik-connect.com")
    nvr = next(d for d in truth["devices"] if d["id"] == "hik-acusense-nvr")
    assert any(r["ip.src"] == nvr["address"] and r["tls.handshake.extensions_server_name"] == case["name"]
               for r in rows)
    dest = next(x for x in nvr["destinations"] if x["address"] == case["address"])
    assert dest["disabled_in_config"] == "hik_connect" and dest["packets_in"] > 0


def test_intra_site_share_rtp_and_source_macs(site):
    _, truth, rows = site
    net = ipaddress.ip_network(truth["site"]["network"])
    intra = [r for r in rows if ipaddress.ip_address(r["ip.src"]) in net and ipaddress.ip_address(r["ip.dst"]) in net]
    assert len(intra) == truth["intra_site"]["packets"]
    assert 0.96 <= len(intra) / len(rows) <= 0.98
    rtp = [r for r in rows if r["rtp.version"]]
    assert len(rtp) == truth["intra_site"]["rtp"]["packets"] > 0.9 * len(rows)
    assert all(r["rtp.version"] == "2" and int(r["udp.srcport"]) % 2 == 0 == int(r["udp.dstport"]) % 2
               for r in rtp)
    macs = {d["address"]: d["mac"] for d in truth["devices"]}
    profile_macs = {p.id: p.identity.mac for p in bundled_profiles()}
    assert {d["mac"] for d in truth["devices"] if d["profile"]} == set(profile_macs.values())
    for row in rows:
        if row["ip.src"] in macs:
            assert row["eth.src"] == macs[row["ip.src"]], row


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    profiles = bundled_profiles()[:3]
    one, two, other = (tmp_path / n for n in ("one.pcap", "two.pcap", "other.pcap"))
    truth_one = write_site_pcap(one, profiles, packets=3_000, seed=5)
    truth_two = write_site_pcap(two, profiles, packets=3_000, seed=5)
    write_site_pcap(other, profiles, packets=3_000, seed=6)
    assert one.read_bytes() == two.read_bytes() != other.read_bytes()
    truth_two.file = truth_one.file
    assert truth_one.to_json() == truth_two.to_json()
    assert truth_one.packets == 3_000


def test_too_small_a_budget_or_site_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(ValueError, match="ask for at least"):
        write_site_pcap(tmp_path / "x.pcap", bundled_profiles(), packets=200)
    with pytest.raises(ValueError, match=f"cannot hold the {len(bundled_profiles())} selected profiles"):
        write_site_pcap(tmp_path / "y.pcap", bundled_profiles(), cameras=4)
