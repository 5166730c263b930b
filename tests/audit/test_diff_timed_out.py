"""`camaudit diff` after a run in which one device answered nothing in time (issue 15): that device is
"not read this time", its analytics and remote access are never "switched off", and the next run in
which it answers again switches nothing on. Through the real CLI against simulators."""

from __future__ import annotations

import dataclasses
import json

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from tests.audit.test_not_read import camaudit, write_credentials

HIK, AXIS = "hik-school-bullet", "axis-onvif-line"


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1 read both devices; in run 2 every answer of the Hikvision camera came after the deadline;
    in run 3 it answered again."""
    from tests.conftest import start_on_free_subnet

    fleet = start_on_free_subnet([bundled_profile(p) for p in (HIK, AXIS)])
    tmp = tmp_path_factory.mktemp("diff-timed-out")
    db, creds = tmp / "camaudit.db", tmp / "creds.toml"
    env = write_credentials(creds, fleet)
    hik = fleet[HIK]
    normal = hik.profile

    def audit(*extra: str) -> None:
        done = camaudit("audit", *(d.address for d in fleet), "--no-discover", "--credentials", str(creds),
                        "--db", str(db), *extra, env=env)
        assert done.returncode == 0, done.stdout + done.stderr

    try:
        audit()
        hik.profile = dataclasses.replace(normal, quirks=(*normal.quirks,
                                                          Quirk("slow_endpoints", {"paths": ["/"], "delay": 1.5})))
        audit("--timeout", "0.4")
        hik.profile = normal
        audit()
        yield fleet, db
    finally:
        hik.profile = normal
        fleet.stop()


def test_diff_says_not_read_this_time_never_switched_off(runs):
    fleet, db = runs
    diff = camaudit("diff", "1", "2", "--db", str(db))
    assert diff.returncode == 0, diff.stdout + diff.stderr
    out = " ".join(diff.stdout.split())
    assert "not read this time" in out.lower()
    assert "switched off" not in out and "no longer" not in out.lower()
    changes = json.loads(camaudit("diff", "1", "2", "--db", str(db), "--json").stdout)["changes"]
    hik = [c for c in changes if fleet[HIK].address in c["device"]]
    assert [c["kind"] for c in hik if c["kind"].endswith("-off") or c["kind"] == "finding-resolved"] == []


def test_diff_after_the_timed_out_run_switches_nothing_on(runs):
    _, db = runs
    diff = camaudit("diff", "2", "3", "--db", str(db))
    assert diff.returncode == 0, diff.stdout + diff.stderr
    assert "0 relevant" in diff.stdout or "Nothing changed." in diff.stdout
    changes = json.loads(camaudit("diff", "2", "3", "--db", str(db), "--json").stdout)["changes"]
    assert [c["text"] for c in changes if c["kind"].endswith("-on") or c["relevant"]] == []
