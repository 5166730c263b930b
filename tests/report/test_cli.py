"""`camaudit report` and `camaudit diff` through the real CLI, in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.cli import main
from models.db import open_store
from models.store import record_device_audit, record_run_finished, record_run_started
from tests.store.builders import OPTIONS, T0, dahua_nvr, hik_face_camera


def camaudit(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "COLUMNS": "200"})


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("camaudit: "), done.stderr
    return lines[0]


@pytest.fixture
def cli(capsys):
    """The same `camaudit` entry point in this process (user errors need no subprocess each)."""
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(["camaudit", *args], code, out, err)
    return run


@pytest.fixture
def quiet_db(tmp_path) -> Path:
    """Two runs of the same two devices with nothing switched on in between."""
    db = tmp_path / "quiet.db"
    with open_store(db) as store:
        for started in (T0, T0.replace(day=21)):
            run = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, started=started)
            for audit in (hik_face_camera(), dahua_nvr()):
                record_device_audit(store, run_id=run, audit=audit)
            record_run_finished(store, run_id=run, complete=True)
    return db


def test_report_writes_the_default_html_file_and_prints_its_path(site, tmp_path):
    done = camaudit("report", "--db", str(site.db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "camaudit-report.html"
    assert done.stdout.strip() == str(path)
    page = path.read_text(encoding="utf-8")
    assert '<div class="figure" id="device-count">9</div>' in page and f"Audit run {site.run2}," in page


def test_report_formats_and_an_earlier_run(site, tmp_path):
    out = tmp_path / "run1.md"
    done = camaudit("report", "--db", str(site.db), "--run", str(site.run1), "--format", "md", "--out", str(out))
    assert done.returncode == 0 and done.stdout.strip() == str(out), done.stderr
    text = out.read_text()
    assert f"Audit run {site.run1}," in text and "This is the first audit run in the database" in text
    doc = json.loads(camaudit("report", "--db", str(site.db), "--format", "json", "--out", "-").stdout)
    assert doc["scope"]["run_id"] == site.run2 and len(doc["devices"]) == 9
    rows = list(csv.DictReader(io.StringIO(
        camaudit("report", "--db", str(site.db), "--format", "csv", "--table", "devices", "--out", "-").stdout)))
    assert len(rows) == 9


def test_report_user_errors_are_one_line(site, tmp_path, cli):
    bad_run = camaudit("report", "--db", str(site.db), "--run", "999")     # once through a real process
    assert bad_run.returncode == 2
    assert "There is no audit run 999" in one_line_error(bad_run)
    missing_folder = cli("report", "--db", str(site.db), "--out", str(tmp_path / "nope" / "r.html"))
    assert missing_folder.returncode == 2 and "does not exist" in one_line_error(missing_folder)
    folder = cli("report", "--db", str(site.db), "--out", str(tmp_path))
    assert folder.returncode == 2 and "is a folder" in one_line_error(folder)
    no_db = cli("report", "--db", str(tmp_path / "absent.db"))
    assert no_db.returncode == 2 and "no camaudit database" in one_line_error(no_db)
    assert not (tmp_path / "absent.db").exists()                   # a report never creates a database


def test_diff_exits_1_when_something_relevant_switched_on(site):
    done = camaudit("diff", "--db", str(site.db))
    assert done.returncode == 1, done.stderr
    out = done.stdout
    assert f"Changes from run {site.run1}" in out and f"to run {site.run2}" in out
    relevant = out.split("Switched on (relevant)")[1].split("Other changes")[0]
    assert "Face capture switched on." in relevant and "Dahua P2P / Easy4IP cloud switched on." in relevant
    assert "Firmware changed from 2.622.0000000.31.R" in out.split("Other changes")[1]
    assert "3 relevant (switched on)" in out
    as_json = json.loads(camaudit("diff", str(site.run1), str(site.run2), "--db", str(site.db), "--json").stdout)
    assert as_json["relevant_count"] == 3


def test_diff_exits_0_when_nothing_relevant_changed(quiet_db):
    done = camaudit("diff", "--db", str(quiet_db))
    assert done.returncode == 0, done.stderr
    assert "Nothing changed." in done.stdout


def test_diff_needs_two_runs_and_real_run_ids(tmp_path, quiet_db, cli):
    single = tmp_path / "single.db"
    with open_store(single) as store:
        run = record_run_started(store, targets=["10.20.0.11"], options=OPTIONS, started=T0)
        record_device_audit(store, run_id=run, audit=hik_face_camera())
    done = camaudit("diff", "--db", str(single))
    assert done.returncode == 2 and "holds 0 complete audit run(s) and camaudit diff needs two" in one_line_error(done)
    unknown = cli("diff", "1", "7", "--db", str(quiet_db))
    assert unknown.returncode == 2 and "There is no audit run 7" in one_line_error(unknown)
    same = cli("diff", "2", "--db", str(quiet_db))                      # RUN_B defaults to the latest: 2
    assert same.returncode == 2 and "cannot be compared with itself" in one_line_error(same)
