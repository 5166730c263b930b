"""SVG snapshots of every screen (pytest-textual-snapshot), from a database filled by real audits
of the simulated fleet and a real egress analysis of its traffic (tests/tui/real_site.py).

Deterministic: addresses, moved ports, probe durations and every clock (the app's, the store's,
the runs') are pinned; the cursor does not blink; the terminal size is fixed. After a deliberate
change, look at the SVGs, then: pytest tests/tui --snapshot-update.
"""

from __future__ import annotations

from tests.tui.builders import NOW
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.device import DeviceScreen


def app_for(db):
    return make_app(db, now=lambda: NOW, cursor_blink=False)


async def fleet_loaded(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.fleet is not None, what="the fleet")
    await pilot.pause()


async def device_open(pilot) -> None:
    """The Hikvision school camera: face capture switched on since run 1; its evidence highlighted."""
    await fleet_loaded(pilot)
    await pilot.press("slash", *"10.20.0.11", "enter", "enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, DeviceScreen) and pilot.app.screen.view,
                     what="the device screen")
    await pilot.press("down")                       # face_capture


async def device_history(pilot) -> None:
    await device_open(pilot)
    await pilot.press("left_square_bracket")        # wraps round to History


async def runs_compared(pilot) -> None:
    await fleet_loaded(pilot)
    await pilot.press("4")
    await wait_until(pilot, lambda: len(pilot.app.screen.query_one("#runs-table").records) == 3, what="runs")
    await pilot.press("down", "space", "down", "space", "c")    # audit runs 2 and 1
    await wait_until(pilot, lambda: pilot.app.screen.query_one("#changes-table").records, what="the comparison")


def test_fleet_screen(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(120, 30), run_before=fleet_loaded)


def test_fleet_screen_small_terminal_filtered(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(80, 24), run_before=fleet_loaded, press=["h", "p"])


def test_device_screen(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(120, 36), run_before=device_open)


def test_device_history(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(100, 24), run_before=device_history)


def test_findings_screen(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(120, 30), run_before=fleet_loaded, press=["2"])


def test_egress_screen(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(120, 30), run_before=fleet_loaded, press=["3"])


def test_runs_screen(snap_compare, real_site_db):
    assert snap_compare(app_for(real_site_db), terminal_size=(120, 30), run_before=runs_compared)
