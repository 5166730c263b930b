"""The audit dialog's credentials file, through Pilot and the real orchestrator against a simulated camera:
a good file logs in; a typo in it, or a path that is no file, is one sentence in the modal and probes nothing."""

from __future__ import annotations

import pytest

from models.db import open_store
from models.store import list_runs
from tests.tui.helpers import wait_until
from tests.tui.test_actions import audit_app
from tui.screens.dialogs import AuditDialog, ErrorModal

SECRET = "Dialog-Secr3t-never-shown"


async def start_audit_with_file(pilot, targets: str, credentials: str) -> None:
    await pilot.press("a")
    assert isinstance(pilot.app.screen, AuditDialog)
    pilot.app.screen.query_one("#targets").value = targets
    pilot.app.screen.query_one("#credentials").value = credentials
    await pilot.click("#ok")


@pytest.mark.slow
async def test_a_credentials_file_given_in_the_dialog_logs_in(start_fleet, tmp_path, monkeypatch):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    account = device.profile.accounts[0]
    monkeypatch.setenv("DIALOG_CAM_PW", account.password)
    creds = tmp_path / "site.toml"
    creds.write_text(f'[[account]]\ntargets = ["{device.address}"]\nuser = "{account.user}"\n'
                     'password_env = "DIALOG_CAM_PW"\n')
    app = audit_app(tmp_path / "a.db", discover=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the empty fleet")
        await start_audit_with_file(pilot, device.address, str(creds))
        # One device without discovery can finish before a poll sees it running: wait for its row.
        await wait_until(pilot, lambda: app.screen.query_one("#fleet-table").records and not app.auditing,
                         timeout=90, what="the audited device's row")
        (row,) = app.screen.query_one("#fleet-table").records
        assert row.auth == "ok" and "face_capture" in row.enabled
    assert not device.log.failed_logins()


@pytest.mark.parametrize(("body", "says"), [
    (f'[[account]]\ntarget = ["*"]\nuser = "admin"\npassword = "{SECRET}"\n', "has the unknown key 'target'"),
    (None, "does not exist or is not a file"),
])
async def test_a_bad_credentials_file_is_one_sentence_in_the_modal_and_probes_nothing(start_fleet, tmp_path,
                                                                                     body, says):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    creds = tmp_path / "site.toml"
    if body is not None:
        creds.write_text(body)
    app = audit_app(tmp_path / "b.db", discover=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the fleet")
        await start_audit_with_file(pilot, device.address, str(creds))
        await wait_until(pilot, lambda: isinstance(app.screen, ErrorModal), what="the error modal")
        message = str(app.screen.query_one("#error-message").render())
        assert says in message and str(creds) in message and "\n" not in message
        assert SECRET not in message
        assert app.screen.error.title == "Credentials file"
        await wait_until(pilot, lambda: not app.auditing, what="the refused audit to be over")
    assert len(device.log) == 0                       # nothing was sent to the camera
    with open_store(tmp_path / "b.db") as store:
        assert list_runs(store) == []
