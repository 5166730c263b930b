"""The real `camaudit` CLI end to end against a simulated fleet, into a temporary SQLite file."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from models.db import open_store
from models.features import FEATURE_IDS, REMOTE_ACCESS_IDS
from models.store import list_runs
from tests.engines import everything_stored

DEVICE_KEYS = {"address": str, "port": int, "reachable": bool, "auth": (str, type(None)),
               "brand": (str, type(None)), "manufacturer": (str, type(None)), "oem": (bool, type(None)),
               "model": (str, type(None)), "device_type": (str, type(None)), "firmware": (str, type(None)),
               "serial": (str, type(None)), "mac": (str, type(None)), "protocols": list, "features": dict,
               "remote_access": dict, "findings": list, "errors": list}


def camaudit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True, text=True,
                          timeout=180, env={**os.environ, **(env or {})})


def write_credentials(path, fleet) -> dict[str, str]:
    """One entry per device; passwords through environment variables, as the README advises."""
    lines, env = [], {}
    for i, device in enumerate(fleet):
        for account in device.profile.accounts[:1]:
            env[f"CAM_PW_{i}"] = account.password
            lines += ["[[account]]", f'targets = ["{device.address}"]', f'user = "{account.user}"',
                      f'password_env = "CAM_PW_{i}"', ""]
    path.write_text("\n".join(lines))
    return env


@pytest.fixture(scope="module")
def cli_fleet():
    from device_simulators import bundled_profile
    from tests.conftest import start_on_free_subnet

    ids = ("hik-school-bullet", "dahua-wizmind-face", "axis-onvif-line", "amcrest-no-password")
    fleet = start_on_free_subnet([bundled_profile(p) for p in ids])
    yield fleet
    fleet.stop()


def test_audit_json_follows_the_contract_and_every_run_is_kept(cli_fleet, tmp_path, store_url):
    creds = tmp_path / "creds.toml"
    env = write_credentials(creds, cli_fleet)
    db = store_url                              # an SQLite file, or a PostgreSQL database
    cidr = cli_fleet.devices[0].address.rsplit(".", 1)[0] + ".0/24"

    first = camaudit("audit", cidr, "--credentials", str(creds), "--db", str(db), "--json", env=env)
    assert first.returncode == 0, first.stderr
    doc = json.loads(first.stdout)          # stdout is only the document
    assert isinstance(doc["run_id"], int) and doc["started"].endswith("+00:00")
    assert sorted(d["address"] for d in doc["devices"]) == sorted(d.address for d in cli_fleet)
    for device in doc["devices"]:
        for key, kind in DEVICE_KEYS.items():
            assert isinstance(device[key], kind), (key, device[key])
        assert set(device["features"]) == set(FEATURE_IDS)
        assert set(device["remote_access"]) == set(REMOTE_ACCESS_IDS)
        for verdict in device["features"].values():
            assert set(verdict) >= {"supported", "enabled", "evidence"}
        for finding in device["findings"]:
            assert finding["severity"] in ("critical", "high", "medium", "low", "info")
    by_address = {d["address"]: d for d in doc["devices"]}
    hik = by_address[cli_fleet["hik-school-bullet"].address]
    assert hik["features"]["face_capture"] == {**hik["features"]["face_capture"], "supported": True, "enabled": True}
    assert "Audit summary" in first.stderr          # the human view went to stderr

    second = camaudit("audit", cidr, "--credentials", str(creds), "--db", str(db), env=env)
    assert second.returncode == 0, second.stderr
    assert "Audit summary" in second.stdout
    with open_store(db) as store:
        runs = list_runs(store)
    assert [r.id for r in runs] == [2, 1] and all(r.complete for r in runs)
    stored = everything_stored(db)
    assert len(stored) > 10_000                 # the check below reads the real rows
    for secret in env.values():
        assert secret.encode() not in stored


@pytest.mark.parametrize(("args", "message"), [
    (["audit", "10.0.0.300/24"], "is not an address, host name, CIDR, range or URL"),
    (["audit", "127.0.0.1", "--credentials", "/nonexistent/creds.toml"], "no such file"),
    (["audit", "127.0.0.1", "--user", "admin", "--password-env", "CAMAUDIT_UNSET_VAR"], "is not set"),
    (["audit", "127.0.0.1", "--no-discover", "--db", "/nonexistent-dir/x.db"], "/nonexistent-dir/x.db"),
    (["discover", "cam..bad"], "not an address, host name, CIDR, range or URL"),
])
def test_user_errors_are_one_line_without_traceback(args, message):
    result = camaudit(*args)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert message in lines[0]
    assert "Traceback" not in result.stderr


def test_bad_credentials_file_content_is_one_line(tmp_path):
    bad = tmp_path / "creds.toml"
    bad.write_text('[[account]]\ntargets = ["10.0.0.0/33"]\nuser = "a"\npassword = "b"\n')
    result = camaudit("audit", "127.0.0.1", "--credentials", str(bad))
    assert result.returncode == 2
    assert "10.0.0.0/33" in result.stderr and "Traceback" not in result.stderr


def test_a_named_command_registers_only_itself_and_anything_else_gets_every_command():
    """`camaudit egress analyze` starts tcpdump and tshark before importing the other commands (~0.15 s)."""
    probe = ("import sys; from auditor.cli import build_parser; p = build_parser({argv}); "
             "print(sorted(p._subparsers._group_actions[0].choices), "
             "'auditor.commands.audit' in sys.modules, 'device_simulators' in sys.modules)")
    one = subprocess.run([sys.executable, "-c", probe.format(argv="['egress', 'analyze', 'x.pcap']")],
                         capture_output=True, text=True, check=True).stdout
    assert one.strip() == "['egress'] False False"
    for argv in ("['egres']", "['--help']", "[]", "['sim', 'list']"):
        every = subprocess.run([sys.executable, "-c", probe.format(argv=argv)],
                               capture_output=True, text=True, check=True).stdout
        assert every.startswith("['advisories', 'audit', 'db', 'demo', 'diff', 'discover', 'egress', 'report', "
                                "'sim', 'tui']"), (argv, every)
