"""Audit behaviour around logins and runs: lockout safety, locked devices, interrupted runs,
unreachable targets and HTTPS-only devices."""

from __future__ import annotations

import threading
from collections import Counter

import requests
from requests.auth import HTTPDigestAuth

from auditor.run.credentials import CredentialBook
from auditor.run.orchestrator import AuditOptions, AuditProgress, run_audit
from auditor.run.scope import plan_targets
from models.db import open_store
from models.store import get_run, list_run_devices
from tests.audit.helpers import audit_fleet, credentials_for


def test_a_wrong_password_costs_exactly_one_failed_login_per_account(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet", "dahua-wizmind-face", "truvision-thermal-oem")
    audits = audit_fleet(fleet, tmp_path / "a.db", credentials=credentials_for(
        fleet, wrong={"hik-school-bullet", "dahua-wizmind-face", "truvision-thermal-oem"}))
    for device in fleet:
        failures = Counter(e.user for e in device.log.failed_logins())
        assert failures == Counter({"admin": 1}), (device.profile.id, failures)
        assert not device.gate.is_locked("admin")
        audit = audits[device.address]
        assert audit.auth == "failed"
        assert any(f.id == "login-failed" for f in audit.findings)
        # What the device says without a login is still reported: identity from discovery.
        assert audit.serial == device.profile.identity.serial
        assert audit.features["face_capture"].supported is None     # unknown, not "no"


def test_a_device_that_is_already_locked_is_reported_locked(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    url = device.url() + "/ISAPI/System/deviceInfo"
    for _ in range(7):      # someone else locked it before the audit
        requests.get(url, auth=HTTPDigestAuth("admin", "guess"), timeout=5)
    device.log.clear()
    audit = audit_fleet(fleet, tmp_path / "l.db")[device.address]
    assert audit.auth == "locked"
    assert any(f.id == "account-locked" for f in audit.findings)
    assert all(e.auth != "failed" for e in device.log)        # the audit added no failed login


def test_an_interrupted_run_keeps_finished_devices_and_is_marked_incomplete(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet", "dahua-wizmind-face", "axis-onvif-line", "ezviz-consumer")
    targets = plan_targets([d.address for d in fleet])
    cancel = threading.Event()
    begun: list[str] = []

    def started(target) -> None:  # noqa: ANN001 - a Target
        begun.append(target.address)
        if len(begun) == 2:        # stop once the first device has finished (one worker: it had)
            cancel.set()

    # Not from `finished`: that is told after the writer's batch is stored (50-100 ms later), by
    # which time a loaded machine had audited the whole fleet.
    progress = AuditProgress(started=started)
    with open_store(tmp_path / "i.db") as store:
        outcome = run_audit(store, targets, credentials_for(fleet), scope=["x"], cancel=cancel,
                            options=AuditOptions(concurrency=1), progress=progress)
        run = get_run(store, run_id=outcome.run_id)
        kept = list_run_devices(store, run_id=outcome.run_id)
    assert not outcome.complete and run is not None and run.complete is False
    assert [a.address for a in kept] == begun[:1]      # the finished one; the one under way is never written
    assert {a.address for a in kept} == {a.address for a in outcome.devices}


def test_an_address_that_answers_nothing_is_reported_unreachable(tmp_path):
    silent = "127.0.99.254"
    targets = plan_targets([silent])          # given explicitly, so kept even though silent
    with open_store(tmp_path / "u.db") as store:
        outcome = run_audit(store, targets, CredentialBook(), scope=[silent])
    (audit,) = outcome.devices
    assert audit.address == silent and audit.reachable is False
    assert audit.errors and all(v.supported is None for v in audit.features.values())


def test_https_with_a_self_signed_certificate_is_audited(start_fleet, tmp_path):
    fleet = start_fleet("dahua-nvr")
    device = fleet.devices[0]
    targets = plan_targets([f"https://{device.address}:{device.ports['https']}"], discover=False)
    with open_store(tmp_path / "s.db") as store:
        (audit,) = run_audit(store, targets, credentials_for(fleet), scope=["https"]).devices
    assert audit.serial == device.profile.identity.serial and audit.auth == "ok"
    assert audit.features["intrusion"].enabled is True
    assert any(e.protocol == "dahua_cgi" and e.path.startswith("/cgi-bin/") for e in device.log
               if e.status == 200)
