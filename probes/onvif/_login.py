"""How the ONVIF client spends the device's login budget (probes/login.py): one failed login per
account per device per run, shared with ISAPI and Dahua CGI. A ter:NotAuthorized after sending
an account rejects that account for the rest of the run; the next candidate, if any, is tried.
Only a protected read proves an account over ONVIF (client.py: PRE_AUTH answers may never look
at the credentials), and an account refused over ONVIF is never sent over ONVIF again.
"""

from __future__ import annotations

import re

from probes.errors import AccountLocked, CredentialsNeeded, CredentialsRejected, Forbidden, ProbeError
from probes.login import Credentials, LoginState

# How firmware words a locked account in a NotAuthorized reason (Hikvision, Dahua: "locked").
_LOCKED = re.compile(r"\block", re.IGNORECASE)


def next_account(login: LoginState) -> Credentials | None:
    """The account to send; None when none was given. Raises when none may be sent any more."""
    if login.locked:
        raise AccountLocked("the device reported the account as locked; no further logins were tried")
    creds = login.current()
    if creds is None and login.candidates:
        raise CredentialsRejected("every account given for this device was rejected once; "
                                  "no further attempts were made")
    return creds


def refused(login: LoginState, creds: Credentials | None, error: ProbeError, *, worked: bool) -> None:
    """Record a ter:NotAuthorized; returns only when another account may be tried."""
    if creds is None:
        raise CredentialsNeeded("the device requires an ONVIF login and no credentials were given for it")
    if worked:
        # The same account already read from this device: this read needs more rights.
        raise Forbidden(f"the account '{creds.user}' may not make this ONVIF read ({error.reason})")
    if login.confirmed == creds:
        # Another protocol proved the account on this device. Hikvision keeps ONVIF users apart
        # from web users (/ISAPI/Security/ONVIF/users, SecurityCap isSupportONVIFUserManagement,
        # PROTOCOLS.md [S1][S2]) and a skewed clock breaks only WS-Security (quirk 14): the account
        # stays good for the others, and the caller never sends it over ONVIF again.
        raise CredentialsRejected(f"the device accepts '{creds.user}' but refused it over ONVIF (a separate "
                                  "ONVIF user list, or its clock); it was not sent over ONVIF again")
    login.reject(creds)
    if _LOCKED.search(error.reason.split(": ", 1)[-1]):        # the device's words, not the URL
        login.mark_locked()
        raise AccountLocked(f"the device says the account '{creds.user}' is locked; no further logins")
    if login.current() is None:
        raise CredentialsRejected(f"the device rejected the ONVIF login for '{creds.user}'; it was tried "
                                  "once only, to avoid locking the account")
