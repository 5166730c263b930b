"""Simulated Hikvision ISAPI: the HTTP handler a SimDevice mounts for ``/ISAPI/`` and ``/SDK/``.

Every answer is rendered from the device's profile (``isapi:`` and ``remote_access``
sections) in the element names and namespaces real firmware uses. Authentication, lockout,
the request log and hostile quirks belong to the runtime; this package only turns an
authenticated request into the document firmware would send.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from device_simulators.isapi import routes
from device_simulators.isapi.model import Ctx, IsapiView
from device_simulators.isapi.security import locked_body
from device_simulators.isapi.xml import CONTENT_TYPE
from device_simulators.runtime.http import SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.auth import AuthResult
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.http import SimRequest

# The login page calls these before it has credentials.
PUBLIC_PATHS = frozenset({"/SDK/activateStatus", "/SDK/language", "/ISAPI/Security/sessionLogin/capabilities"})


class IsapiHandler:
    """ProtocolHandler for the ISAPI family."""

    protocol = "isapi"

    def __init__(self, device: SimDevice) -> None:
        self.device = device
        self.view = IsapiView(device.profile)

    def claims(self, path: str) -> bool:
        return path.startswith(("/ISAPI/", "/SDK/"))

    def needs_http_auth(self, request: SimRequest) -> bool:
        return request.path not in PUBLIC_PATHS

    def handle(self, request: SimRequest, auth: AuthResult) -> SimResponse:
        return routes.dispatch(Ctx(self.view, self.device, request, auth))

    def locked_response(self) -> SimResponse:
        """401 with the lock details and, as on every Hikvision 401, a fresh Digest challenge."""
        lockout = self.device.profile.quirk("lockout")
        seconds = float(lockout.params.get("lock_seconds", 1800)) if lockout else 1800.0
        return SimResponse(401, locked_body(self.view.namespace, seconds), CONTENT_TYPE,
                           headers=self.device.gate.challenge_headers())


def make_handler(device: SimDevice) -> IsapiHandler:
    return IsapiHandler(device)


__all__ = ["IsapiHandler", "make_handler"]
