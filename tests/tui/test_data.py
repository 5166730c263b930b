"""The read side without the UI: egress runs compared through drift, fleet rows at the edges."""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.db import open_store
from models.egress.store import record_egress_device, record_egress_run_finished, record_egress_run_started
from models.egress.values import EgressCapture
from tests.tui.builders import EGRESS_START, _dest, egress_devices
from tui.data.changes import compare_egress_runs
from tui.data.fleet import apply_filter, load_fleet


def test_two_egress_runs_compare_by_destination(school_db):
    later = EGRESS_START + dt.timedelta(days=1)
    devices = {d.address: d for d in egress_devices()}
    hik = devices["10.20.0.11"]
    hik.destinations = [*hik.destinations, _dest("8.8.4.4", 9000, "unknown", "US", None)]
    devices["10.20.0.12"] = dataclasses.replace(devices["10.20.0.12"], destinations=[])   # quiet now
    del devices["10.20.0.50"]                                                            # not captured
    with open_store(school_db) as store:
        run = record_egress_run_started(store, kind="file", source="later.pcap", site_networks=["10.20.0.0/24"],
                                        started=later)
        for device in devices.values():
            record_egress_device(store, run_id=run, device=device)
        record_egress_run_finished(store, run_id=run, complete=True, capture=EgressCapture(
            "file", "later.pcap", 10, 1000, later, later + dt.timedelta(minutes=5)))
        drift = compare_egress_runs(store, 1, run)
    by_kind = {(c.kind, c.device.split(" (")[0]): c for c in drift.changes}
    new = by_kind["destination-new", "Reception"]
    assert new.relevant and "8.8.4.4:9000/tcp" in new.subject           # a new unknown destination matters
    assert ("destination-gone", "Gate") in by_kind                      # the rebadged camera went quiet
    assert "in egress run 1 only" in by_kind["device-removed", "NVR server room"].text
    assert not any(c.kind.startswith(("feature", "identity", "firmware")) for c in drift.changes)


def test_text_filter_matches_every_word_anywhere_in_the_row(school_db):
    with open_store(school_db) as store:
        rows = load_fleet(store).rows
    assert [r.address for r in apply_filter(rows, "dahua oem", ())] == ["10.20.0.12"]
    assert [r.address for r in apply_filter(rows, "FACE_CAPTURE", ())] == ["10.20.0.11"]   # enabled feature ids
    assert apply_filter(rows, "hikvision", ["unreachable"])[0].address == "10.20.0.70"
