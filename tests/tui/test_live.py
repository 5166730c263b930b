"""An open TUI notices runs another process writes: the fleet and runs screens update by themselves,
keeping the user's selection, filters and sort, and say what came in. On SQLite and on PostgreSQL;
the other collector is a real separate process (tests/tui/foreign_writer.py)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from tests.conftest import ENGINES
from tests.engines import copy_into
from tests.tui.builders import NOW
from tests.tui.helpers import shown_addresses, wait_until
from tui.app import make_app
from tui.widgets.filters import FilterBar

ROOT = Path(__file__).resolve().parents[2]
NEW = "10.20.0.13"          # the camera the other collector audits
NVR, LOST = "10.20.0.50", "10.20.0.70"
POLL_S = 0.2
WAIT_S = 60.0               # generous: the machine may be loaded; the waits end as soon as the screen shows it


@pytest.fixture(params=ENGINES)
def live_db(request, school_db) -> str:
    """The recorded school site, in the engine this test run is for."""
    return str(school_db) if request.param == "sqlite" else copy_into(school_db, request.getfixturevalue("pg_url"))


class Collector:
    """The other process: started with one device recorded into a run it keeps open until `finish`."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.run_id: int | None = None

    async def said(self, word: str) -> int:
        line = await asyncio.wait_for(asyncio.to_thread(self.process.stdout.readline), WAIT_S)  # type: ignore[union-attr]
        if not line.startswith(word):
            self.process.kill()
            raise AssertionError(f"the other collector said {line!r}: {self.process.stderr.read()}")  # type: ignore[union-attr]
        return int(line.split()[1])

    async def finish(self) -> None:
        self.process.stdin.write("finish\n")   # type: ignore[union-attr]
        self.process.stdin.flush()             # type: ignore[union-attr]
        await self.said("finished")


@asynccontextmanager
async def other_collector(db: str, address: str = NEW) -> AsyncIterator[Collector]:
    process = subprocess.Popen([sys.executable, "-m", "tests.tui.foreign_writer", db, address], cwd=ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    collector = Collector(process)
    try:
        collector.run_id = await collector.said("started")
        yield collector
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


async def fleet_shown(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.screen.query("#fleet-table")
                     and pilot.app.screen.query_one("#fleet-table").records, timeout=WAIT_S, what="the fleet rows")


async def test_the_fleet_shows_another_collectors_device_keeping_selection_filter_and_sort(live_db):
    app = make_app(live_db, now=lambda: NOW, cursor_blink=False, poll_s=POLL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await fleet_shown(pilot)
        table = app.screen.query_one("#fleet-table")
        await pilot.press("h")                                  # Hikvision/Dahua incl. OEM: 4 of 6
        await pilot.press("right", "s")                         # sort by "Sold as"
        for _ in range(6):                                      # select the car-park camera
            if table.current.label == LOST:
                break
            await pilot.press("down")
        assert table.current.label == LOST and len(shown_addresses(app)) == 4 and NEW not in shown_addresses(app)

        async with other_collector(live_db):                    # no key pressed from here on
            await wait_until(pilot, lambda: NEW in shown_addresses(app), timeout=WAIT_S, what="the new camera")
            assert table.current.label == LOST                  # selection kept although a row came in
            assert table.sort_state == ("brand", False)
            assert app.screen.query_one(FilterBar).active == {"hik_dahua"}
            assert len(shown_addresses(app)) == 5               # the new Hikvision camera matches the filter
            assert "showing 5 of 7 devices" in str(app.screen.query_one("#title").render())
            await wait_until(pilot, lambda: "1 new run from another collector." in notices(app),
                             timeout=WAIT_S, what="the notice")


async def test_the_runs_screen_shows_another_collectors_run_running_then_complete(live_db):
    app = make_app(live_db, now=lambda: NOW, cursor_blink=False, poll_s=POLL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await fleet_shown(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(app.screen.query_one("#runs-table").records) == 3,
                         timeout=WAIT_S, what="the runs")
        table = app.screen.query_one("#runs-table")
        await pilot.press("slash", *"audit", "enter", "down")   # audit runs only; select run 1
        assert [r.key for r in table.records] == ["audit-2", "audit-1"] and table.current.key == "audit-1"

        def line(key: str):
            return next((r for r in table.records if r.key == key), None)

        async with other_collector(live_db) as collector:      # no key pressed from here on
            key = f"audit-{collector.run_id}"
            # The run may show first without its device (written just after it): wait for both.
            await wait_until(pilot, lambda: line(key) is not None and line(key).devices == 1, timeout=WAIT_S,
                             what="the other run and its device")
            assert line(key).status == "running"
            assert table.current.key == "audit-1"               # selection and filter kept
            assert app.screen.filter_text == "audit"
            assert [r.key for r in table.records] == [key, "audit-2", "audit-1"]

            await collector.finish()
            await wait_until(pilot, lambda: line(key).status == "complete", timeout=WAIT_S,
                             what="the other run finished")
            assert table.current.key == "audit-1"
            await wait_until(pilot, lambda: "A run from another collector finished." in notices(app),
                             timeout=WAIT_S, what="the notice")
        assert "1 new run from another collector." in notices(app)


async def test_no_polling_while_the_apps_own_work_writes(school_db):
    """While the app's own audit runs it does not look: what changes then is its own doing."""
    app = make_app(school_db, now=lambda: NOW, cursor_blink=False, poll_s=POLL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await fleet_shown(pilot)
        seen = app.store_version
        app.audit_cancel = threading.Event()   # the app believes its own audit runs
        async with other_collector(str(school_db)):
            for _ in range(10):
                await pilot.pause(POLL_S)
            assert app.store_version == seen and NEW not in shown_addresses(app)
            app.audit_cancel = None
            await wait_until(pilot, lambda: NEW in shown_addresses(app), timeout=WAIT_S, what="the new camera")


async def test_another_collectors_run_reads_interrupted_once_its_process_is_killed(school_db):
    """Nothing is written when a collector is killed: the open runs screen still stops calling it running."""
    app = make_app(school_db, now=lambda: NOW, cursor_blink=False, poll_s=POLL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await fleet_shown(pilot)
        await pilot.press("4")
        table = app.screen.query_one("#runs-table")
        async with other_collector(str(school_db)) as collector:
            key = f"audit-{collector.run_id}"

            def status() -> str | None:
                return next((f"{r.status} {r.devices}" for r in table.records if r.key == key), None)

            # All it writes is on screen (its device too), so only the look at run states can change it now.
            await wait_until(pilot, lambda: status() == "running 1", timeout=WAIT_S, what="the other run running")
            collector.process.kill()
            await asyncio.to_thread(collector.process.wait)    # reaped: its pid is gone
            await wait_until(pilot, lambda: status() == "interrupted 1", timeout=WAIT_S, what="the run interrupted")


async def test_a_real_camaudit_audit_of_another_site_shows_up_with_a_site_column(start_fleet, school_db, tmp_path):
    """`camaudit audit --site` in another process against a simulated camera on loopback: the open runs
    screen gains the run, and with it a second site, so the Site column and the site filter appear."""
    from tests.audit.test_cli import write_credentials
    from tui.widgets.filters import SiteFilter

    fleet = start_fleet("hik-school-bullet")
    camera = fleet["hik-school-bullet"]
    creds = tmp_path / "creds.toml"
    env = write_credentials(creds, fleet)
    app = make_app(school_db, now=lambda: NOW, cursor_blink=False, poll_s=POLL_S)
    async with app.run_test(size=(120, 40)) as pilot:
        await fleet_shown(pilot)
        await pilot.press("4")
        await wait_until(pilot, lambda: len(app.screen.query_one("#runs-table").records) == 3, what="the runs")
        table = app.screen.query_one("#runs-table")
        assert "site" not in [c.key for c in table.columns] and not app.screen.query_one(SiteFilter).display
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "auditor.cli", "audit", camera.address, "--no-discover", "--credentials",
            str(creds), "--db", str(school_db), "--site", "Northgate School", "--json", cwd=ROOT,
            env={**os.environ, **env}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        _, stderr = await asyncio.wait_for(process.communicate(), WAIT_S * 2)
        assert process.returncode == 0, stderr.decode()

        def northgate():
            return [r for r in table.records if r.site == "Northgate School"]

        await wait_until(pilot, lambda: northgate() and northgate()[0].status == "complete", timeout=WAIT_S,
                         what="the other site's run")
        assert northgate()[0].devices == 1 and len(table.records) == 4
        assert "site" in [c.key for c in table.columns] and app.screen.query_one(SiteFilter).display
        assert camera.address in [r.address for r in app.fleet.rows]
