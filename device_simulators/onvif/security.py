"""Who is calling: WS-Security UsernameToken (the ONVIF way) or HTTP Digest (ONVIF 2.x allows it).

Every check goes through the device's AuthGate, so bad ONVIF passwords count towards the same
lockout as bad ISAPI or CGI passwords, as they do on the firmware.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from device_simulators.runtime.auth import AuthResult

if TYPE_CHECKING:
    from device_simulators.onvif.soap import UsernameToken
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.http import SimRequest

# The ONVIF core specification's default window for UsernameToken Created. A client whose
# clock (or whose idea of the device clock) is further off is refused: the clock_skew quirk.
MAX_CLOCK_DIFFERENCE = dt.timedelta(minutes=5)

# Operations a device answers without credentials (ONVIF core: the PRE_AUTH class). Real
# firmware differs on GetCapabilities/GetServices; Hikvision and Dahua ask for credentials
# there, so only the clock is public here, which is what a client needs to fix its skew.
PRE_AUTH = frozenset({"GetSystemDateAndTime"})

# Operations only an Administrator may call (ONVIF access class READ_SYSTEM_SECRET).
ADMIN_ONLY = frozenset({"GetUsers"})


def parse_created(value: str) -> dt.datetime | None:
    """wsu:Created as an aware UTC datetime; None when it is not a valid xs:dateTime."""
    try:
        stamp = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def is_fresh(created: str | None, device_now: dt.datetime, *, required: bool) -> bool:
    """True when Created lies within MAX_CLOCK_DIFFERENCE of the device clock."""
    if created is None:
        return not required
    stamp = parse_created(created)
    return stamp is not None and abs(stamp - device_now) <= MAX_CLOCK_DIFFERENCE


def authenticate(device: SimDevice, request: SimRequest, token: UsernameToken | None) -> AuthResult:
    """The caller's login outcome: ok | failed | locked | challenge | stale | not-required."""
    if device.profile.auth_scheme == "none":
        return AuthResult("not-required")
    if token is not None:
        result = device.gate.check_wsse(
            token.user,
            token.password if token.digest else None,
            None if token.digest else token.password,
            token.nonce,
            token.created,
        )
        # A digest is only valid with its Created time, and that time must match the device
        # clock. The password was right, so this does not count towards the lockout.
        if result.outcome == "ok" and not is_fresh(token.created, device.clock(), required=token.digest):
            return AuthResult("failed", user=token.user)
        return result
    header = request.headers.get("authorization")
    if header:
        return device.gate.check_http(request.method, header)
    return AuthResult("challenge")
