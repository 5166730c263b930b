"""ONVIF behaviours that differ between real firmware, switched on per profile (`quirks:`).

Each one reproduces something an audit met on a real device:

- `onvif_post_only {status}`: the device service only speaks SOAP over POST; a GET answers 405
  (the default here) or 404, so a GET proves nothing about whether ONVIF is there.
- `onvif_auth_refusal {status, challenge, soap}`: how a protected call *without* credentials is
  refused. ONVIF Core maps the ter:NotAuthorized Sender fault to HTTP 400 (node-onvif issue #60:
  "400 Bad Request - The action requested requires authorization"); Hikvision firmware answers
  401 with a Digest challenge (the default); some firmware sends a bare 401 without a SOAP body.
- `onvif_pre_auth {operations}`: the ONVIF Core PRE_AUTH class (GetServices, GetCapabilities,
  GetServiceCapabilities, GetWsdlUrl, GetEndpointReference) answered without looking at the
  credentials at all, so a wrong password passes them. Axis does this: GetCapabilities works,
  then every media read says "sender not authorized" (Apra-Labs/ONVIF-Device-Manager issue #27).
- `onvif_refuses {operations, status, soap}`: a service refuses operations it advertises with
  ter:ActionNotSupported, or with a bare HTTP 400/500 (PROTOCOLS.md quirk 15).
- `onvif_analytics_per_profile`: each media profile has its own VideoAnalyticsConfiguration
  (token `VideoAnalyticsToken_<n>`), rules and modules pick theirs with `profile: <n>`; without
  it the one configuration is shared by every profile, as Hikvision firmware does.
"""

from __future__ import annotations

from device_simulators.onvif.security import PRE_AUTH
from device_simulators.onvif.soap import SoapFault, action_not_supported, not_authorized
from device_simulators.profile import Profile
from device_simulators.runtime.http import SimResponse

_HTML = "text/html"


def get_refusal(profile: Profile) -> SimResponse:
    """What a GET on an ONVIF endpoint gets: 405 with Allow: POST, or the quirk's status."""
    quirk = profile.quirk("onvif_post_only")
    status = int(quirk.params.get("status", 405)) if quirk else 405
    if status == 405:
        return SimResponse(405, b"<html><body>405 Method Not Allowed</body></html>", _HTML,
                           headers=[("Allow", "POST")], auth="none")
    return SimResponse(status, f"<html><body>{status}</body></html>".encode(), _HTML, auth="none")


def pre_auth(profile: Profile) -> frozenset[str]:
    """Operations answered whatever the credentials say."""
    quirk = profile.quirk("onvif_pre_auth")
    return PRE_AUTH | frozenset(quirk.params.get("operations") or ()) if quirk else PRE_AUTH


def anonymous_refusal(profile: Profile) -> tuple[SoapFault | None, int, bool]:
    """(fault or None for a bare answer, HTTP status, send a Digest challenge) for a call without login."""
    quirk = profile.quirk("onvif_auth_refusal")
    if quirk is None:
        return not_authorized(401), 401, True
    status = int(quirk.params.get("status", 401))
    challenge = bool(quirk.params.get("challenge", status == 401))
    fault = not_authorized(status) if quirk.params.get("soap", True) else None
    return fault, status, challenge


def refused(profile: Profile, operation: str) -> SoapFault | SimResponse | None:
    """The refusal for an advertised operation the firmware will not answer, if it is one."""
    quirk = profile.quirk("onvif_refuses")
    if quirk is None or operation not in (quirk.params.get("operations") or ()):
        return None
    status = int(quirk.params.get("status", 500))
    if quirk.params.get("soap", True):
        return action_not_supported(status)
    return SimResponse(status, f"<html><body>{status}</body></html>".encode(), _HTML, action=operation)


def analytics_per_profile(profile: Profile) -> bool:
    return profile.quirk("onvif_analytics_per_profile") is not None
