"""The runs screen on a store with two sites: a Site column, a site filter stepped with `t`, and
`camaudit tui --site` (make_app(site=...)) preselecting it. One site: neither is shown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from models.db import open_store
from models.store import record_device_audit, record_run_finished, record_run_started
from models.tables import RunOptions
from tests.store.builders import hik_face_camera
from tests.tui.builders import NOW
from tests.tui.helpers import shown_addresses, wait_until
from tui.app import make_app
from tui.widgets.filters import SiteChip, SiteFilter

SITE = "Northgate [b]School"   # square brackets: a name, not markup


@pytest.fixture
def two_sites(school_db: Path) -> Path:
    """The school site ("default": audit runs 1 and 2, its egress run 1) plus run 3 at Northgate."""
    started = NOW - dt.timedelta(hours=1)
    with open_store(school_db) as store:
        run_id = record_run_started(store, targets=["10.30.0.0/24"], site=SITE, started=started,
                                    options=RunOptions(concurrency=1, timeout_s=6.0, target_count=1))
        record_device_audit(store, run_id=run_id, audit=hik_face_camera(
            address="10.30.0.11", serial="DS-2CD7A46G0P-IZHS20220614AAWRG5555", mac="44:19:b6:55:55:55"))
        record_run_finished(store, run_id=run_id, complete=True, finished=started + dt.timedelta(minutes=1))
    return school_db


async def runs_open(pilot, count: int) -> None:
    await wait_until(pilot, lambda: pilot.app.fleet is not None, what="the fleet")
    await pilot.press("4")
    await wait_until(pilot, lambda: pilot.app.screen.query("#runs-table")
                     and len(pilot.app.screen.query_one("#runs-table").records) == count, what=f"{count} runs")


def keys(app) -> list[str]:
    return [r.key for r in app.screen.query_one("#runs-table").records]


def chips(app) -> dict[str, bool]:
    return {str(c.render()): c.has_class("-active") for c in app.screen.query(SiteChip)}


def title(app) -> str:
    return str(app.screen.query_one("#title").render())


async def test_two_sites_show_a_site_column_and_t_steps_through_the_sites(two_sites):
    app = make_app(two_sites, now=lambda: NOW, cursor_blink=False, poll_s=0)
    async with app.run_test(size=(120, 30)) as pilot:
        await runs_open(pilot, 4)
        table = app.screen.query_one("#runs-table")
        assert [c.key for c in table.columns][:3] == ["mark", "kind", "site"]
        assert {r.key: table.columns[2].plain(r) for r in table.records} == {
            "audit-3": SITE, "audit-2": "default", "audit-1": "default", "egress-1": "default"}
        assert app.screen.query_one(SiteFilter).display
        assert chips(app) == {"all sites 4": True, "default 3": False, f"{SITE} 1": False}

        await pilot.press("t")
        assert keys(app) == ["egress-1", "audit-2", "audit-1"] and chips(app)["default 3"]
        assert "at site default" in title(app) and "2 audit run(s) · 1 egress run(s)" in title(app)
        await pilot.press("t")
        assert keys(app) == ["audit-3"] and chips(app)[f"{SITE} 1"]
        await pilot.press("slash", *"nothing-like-this")      # the text filter works within the site
        assert keys(app) == []
        await pilot.press("escape")
        assert keys(app) == ["audit-3"]
        await pilot.press("t")
        assert len(keys(app)) == 4 and chips(app)["all sites 4"]


async def test_the_site_option_preselects_the_site_on_the_runs_screen(two_sites):
    app = make_app(two_sites, now=lambda: NOW, cursor_blink=False, poll_s=0, site=SITE)
    async with app.run_test(size=(120, 30)) as pilot:
        # The table fills a message after the fleet is read (failed once on a loaded CI machine).
        await wait_until(pilot, lambda: pilot.app.fleet is not None and shown_addresses(app), what="the fleet rows")
        assert shown_addresses(app) == ["10.30.0.11"]             # the fleet: that site's devices
        await runs_open(pilot, 1)
        assert keys(app) == ["audit-3"] and chips(app)[f"{SITE} 1"]
        assert f"at site {SITE}" in title(app)
        await pilot.press("t")                                   # the user may still look at every site
        assert len(keys(app)) == 4


async def test_one_site_shows_neither_column_nor_filter(school_db):
    app = make_app(school_db, now=lambda: NOW, cursor_blink=False, poll_s=0)
    async with app.run_test(size=(120, 30)) as pilot:
        await runs_open(pilot, 3)
        assert "site" not in [c.key for c in app.screen.query_one("#runs-table").columns]
        assert not app.screen.query_one(SiteFilter).display
        await pilot.press("t")
        assert len(keys(app)) == 3
