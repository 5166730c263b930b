"""SVG snapshots of every screen (pytest-textual-snapshot). Deterministic: the app's clock and the
store's clock are fixed, the cursor does not blink, the terminal size is fixed.

The database is the recorded school site of `tests/tui/builders.py` (two runs, six devices). When
tests/conftest.py offers a database filled by a real audit of the simulated fleet, these should
move to it. Update after looking at the SVGs: pytest tests/tui --snapshot-update.
"""

from __future__ import annotations

from tests.tui.builders import NOW
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.device import DeviceScreen


def app_for(school_db):
    return make_app(school_db, now=lambda: NOW, cursor_blink=False)


async def fleet_loaded(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.fleet is not None, what="the fleet")
    await pilot.pause()


async def device_open(pilot) -> None:
    await fleet_loaded(pilot)
    await pilot.press("slash", *"nvr", "enter", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DeviceScreen) and pilot.app.screen.view,
                     what="the device screen")
    await pilot.press("down", "down")               # face_recognition: on, with evidence


async def runs_compared(pilot) -> None:
    await fleet_loaded(pilot)
    await pilot.press("4")
    await wait_until(pilot, lambda: len(pilot.app.screen.query_one("#runs-table").records) == 3, what="runs")
    await pilot.press("down", "space", "down", "space", "c")
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#changes-table").records, what="the comparison")


def test_fleet_screen(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(120, 30), run_before=fleet_loaded)


def test_fleet_screen_small_terminal_filtered(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(80, 24), run_before=fleet_loaded, press=["b"])


def test_device_screen(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(120, 36), run_before=device_open)


def test_findings_screen(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(120, 30), run_before=fleet_loaded, press=["2"])


def test_egress_screen(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(100, 24), run_before=fleet_loaded, press=["3"])


def test_runs_screen(snap_compare, school_db):
    assert snap_compare(app_for(school_db), terminal_size=(120, 30), run_before=runs_compared)
