"""`camaudit demo` writes the site.toml it tells the user to run with: no password in it, the simulated
passwords exported by site.env (owner-only), and the two together log in to every simulated device."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import sys

from auditor.cli import build_parser
from auditor.commands.demo import ENV_PREFIX, write_site_credentials
from models.db import open_store
from models.store import list_run_devices, list_runs


def test_site_toml_holds_no_password_and_site_env_logs_in_through_a_shell(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet", "dahua-wizmind-face")
    toml, env_file, env = write_site_credentials(fleet, tmp_path)
    passwords = {d.profile.accounts[0].password for d in fleet}
    text = toml.read_text()
    assert not any(p in text for p in passwords)
    assert text.count("[[account]]") == 2 and f'password_env = "{ENV_PREFIX}1"' in text
    assert set(env.values()) == passwords
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    db = tmp_path / "demo.db"
    addresses = " ".join(d.address for d in fleet)
    # Exactly what the demo prints: source site.env, then audit with site.toml.
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIX)}
    command = (f". {shlex.quote(str(env_file))} && {shlex.quote(sys.executable)} -m auditor.cli audit {addresses} "
               f"--no-discover --credentials {shlex.quote(str(toml))} --db {shlex.quote(str(db))}")
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, timeout=180, env=clean)
    assert result.returncode == 0, result.stderr
    with open_store(db, read_only=True) as store:
        audits = list_run_devices(store, run_id=list_runs(store)[0].id)
    assert {a.address: a.auth for a in audits} == {d.address: "ok" for d in fleet}
    assert not any(d.log.failed_logins() for d in fleet)


def test_the_demo_base_address_must_be_loopback(capsys):
    parser = build_parser()
    assert parser.parse_args(["demo", "--base-address", "127.0.40.1"]).base_address == "127.0.40.1"
    for bad in ("192.168.1.1", "not-an-address"):
        try:
            parser.parse_args(["demo", "--base-address", bad])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{bad} was accepted")
        assert "is not an IPv4 loopback address" in capsys.readouterr().err
