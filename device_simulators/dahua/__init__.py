"""Dahua HTTP CGI API as Dahua firmware and its OEMs (Amcrest, Lorex, Honeywell Performance,
Intelbras) serve it under `/cgi-bin/<module>.cgi?action=...`, rendered from the profile.

Dahua CGI has no public surface: every path wants HTTP auth (realm `Login to <serial>`), and
the runtime's AuthGate, lockout, request log and hostile quirks run before this handler sees
a request. This package only turns an authenticated request into Dahua's key=value answer.
Modules: `kv` (wire format), `magicbox` (identity, clock, versions), `config`
(configManager), `network` (remote-access tables), `analytics` (IVS rules, motion,
getCaps), `faces` (face databases).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from device_simulators.dahua import analytics, config, faces, kv, magicbox, network, users
from device_simulators.runtime.auth import AuthResult
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

PREFIX = "/cgi-bin/"

Route = Callable[["SimDevice", SimRequest], SimResponse]

# CGI file name -> handler. Anything else under /cgi-bin/ answers the Dahua error.
ROUTES: dict[str, Route] = {
    "magicBox.cgi": magicbox.magicbox,
    "global.cgi": magicbox.global_cgi,
    "IntervideoManager.cgi": magicbox.intervideo,
    "configManager.cgi": config.config_manager,
    "devVideoAnalyse.cgi": analytics.dev_video_analyse,
    "faceRecognitionServer.cgi": faces.face_recognition,
    "netApp.cgi": network.net_app,
    "userManager.cgi": users.user_manager,
}


class DahuaCgiHandler:
    """The `ProtocolHandler` for one simulated Dahua (or OEM) device."""

    protocol = "dahua_cgi"

    def __init__(self, device: SimDevice) -> None:
        self.device = device

    def claims(self, path: str) -> bool:
        return path.startswith(PREFIX)

    def needs_http_auth(self, request: SimRequest) -> bool:
        # No public CGI on Dahua firmware; `auth.scheme: none` profiles are the runtime's job.
        return True

    def handle(self, request: SimRequest, auth: AuthResult) -> SimResponse:
        route = ROUTES.get(request.path[len(PREFIX):])
        if route is None:
            return kv.error()
        return route(self.device, request)

    def locked_response(self) -> SimResponse:
        """A locked account still gets a 401 with a fresh challenge, so clients see an auth
        failure; the plain-text body wording is unverified."""
        return SimResponse(401, b"Error\r\nUser locked!\r\n", kv.CONTENT_TYPE,
                           headers=self.device.gate.challenge_headers())


def make_handler(device: SimDevice) -> DahuaCgiHandler:
    """Factory named in `runtime.device.HTTP_FAMILIES`."""
    return DahuaCgiHandler(device)


__all__ = ["DahuaCgiHandler", "make_handler"]
