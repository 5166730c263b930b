"""Ranges, -iL and --exclude through the real CLI against a simulated camera on loopback: the run
audits exactly the expected addresses; the scope bound and bad input are one line each."""

from __future__ import annotations

import json

from models.db import open_store
from models.store import list_run_devices, list_runs
from tests.audit.test_cli import camaudit


def test_range_list_and_exclusions_audit_exactly_the_expected_addresses(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    net = device.address.rsplit(".", 1)[0]
    listed = tmp_path / "targets.txt"
    listed.write_text(f"# the site\n{net}.20\n\n{net}.30-31   # spare addresses\n")
    excluded = tmp_path / "exclude.txt"
    excluded.write_text(f"{net}.31\n")
    db = tmp_path / "camaudit.db"
    result = camaudit("audit", f"{net}.1-4", "-iL", str(listed), "--exclude", f"{net}.2,{net}.3",
                      "--exclude-file", str(excluded), "--no-discover", "--timeout", "2", "--db", str(db))
    # Exit 3: the run completed, but without credentials (and with empty addresses) not every device was read.
    assert result.returncode == 3, result.stderr
    with open_store(db, read_only=True) as store:
        (run,) = list_runs(store)
        audited = {a.address for a in list_run_devices(store, run_id=run.id)}
    assert audited == {device.address, f"{net}.4", f"{net}.20", f"{net}.30"}
    # The run records the scope as given, exclusions included, for the report's "Targets (as given)".
    assert run.targets == [f"{net}.1-4", f"{net}.20", f"{net}.30-31", f"--exclude {net}.2", f"--exclude {net}.3",
                           f"--exclude {net}.31"]
    # Only the camera at .1 was asked anything; the excluded addresses were never probed.
    assert device.log


def test_a_scope_over_the_bound_is_one_line_naming_the_option(tmp_path):
    result = camaudit("audit", "127.0.0.0/15", "--no-discover", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--max-scope 131072" in lines[0], result.stderr
    assert not (tmp_path / "x.db").exists()
    result = camaudit("discover", "127.0.0.1-2", "127.0.1.0/24", "--max-scope", "100")
    assert result.returncode == 2 and "--max-scope 256" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_list_file_and_a_password_in_a_list_are_one_line(tmp_path):
    result = camaudit("audit", "-iL", str(tmp_path / "missing.txt"), "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [f"camaudit: Cannot read the target list {tmp_path}/missing.txt: "
                                                  "no such file."]
    listed = tmp_path / "targets.txt"
    listed.write_text("http://admin:Secr3t-pw@127.0.0.1/\n")
    result = camaudit("discover", "-iL", str(listed), "--exclude", "http://root:Other-pw@127.0.0.2/")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "Secr3t-pw" not in result.stderr + result.stdout and "Other-pw" not in result.stderr + result.stdout
    result = camaudit("audit", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2 and "No target was given" in result.stderr


def test_discover_with_a_range_and_an_exclusion_finds_exactly_the_devices_left(start_fleet):
    fleet = start_fleet("hik-school-bullet", "dahua-wizmind-face", "hik-acusense-nvr")
    first, second, third = (d.address for d in fleet)
    net = first.rsplit(".", 1)[0]
    result = camaudit("discover", f"{net}.1-3", "--exclude", second, "--json")
    assert result.returncode == 0, result.stderr
    found = {d["address"] for d in json.loads(result.stdout)["devices"]}
    assert found == {first, third}
    assert len(fleet.devices[1].log) == 0                  # the excluded device was sent nothing
