"""Intrusive checks only when asked: `default-credentials` sends exactly its announced, budgeted attempts,
never a password in the results, and nothing at all without the opt-in."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

import pytest
from rich.console import Console

from auditor.commands.audit import intrusive_from_args
from auditor.run.orchestrator import AuditOptions
from models.errors import UsageError
from probes import default_credentials as dc
from probes.login import Credentials, LoginState
from tests.audit.helpers import audit_fleet
from tests.report.site import variant

INSTALLER = {"user": "installer", "password": "Install-Only-2024", "role": "operator"}


def _accounts(admin_password: str):
    def change(raw: dict[str, Any]) -> None:
        raw["auth"]["accounts"] = [INSTALLER, {"user": "admin", "password": admin_password, "role": "admin"}]
    return change


@pytest.fixture(scope="module")
def intrusive_site(tmp_path_factory):
    from tests.conftest import start_on_free_subnet

    profiles = [variant("hik-cube-2014", _accounts("12345")),           # Hikvision factory password left in place
                variant("dahua-ipc-2016", _accounts("admin")),          # Dahua factory password left in place
                variant("dahua-bullet-upload-nas", _accounts("Car-Park-Cam-41")),   # changed: one refused attempt
                variant("hik-school-bullet", lambda raw: None)]          # admin given: decided with no attempt
    fleet = start_on_free_subnet(profiles)
    try:
        audits = audit_fleet(fleet, tmp_path_factory.mktemp("intrusive") / "camaudit.db",
                             options=AuditOptions(concurrency=4, intrusive_checks=(dc.CHECK,)))
        yield fleet, {d.profile.id: audits[d.address] for d in fleet}
    finally:
        fleet.stop()


def _logins(device, user: str) -> Counter:
    return Counter(e.auth for e in device.log if e.user == user and e.auth in ("ok", "failed"))


def test_default_passwords_found_with_exactly_the_announced_attempts(intrusive_site):
    fleet, audits = intrusive_site
    by_id = {d.profile.id: d for d in fleet}
    # One login attempt as admin where the plan had one, accepted or refused; none where it was decided.
    assert _logins(by_id["hik-cube-2014"], "admin") == Counter({"ok": 1})
    assert _logins(by_id["dahua-ipc-2016"], "admin") == Counter({"ok": 1})
    assert _logins(by_id["dahua-bullet-upload-nas"], "admin") == Counter({"failed": 1})
    assert not any(e.user in ("666666", "888888") for d in fleet for e in d.log)   # not listed / local only
    school = audits["hik-school-bullet"]
    assert school.services["default_credentials"] is False
    assert all(e.user == "admin" for e in by_id["hik-school-bullet"].log if e.user)   # the audit's own login only
    assert not by_id["hik-school-bullet"].log.failed_logins()
    for device in fleet:
        assert device.log.writes() == [], device.profile.id


def test_a_working_default_is_a_critical_finding_that_never_shows_the_password(intrusive_site):
    _, audits = intrusive_site
    for pid in ("hik-cube-2014", "dahua-ipc-2016"):
        audit = audits[pid]
        assert audit.services["default_credentials"] == "admin"
        (found,) = [f for f in audit.findings if f.id == "default-password"]
        assert found.severity == "critical" and "account admin" in found.title
        text = repr(found.to_json()) + repr(audit.services)
        assert "12345" not in text and "'admin'" not in text.replace("'default_credentials': 'admin'", "")
        assert any(r.probe.endswith("default-credentials") and r.outcome == "ok" for r in audit.probes)
    assert audits["dahua-bullet-upload-nas"].services["default_credentials"] is False
    assert not [f for f in audits["dahua-bullet-upload-nas"].findings if f.id == "default-password"]


def test_budget_and_plan():
    assert dc.budget(None, 0) == 1 and dc.budget(None, 1) == 0        # threshold unknown: one try at most
    assert dc.budget(7, 0) == 6 and dc.budget(3, 2) == 0 and dc.budget(2, 5) == 0
    fresh = LoginState([Credentials("installer", "x")])
    unknown = dc.plan("dahua_cgi", accounts=None, threshold=None, login=fresh)
    assert [d.account for d in unknown.attempts] == ["admin"] and "666666" in unknown.said()
    listed = dc.plan("dahua_cgi", accounts=["admin", "666666"], threshold=5, login=fresh)
    assert [d.account for d in listed.attempts] == ["admin", "666666"]
    failed = LoginState([Credentials("installer", "x")], rejected={"installer"})
    assert dc.plan("isapi", accounts=None, threshold=None, login=failed).attempts == []   # audit already failed once
    assert dc.plan("isapi", accounts=["admin"], threshold=2, login=failed).attempts == []
    confirmed = LoginState([Credentials("admin", "12345")], confirmed=Credentials("admin", "12345"))
    decided = dc.plan("isapi", accounts=None, threshold=7, login=confirmed)
    assert decided.attempts == [] and decided.decided == {"admin": True}
    assert "12345" not in decided.said() and all("12345" not in line for line in dc.announcement())


def test_run_plan_stops_at_the_first_failure_per_account():
    sent: list[str] = []

    def refuse(creds: Credentials) -> bool:
        sent.append(creds.user)
        return False

    twice = dc.Plan([dc.Default("admin", "a", "one"), dc.Default("admin", "b", "two")], {}, [])
    obs = dc.run_plan("isapi", "/x", twice, refuse)
    assert sent == ["admin"] and obs.state is False


def test_off_by_default_and_named_on_the_command_line():
    assert AuditOptions().intrusive_checks == () and not AuditOptions().run_options(1).intrusive_default_credentials
    assert AuditOptions(intrusive_checks=(dc.CHECK,)).run_options(1).intrusive_default_credentials
    console = Console(record=True, width=200)
    assert intrusive_from_args(argparse.Namespace(intrusive=["list"]), console) is None
    assert "default-credentials: isapi.default-credentials, dahua.default-credentials" in console.export_text()
    assert intrusive_from_args(argparse.Namespace(intrusive=[dc.CHECK, dc.CHECK]), console) == (dc.CHECK,)
    with pytest.raises(UsageError, match="unknown intrusive check 'brute-force'"):
        intrusive_from_args(argparse.Namespace(intrusive=["brute-force"]), console)
