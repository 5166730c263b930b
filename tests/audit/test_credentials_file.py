"""The credentials file through the real CLI: a typo is one line naming the key and its line, sends
nothing to any device and never echoes the password; an old and a new password for one user warn."""

from __future__ import annotations

from collections import Counter

import pytest

from models.db import open_store
from models.store import list_run_devices, list_runs
from tests.audit.test_cli import camaudit

SECRET = "Secr3t-do-not-echo"


@pytest.mark.parametrize(("body", "says"), [
    (f'target = ["ADDR"]\nuser = "admin"\npassword = "{SECRET}"', ["unknown key 'target'", "line 2",
                                                                    "did you mean targets"]),
    (f'targets = 127\nuser = "admin"\npassword = "{SECRET}"', ["line 2", "targets must be a list"]),
    (f'targets = ["ADDR"]\nuser = ["admin"]\npassword = "{SECRET}"', ["line 3", "user must be a user name"]),
    (f'user = "admin"\npassword = "{SECRET}"', ["has no targets"]),
    (f'targets = ["ADDR"]\nuser = "admin"\npassword = "{SECRET}"\npassword_env = "CAM_PW"',
     ["both password and password_env"]),
    (f'targets = ["ADDR"]\nuser = "admin"\npasword = "{SECRET}"', ["unknown key 'pasword'", "line 4"]),
    (f'targets = ["ADDR"]\nuser = "admin"\npassword = {SECRET}', ["not valid TOML", "line 4"]),
])
def test_a_typo_is_one_line_and_no_device_is_asked_anything(start_fleet, tmp_path, body, says):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    creds = tmp_path / "creds.toml"
    creds.write_text("[[account]]\n" + body.replace("ADDR", device.address) + "\n")
    db = tmp_path / "camaudit.db"
    result = camaudit("audit", device.address, "--no-discover", "--credentials", str(creds), "--db", str(db),
                      env={"CAM_PW": SECRET})
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for text in says:
        assert text in lines[0], lines[0]
    assert str(creds) in lines[0]
    assert SECRET not in result.stderr + result.stdout
    assert len(device.log) == 0                      # the password went nowhere
    assert not db.exists()                           # and no database was created for a typo


def test_old_and_new_password_for_one_user_warn_and_cost_one_failed_login(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    account = device.profile.accounts[0]
    creds = tmp_path / "creds.toml"
    creds.write_text(f'[[account]]\ntargets = ["*"]\nuser = "{account.user}"\npassword = "old-{SECRET}"\n\n'
                     f'[[account]]\ntargets = ["{device.address}"]\nuser = "{account.user}"\n'
                     f'password_env = "NEW_PW"\n')
    db = tmp_path / "camaudit.db"
    result = camaudit("audit", device.address, "--no-discover", "--credentials", str(creds), "--db", str(db),
                      env={"NEW_PW": account.password})
    assert result.returncode == 0, result.stderr
    assert f"account entry 1 in {creds} and account entry 2 in {creds}" in result.stderr.replace("\n", "")
    assert "only the first that matches" in result.stderr
    assert SECRET not in result.stderr + result.stdout and account.password not in result.stderr + result.stdout
    # The more specific entry (the device's own address) is tried first and works: no failed login.
    assert Counter(e.user for e in device.log.failed_logins()) == Counter()
    with open_store(db, read_only=True) as store:
        (audit,) = list_run_devices(store, run_id=list_runs(store)[0].id)
    assert audit.auth == "ok"


def test_the_wrong_one_first_costs_exactly_one_failure_and_is_reported(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    account = device.profile.accounts[0]
    creds = tmp_path / "creds.toml"
    creds.write_text(f'[[account]]\ntargets = ["{device.address}"]\nuser = "{account.user}"\n'
                     f'password = "old-{SECRET}"\n\n'
                     f'[[account]]\ntargets = ["{device.address}"]\nuser = "{account.user}"\n'
                     f'password = "{account.password}"\n')
    result = camaudit("audit", device.address, "--no-discover", "--credentials", str(creds),
                      "--db", str(tmp_path / "c.db"))
    assert result.returncode == 3, result.stderr     # the device could not be read (login failed)
    assert "different passwords" in result.stderr
    assert Counter(e.user for e in device.log.failed_logins()) == Counter({account.user: 1})
    assert not device.gate.is_locked(account.user)


def test_user_option_and_file_with_different_passwords_warn(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    account = device.profile.accounts[0]
    creds = tmp_path / "creds.toml"
    creds.write_text(f'[[account]]\ntargets = ["{device.address}"]\nuser = "{account.user}"\n'
                     f'password_env = "GOOD_PW"\n')
    result = camaudit("audit", device.address, "--no-discover", "--credentials", str(creds), "--user", account.user,
                      "--password-env", "OLD_PW", "--db", str(tmp_path / "u.db"),
                      env={"GOOD_PW": account.password, "OLD_PW": f"old-{SECRET}"})
    assert result.returncode == 0, result.stderr
    assert "--user give the user" in result.stderr.replace("\n", "")
    assert SECRET not in result.stderr + result.stdout
    assert not device.log.failed_logins()          # the file's entry, more specific, was tried first
