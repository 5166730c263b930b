"""Exposure from configuration: findings from what the audit already read, with no new request.

Registered as the `exposure` rule in auditor/judge/findings.py. Each finding fires only on a positive
reading; an unknown state (None) never becomes a finding or an all-clear. The readings are
`DeviceAudit.services` keys the probes fill: ssh, https (isapi/dahua.services), upnp_ports
(isapi.upnp-ports, dahua.accounts), accounts, login_lockout (isapi.accounts, dahua.accounts),
rtsp_open (rtsp.describe), tls_self_signed, tls_expired (tls.certificate), clock_offset_seconds
(the ONVIF clock read by the fingerprint).
"""

from __future__ import annotations

from collections.abc import Iterable

from models.audit import DeviceAudit, Finding

OLD_FIRMWARE_YEARS = 5     # an operator's rule of thumb, not a vendor's support policy
CLOCK_TOLERANCE_S = 60     # beyond a minute, a recording's timestamp cannot place an event next to another source


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


# Where each services reading comes from, for the finding's evidence line (observations are not stored).
SOURCES = {
    "upnp_ports": "UPnP port mapping (ISAPI /ISAPI/System/Network/UPnP/ports; Dahua configManager UPnP.MapTable)",
    "rtsp_open": "RTSP DESCRIBE without credentials on port 554",
    "accounts": "accounts (ISAPI /ISAPI/Security/users; Dahua userManager.cgi getUserInfoAll)",
    "login_lockout": "login lock (ISAPI /ISAPI/Security/illegalLoginLock)",
    "tls_expired": "HTTPS certificate read in a TLS handshake",
    "tls_self_signed": "HTTPS certificate read in a TLS handshake",
}


def _lines(audit: DeviceAudit, key: str) -> list[str]:
    value = audit.services.get(key)
    said = {True: "yes", False: "no"}.get(value, value) if isinstance(value, bool) else value
    return [f"{SOURCES.get(key, key)}: {said}"]


def _upnp(audit: DeviceAudit) -> Iterable[Finding]:
    mapped = audit.services.get("upnp_ports")
    if mapped and audit.remote_access["upnp"].enabled is not False:
        yield Finding("upnp-ports-mapped", "high",
                      f"UPnP has asked the site router to open ports to this device ({mapped}): it is likely "
                      "reachable from the internet.", _lines(audit, "upnp_ports"),
                      "Switch UPnP (port mapping) off on the device and remove the mappings on the router; "
                      "give remote viewers a VPN instead.")


def _access(audit: DeviceAudit) -> Iterable[Finding]:
    if audit.services.get("rtsp_open") is True:
        yield Finding("rtsp-no-auth", "high",
                      "The video stream answers without a password: anyone on the network can watch it.",
                      _lines(audit, "rtsp_open"),
                      "Turn RTSP authentication on (Hikvision: Security > Authentication > RTSP Authentication; "
                      "Dahua: RTSP authentication / digest) and use digest, not basic.")
    accounts = audit.services.get("accounts")
    if isinstance(accounts, str) and accounts.split(",") == ["admin"]:
        yield Finding("admin-only-account", "medium",
                      "The only account is `admin`: everyone who uses the device shares the administrator login.",
                      _lines(audit, "accounts"),
                      "Create a named, least-privilege account for each person or system (a viewer for the "
                      "VMS, an operator for the installer) and keep admin for administration.")
    if audit.services.get("login_lockout") is False:
        yield Finding("login-lockout-off", "medium",
                      "Failed logins never lock the account: passwords can be guessed without limit.",
                      _lines(audit, "login_lockout"),
                      "Switch on the illegal-login lock (Hikvision: Security > Security Service; Dahua: account "
                      "lock on login failure) with a small number of attempts.")


# ONVIF Core's PRE_AUTH class answers without a login by design (GetSystemDateAndTime): not a finding.
BY_DESIGN = ("GetSystemDateAndTime",)


def _open_resources(audit: DeviceAudit) -> Iterable[Finding]:
    """An API family whose identity resource answered without a login on a device that has one (the
    protocol gate's 'answered 200 without a login'); a device with no login at all is no-authentication."""
    if audit.auth == "not-required":
        return
    for family, status in sorted(audit.protocol_status.items()):
        reason = status.reason.split(";", 1)[0]
        if "without a login" in reason and not any(name in reason for name in BY_DESIGN):
            yield Finding("api-open-without-login", "medium",
                          f"{family} answers without a login: {reason}; anyone on the network can read it.",
                          [f"{family}: {status}"],
                          "Check the device's authentication settings (Hikvision: Security > Authentication; "
                          "Dahua: Security > System Service) and update the firmware; restrict the device to the "
                          "VMS's network.")


def _default_password(audit: DeviceAudit) -> Iterable[Finding]:
    """Only from the opt-in `default-credentials` check; the state names accounts, never a password."""
    opened = audit.services.get("default_credentials")
    if isinstance(opened, str) and opened:
        for account in opened.split(","):
            yield Finding("default-password", "critical",
                          f"A default password works for account {account}: anyone who reads the maker's manual "
                          "can log in.",
                          [f"intrusive check default-credentials: the factory password was accepted for {account}"],
                          f"Change the password of {account} now to a long, unique one, and check the device's "
                          "configuration and accounts for changes made by others.")


def _certificate(audit: DeviceAudit) -> Iterable[Finding]:
    if audit.services.get("tls_expired") is True:
        yield Finding("tls-certificate-expired", "medium",
                      "The HTTPS certificate has expired: browsers warn, and users learn to click through warnings.",
                      _lines(audit, "tls_expired"), "Install a current certificate issued by the site's CA.")
    if audit.services.get("tls_self_signed") is True:
        yield Finding("tls-self-signed", "low",
                      "The HTTPS certificate is self-signed: a client cannot tell the device from an impostor.",
                      _lines(audit, "tls_self_signed"),
                      "Install a certificate issued by the site's own CA, or record the certificate's fingerprint "
                      "in the VMS so it is pinned.")


def _clock(audit: DeviceAudit) -> Iterable[Finding]:
    offset = audit.services.get("clock_offset_seconds")
    ntp = audit.remote_access["ntp"].enabled
    if isinstance(offset, int | float) and abs(offset) > CLOCK_TOLERANCE_S:
        way = "ahead of" if offset > 0 else "behind"
        yield Finding("clock-unsynchronised", "medium",
                      f"The device clock is {abs(int(offset))} s {way} this computer's: timestamps on its "
                      "recordings are unreliable as evidence.",
                      [f"ONVIF GetSystemDateAndTime: device clock minus ours = {int(offset)} s"]
                      + ([f"NTP: {line}" for line in audit.remote_access["ntp"].evidence[:1]] if ntp is False else []),
                      "Point the device at the site's NTP server and switch NTP on; check the time zone.")
    elif ntp is False:
        yield Finding("ntp-off", "low",
                      "NTP is switched off: the clock will drift, and recording timestamps with it.",
                      audit.remote_access["ntp"].evidence[:2],
                      "Point the device at the site's NTP server and switch NTP on.")


def exposure_findings(audit: DeviceAudit) -> Iterable[Finding]:
    """SSH on, HTTPS off, firmware old; UPnP mappings, open RTSP, lone admin account, no lockout,
    bad certificates, an unsynchronised clock."""
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
    yield from _upnp(audit)
    yield from _access(audit)
    yield from _default_password(audit)
    yield from _open_resources(audit)
    yield from _certificate(audit)
    yield from _clock(audit)
