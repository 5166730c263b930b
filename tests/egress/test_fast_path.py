"""Same answer: the fast path (libpcap pre-filter, tshark fields, header pass) against the
pyshark path that dissects every frame, on the site capture and each of its variants:
pcapng, 802.1Q/Q-in-Q, IPv6 with extension headers, fragmented DNS, Linux cooked capture
(which falls back, and says so)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from device_simulators.egress import variants
from probes.egress import CaptureResult, SiteNetworks, read_files, read_files_slow
from tests.egress.conftest import Site, needs_tshark

pytestmark = [*needs_tshark, pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")]


@pytest.fixture(scope="module")
def captures(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("variants")
    found = {"pcap": site.pcap}
    if shutil.which("editcap"):
        found["pcapng"] = folder / "site.pcapng"
        subprocess.run(["editcap", "-F", "pcapng", str(site.pcap), str(found["pcapng"])], check=True,
                       capture_output=True, timeout=60)
    for name, make in (("vlan", variants.vlan_tagged), ("ipv6", variants.ipv6),
                       ("fragments", variants.fragmented_dns), ("cooked", variants.linux_cooked)):
        found[name] = folder / f"site-{name}.pcap"
        make(site.pcap, found[name])
    return found


def _flows(result: CaptureResult) -> set[tuple]:
    return {(d.address, x.address, x.port, x.transport, x.packets_out, x.packets_in, x.names, x.sni, x.http_host,
             x.failed_attempts) for d in result.devices for x in d.destinations}


@pytest.mark.parametrize("name", ["pcap", "pcapng", "vlan", "ipv6", "fragments", "cooked"])
def test_fast_path_gives_the_slow_paths_answer(captures: dict[str, Path], site: Site, name: str):
    if name not in captures:
        pytest.skip("editcap is not installed")
    path = captures[name]
    fast = read_files([path], SiteNetworks.default())
    slow = read_files_slow([path], SiteNetworks.default())
    if name == "cooked":
        assert fast.summary.notes == ("site-cooked.pcap has link type 113, not Ethernet, so tshark dissected every "
                                      "frame",)
    else:
        assert fast.summary.notes == ()                                   # it really took the fast path
    # destinations, names, SNI, Host, failed attempts, packets and bytes each way, lookups,
    # per-device totals, capture totals and times: all of it
    assert fast.devices == slow.devices
    assert fast.summary.__class__(**{**vars(fast.summary), "notes": ()}) == slow.summary
    # ...and the variant still holds the site's conversations (so an equal answer means something)
    external = {(d["address"], x["address"], x["port"]) for d in site.truth["devices"] for x in d["destinations"]}
    got = {(d.address, x.address, x.port) for d in fast.devices for x in d.destinations}
    if name == "ipv6":
        assert len(got) == len(external) and all(a.startswith("fd00::") for a, _, _ in got)
    else:
        assert got == external
    assert len(_flows(fast)) == len(external)
    assert sum(len(d.lookups) for d in fast.devices) == sum(len(d["dns_queries"]) for d in site.truth["devices"])
