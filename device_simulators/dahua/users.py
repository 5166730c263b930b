"""`userManager.cgi?action=getUserInfoAll`: the device's accounts, names and groups only.

Answer shape `users[i].{Id, Name, Group, Reserved, Sharable}` as the Dahua HTTP API and the NOC
project's `Dahua.DH.get_local_users` script read it (the `users[...]` prefix and `Name`, `Group`
keys); `Reserved`/`Sharable` are (unverified). Passwords are never rendered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from device_simulators.dahua import kv
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

GROUPS = {"admin": "admin", "operator": "user", "viewer": "user"}


def user_manager(device: SimDevice, request: SimRequest) -> SimResponse:
    if request.arg("action") != "getUserInfoAll":
        return kv.error()
    users = [{"Group": GROUPS.get(a.role, "user"), "Id": i, "Name": a.user, "Reserved": i == 1, "Sharable": True}
             for i, a in enumerate(device.profile.accounts, start=1)]
    return kv.text(kv.flatten("users", users))
