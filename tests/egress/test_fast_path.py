"""Same answer: the fast path (libpcap pre-filter, tshark fields, header pass) against the
pyshark path that dissects every frame, on the site capture and each of its variants:
pcapng, nanosecond pcap, 802.1Q/Q-in-Q, IPv6 with extension headers, fragmented DNS, Linux cooked capture
(which falls back, and says so)."""

from __future__ import annotations

import json
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
        for name, kind in (("pcapng", "pcapng"), ("nanosecond", "nsecpcap")):
            found[name] = folder / f"site-{name}.{kind}"
            subprocess.run(["editcap", "-F", kind, str(site.pcap), str(found[name])], check=True,
                           capture_output=True, timeout=60)
    for name, make in (("vlan", variants.vlan_tagged), ("ipv6", variants.ipv6),
                       ("fragments", variants.fragmented_dns), ("cooked", variants.linux_cooked)):
        found[name] = folder / f"site-{name}.pcap"
        make(site.pcap, found[name])
    return found


def _flows(result: CaptureResult) -> set[tuple]:
    return {(d.address, x.address, x.port, x.transport, x.packets_out, x.packets_in, x.names, x.sni, x.http_host,
             x.failed_attempts) for d in result.devices for x in d.destinations}


@pytest.mark.parametrize("name", ["pcap", "pcapng", "nanosecond", "vlan", "ipv6", "fragments", "cooked"])
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


def test_a_gzip_capture_and_a_ring_buffer_folder_analyse_as_the_one_capture(captures: dict[str, Path], site: Site,
                                                                           tmp_path: Path, capsys):
    from tests.egress.test_analyze import run_cli

    whole = read_files([site.pcap], SiteNetworks.default())
    packed = tmp_path / "site.pcap.gz"
    variants.gzipped(site.pcap, packed)
    ring = tmp_path / "ring"
    files = variants.ring_buffer(site.pcap, ring, files=4)
    assert sorted(p.name for p in files) != [p.name for p in files]      # name order is not time order
    (ring / "README.txt").write_text("capture notes, not a capture\n")
    for given in (packed, ring):
        code, out, err = run_cli(capsys, "analyze", str(given), "--db", str(tmp_path / "r.db"), "--json")
        assert code == 0 and "note" not in err, err
        doc = json.loads(out)
        assert doc["capture"]["source"] == str(given)
        assert (doc["capture"]["packets"], doc["capture"]["ended"]) == (site.truth["capture"]["packets"],
                                                                         site.truth["capture"]["end"])
        result = read_files([given], SiteNetworks.default())
        assert result.devices == whole.devices                     # failed attempts span the file edges


def test_a_gzip_capture_cut_short_is_partial_with_what_was_read(site: Site, tmp_path: Path):
    packed, cut = tmp_path / "site.pcap.gz", tmp_path / "cut.pcap.gz"
    variants.gzipped(site.pcap, packed)
    cut.write_bytes(packed.read_bytes()[: packed.stat().st_size // 2])
    result = read_files([cut], SiteNetworks.default())
    assert result.summary.partial and "breaks off part-way" in result.summary.problems[0]
    assert 0 < result.summary.packets < site.truth["capture"]["packets"]


def test_the_cli_says_when_a_file_took_the_slow_path(captures: dict[str, Path], tmp_path: Path, capsys):
    from tests.egress.test_analyze import run_cli

    code, out, err = run_cli(capsys, "analyze", str(captures["cooked"]), "--db", str(tmp_path / "c.db"), "--json")
    assert code == 0 and json.loads(out)["devices"]
    assert err.strip() == ("camaudit: note: site-cooked.pcap has link type 113, not Ethernet, so tshark dissected "
                           "every frame.")


def test_progress_counts_packets_as_the_header_pass_reads_them(site: Site):
    from probes.egress.files import FileAnalysis

    seen: list[int] = []
    result = FileAnalysis([site.pcap, site.pcap], SiteNetworks.default(), progress=seen.append).start().result()
    assert result.summary.packets == 2 * site.truth["capture"]["packets"]
    assert len(seen) >= 2 and seen == sorted(seen) and seen[-1] == result.summary.packets
