"""Issue 10.4 through the real CLI: one unusable target among good ones.

`fe80::1%nosuch` (a link-local address whose zone names no interface here) used to raise in the
UDP discovery thread: a traceback, exit 0, and every other device lost its SADP/DHIP replies,
hence its brand and its rebadging finding. Discovery runs in both commands here (no
--no-discover). Only loopback is probed: the bad address is refused before anything is sent.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

BAD = "fe80::1%nosuch"


def camaudit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True, text=True, timeout=180)


@pytest.fixture
def oem(start_fleet):
    """A Hikvision-made camera sold as TruVision: SADP's manufacturer and OEMInfo say both."""
    return start_fleet("truvision-thermal-oem").devices[0]


def test_discover_keeps_the_good_device_and_names_the_bad_target(oem):
    done = camaudit("discover", "--json", oem.address, BAD)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr
    document = json.loads(done.stdout)
    good, bad = document["devices"]
    assert good["address"] == oem.address and "sadp" in good["found_by"]
    assert (good["brand"], good["manufacturer"]) == ("TruVision", "Hikvision")
    assert good["serial"] == oem.profile.identity.serial
    assert (bad["address"], bad["found_by"]) == (BAD, ["given"])
    lines = [n for n in document["notes"] if BAD in n]
    assert len(lines) == 1 and "\n" not in lines[0] and "no network interface 'nosuch'" in lines[0]
    # The human view prints the same line (on stderr with --json).
    assert "no network interface 'nosuch'" in " ".join(done.stderr.split())


def test_audit_with_discovery_keeps_the_brand_and_the_rebadging_finding(oem, tmp_path):
    done = camaudit("audit", "--db", str(tmp_path / "run.db"), "--json", oem.address, BAD)
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    assert document["complete"] is True
    good = next(d for d in document["devices"] if d["address"] == oem.address)
    assert (good["brand"], good["manufacturer"], good["oem"]) == ("TruVision", "Hikvision", True)
    assert "sadp" in good["protocols"]
    assert "oem-rebadged" in {f["id"] for f in good["findings"]}
    bad = next(d for d in document["devices"] if d["address"] == BAD)
    assert bad["reachable"] is False
    # The bad target's outcome is the one sentence saying why, not errors of probes that could not run,
    # and the user is told on stderr before the audit starts.
    assert len(bad["errors"]) == 1 and "no network interface 'nosuch'" in bad["errors"][0], bad["errors"]
    assert bad["probes"] == []
    assert "no network interface 'nosuch'" in " ".join(done.stderr.split())
