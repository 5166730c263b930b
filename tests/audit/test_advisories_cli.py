"""`camaudit advisories list / update`: the real CLI, with a private user data directory."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.judge.advisories.data import BUNDLED_DIR

NEWER = (BUNDLED_DIR / "hikvision.toml").read_text(encoding="utf-8").replace(
    "updated = 2026-12-06", "updated = 2027-02-01").replace('cve = "CVE-2017-7921"', 'cve = "CVE-2017-7923"', 1)


def camaudit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "auditor.cli", "advisories", *args], capture_output=True,
                          text=True, timeout=120, env=env)


def _file(tmp_path: Path, text: str) -> tuple[Path, str]:
    path = tmp_path / "hikvision-2027.toml"
    path.write_bytes(text.encode("utf-8"))
    return path, hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_list_shows_the_data_date_and_every_advisory(tmp_path):
    done = camaudit(tmp_path, "list", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["updated"] == "2026-12-06"
    assert {"CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044"} <= {a["cve"] for a in data["advisories"]}
    assert all(a["sources"] for a in data["advisories"])
    table = camaudit(tmp_path, "list")
    assert "Advisory data dated 2026-12-06" in table.stdout and "HSRC-202109-01" in table.stdout


def test_update_installs_a_checked_newer_file_that_then_takes_precedence(tmp_path):
    path, digest = _file(tmp_path, NEWER)
    done = camaudit(tmp_path, "update", str(path), "--sha256", digest.upper())
    assert done.returncode == 0, done.stderr
    installed = tmp_path / "data" / "camaudit" / "advisories" / "hikvision.toml"
    assert installed.read_text(encoding="utf-8") == NEWER
    data = json.loads(camaudit(tmp_path, "list", "--json").stdout)
    assert data["updated"] == "2027-02-01"
    assert data["files"]["hikvision.toml"] == str(installed)
    cves = {a["cve"] for a in data["advisories"]}
    assert "CVE-2017-7923" in cves and "CVE-2017-7921" not in cves and "CVE-2021-33044" in cves


@pytest.mark.parametrize("text, digest, said", [
    (NEWER, "0" * 64, "has sha256"),
    (NEWER, "not-hex", "64-character hex"),
    (NEWER.replace("sources = [", "unused = [", 1), None, "cite at least one source"),
    ("this is = = not toml", None, "not a valid TOML"),
    (NEWER.replace("updated = 2027-02-01", "updated = 2020-01-01"), None, "older than"),
])
def test_update_refuses_bad_files_with_one_line_and_installs_nothing(tmp_path, text, digest, said):
    path, real = _file(tmp_path, text)
    done = camaudit(tmp_path, "update", str(path), "--sha256", digest or real)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data" / "camaudit" / "advisories" / "hikvision.toml").exists()
