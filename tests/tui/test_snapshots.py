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


def test_runs_screen_two_sites(snap_compare, real_site_db, monkeypatch):
    """A second site's run: the Site column and the site filter appear; t picks the first site."""
    import datetime as dt

    from models.db import open_store
    from models.store import record_device_audit, record_run_finished, record_run_started
    from models.tables import RunOptions
    from tests.store.builders import hik_face_camera
    from tests.tui.builders import frozen_store_clock

    started = NOW - dt.timedelta(hours=2)
    with frozen_store_clock(monkeypatch, started), open_store(real_site_db) as store:
        run_id = record_run_started(store, targets=["10.30.0.0/24"], site="Northgate School", started=started,
                                    camaudit_version="0.1.0", pid=1, host="collector-2",
                                    options=RunOptions(concurrency=1, timeout_s=6.0, target_count=1))
        record_device_audit(store, run_id=run_id, audit=hik_face_camera(address="10.30.0.11"))
        record_run_finished(store, run_id=run_id, complete=True, finished=started + dt.timedelta(minutes=1))

    async def runs_of_default(pilot) -> None:
        await fleet_loaded(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(pilot.app.screen.query_one("#runs-table").records) == 4, what="runs")
        await pilot.press("t")

    assert snap_compare(app_for(real_site_db), terminal_size=(120, 24), run_before=runs_of_default)
