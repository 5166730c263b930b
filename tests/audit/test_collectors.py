"""Several `camaudit audit` processes writing into one store at once (two ranges of one site and a
second site), while a fourth collector is killed with SIGKILL mid-run: nothing is lost or duplicated,
the others complete, and the killed run reads as interrupted. On SQLite (one file) and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from models.db import open_store
from models.store import list_devices, list_run_snapshots, list_runs
from tests.audit.test_cli import write_credentials
from tests.audit.test_signals import slow_fleet  # noqa: F401 - the fixture: three cameras answering slowly


def collector(fleet, db: str, site: str, tmp_path, tag: str) -> subprocess.Popen[str]:
    creds = tmp_path / f"creds-{tag}.toml"
    env = write_credentials(creds, fleet)
    return subprocess.Popen(
        [sys.executable, "-m", "auditor.cli", "audit", *[d.address for d in fleet], "--no-discover",
         "--credentials", str(creds), "--db", db, "--site", site, "--json"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_collectors_side_by_side_and_a_killed_one(start_fleet, slow_fleet, tmp_path, store_url):  # noqa: F811
    killed = collector(slow_fleet, store_url, "Southgate School", tmp_path, "slow")
    deadline = time.monotonic() + 60
    while not all(len(d.log) > 0 for d in slow_fleet):          # the slow collector is mid-run
        assert killed.poll() is None, killed.communicate()
        assert time.monotonic() < deadline, "the slow collector never started probing"
        time.sleep(0.1)
    fleets = {"north-a": (start_fleet("hik-school-bullet", "dahua-wizmind-face"), "Northgate School"),
              "north-b": (start_fleet("axis-onvif-line", "amcrest-no-password"), "Northgate School"),
              "south": (start_fleet("hik-school-bullet", "axis-onvif-line"), "Southgate School")}
    procs = {tag: collector(fleet, store_url, site, tmp_path, tag) for tag, (fleet, site) in fleets.items()}
    time.sleep(0.5)
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=30)
    for tag, proc in procs.items():
        _, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, (tag, stderr)

    site_of = {tuple(sorted(d.address for d in fleet)): site for fleet, site in fleets.values()}
    with open_store(store_url, read_only=True) as store:
        runs = {r.id: r for r in list_runs(store)}
        states = sorted(r.state for r in runs.values())
        assert states == ["complete", "complete", "complete", "interrupted"]
        for run in runs.values():
            recorded = tuple(sorted(s.address for s in list_run_snapshots(store, run_id=run.id)))
            if run.state == "complete":                         # each collector's devices, each once
                assert site_of[recorded] == run.site and run.device_count == len(recorded) == 2
            else:                                              # the killed one: what it finished, no more
                assert run.site == "Southgate School" and len(recorded) < len(slow_fleet)
        north = list_devices(store, site="Northgate School")
        assert len(north) == 4 == len({(d.address, d.port) for d in north})   # no duplicated device
        south = list_devices(store, site="Southgate School")
        assert len(south) == len({(d.address, d.port) for d in south}) >= 2
