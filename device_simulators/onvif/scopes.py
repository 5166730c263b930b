"""GetScopes: the same scopes the device announces over WS-Discovery, with their ScopeDef.

A camera keeps one scope list and serves it both ways, so the list itself comes from the
WS-Discovery responder (`vendor_scopes`: Hikvision adds `MAC/`, Dahua leads with `location/`
and ends with `extension/unique_identifier`, OEM firmware rewrites only `name/`). What GetScopes
adds is the ScopeDef: `name/` and `location/` (and profile extras) are Configurable by the
operator, the rest are Fixed by the firmware.
"""

from __future__ import annotations

from device_simulators.discovery.wsd import SCOPE_PREFIX, vendor_scopes
from device_simulators.profile import Profile

_CONFIGURABLE = ("name/", "location/")


def device_scopes(profile: Profile) -> list[tuple[str, str]]:
    """(ScopeDef, ScopeItem) pairs in the firmware's order."""
    pairs = []
    for scope in vendor_scopes(profile):
        relative = scope[len(SCOPE_PREFIX):] if scope.startswith(SCOPE_PREFIX) else None
        fixed = relative is not None and not relative.startswith(_CONFIGURABLE)
        pairs.append(("Fixed" if fixed else "Configurable", scope))
    return pairs
