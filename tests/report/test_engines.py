"""The same audits read from PostgreSQL give the same report and diff as from SQLite, byte for byte:
the session's two real audits (site.py) are copied row for row into a real PostgreSQL database."""

from __future__ import annotations

import json

import pytest

from auditor.report import FORMATS, TABLES, build_report, render
from models.db import open_store
from tests.audit.test_cli import camaudit
from tests.engines import copy_into

from .conftest import GENERATED


@pytest.fixture
def pg_site(site, pg_url) -> str:
    return copy_into(site.db, pg_url)


def renders(location, run_id=None) -> dict[str, str]:
    with open_store(location, read_only=True) as store:
        report = build_report(store, run_id=run_id, generated=GENERATED)
    out = {fmt: render(report, fmt) for fmt in FORMATS if fmt != "pdf"}   # pdf is Chromium printing the html
    out |= {f"csv-{table}": render(report, "csv", table=table) for table in TABLES}
    return out


def test_every_report_format_reads_the_same_from_postgresql(site, pg_site):
    for run_id in (site.run1, site.run2):
        on_sqlite, on_postgresql = renders(site.db, run_id), renders(pg_site, run_id)
        assert len(on_sqlite["html"]) > 10_000
        for name, text in on_sqlite.items():
            assert on_postgresql[name] == text, name


def test_report_and_diff_commands_on_postgresql(site, pg_site):
    as_json = camaudit("report", "--db", pg_site, "--format", "json", "--out", "-")
    assert as_json.returncode == 0, as_json.stderr
    assert len(json.loads(as_json.stdout)["devices"]) == 9
    on_sqlite = camaudit("diff", "--db", str(site.db), "--json")
    on_postgresql = camaudit("diff", "--json", env={"CAMAUDIT_DB": pg_site})   # CAMAUDIT_DB as the default
    assert on_postgresql.returncode == on_sqlite.returncode == 1, on_postgresql.stderr   # 1: relevant changes
    assert json.loads(on_postgresql.stdout) == json.loads(on_sqlite.stdout)
