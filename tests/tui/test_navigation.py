"""Pilot tests over a recorded school site: fleet, filters, sorting, drill-down, findings, runs,
egress, export, help and the empty state. Each runs on SQLite and on PostgreSQL (the recorded site
copied row for row into a real PostgreSQL database)."""

from __future__ import annotations

import csv
import json

import pytest

from models.features import FEATURE_IDS
from tests.conftest import ENGINES
from tests.engines import copy_into
from tests.tui.builders import NOW
from tests.tui.helpers import shown_addresses, wait_until
from tui.app import make_app
from tui.data.egress import NOT_YET
from tui.screens.device import DeviceScreen
from tui.screens.dialogs import ExportDialog, HelpScreen

HIK, NVR, OEM, ANNKE, AXIS, LOST = ("10.20.0.11", "10.20.0.50", "10.20.0.12", "10.20.0.99:8080", "10.20.0.60",
                                    "10.20.0.70")


@pytest.fixture(params=ENGINES)
def school_app(request, school_db):
    """The recorded school site, in the engine this test run is for."""
    db = school_db if request.param == "sqlite" else copy_into(school_db, request.getfixturevalue("pg_url"))
    return make_app(db, now=lambda: NOW, cursor_blink=False)


def text_of(app, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def loaded(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.fleet is not None and pilot.app.screen.query("#fleet-table")
                     and pilot.app.screen.query_one("#fleet-table").records, what="the fleet rows")


async def test_fleet_shows_one_row_per_device_with_flags_and_counts(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        assert sorted(shown_addresses(school_app)) == sorted([HIK, NVR, OEM, ANNKE, AXIS, LOST])
        rows = {r.label: r for r in school_app.screen.query_one("#fleet-table").records}
        assert rows[HIK].biometric is True and "face_capture" in rows[HIK].enabled
        assert rows[OEM].oem is True and rows[OEM].maker == "Dahua" and rows[OEM].brand == "Honeywell"
        assert rows[AXIS].biometric is False and sorted(rows[AXIS].enabled) == ["line_crossing", "people_counting"]
        assert rows[ANNKE].biometric is None            # auth failed: unknown, never "no"
        assert rows[LOST].reachable is False
        title = text_of(school_app, "#title")
        assert "6 devices" in title and "1 rebadged" in title and "3 biometric on" in title
        assert "biometric on 3" in text_of(school_app, "#quick-biometric")
        assert "unreachable 1" in text_of(school_app, "#quick-unreachable")


async def test_quick_filters_and_text_filter_change_the_rows(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("b")
        assert sorted(shown_addresses(school_app)) == sorted([HIK, NVR, OEM])
        await pilot.press("b", "h")
        assert sorted(shown_addresses(school_app)) == sorted([HIK, NVR, OEM, LOST])
        await pilot.press("p")                          # Hikvision/Dahua AND phones home (settings or egress)
        assert sorted(shown_addresses(school_app)) == sorted([HIK, NVR, OEM])
        assert "showing 3 of 6" in text_of(school_app, "#title")
        await pilot.press("h")                          # phones home alone: the Axis only talks to the site
        assert AXIS not in shown_addresses(school_app) and len(shown_addresses(school_app)) == 3
        await pilot.press("h")
        await pilot.press("escape")
        assert len(shown_addresses(school_app)) == 6
        await pilot.click("#quick-unreachable")         # the mouse works too
        assert shown_addresses(school_app) == [LOST]
        await pilot.press("escape", "slash", *"dahua")
        assert sorted(shown_addresses(school_app)) == sorted([NVR, OEM])
        await pilot.press("enter")                      # back to the table, filter kept
        assert school_app.focused is school_app.screen.query_one("#fleet-table")
        await pilot.press("escape", "slash", *"nosuch")
        assert shown_addresses(school_app) == []
        assert "No device matches" in text_of(school_app, "#fleet-empty")


async def test_columns_sort_by_key_and_by_clicking_the_header(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        table = school_app.screen.query_one("#fleet-table")
        for _ in range(7):                              # address, sold as, maker, bio, on, remote, egress -> worst
            await pilot.press("right")
        await pilot.press("s")
        assert [r.worst for r in table.records[:3]] == ["critical", "high", "medium"]
        await pilot.press("s")                          # again: reversed
        assert table.records[-1].worst == "critical"
        await pilot.click("#fleet-table", offset=(2, 0))   # the Address header
        assert shown_addresses(school_app)[:2] == [HIK, OEM]
        assert table.sort_state == ("address", False)
        await pilot.click("#fleet-table", offset=(2, 2))   # the second row: highlighted ...
        assert table.current.label == OEM and isinstance(school_app.screen, type(table.screen))
        await pilot.click("#fleet-table", offset=(2, 2))   # ... and opened by a second click
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen), what="the device screen")
        assert school_app.screen.device_id == table.current.device_id


async def test_drill_down_to_a_device_its_evidence_and_history(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"recep", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the device screen")
        screen = school_app.screen
        assert screen.view.audit.address == HIK
        assert "made by Hikvision" in text_of(school_app, "#title")
        matrix = screen.query_one("#matrix")
        assert matrix.row_count == len(FEATURE_IDS)
        await pilot.press("down")                       # face_detection -> face_capture
        evidence = text_of(school_app, "#matrix-evidence")
        assert "Face capture (face_capture)" in evidence and "<enabled>true</enabled>" in evidence
        await pilot.press("right_square_bracket")       # Identity
        assert "GET /ISAPI/System/deviceInfo 200" in text_of(school_app, "#identity")
        await pilot.press("left_square_bracket", "left_square_bracket")   # wraps round to History
        assert screen.query_one("#device-tabs").active == "history-tab"
        history = screen.query_one("#history")
        lines = [str(history.get_row_at(i)[1]) for i in range(history.row_count)]
        assert "Face capture switched on between run 1 and run 2" in lines
        assert "Firmware changed from V5.5.0 to V5.7.3." in lines
        await pilot.press("escape")
        assert type(school_app.screen).__name__ == "FleetScreen"


async def test_recorder_channels_and_remote_access(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"nvr", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the NVR's device screen")
        channels = school_app.screen.query_one("#channel-matrix")
        assert [str(c.label) for c in channels.columns.values()] == ["Feature", "ch1", "ch2", "ch16"]
        assert str(channels.get_row("face_recognition")[1]) == "yes"
        remote = school_app.screen.query_one("#remote")
        assert str(remote.get_row("dahua_p2p")[1]) == "yes" and str(remote.get_row("auto_register")[1]) == "?"
        assert "1 external destination(s) in egress run 1, 0 unknown" in text_of(school_app, "#egress-note")
        egress = school_app.screen.query_one("#device-egress")
        # Label, located in, network owner (none in this hand-built run), destination
        assert [str(c) for c in egress.get_row_at(0)[:4]] == ["vendor-cloud", "US*", "?", "www.easy4ipcloud.com"]
        assert "(capture linked to this device by MAC)" in text_of(school_app, "#egress-note")


async def test_findings_screen_lists_every_finding_by_severity_and_opens_the_device(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("2")
        table = school_app.screen.query_one("#findings-table")
        assert [f.severity for _, f in table.records] == ["critical", "high", "medium", "medium", "medium",
                                                          "medium", "info"]
        assert {(row.label, f.source) for row, f in table.records if f.finding.startswith("egress-")} == {
            (OEM, "egress")}                            # egress findings of the latest capture join the list
        assert "7 on 3 device(s)" in text_of(school_app, "#title")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the device of the critical finding")
        assert school_app.screen.view.audit.address == NVR


async def test_runs_screen_compares_two_runs(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("4")
        runs = school_app.screen.query_one("#runs-table")
        await wait_until(pilot, lambda: len(runs.records) == 3, what="two audit runs and an egress run")
        assert [(r.kind, r.id) for r in runs.records] == [("egress", 1), ("audit", 2), ("audit", 1)]
        await pilot.press("space", "down", "space", "c")   # an egress run and an audit run: refused
        assert not school_app.screen.query_one("#changes-table").records
        await pilot.press("down", "space", "c")          # the last two marked: audit runs 2 and 1
        changes = school_app.screen.query_one("#changes-table")
        await wait_until(pilot, lambda: changes.records, what="the comparison")
        texts = {(c.device, c.text) for c in changes.records}
        assert ("Reception (10.20.0.11:80)", "Face capture switched on.") in texts
        relevant = {c.subject for c in changes.records if c.relevant}
        assert {"face_capture", "face_library"} <= relevant
        assert "Egress not compared" in text_of(school_app, "#compare-title")


async def test_egress_screen_groups_destinations_by_label_and_opens_the_device(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        fleet = {r.label: r for r in school_app.screen.query_one("#fleet-table").records}
        assert (fleet[OEM].egress_unknown, fleet[HIK].egress_calls_home, fleet[AXIS].egress_unknown) == (2, 1, 0)
        assert fleet[ANNKE].egress_unknown is None      # no capture covered it: "-", not "none"
        await pilot.press("3")
        table = school_app.screen.query_one("#egress-table")
        assert [(e.label, e.dest.country) for e in table.records] == [
            ("unknown", "CN"), ("unknown", "IE"), ("public-ntp", "NL"), ("vendor-cloud", "DE"), ("vendor-cloud", "US")]
        assert "2 unknown" in text_of(school_app, "#title")
        await pilot.press("enter")                      # the unknown server in China -> the rebadged camera
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the device of the destination")
        assert school_app.screen.view.audit.address == OEM


async def test_export_writes_the_filtered_view_as_csv_and_json(school_app, tmp_path):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("b", "e")
        assert isinstance(school_app.screen, ExportDialog)
        school_app.screen.query_one("#path").value = str(tmp_path / "bio.csv")
        await pilot.press("enter")
        await wait_until(pilot, lambda: (tmp_path / "bio.csv").exists(), what="the CSV file")
        await pilot.press("e")
        school_app.screen.query_one("#path").value = str(tmp_path / "bio.json")
        await pilot.press("enter")
        await wait_until(pilot, lambda: (tmp_path / "bio.json").exists(), what="the JSON file")
    with (tmp_path / "bio.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert sorted(r["address"] for r in rows) == sorted([HIK, NVR, OEM])
    document = json.loads((tmp_path / "bio.json").read_text())
    assert {d["address"]: d["biometric"] for d in document}[HIK] == ["face_capture"]


async def test_help_screen_opens_and_closes(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(school_app.screen, HelpScreen)
        assert "biometric on" in text_of(school_app, "#help-text")
        await pilot.press("escape")
        assert type(school_app.screen).__name__ == "FleetScreen"


@pytest.mark.parametrize("engine", ENGINES)
async def test_empty_database_says_what_to_run_first(request, tmp_path, engine):
    db = tmp_path / "new.db" if engine == "sqlite" else request.getfixturevalue("pg_url")
    app = make_app(db, now=lambda: NOW, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the empty fleet")
        await pilot.pause()
        message = text_of(app, "#fleet-empty")
        assert f"No devices in {'new.db' if engine == 'sqlite' else app.store.path.name} yet" in message
        assert "Press a to audit" in message
        assert app.screen.query_one("#fleet-table").display is False
        await pilot.press("2")
        assert "No audits yet" in text_of(app, "#findings-empty")
        await pilot.press("3")
        assert NOT_YET in text_of(app, "#egress-empty")
        assert app.screen.query_one("#egress-table").display is False
        await pilot.press("4")
        await wait_until(pilot, lambda: "No runs yet" in text_of(app, "#runs-empty"), what="the runs empty state")


async def test_small_terminal_keeps_the_essentials_in_view(school_app):
    async with school_app.run_test(size=(80, 24)) as pilot:
        await loaded(pilot)
        table = school_app.screen.query_one("#fleet-table")
        assert table.region.height >= 10 and table.region.width == 80
        assert school_app.screen.query_one("#quick-unreachable").region.right <= 80   # all quick filters fit
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the device screen")
        matrix = school_app.screen.query_one("#matrix")
        assert matrix.region.height >= 5 and school_app.screen.query_one("#matrix-evidence").region.height >= 3
