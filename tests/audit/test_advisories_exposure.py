"""Exposure from configuration (auditor/judge/exposure.py): positive readings only, unknown stays silent."""

from __future__ import annotations

import datetime as dt

from auditor.judge.exposure import exposure_findings
from models.audit import DeviceAudit
from models.identity import DeviceIdentity

AUDITED = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)


def _ids(services: dict | None = None, **identity) -> set[str]:
    audit = DeviceAudit(address="127.0.0.1", port=80, started=AUDITED, services=services or {},
                        identity=DeviceIdentity(**identity))
    return {f.id for f in exposure_findings(audit)}


def test_ssh_on_and_https_off_are_findings_unknown_is_not():
    assert _ids(services={"ssh": True, "https": False}) == {"ssh-enabled", "https-disabled"}
    assert _ids(services={"ssh": False, "https": True}) == set()
    assert _ids(services={"ssh": None, "https": None}) == set()
    assert _ids(services={}) == set()


def test_old_firmware_is_measured_against_the_audit_date_not_today():
    assert "firmware-old" in _ids(firmware="V5.2.0", firmware_date=dt.date(2014, 7, 21))
    assert "firmware-old" not in _ids(firmware="V5.7.18", firmware_date=dt.date(2024, 8, 26))
    assert "firmware-old" not in _ids(firmware="V5.2.0")                                  # no build date
    undated = DeviceAudit(address="127.0.0.1", port=80, identity=DeviceIdentity(firmware_date=dt.date(2014, 7, 21)))
    assert not list(exposure_findings(undated))                                           # no audit date
    (old,) = exposure_findings(DeviceAudit(address="127.0.0.1", port=80, started=AUDITED,
                                           identity=DeviceIdentity(firmware="V5.2.0",
                                                                   firmware_date=dt.date(2014, 7, 21))))
    assert "12 years before this audit" in old.title and old.severity == "medium"
