"""Accounts, ports and login protection: /ISAPI/Security/*.

Passwords never leave this module: UserList carries names and levels only, as firmware does.
"""

from __future__ import annotations

from device_simulators.isapi.model import Ctx
from device_simulators.isapi.xml import add, document, leaves, serialize, xml_response
from device_simulators.runtime.http import SimResponse

USER_LEVELS = {"admin": "Administrator", "operator": "Operator", "viewer": "Viewer"}

# AdminAccessProtocol names for the runtime's services (DS-2CD2386G2-IU fixture order).
ADMIN_PROTOCOLS = [("http", "HTTP", 80), ("https", "HTTPS", 443), ("sdk", "DEV_MANAGE", 8000),
                   ("rtsp", "RTSP", 554)]


def users(ctx: Ctx) -> SimResponse:
    root = document("UserList", ctx.view.namespace)
    for i, account in enumerate(ctx.view.profile.accounts, start=1):
        leaves(add(root, "User"), [("id", i), ("userName", account.user),
                                   ("userLevel", USER_LEVELS.get(account.role, "Viewer"))])
    return xml_response(root)


def admin_accesses(ctx: Ctx) -> SimResponse:
    """Ports as the running device actually bound them (device.ports), profile ports when off."""
    services = ctx.view.profile.services
    root = document("AdminAccessProtocolList", ctx.view.namespace)
    for i, (service, protocol, default) in enumerate(ADMIN_PROTOCOLS, start=1):
        bound = ctx.device.ports.get(service)
        node = leaves(add(root, "AdminAccessProtocol"), [
            ("id", i), ("enabled", bound is not None), ("protocol", protocol),
        ])
        if protocol == "HTTPS":
            add(node, "redirectToHttps", False)
        add(node, "portNo", bound if bound is not None else (getattr(services, service) or default))
    return xml_response(root)


def illegal_login_lock(ctx: Ctx) -> SimResponse:
    """Lockout settings (element names (unverified)); enabled only with the lockout quirk."""
    lockout = ctx.view.profile.quirk("lockout")
    root = document("IllegalLoginLock", ctx.view.namespace)
    add(root, "enabled", lockout is not None)
    if lockout is not None:
        add(root, "maxIllegalLoginTimes", int(lockout.params.get("max_failures", 7)))
        add(root, "maxIllegalLoginLockTime", max(1, int(float(lockout.params.get("lock_seconds", 1800)) // 60)))
    return xml_response(root)


def user_check(ctx: Ctx) -> SimResponse:
    """The web UI's credential check; reaching a handler means the runtime accepted the login."""
    root = document("userCheck", ctx.view.namespace)
    leaves(root, [("statusValue", 200), ("statusString", "OK"), ("isDefaultPassword", False),
                  ("isRiskPassword", False), ("isActivated", True)])
    return xml_response(root)


def locked_body(namespace: str, lock_seconds: float) -> bytes:
    """What a locked account gets instead of the usual 401 page.

    The element names (lockStatus, unlockTime in seconds, retryLoginTime) are those the
    Hikvision web UI reads after a failed login; the layout is (unverified). unlockTime is
    the configured lock time: the runtime does not tell handlers how much of it is left.
    """
    root = document("userCheck", namespace)
    leaves(root, [("statusValue", 401), ("statusString", "Unauthorized"), ("lockStatus", "lock"),
                  ("unlockTime", int(lock_seconds)), ("retryLoginTime", 0)])
    return serialize(root)
