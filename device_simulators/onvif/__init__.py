"""ONVIF SOAP 1.2 server of a simulated device, rendered from its profile.

Order of work for each request, as gSOAP-based firmware does it: parse the envelope (a broken
one is a Sender fault), find the operation (unknown operations and services the profile does
not list answer ActionNotSupported, with or without credentials), then authenticate with
WS-Security (or HTTP Digest), then answer. Authentication happens here, not in the HTTP
server, because ONVIF carries credentials inside the SOAP header; the outcome and the
operation name go back in SimResponse so the request log records them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from device_simulators.onvif import analytics, device_service, events, imaging, media, quirks
from device_simulators.onvif.context import Context, Operation
from device_simulators.onvif.profile_check import check_onvif_section
from device_simulators.onvif.security import ADMIN_ONLY, authenticate
from device_simulators.onvif.soap import (
    CONTENT_TYPE,
    SoapFault,
    SoapRequest,
    action_not_supported,
    envelope,
    not_authorized,
    parse_request,
)
from device_simulators.onvif.vendor import SERVICE_NAMESPACES, WSNT, family_of
from device_simulators.runtime.auth import AuthResult
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

_SERVICE_OPERATIONS: dict[str, dict[str, Operation]] = {
    "device": device_service.OPERATIONS,
    "media": media.OPERATIONS,
    "events": events.OPERATIONS,
    "analytics": analytics.OPERATIONS,
    "imaging": imaging.OPERATIONS,
}
_ROUTES: dict[str, tuple[str, dict[str, Operation]]] = {
    **{SERVICE_NAMESPACES[s]: (s, ops) for s, ops in _SERVICE_OPERATIONS.items()},
    WSNT: ("events", events.WSNT_OPERATIONS),
}


class OnvifHandler:
    """The ProtocolHandler for everything under /onvif/."""

    protocol = "onvif"

    def __init__(self, device: SimDevice) -> None:
        check_onvif_section(device.profile)
        self.device = device
        self.family = family_of(device.profile)
        self.services = set(device.profile.onvif.get("services") or ["device"])
        self.pre_auth = quirks.pre_auth(device.profile)

    def claims(self, path: str) -> bool:
        return path.startswith("/onvif/")

    def needs_http_auth(self, request: SimRequest) -> bool:
        return False  # WS-Security lives in the SOAP header; handle() checks it.

    def handle(self, request: SimRequest, auth: AuthResult) -> SimResponse:
        if not self.family.serves(request.path):
            return SimResponse(404, b"<html><body>404 Not Found</body></html>", "text/html", auth="none")
        if request.method != "POST":
            return quirks.get_refusal(self.device.profile)
        try:
            soap = parse_request(request.body)
        except SoapFault as fault:
            return self._fault(fault, None, AuthResult("none"))
        operation = self._operation(soap)
        if operation is None:
            return self._fault(action_not_supported(), soap.operation, AuthResult("none"))
        if soap.operation in self.pre_auth:
            result = AuthResult("not-required", user=soap.token.user if soap.token else None)
        else:
            result = authenticate(self.device, request, soap.token)
        if not result.ok:
            return self._refusal(soap.operation, result)
        if soap.operation in ADMIN_ONLY and result.account is not None and result.account.role != "admin":
            return self._fault(not_authorized(self.family.not_authorized_status), soap.operation, result)
        refusal = quirks.refused(self.device.profile, soap.operation)
        if isinstance(refusal, SoapFault):
            return self._fault(refusal, soap.operation, result)
        if refusal is not None:
            refusal.auth, refusal.user = result.outcome, result.user
            return refusal
        try:
            body = operation(Context(self.device, self.family, result), soap.body)
        except SoapFault as fault:
            return self._fault(fault, soap.operation, result)
        except Exception as exc:  # noqa: BLE001 - a bad request must never take the device down
            fault = SoapFault("Receiver", ("ter:Action",), f"Internal error: {type(exc).__name__}", 500)
            return self._fault(fault, soap.operation, result)
        return SimResponse(200, envelope(body), CONTENT_TYPE, auth=result.outcome, user=result.user,
                           action=soap.operation)

    def _operation(self, soap: SoapRequest) -> Operation | None:
        route = _ROUTES.get(soap.namespace)
        if route is None or route[0] not in self.services:
            return None
        return route[1].get(soap.operation)

    def _refusal(self, action: str, result: AuthResult) -> SimResponse:
        # Wrong credentials: the family's status. No credentials at all (or a stale HTTP Digest
        # nonce): by default 401 with a Digest challenge, so a client can fall back to HTTP Digest;
        # the onvif_auth_refusal quirk gives other firmware's answers.
        if result.outcome not in ("challenge", "stale"):
            return self._fault(not_authorized(self.family.not_authorized_status), action, result)
        fault, status, challenge = quirks.anonymous_refusal(self.device.profile)
        headers = self.device.gate.challenge_headers(stale=result.outcome == "stale") if challenge else []
        if fault is None:
            return SimResponse(status, b"<html><body>401 Unauthorized</body></html>", "text/html",
                               headers=headers, auth=result.outcome, user=result.user, action=action)
        return SimResponse(status, envelope(fault.node()), CONTENT_TYPE, headers=headers,
                           auth=result.outcome, user=result.user, action=action)

    def _fault(self, fault: SoapFault, action: str | None, result: AuthResult) -> SimResponse:
        headers = []
        if fault.status == 401:
            headers = self.device.gate.challenge_headers(stale=result.outcome == "stale")
        return SimResponse(fault.status, envelope(fault.node()), CONTENT_TYPE, headers=headers,
                           auth=result.outcome, user=result.user, action=action)


def make_handler(device: SimDevice) -> OnvifHandler:
    """The ONVIF handler for one simulated device (raises ProfileError for a bad onvif section)."""
    return OnvifHandler(device)


__all__ = ["OnvifHandler", "make_handler"]
