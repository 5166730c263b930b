"""Starting work from the TUI: an audit of simulated devices, user errors in the modal, the CLI entry."""

from __future__ import annotations

import shutil

import pytest

from auditor.cli import build_parser
from auditor.commands.tui import OrchestratorServices, cmd_tui
from auditor.run.orchestrator import AuditOptions
from auditor.run.targets import parse_targets
from device_simulators import bundled_profiles
from device_simulators.egress.site import write_site_capture
from models.db import open_store
from models.errors import TargetError
from models.store import list_runs
from tests.tui.builders import NOW
from tests.tui.helpers import shown_addresses, wait_until
from tui.app import make_app
from tui.screens.dialogs import AuditDialog, EgressDialog, ErrorModal


def audit_app(db, **options):
    return make_app(db, services=OrchestratorServices(AuditOptions(concurrency=4), **options), now=lambda: NOW,
                    cursor_blink=False)


async def start_audit(pilot, targets: str, user: str = "", password: str = "") -> None:
    await pilot.press("a")
    assert isinstance(pilot.app.screen, AuditDialog)
    pilot.app.screen.query_one("#targets").value = targets
    pilot.app.screen.query_one("#user").value = user
    pilot.app.screen.query_one("#password").value = password
    await pilot.click("#ok")


@pytest.mark.slow
async def test_audit_started_from_the_tui_fills_the_fleet_as_devices_finish(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet", "dahua-wizmind-face")
    hik = fleet["hik-school-bullet"]
    account = hik.profile.accounts[0]
    db = tmp_path / "audit.db"
    app = audit_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the empty fleet")
        assert shown_addresses(app) == []
        await start_audit(pilot, " ".join(d.address for d in fleet), account.user, account.password)
        await wait_until(pilot, lambda: app.auditing and app.work_status, what="the audit to start")
        assert "x cancels" in app.work_status or "Finding devices" in app.work_status
        assert str(app.screen.query_one("WorkStatus").render()) == app.work_status   # progress is on screen
        await wait_until(pilot, lambda: not app.auditing, timeout=90, what="the audit to finish")
        await wait_until(pilot, lambda: len(shown_addresses(app)) == 2, what="two rows")
        rows = {r.address: r for r in app.screen.query_one("#fleet-table").records}
        assert set(rows) == {d.address for d in fleet}
        assert "face_capture" in rows[hik.address].enabled          # the account worked on the Hikvision
        assert rows[hik.address].maker == "Hikvision"
    with open_store(db) as store:
        runs = list_runs(store)
    assert len(runs) == 1 and runs[0].complete and runs[0].device_count == 2
    assert account.password.encode() not in b"".join(p.read_bytes() for p in tmp_path.glob("audit.db*"))


async def test_a_bad_target_shows_the_cli_sentence_in_the_error_modal(tmp_path):
    with pytest.raises(TargetError) as expected:
        parse_targets(["10.0.0.0/33"])
    app = audit_app(tmp_path / "e.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await start_audit(pilot, "10.0.0.0/33")
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorModal), what="the error modal")
        assert str(app.screen.query_one("#error-message").render()) == expected.value.message
        assert app.screen.error.title == "Invalid target"
        await wait_until(pilot, lambda: not app.auditing, what="the failed audit to be over")
        await pilot.press("enter")
        assert type(app.screen).__name__ == "FleetScreen"
        assert app.work_status == ""                                   # no stale progress line
    with open_store(tmp_path / "e.db") as store:
        assert list_runs(store) == []                                   # nothing was recorded


async def test_the_audit_dialog_refuses_empty_targets_without_starting_anything(tmp_path):
    app = audit_app(tmp_path / "d.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await start_audit(pilot, "   ")
        assert isinstance(app.screen, ErrorModal)
        assert "No target was given" in str(app.screen.query_one("#error-message").render())
        assert not app.auditing


def test_camaudit_tui_is_a_subcommand_with_a_db_option(tmp_path):
    args = build_parser().parse_args(["tui", "--db", str(tmp_path / "x.db")])
    assert args.func is cmd_tui and args.db == tmp_path / "x.db"


@pytest.mark.needs_tshark
@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark is not installed")
async def test_egress_analysis_started_from_the_tui_lists_destinations(tmp_path):
    capture = tmp_path / "site.pcap"
    write_site_capture(capture, bundled_profiles(), packets=3_000, seed=7)   # the simulated site's traffic
    app = audit_app(tmp_path / "g.db")
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await pilot.press("3", "n")
        assert isinstance(app.screen, EgressDialog)
        app.screen.query_one("#capture").value = str(capture)
        await pilot.click("#ok")
        await wait_until(pilot, lambda: app.fleet.egress.available and not app.working, timeout=60,
                         what="the egress run")
        table = app.screen.query_one("#egress-table")
        await wait_until(pilot, lambda: table.records, what="destinations on the Egress screen")
        labels = {e.label for e in table.records}
        assert {"vendor-cloud", "unknown"} <= labels and "site" not in labels
        assert any(e.destination == "litedev.hik-connect.com" for e in table.records)
        assert table.records[0].unknown                 # unknown destinations sort first
        assert "unknown" in str(app.screen.query_one("#title").render())


async def test_a_missing_capture_file_is_refused_in_the_modal(tmp_path):
    app = audit_app(tmp_path / "m.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await pilot.press("3", "n")
        app.screen.query_one("#capture").value = str(tmp_path / "nope.pcap")
        await pilot.press("enter")
        assert isinstance(app.screen, ErrorModal)
        message = str(app.screen.query_one("#error-message").render())
        assert message == f"The capture file {tmp_path}/nope.pcap does not exist."
        assert not app.working


async def test_quitting_while_an_audit_runs_asks_first_and_then_stops_it(start_fleet, tmp_path):
    import dataclasses

    from device_simulators import bundled_profile
    from device_simulators.profile import Quirk
    from tui.screens.dialogs import QuitDialog

    base = bundled_profile("hik-school-bullet")
    # 3 s per answer: on a loaded machine (load 40+ on 2 cores) a 1.5 s device finished before the quit.
    slow = dataclasses.replace(base, quirks=(*base.quirks, Quirk("slow_endpoints", {"paths": ["/"], "delay": 3.0})))
    fleet = start_fleet(slow)
    db = tmp_path / "quit.db"
    app = audit_app(db, discover=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await start_audit(pilot, fleet.devices[0].address)
        await wait_until(pilot, lambda: app.auditing, what="the audit to start")
        app.screen.query_one("#fleet-table").focus()   # q in the filter box is a letter, not Quit
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), what="the quit question")
        await pilot.press("escape")                    # keep working: nothing stopped
        await wait_until(pilot, lambda: not isinstance(app.screen, QuitDialog), what="the dialog to close")
        assert app.is_running and app.auditing
        await pilot.press("q")
        await wait_until(pilot, lambda: isinstance(app.screen, QuitDialog), what="the quit question again")
        await pilot.click("#ok")
        await wait_until(pilot, lambda: not app.is_running, timeout=30, what="the app to quit")
    with open_store(db) as store:
        (run,) = list_runs(store)
    assert not run.complete                            # stopped by quitting: kept as interrupted


async def test_quitting_when_idle_needs_no_question(tmp_path):
    app = audit_app(tmp_path / "idle.db")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")
