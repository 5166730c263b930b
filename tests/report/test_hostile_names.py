"""Hostile device names read the same, and stay inert, in every place camaudit shows them: a Latin-1
name sent as "UTF-8" (the honeywell-dahua-oem invalid_utf8 quirk), an operator's HTML/script/formula
name, and a 10,000-character name. Invalid bytes are visible \\xNN escapes, never U+FFFD."""

from __future__ import annotations

import asyncio
import copy
import csv
import dataclasses
import io
import json
import shutil

import pytest

from auditor.report import render
from auditor.report.markdown import md
from auditor.report.pack import PackOptions
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.device import DeviceScreen

from .site import HOSTILE_NAME
from .test_chromium import CHROMIUM, chromium, console_errors
from .test_cli import camaudit

LONG = "Cam " + "x" * 9_990 + " end"


def _latin1(report, site):
    return next(d for d in report.devices if d.audit.address == site.addresses["honeywell-dahua-oem"])


def test_the_latin1_name_is_stored_with_visible_escapes(report, site):
    name = _latin1(report, site).audit.name
    assert name.startswith("Salle r\\xe9union") and "\ufffd" not in name


def test_every_format_shows_the_same_name(report, site):
    name = _latin1(report, site).audit.name
    assert name in render(report, "html") and name in render(report, "csv", table="devices")
    assert md(name) in render(report, "md")
    assert name in {d["audit"]["name"] for d in json.loads(render(report, "json"))["devices"]}
    for fmt in ("html", "md", "json", "csv"):
        assert "\ufffd" not in render(report, fmt), fmt


def test_diff_shows_the_same_name(site):
    done = camaudit("diff", "--db", str(site.db))
    assert "Salle r\\xe9union" in done.stdout and "\ufffd" not in done.stdout, done.stdout[-2000:]


def test_the_tui_shows_the_same_name(report, site, tmp_path):
    db = tmp_path / "site.db"
    shutil.copyfile(site.db, db)
    asyncio.run(_tui_identity(db, _latin1(report, site).audit.name))


async def _tui_identity(db, name: str) -> None:
    app = make_app(db, cursor_blink=False)
    async with app.run_test(size=(140, 44)) as pilot:
        await wait_until(pilot, lambda: app.screen.query("#fleet-table") and app.screen.query_one("#fleet-table")
                         .records, what="the fleet rows")
        await pilot.press("slash", *"Honeywell", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DeviceScreen) and app.screen.view,
                         what="the device screen")
        await pilot.press("right_square_bracket")       # Identity
        shown = str(app.screen.query_one("#identity").render())
        assert name in shown and "\ufffd" not in shown


@pytest.fixture(scope="module")
def long_report(report):
    """The report with one device renamed to 10,000 characters (as an operator could type into a recorder)."""
    changed = copy.deepcopy(report)
    d = changed.devices[0]
    d.audit = dataclasses.replace(d.audit, identity=dataclasses.replace(d.audit.identity, name=LONG))
    d.label = f"{LONG} ({d.audit.address}:{d.audit.port})"
    return changed


def test_a_very_long_name_is_kept_whole_in_data_and_shortened_only_in_pictures(long_report):
    page = render(long_report, "html")
    assert LONG in page                                     # the device section and tables keep it whole
    grid = page[page.index('aria-label="Fleet by analytics class'):]
    assert LONG not in grid[:grid.index("</svg>")] and "Cam xxxx" in grid    # the grid row is shortened
    rows = list(csv.DictReader(io.StringIO(render(long_report, "csv", table="devices"))))
    assert rows[0]["device_name"] == LONG
    assert md(LONG) in render(long_report, "md")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (`make chromium`)")
def test_hostile_names_render_inert_in_chromium_and_print(long_report, tmp_path):
    path = tmp_path / "pack.html"
    path.write_text(render(long_report, "html", options=PackOptions(evidence="summary")), encoding="utf-8")
    done = chromium(tmp_path, path.as_uri(), "--dump-dom")
    assert done.returncode == 0 and not console_errors(done.stderr), done.stderr[-2000:]
    assert "<script" not in done.stdout.lower() and HOSTILE_NAME.split("<")[0] in done.stdout
    pdf = tmp_path / "pack.pdf"
    printed = chromium(tmp_path, path.as_uri(), f"--print-to-pdf={pdf}", "--no-pdf-header-footer")
    assert printed.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-"
    from .test_dpia_pack import pdf_pages

    assert pdf_pages(pdf.read_bytes()) <= 18                # a 10k name wraps; it does not explode the pack
