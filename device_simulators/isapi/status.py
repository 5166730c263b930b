"""``ResponseStatus`` answers: how ISAPI firmware says OK, "not supported" and "failed".

statusCode values follow the ISAPI developer guides' XML_ResponseStatus (1 OK, 2 Device Busy,
3 Device Error, 4 Invalid Operation, 5 Invalid XML Format, 6 Invalid XML Content). The HTTP
status that accompanies each is what captures show: 403 for notSupport (hikvision_next
fixtures record 403 for unsupported resources on DS-2CD2386G2-IU and DS-7608NXI-I2), 400 for
methodNotAllowed (capture notes of a Hikvision terminal: POST to /ISAPI/System/Network/Ehome).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from device_simulators.isapi.xml import JSON_CONTENT_TYPE, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse

if TYPE_CHECKING:
    from device_simulators.isapi.model import Ctx


def response_status(ctx: Ctx, http: int, code: int, string: str, sub: str) -> SimResponse:
    root = document("ResponseStatus", ctx.view.namespace)
    leaves(root, [("requestURL", ctx.request.target), ("statusCode", code),
                  ("statusString", string), ("subStatusCode", sub)])
    return xml_response(root, http)


def ok(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 200, 1, "OK", "ok")


def not_support(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 403, 4, "Invalid Operation", "notSupport")


def method_not_allowed(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 400, 4, "Invalid Operation", "methodNotAllowed")


def low_privilege(ctx: Ctx) -> SimResponse:
    """A viewer account asking for security or network settings (403 also means "no permission")."""
    return response_status(ctx, 403, 4, "Invalid Operation", "lowPrivilege")


def device_error(ctx: Ctx) -> SimResponse:
    """statusCode 3 / deviceError, the body hikvision_next recorded from an NVR
    (Streaming.channels.x0y.picture/deviceError.xml). The HTTP 500 beside it is (unverified)."""
    return response_status(ctx, 500, 3, "Device Error", "deviceError")


def bad_xml_format(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 400, 5, "Invalid XML Format", "badXmlFormat")


def bad_xml_content(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 400, 6, "Invalid XML Content", "badXmlContent")


def bad_parameters(ctx: Ctx) -> SimResponse:
    return response_status(ctx, 400, 6, "Invalid XML Content", "badParameters")


def json_response(data: object, status: int = 200) -> SimResponse:
    return SimResponse(status, json.dumps(data).encode("utf-8"), JSON_CONTENT_TYPE)
