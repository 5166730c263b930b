"""Pure parts of the egress analysis fed hand-made rows and texts: attempt counting (silence,
RST, retransmissions, answered), shared router MACs, DNS answers, tshark's statistics, the
allow-list's errors and the endpoint list's sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.judge.egress.allow import load_allow_list
from auditor.judge.egress.labels import known_endpoints
from models.errors import UsageError
from probes.egress.columns import COLUMNS, epoch_us
from probes.egress.flows import ATTEMPT_WINDOW_US, SWEEP_EVERY, FlowTable
from probes.egress.networks import SiteNetworks, parse_networks
from probes.egress.stats import parse_stats

NAMES = [name for name, _, _ in COLUMNS]
SITE = SiteNetworks(parse_networks(["10.0.0.0/8"]))


def row(t: float, src: str, dst: str, *, length: int = 60, mac: str = "aa:bb:cc:00:00:01", tcp: tuple = (),
        flags: int | None = None, seq: int = 1000, udp: tuple = (), **fields: str) -> list[str]:
    values = dict.fromkeys(NAMES, "")
    values.update(time=f"{t:.6f}", length=str(length), eth_src=mac, ip_src=src, ip_dst=dst)
    if tcp:
        values.update(tcp_sport=str(tcp[0]), tcp_dport=str(tcp[1]), tcp_seq=str(seq),
                      tcp_flags=f"0x{flags or 0x18:03x}")
    if udp:
        values.update(udp_sport=str(udp[0]), udp_dport=str(udp[1]))
    values.update(fields)
    return [values[n] for n in NAMES]


def only_destination(table: FlowTable):
    [device] = [d for d in table.finish() if d.destinations]
    [dest] = device.destinations
    return device, dest


def test_unanswered_and_refused_syns_are_failed_attempts_retransmissions_count_once():
    table = FlowTable(SITE)
    cam, server = "10.0.0.5", "203.0.113.9"
    for t in (0, 1, 3):                                              # one attempt, two retransmissions
        table.add(row(1000 + t, cam, server, tcp=(50000, 443), flags=0x002, seq=77))
    table.add(row(1010, cam, server, tcp=(50002, 443), flags=0x002, seq=99))      # second attempt ...
    table.add(row(1010.01, server, cam, tcp=(443, 50002), flags=0x014))         # ... refused (RST, ACK)
    table.add(row(1020, cam, server, tcp=(50004, 443), flags=0x002, seq=5))       # third attempt ...
    table.add(row(1020.05, server, cam, tcp=(443, 50004), flags=0x012))         # ... answered (SYN, ACK)
    _, dest = only_destination(table)
    assert (dest.failed_attempts, dest.syn_packets) == (2, 4)
    assert (dest.packets_out, dest.packets_in) == (5, 2)


def test_attempts_older_than_any_retry_schedule_are_settled_while_streaming():
    table = FlowTable(SITE)
    for n in range(20_000):         # a sweep every SWEEP_EVERY frames; attempts 60 s apart
        table.add(row(n * 60.0, "10.0.0.5", "203.0.113.9", tcp=(40000 + n % 20000, 443), flags=0x002, seq=n))
    assert len(table._attempts) <= SWEEP_EVERY + ATTEMPT_WINDOW_US // 60_000_000    # not 20,000: flat
    _, dest = only_destination(table)
    assert dest.failed_attempts == 20_000


def test_a_mac_shared_by_several_sources_is_a_routers_and_not_reported():
    table = FlowTable(SITE)
    table.add(row(1, "10.0.0.5", "203.0.113.9", udp=(5000, 123), mac="00:11:22:33:44:55"))
    table.add(row(2, "10.0.0.6", "203.0.113.9", udp=(5000, 123), mac="00:11:22:33:44:55"))
    table.add(row(3, "10.0.0.7", "203.0.113.9", udp=(5000, 123), mac="00:11:22:33:44:66"))
    macs = {d.address: d.mac for d in table.finish()}
    assert macs == {"10.0.0.5": None, "10.0.0.6": None, "10.0.0.7": "00:11:22:33:44:66"}


def test_dns_answers_name_destinations_and_unused_lookups_are_kept():
    table = FlowTable(SITE)
    cam, resolver = "10.0.0.5", "10.0.0.1"
    table.add(row(1, cam, resolver, udp=(5353, 53), dns_response="0", dns_name="Cloud.Example.COM."))
    table.add(row(1.02, resolver, cam, udp=(53, 5353), dns_response="1", dns_name="cloud.example.com",
                  dns_a="198.51.100.7,198.51.100.8", dns_rcode="0"))
    table.add(row(1.5, cam, resolver, udp=(5355, 53), dns_response="0", dns_name="gone.example"))
    table.add(row(1.52, resolver, cam, udp=(53, 5355), dns_response="1", dns_name="gone.example", dns_rcode="3"))
    table.add(row(2, cam, "198.51.100.8", tcp=(50000, 443), flags=0x018, sni="cloud.example.com"))
    table.add(row(3, cam, "224.0.0.251", udp=(5353, 5353), dns_response="0", dns_name="printer.local"))  # mDNS
    device, dest = only_destination(table)
    assert dest.names == ("cloud.example.com",) and dest.sni == ("cloud.example.com",)
    lookups = {q.name: q for q in device.lookups}
    assert set(lookups) == {"cloud.example.com", "gone.example"}
    assert lookups["cloud.example.com"].led_to_connection and lookups["gone.example"].rcode == "NXDOMAIN"
    assert not lookups["gone.example"].led_to_connection


def test_times_are_exact_microseconds():
    assert epoch_us("1767600000.295783") == 1767600000295783
    assert epoch_us("1767600000.295783999") == 1767600000295783
    assert epoch_us("1767600000") == 1767600000000000


def test_tshark_statistics_are_parsed_and_unparseable_lines_skipped():
    text = """</psml>
===================================================================
| IO Statistics                                                   |
| Interval     | FRAMES | BYTES |
|  0.0 <> 96.6 |  20000 | 24004716 | 1767600000.000000 | 1767600096.552749 |
===================================================================
================================================================================
IPv4 Endpoints
Filter:<No Filter>
                       |  Packets  | |  Bytes  | | Tx Packets | | Tx Bytes | | Rx Packets | | Rx Bytes |
10.20.0.2                  19399      23862933        280           29387       19119        23833546
garbage line that is not an endpoint
================================================================================
"""
    stats = parse_stats(text)
    assert (stats.frames, stats.bytes, stats.found) == (20000, 24004716, True)
    assert (stats.first_us, stats.last_us) == (1767600000000000, 1767600096552749)
    assert stats.endpoints == {"10.20.0.2": (19399, 23862933)}
    assert parse_stats("nothing here").found is False


@pytest.mark.parametrize(("content", "message"), [
    ("allow = [", "not valid TOML"),
    ("[[allow]]\nnote = 'no destination'\n", "has no destination"),
    ("[[allow]]\ndestination = 'not a name!'\n", "is not an address, a CIDR or a DNS name"),
    ("[[allow]]\ndestination = '10.0.0.1'\nport = 70000\n", "a port is a number from 1 to 65535"),
    ("[[allow]]\ndestination = '10.0.0.1'\ntransport = 'sctp'\n", "use \"tcp\" or \"udp\""),
    ("[[allow]]\ndestination = '10.0.0.1'\ncolour = 'red'\n", "unknown keys (colour)"),
    ("[servers]\nx = 1\n", "unknown sections (servers)"),
])
def test_bad_allow_lists_are_refused_in_one_sentence(tmp_path: Path, content: str, message: str):
    path = tmp_path / "allow.toml"
    path.write_text(content)
    with pytest.raises(UsageError) as caught:
        load_allow_list(path)
    assert message in caught.value.message and "\n" not in caught.value.message
    with pytest.raises(UsageError, match="does not exist"):
        load_allow_list(tmp_path / "missing.toml")


def test_allow_list_matches_addresses_networks_and_names(tmp_path: Path):
    path = tmp_path / "allow.toml"
    path.write_text("[[allow]]\ndestination = '203.0.113.0/24'\n[[allow]]\ndestination = '*.vms.example'\n"
                    "port = 443\n[[allow]]\ndestination = '198.51.100.1'\ntransport = 'udp'\n")
    allow = load_allow_list(path)
    assert allow.match("203.0.113.77", [], 8080, "tcp")
    assert allow.match("192.0.2.1", ["rec.vms.example"], 443, "tcp")
    assert allow.match("192.0.2.1", ["vms.example"], 443, "tcp")
    assert allow.match("192.0.2.1", ["rec.vms.example"], 80, "tcp") is None
    assert allow.match("198.51.100.1", [], 53, "tcp") is None and allow.match("198.51.100.1", [], 53, "udp")


def test_every_known_endpoint_names_its_source():
    endpoints = known_endpoints()
    assert {e.kind for e in endpoints} == {"vendor-cloud", "public-ntp"}
    assert all(len(e.source) > 20 for e in endpoints)
    assert all(e.setting in ("hik_connect", "dahua_p2p") for e in endpoints if e.kind == "vendor-cloud")
    vendors = {e.domain for e in endpoints if e.kind == "vendor-cloud"}
    assert {"hik-connect.com", "ezvizlife.com", "easy4ipcloud.com", "imoulife.com", "amcrestcloud.com"} <= vendors


def test_a_configured_server_is_matched_by_address_name_port_suffix_and_ddns_parent():
    import datetime as dt

    from auditor.judge.egress.findings import _configured
    from models.egress.values import EgressDestination

    now = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
    dest = EgressDestination(address="47.88.61.19", port=80, transport="tcp", label="unknown", country="US",
                             packets_out=1, packets_in=1, bytes_out=1, bytes_in=1, first_seen=now, last_seen=now,
                             names=["www.dahuaddns.com"], http_host=["www.dahuaddns.com"])
    assert _configured(dest, "47.88.61.19:80") and _configured(dest, "http://www.dahuaddns.com/update")
    assert _configured(dest, "depot-nvr.dahuaddns.com", "ddns")          # the device's own DDNS name
    assert not _configured(dest, "depot-nvr.dahuaddns.com", "email")     # only DDNS names work that way
    assert not _configured(dest, "0.0.0.0") and not _configured(dest, None)


def test_dumpcap_complaints_become_one_sentence_errors():
    from probes.egress.errors import CaptureFailed, CapturePermissionDenied, InterfaceMissing
    from probes.egress.reader import _live_problem

    denied = _live_problem("eth0", ["dumpcap: You don't have permission to capture on that device",
                                    "(socket: Operation not permitted)"])
    assert isinstance(denied, CapturePermissionDenied)
    assert "CAP_NET_RAW" in denied.message and "\n" not in denied.message
    assert isinstance(_live_problem("eth9", ["eth9: No such device exists"]), InterfaceMissing)
    other = _live_problem("eth0", ["something else broke"])
    assert isinstance(other, CaptureFailed) and "something else broke" in other.message


@pytest.mark.parametrize("value", ["0", "-1", "0s", "-5m", "soon", "nan", "inf", ""])
def test_a_watch_duration_that_is_not_a_length_is_one_line(value: str, tmp_path: Path, capsys):
    from auditor.cli import main

    with pytest.raises(SystemExit) as stopped:      # argparse refuses it: one line, exit code 2
        main(["egress", "watch", "--interface", "lo", f"--duration={value}", "--db", str(tmp_path / "d.db")])
    code, err = stopped.value.code, capsys.readouterr().err
    assert code == 2 and "--duration" in err and "7d" in err and len(err.strip().splitlines()) == 1, err
    assert not (tmp_path / "d.db").exists()                     # refused before anything started


def test_watch_durations_take_units():
    from auditor.commands.argtypes import duration

    assert [duration(v) for v in ("90", "90s", "30m", "12h", "7d", "1.5h")] == [90, 90, 1800, 43200, 604800, 5400]
