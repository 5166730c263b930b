"""The BPF pre-filter builder: one expression for several site networks, IPv4 and IPv6, that
libpcap accepts and that keeps exactly the frames it must, checked by running tcpdump over
hand-built frames (tagged, IPv6 with extension headers, fragments, odd ethertypes)."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from device_simulators.egress import variants
from device_simulators.egress.pcap import SYN, Link, PcapWriter
from probes.egress.bpf import capture_filter
from probes.egress.networks import SiteNetworks, parse_networks

needs_tcpdump = pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")
SITE = SiteNetworks(parse_networks(["10.20.0.0/24", "192.168.5.0/24", "fd00::/64"]))
CAM, RECORDER, RESOLVER, OTHER_SITE = "10.20.0.11", "10.20.0.2", "10.20.0.1", "192.168.5.7"
MAC_A, MAC_B = "44:19:b6:3a:5c:01", "0a:20:00:00:00:01"


def _frames() -> list[tuple[str, bytes, bool]]:
    """(what, Ethernet frame, must the pre-filter keep it) for IPv4; the variants derive the rest."""
    def udp(src: str, dst: str, sport: int, dport: int, payload: bytes = b"x" * 40) -> bytes:
        return Link(MAC_A, MAC_B, src, dst).udp(sport, dport, payload)

    return [
        ("video to the recorder", udp(CAM, RECORDER, 50000, 5004, b"v" * 1200), False),
        ("between two site networks", udp(CAM, OTHER_SITE, 50001, 554), False),
        ("SSDP multicast", udp(CAM, "239.255.255.250", 50002, 1900), False),
        ("to the internet", Link(MAC_A, MAC_B, CAM, "34.246.62.109").tcp(40000, 443, 1, 0, SYN), True),
        ("from the internet", udp("47.91.88.176", CAM, 8800, 50003), True),
        ("to a private network that is not the site's", udp(CAM, "10.30.0.1", 50004, 443), True),
        ("DNS to the site resolver", udp(CAM, RESOLVER, 50005, 53, b"q" * 40), True),
        ("DNS answer from the site resolver", udp(RESOLVER, CAM, 53, 50005, b"a" * 120), True),
    ]


def _write(path: Path, frames: list[bytes]) -> None:
    with PcapWriter(path) as writer:
        for index, frame in enumerate(frames):
            writer.write(1_767_600_000_000_000 + index * 1000, frame)


def _kept(pcap: Path, expression: str, tmp_path: Path) -> list[int]:
    """Indices (by timestamp) of the frames tcpdump keeps."""
    out = tmp_path / "kept.pcap"
    subprocess.run(["tcpdump", "-r", str(pcap), "-w", str(out), expression], check=True, capture_output=True,
                   timeout=30)
    return [(t // 1000) % 1_000_000 for t, _ in variants.read_frames(out)]


def test_one_expression_names_every_site_and_local_network():
    expression = capture_filter(SITE)
    for network in ("10.20.0.0/24", "192.168.5.0/24", "fd00::/64", "224.0.0.0/4", "fe80::/10", "ff00::/8"):
        assert f"src net {network}" in expression and f"dst net {network}" in expression
    assert expression.count("vlan and") == 2 and "port 53" in expression
    assert SITE.capture_filter() == expression


@needs_tcpdump
@pytest.mark.parametrize("networks", [None, ["10.20.0.0/24", "192.168.5.0/24", "fd00::/64"], ["2001:db8:5::/48"],
                                      ["10.1.0.0/16", "10.2.0.0/16", "172.20.0.0/14", "192.168.0.0/16"]],
                         ids=["private-ranges", "ipv4-and-ipv6", "ipv6-only", "several-ipv4"])
def test_tcpdump_and_dumpcap_compile_it(tmp_path: Path, networks: list[str] | None):
    pcap = tmp_path / "one.pcap"
    _write(pcap, [_frames()[0][1]])
    site = SiteNetworks.default() if networks is None else SiteNetworks(parse_networks(networks))
    expression = capture_filter(site)
    assert all(f"src net {n}" in expression for n in networks or ())
    compiled = subprocess.run(["tcpdump", "-d", "-r", str(pcap), expression], capture_output=True, text=True,
                              timeout=30)
    assert compiled.returncode == 0 and "ret" in compiled.stdout, compiled.stderr
    if shutil.which("dumpcap"):
        compiled = subprocess.run(["dumpcap", "-d", "-i", "lo", "-f", expression], capture_output=True, text=True,
                                  timeout=30)
        assert compiled.returncode == 0 and "ret" in compiled.stdout, compiled.stderr


@needs_tcpdump
def test_it_keeps_what_crosses_the_edge_and_dns_in_every_encapsulation(tmp_path: Path):
    cases = _frames()
    base = tmp_path / "base.pcap"
    _write(base, [frame for _, frame, _ in cases])
    wanted = [i for i, (_, _, keep) in enumerate(cases) if keep]
    expression = capture_filter(SITE)
    assert _kept(base, expression, tmp_path) == wanted

    tagged = tmp_path / "tagged.pcap"          # 802.1Q, and Q-in-Q on frames 0 and 5
    variants.vlan_tagged(base, tagged)
    assert _kept(tagged, expression, tmp_path) == wanted
    assert _kept(tagged, f"not vlan and ({expression})", tmp_path) == []      # the vlan branches do it

    v6 = tmp_path / "v6.pcap"                   # DNS behind a Destination Options header
    variants.ipv6(base, v6)
    wanted6 = [i for i in wanted if i != 5]    # 10.30.0.1 maps into fd00::/64, on the site
    assert _kept(v6, expression, tmp_path) == wanted6
    naive = "port 53 or not ((src net fd00::/64 or src net ff00::/8) and (dst net fd00::/64 or dst net ff00::/8))"
    assert 6 not in _kept(v6, naive, tmp_path)                              # plain `port 53` misses it

    fragments = tmp_path / "fragments.pcap"     # the answer's second fragment has no UDP header
    variants.fragmented_dns(base, fragments)
    assert _kept(fragments, expression, tmp_path) == [*wanted, 7]                 # both fragments of frame 7
    assert _kept(fragments, "port 53", tmp_path) == [6, 7]                        # plain `port 53`: the first


@needs_tcpdump
def test_frames_it_cannot_look_into_are_kept(tmp_path: Path):
    pppoe = bytes.fromhex("0a2000000001" "4419b63a5c01" "8864") + b"\x11\x00\x00\x01\x00\x20" + b"p" * 40
    arp = bytes.fromhex("ffffffffffff" "4419b63a5c01" "0806") + b"\x00" * 28
    pcap = tmp_path / "odd.pcap"
    _write(pcap, [pppoe, arp])
    assert _kept(pcap, capture_filter(SITE), tmp_path) == [0]           # PPPoE kept, ARP (site-local) not


def test_vlan_tags_are_counted_by_the_header_pass(tmp_path: Path):
    from probes.egress.headers import read_headers

    base, tagged = tmp_path / "base.pcap", tmp_path / "tagged.pcap"
    _write(base, [frame for _, frame, _ in _frames()])
    variants.vlan_tagged(base, tagged)
    plain, vlan = read_headers(base).stats, read_headers(tagged).stats
    assert vlan.frames == plain.frames == 8 and vlan.bytes == plain.bytes + 8 * 4 + 2 * 4
    assert {a: p for a, (p, _) in vlan.endpoints.items()} == {a: p for a, (p, _) in plain.endpoints.items()}
    assert plain.endpoints[CAM][0] == 8


def test_the_header_pass_stops_at_a_cut_and_says_why(tmp_path: Path):
    from probes.egress.headers import CUT_SHORT, read_headers

    base = tmp_path / "base.pcap"
    _write(base, [frame for _, frame, _ in _frames()])
    data = base.read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data[:-10])
    found = read_headers(cut)
    assert found.damage == CUT_SHORT and found.stats.frames == 7
    big = bytearray(data)
    struct.pack_into("<I", big, 24 + 8, 1 << 30)          # the first record claims 1 GiB
    cut.write_bytes(bytes(big))
    assert "bigger than maximum" in (read_headers(cut).damage or "")


def test_the_filter_command_prints_the_expression_for_dumpcap(capsys):
    from auditor.cli import main

    assert main(["egress", "filter", "--site-network", "10.20.0.0/24", "--site-network", "192.168.5.0/24",
                 "--site-network", "fd00::/64"]) == 0
    assert capsys.readouterr().out.strip() == capture_filter(SITE)
    assert main(["egress", "filter", "--site-network", "10.20.0.0/33"]) == 2
    err = capsys.readouterr().err
    assert "--site-network" in err and len(err.strip().splitlines()) == 1
