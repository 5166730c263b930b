"""Report fixtures: a database holding two real audits of simulated fleets (see site.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from auditor.report import Report, build_report
from models.db import Store, open_store

from .site import AuditedSite, audit_site

GENERATED = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> AuditedSite:
    """Two real audit runs with a profile change between them (about 10 s, once per worker)."""
    return audit_site(tmp_path_factory.mktemp("report") / "camaudit.db")


@pytest.fixture
def site_store(site) -> Iterator[Store]:
    with open_store(site.db) as store:
        yield store


@pytest.fixture(scope="session")
def report(site) -> Report:
    """The latest run's report (run 2, compared with run 1)."""
    with open_store(site.db) as store:
        return build_report(store, generated=GENERATED)
