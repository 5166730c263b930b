"""Exposure from configuration: findings from what the audit already read, with no new request.

Registered as the `exposure` rule in auditor/judge/findings.py. Each finding fires only on a positive
reading; an unknown state (None) never becomes a finding or an all-clear.
"""

from __future__ import annotations

from collections.abc import Iterable

from models.audit import DeviceAudit, Finding

OLD_FIRMWARE_YEARS = 5     # an operator's rule of thumb, not a vendor's support policy


def _firmware_age(audit: DeviceAudit) -> Finding | None:
    """Firmware built more than OLD_FIRMWARE_YEARS before the audit (the audit's own date, not today's)."""
    if audit.firmware_date is None or audit.started is None:
        return None
    audited = audit.started.date()
    years = (audited - audit.firmware_date).days / 365.25
    if years < OLD_FIRMWARE_YEARS:
        return None
    which = f"Firmware {audit.firmware}" if audit.firmware else "The firmware"
    return Finding("firmware-old", "medium",
                   f"{which} was built {audit.firmware_date.isoformat()}, {int(years)} years before this audit.",
                   [f"build date {audit.firmware_date.isoformat()}, audited {audited.isoformat()}"],
                   "Check the maker's download centre for a newer firmware for this model; firmware this old "
                   "misses years of security fixes, and a model without newer firmware is due for replacement.")


def exposure_findings(audit: DeviceAudit) -> Iterable[Finding]:
    """SSH on, HTTPS switched off, firmware older than OLD_FIRMWARE_YEARS."""
    if audit.services.get("ssh") is True:
        yield Finding("ssh-enabled", "medium", "SSH is enabled: a remote shell on the device.",
                      ["device configuration: SSH enabled"],
                      "Disable SSH unless the installer needs it for a visit, and switch it off again afterwards.")
    if audit.services.get("https") is False:
        yield Finding("https-disabled", "medium",
                      "HTTPS is switched off: the web interface and API are served over plain HTTP only.",
                      ["device configuration: HTTPS disabled"],
                      "Enable HTTPS on the device (with a certificate the site trusts) and turn plain HTTP off.")
    old = _firmware_age(audit)
    if old:
        yield old
