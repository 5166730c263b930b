"""Unknown never looks like no: a fleet audited once with good and once with a wrong password shows
"not read" and the last known value in the CLI, the report, the CSV and the TUI; `diff` after the
failed run exits 0. Everything through the real CLI (and Pilot for the TUI)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from models.features import FEATURE_IDS

HIK, AXIS = "hik-school-bullet", "axis-onvif-line"


def camaudit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


def write_credentials(path: Path, fleet, *, wrong: frozenset[str] = frozenset()) -> dict[str, str]:
    lines, env = [], {}
    for i, device in enumerate(fleet):
        account = device.profile.accounts[0]
        env[f"CAM_PW_{i}"] = "not-the-password" if device.profile.id in wrong else account.password
        lines += ["[[account]]", f'targets = ["{device.address}"]', f'user = "{account.user}"',
                  f'password_env = "CAM_PW_{i}"', ""]
    path.write_text("\n".join(lines))
    return env


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Run 1 read everything; run 2 had a wrong password for the Hikvision camera."""
    from device_simulators import bundled_profile
    from tests.conftest import start_on_free_subnet

    fleet = start_on_free_subnet([bundled_profile(p) for p in (HIK, AXIS)])
    tmp = tmp_path_factory.mktemp("not-read")
    db, creds = tmp / "camaudit.db", tmp / "creds.toml"
    try:
        addresses = [d.address for d in fleet]
        good = camaudit("audit", *addresses, "--no-discover", "--credentials", str(creds), "--db", str(db),
                        env=write_credentials(creds, fleet))
        assert good.returncode == 0, good.stderr
        bad = camaudit("audit", *addresses, "--no-discover", "--credentials", str(creds), "--db", str(db),
                       env=write_credentials(creds, fleet, wrong=frozenset({HIK})))
        yield fleet, db, bad
    finally:
        fleet.stop()


def _line(output: str, address: str) -> str:
    return next(line for line in output.splitlines() if f" {address} " in line)


def test_cli_summary_says_not_read_with_the_last_known_value(site):
    fleet, _, bad = site
    hik = _line(bad.stdout, fleet[HIK].address)
    assert "login failed" in hik and "not read" in hik
    assert "last read: face_capture" in hik and "run 1 (" in hik          # what was on when last read
    assert " 0 " not in hik and "none seen" not in hik and " info " not in hik
    axis = _line(bad.stdout, fleet[AXIS].address)
    assert " read " in axis and "not read" not in axis


def test_cli_table_in_a_file_keeps_every_address_whole(site):
    fleet, _, bad = site
    assert "…" not in bad.stdout
    for device in fleet:
        assert f" {device.address} " in bad.stdout


def test_report_and_csv_show_not_read_and_last_known(site):
    fleet, db, _ = site
    md = camaudit("report", "--db", str(db), "--format", "md", "--out", "-")
    assert md.returncode == 0, md.stderr
    section = md.stdout.split(f"({fleet[HIK].address}")[-1]
    assert "(login failed)" in md.stdout
    assert "on in run 1 (" in section and ", not read now" in section
    rows = list(csv.DictReader(io.StringIO(camaudit("report", "--db", str(db), "--format", "csv",
                                                    "--out", "-").stdout)))
    hik = {r["feature"]: r for r in rows if r["device_address"] == fleet[HIK].address}
    assert set(hik) == set(FEATURE_IDS) and {r["status"] for r in hik.values()} == {"login failed"}
    assert hik["face_capture"]["enabled"] == "not read"
    assert hik["face_capture"]["last_known"].startswith("on in run 1 (")
    # Whether the camera can do it at all is not read now either: its last known answer, in yes/no words.
    assert hik["face_capture"]["supported"] == "unknown"
    assert hik["face_capture"]["supported_last_known"].startswith("yes in run 1 (")
    assert "yes in run 1 (" in section                      # the Markdown Supported column says it too
    devices = list(csv.DictReader(io.StringIO(camaudit("report", "--db", str(db), "--format", "csv",
                                                       "--table", "devices", "--out", "-").stdout)))
    row = next(r for r in devices if r["device_address"] == fleet[HIK].address)
    assert row["analytics_on"] == "not read" and row["worst_finding"] != "info"
    assert row["last_read"].startswith("run 1 (")


def test_diff_after_a_failed_run_exits_0(site):
    _, db, _ = site
    diff = camaudit("diff", "--db", str(db))
    assert diff.returncode == 0, diff.stdout + diff.stderr


def test_tui_fleet_and_device_say_not_read_with_last_known(site):
    import asyncio

    asyncio.run(_tui_says_not_read(*site[:2]))


async def _tui_says_not_read(fleet, db: Path) -> None:
    from tests.tui.helpers import wait_until
    from tui.app import make_app
    from tui.messages import DeviceSelected
    from tui.screens.device import DeviceScreen

    app = make_app(db, cursor_blink=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None and app.screen.query("#fleet-table")
                         and app.screen.query_one("#fleet-table").records, what="the fleet rows")
        table = app.screen.query_one("#fleet-table")
        row = next(r for r in table.records if r.address == fleet[HIK].address)
        cells = {c.key: c.plain(row) for c in table.columns}
        assert cells["status"] == "login failed"
        assert (cells["remote"], cells["worst"], cells["biometric"], cells["enabled"]) == ("?", "?", "?", "?")
        app.post_message(DeviceSelected(row.device_id))
        await wait_until(pilot, lambda: isinstance(app.screen, DeviceScreen) and app.screen.view,
                         what="the device screen")
        view = app.screen.view
        assert view.status == "login failed" and view.last_read is not None and view.last_read.run_id == 1
        assert view.last_known("face_capture").startswith("on in run 1 (")
        matrix = app.screen.query_one("#matrix")
        face = list(FEATURE_IDS).index("face_capture")
        assert [str(c) for c in matrix.get_row_at(face)][3:] == ["not read", "", view.last_known("face_capture")]
        assert "login failed" in str(app.screen.query_one("#title").render())


def test_diff_judges_against_the_last_known_value_and_skips_interrupted_runs(site, tmp_path):
    import shutil

    from models.db import open_store
    from models.store import record_run_started
    from models.tables import RunOptions

    fleet, db, _ = site
    copy, creds = tmp_path / "copy.db", tmp_path / "creds.toml"
    shutil.copyfile(db, copy)
    read_again = camaudit("audit", *[d.address for d in fleet], "--no-discover", "--credentials", str(creds),
                          "--db", str(copy), env=write_credentials(creds, fleet))
    assert read_again.returncode == 0, read_again.stderr
    # Run 2 could not read the camera; run 3 reads face capture on. It was on in run 1, so nothing switched on.
    diff = camaudit("diff", "--db", str(copy), "--json")
    assert diff.returncode == 0, diff.stdout
    assert not [c for c in json.loads(diff.stdout)["changes"] if c["kind"] == "feature-on"]
    # The TUI's device history and run comparison judge the same way.
    from models.db import open_store as open_db
    from models.store import list_devices
    from tui.data.changes import compare_stored_runs, device_history

    with open_db(copy) as store:
        hik_id = next(d.id for d in list_devices(store) if d.address == fleet[HIK].address)
        _, history = device_history(store, hik_id)
        assert [c.change.kind for c in history if c.change.kind == "feature-on"] == []
        assert not [c for c in compare_stored_runs(store, 2, 3).changes if c.kind == "feature-on"]
    # A run whose process died is not the default of report or diff, but can be named and says so.
    with open_store(copy) as store:
        dead = record_run_started(store, targets=["10.0.0.1"], pid=2**22 + 7,
                                  options=RunOptions(concurrency=1, timeout_s=1.0, target_count=1))
    report = camaudit("report", "--db", str(copy), "--format", "md", "--out", "-")
    assert "| Audit run | 3 |" in report.stdout.replace("  ", " ")
    interrupted = camaudit("report", "--db", str(copy), "--run", str(dead), "--format", "md", "--out", "-")
    assert interrupted.returncode == 0 and f"Run {dead} is interrupted" in interrupted.stderr
    assert "no: the run stopped early" in interrupted.stdout
    named = camaudit("diff", "3", str(dead), "--db", str(copy))
    assert named.returncode == 0 and f"Run {dead} is interrupted" in named.stdout
    assert camaudit("diff", "--db", str(copy)).stdout.startswith("Changes from run 2 ")


def test_audit_exit_code_3_when_a_device_could_not_be_read(site):
    _, _, bad = site
    assert bad.returncode == 3, bad.stderr
    assert "1 could not be read (exit code 3)" in bad.stderr     # a note: stderr, not stdout
    assert "Discovering" not in bad.stdout and "Auditing" not in bad.stdout


def test_audit_writes_csv_jsonl_and_json_only_on_stdout(site, tmp_path):
    fleet, _, _ = site
    creds, db = tmp_path / "creds.toml", tmp_path / "out.db"
    env = write_credentials(creds, fleet, wrong=frozenset({HIK}))
    addresses = [d.address for d in fleet]
    as_csv = camaudit("audit", *addresses, "--no-discover", "--credentials", str(creds), "--db", str(db),
                      "-o", str(tmp_path / "devices.csv"), "--json", env=env)
    assert as_csv.returncode == 3, as_csv.stderr
    assert json.loads(as_csv.stdout)["devices"]                  # stdout is the document and nothing else
    rows = {r["address"]: r for r in csv.DictReader(io.StringIO((tmp_path / "devices.csv").read_text()))}
    assert sorted(rows) == sorted(addresses)
    assert rows[fleet[HIK].address]["status"] == "login failed"
    assert rows[fleet[HIK].address]["analytics_on"] == "not read"
    assert rows[fleet[AXIS].address]["status"] in ("read", "partly read")
    lines = camaudit("audit", *addresses, "--no-discover", "--credentials", str(creds), "--db", str(db),
                     "-q", "-o", "-", "--format", "jsonl", env=env)
    devices = [json.loads(line) for line in lines.stdout.splitlines()]
    assert sorted(d["address"] for d in devices) == sorted(addresses) and lines.stderr == ""
    assert {d["address"]: d["status"] for d in devices}[fleet[HIK].address] == "login failed"
    refused = camaudit("audit", *addresses, "--db", str(db), "--format", "csv")
    assert refused.returncode == 2 and "-o FILE" in refused.stderr


def test_discover_into_a_file_keeps_every_address_whole(site, tmp_path):
    fleet, _, _ = site
    done = camaudit("discover", *[d.address for d in fleet], "-o", str(tmp_path / "found.jsonl"))
    assert done.returncode == 0, done.stderr
    assert "…" not in done.stdout
    for device in fleet:
        assert f"{device.address}:" in done.stdout
    found = [json.loads(line) for line in (tmp_path / "found.jsonl").read_text().splitlines()]
    assert sorted(d["address"] for d in found) == sorted(d.address for d in fleet)
