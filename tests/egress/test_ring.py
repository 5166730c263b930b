"""Long watches: ring-buffer files analysed one by one into one growing run; a watch killed
part-way and started again on the same folder carries on and counts no file twice. The
dumpcap side is exercised live in test_live.py; here the files come from the site capture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.run.egress import EgressOptions, store_growing
from device_simulators.egress import variants
from models.egress.store import get_egress_report, list_egress_runs, record_egress_run_started
from probes.egress import SiteNetworks, read_files
from probes.egress.files import FileAnalysis
from probes.egress.flows import FlowTable
from probes.egress.ring import JOURNAL, PREFIX, RingAnalyser
from tests.egress.conftest import Site, needs_tshark

pytestmark = [*needs_tshark, pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")]


def _flows(devices) -> dict:
    return {d.address: (d.destinations, d.lookups) for d in devices if d.destinations or d.lookups}


def test_a_killed_watch_resumes_from_its_journal_without_counting_twice(site: Site, store, tmp_path: Path):
    folder = tmp_path / "ring"
    folder.mkdir()
    sitenets = SiteNetworks.default()
    options = EgressOptions(site=sitenets)
    first = RingAnalyser(folder, sitenets)                   # the watch starts on an empty folder
    run_id = record_egress_run_started(store, kind="live", source="eth1", site_networks=sitenets.as_text())
    first.keep["run_id"] = run_id
    first.save()
    files = variants.ring_buffer(site.pcap, folder, files=4, prefix=PREFIX)   # dumpcap writes four files
    finished = first.pending(include_newest=False)
    assert [p.name for p in finished] == [p.name for p in files[:3]]          # the newest is still open
    first.analyse(finished[:2])
    store_growing(store, run_id, first.result("eth1", settle=False), options, complete=False)
    halfway = get_egress_report(store, run_id=run_id)
    del first                                                                 # killed here

    again = RingAnalyser(folder, sitenets)
    assert again.resumed and again.keep["run_id"] == run_id
    assert [p.name for p in again.pending(include_newest=True)] == [p.name for p in files[2:]]
    again.analyse(again.pending(include_newest=True))
    assert sorted(again.analysed) == sorted(p.name for p in files)           # each file once
    result = again.result("eth1", settle=True)
    store_growing(store, run_id, result, options, complete=True)

    whole = read_files([site.pcap], sitenets)
    assert _flows(result.devices) == _flows(whole.devices)       # attempts spanning files are settled once
    report = get_egress_report(store, run_id=run_id)
    assert report is not None and [r.id for r in list_egress_runs(store)] == [run_id]
    got = {(d.address, x.address, x.port): x.packets_out for d in report.devices for x in d.destinations}
    assert got == {(d.address, x.address, x.port): x.packets_out for d in whole.devices for x in d.destinations}
    assert halfway is not None and len(halfway.devices) <= len(report.devices)
    table = FlowTable(sitenets)                    # a watch counts the frames that passed the filters
    FileAnalysis([site.pcap], sitenets).read_into(table)
    assert report.capture.packets == table.frames
    again.finish()
    assert not (folder / JOURNAL).exists()
    fresh = RingAnalyser(folder, sitenets)                 # a new watch ignores the old watch's files
    assert not fresh.resumed and fresh.pending(include_newest=True) == []


def test_a_journal_of_other_site_networks_is_refused_in_one_sentence(tmp_path: Path):
    from probes.egress.errors import CaptureFailed

    RingAnalyser(tmp_path, SiteNetworks.default()).save()
    with pytest.raises(CaptureFailed, match="--site-network"):
        RingAnalyser(tmp_path, SiteNetworks(SiteNetworks.default().networks[:1]))
    (tmp_path / JOURNAL).write_text(json.dumps({"version": 99}))
    with pytest.raises(CaptureFailed, match="cannot be read"):
        RingAnalyser(tmp_path, SiteNetworks.default())


def test_dumpcaps_drop_count_is_read_from_its_last_words(tmp_path: Path):
    from probes.egress.ring import RingCapture

    capture = RingCapture("lo", SiteNetworks.default(), tmp_path, keep=3, file_seconds=60)
    assert "-b" in capture.command and "files:3" in capture.command and capture.dropped() is None
    capture._err.write(b"Capturing on 'Loopback: lo'\nPackets captured: 253507\n"
                       b"Packets received/dropped on interface 'Loopback: lo': 253507/12 (pcap:0/dumpcap:12) (99.9%)\n")
    assert capture.dropped() == 12 and capture.counts() == (253507, 12)


def test_a_ring_of_another_named_site_is_refused_before_dumpcap_starts(store, tmp_path: Path):
    import threading

    from auditor.run.egress import watch_ring
    from models.errors import UsageError

    sitenets = SiteNetworks.default()
    analyser = RingAnalyser(tmp_path, sitenets)
    analyser.keep["run_id"] = record_egress_run_started(store, kind="live", source="eth1",
                                                        site_networks=sitenets.as_text(), site="Northgate School")
    analyser.save()
    with pytest.raises(UsageError, match="--site 'Northgate School'"):
        watch_ring(store, "no-such-interface", tmp_path, EgressOptions(site=sitenets, site_name="Southgate School"),
                   keep=2, file_seconds=1, duration=1, stop=threading.Event())
    assert [r.site for r in list_egress_runs(store)] == ["Northgate School"]      # no second run
