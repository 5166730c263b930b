"""`camaudit egress watch` at more than 100 Mbit/s: tcpreplay sends the simulated site capture
(~97% intra-site video, a few external servers) into a veth pair inside a throw-away network
namespace while the real CLI watches the other end through the kernel filter. dumpcap must
report zero drops and every external destination of the capture's ground truth must be stored.
Nothing is sent on the host's interfaces or its `lo` (tests/egress/linerate.py)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from models.db import open_store
from models.egress.store import get_egress_report, list_egress_runs
from tests.egress.conftest import Site, needs_tshark
from tests.egress.linerate import (
    NamespaceRefused,
    dumpcap_counts,
    kept_per_pass,
    namespace,
    replay,
    start_watch,
    stop_watch,
)

pytestmark = [*needs_tshark,
              pytest.mark.skipif(shutil.which("tcpreplay") is None,
                                 reason="tcpreplay is not installed (make setup installs it)"),
              pytest.mark.skipif(shutil.which("dumpcap") is None, reason="dumpcap is not installed"),
              pytest.mark.skipif(shutil.which("tcpdump") is None, reason="tcpdump is not installed")]

MBPS, LOOPS = 250, 5


@pytest.fixture
def netns() -> str:
    try:
        with namespace() as name:
            yield name
    except NamespaceRefused as exc:
        # The one reason to skip: the kernel refuses to create a namespace (no privilege, or disabled).
        pytest.skip(f"network namespaces are not permitted here, so no line-rate replay: {exc} "
                    f"(euid {os.geteuid()})")


def test_a_watch_at_line_rate_drops_nothing_and_finds_every_external_destination(netns: str, site: Site,
                                                                                 tmp_path: Path):
    ring, db = tmp_path / "ring", tmp_path / "linerate.db"
    watch = start_watch(netns, ring, db)
    try:
        sent = replay(netns, site.pcap, mbps=MBPS, loops=LOOPS)
    finally:
        code, out, err = stop_watch(watch)
    assert code == 0, err
    assert sent.mbps >= 100 and sent.failed == 0, sent
    assert sent.packets == LOOPS * site.truth["capture"]["packets"]
    counts = dumpcap_counts(err)
    assert counts is not None, err
    passed, dropped = counts
    assert dropped == 0, f"dumpcap dropped {dropped} of {passed} packets at {sent.mbps} Mbit/s"
    # every frame the filter keeps reached the watch (nothing lost where dumpcap cannot see it),
    # and only those: the kernel kept the video out, the traffic was mostly intra-site
    assert passed == LOOPS * kept_per_pass(site.pcap, tmp_path) < sent.packets * 0.1
    with open_store(db) as store:
        [run] = list_egress_runs(store)
        report = get_egress_report(store, run_id=run.id)
    assert report is not None and report.capture.source == "cam-capture"
    assert not any("dropped" in p for p in report.capture.problems), report.capture.problems
    found = {(d.address, x.address, x.port, x.transport) for d in report.devices for x in d.destinations}
    truth = {(d["address"], x["address"], x["port"], x["transport"])
             for d in site.truth["devices"] for x in d["destinations"]}
    assert truth and truth <= found, sorted(truth - found)
    assert found <= truth, sorted(found - truth)       # and nothing made up
