"""Findings from advisory matches: "likely affected (version-based, not tested)" and "cannot tell".

The wording says what camaudit did: it compared the firmware the device reported with the
advisory's ranges and sent nothing to test the flaw (PROTOCOLS.md quirk 20).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from auditor.judge.advisories.data import AdvisoryDataError, AdvisorySet, load
from auditor.judge.advisories.match import Device, Match, match_all
from models.audit import DeviceAudit, Finding

CANNOT_TELL_ID = "advisory-cannot-tell"


@functools.cache
def current() -> AdvisorySet:
    """The advisories in force: user-installed files over the bundled ones; the bundled set if those fail."""
    try:
        return load()
    except AdvisoryDataError:
        # `advisories update` checks a file before installing it, so this is a hand-edited user file:
        # fall back to what shipped rather than stop an audit.
        return load(bundled_only=True)


def _firmware(audit: DeviceAudit) -> str:
    built = f" built {audit.firmware_date.isoformat()}" if audit.firmware_date else ""
    return f"{audit.firmware or 'unknown firmware'}{built}"


def _affected(audit: DeviceAudit, m: Match) -> Finding:
    a, rng = m.advisory, m.affected
    assert rng is not None
    verified = "range as the advisory lists it" if rng.range_verified else a.range_note
    kev = {True: "in CISA's Known Exploited Vulnerabilities list", False: "not in CISA KEV",
           None: "CISA KEV membership not checked"}[a.kev]
    evidence = [f"firmware {_firmware(audit)}, model {audit.model or 'unknown'}", f"affected: {rng.describe()}",
                verified, f"CVSS {a.cvss_score:g} {a.cvss_vector}", f"{kev}{': ' + a.kev_note if a.kev_note else ''}",
                *(f"source: {s}" for s in a.sources[:2])]
    return Finding(
        a.finding_id, a.severity,
        f"Firmware {_firmware(audit)} is likely affected by {a.name}, {a.title} (version-based, not tested).",
        evidence,
        f"Update to {a.fixed}. Check the model against {a.vendor_id or a.cve} ({a.sources[0]}); "
        "camaudit compared versions only and sent nothing to test the flaw.")


def _cannot_tell(audit: DeviceAudit, undecided: list[Match]) -> Finding:
    names = ", ".join(m.advisory.cve for m in undecided)
    reasons = sorted({m.reason for m in undecided})
    return Finding(
        CANNOT_TELL_ID, "info",
        f"camaudit cannot tell whether firmware {_firmware(audit)} is affected by {names}.",
        [f"{m.advisory.name}: {m.reason}" for m in undecided][:6],
        f"Read the firmware version and build date from the device ({'; '.join(reasons)}) and compare it with "
        "the advisories by hand; this is not a 'not affected'.")


def advisory_findings(audit: DeviceAudit, advisories: AdvisorySet | None = None) -> Iterable[Finding]:
    """One finding per advisory the device's firmware likely falls under, and one for those it cannot tell."""
    data = advisories or current()
    device = Device(audit.manufacturer, audit.model, audit.device_type, audit.firmware, audit.firmware_date)
    undecided = []
    for m in match_all(device, data.advisories):
        if m.verdict == "affected":
            yield _affected(audit, m)
        else:
            undecided.append(m)
    if undecided:
        yield _cannot_tell(audit, undecided)
