"""Confirm a pointed-at API family with the device's one login: its identity resource, with credentials.

    confirm(ctx, family) -> Confirmation(state, reason)     state: proven | absent | failed

The unauthenticated gate (gate.py) leaves a family `ambiguous` when the firmware challenges every
path. When a maker signal points at that family (Hikvision -> isapi, Dahua -> dahua_cgi) and
credentials were given, the orchestrator asks the family's identity resource WITH them:

- isapi: GET /ISAPI/System/deviceInfo. `<DeviceInfo>` proves it; an ISAPI `<ResponseStatus>` also
  shows an ISAPI server (notSupport, lowPrivilege); a plain 404 or a document of another kind
  rules it out.
- dahua_cgi: GET /cgi-bin/magicBox.cgi?action=getDeviceType. A `type=` line proves it; a 404 or a
  body of another kind rules it out.

This is the login: the LoginState (probes/login.py) is shared with every other protocol, so the
device sees at most one failed attempt per account, whichever family asks first. The ISAPI
document is memoised (ctx.memo), so isapi.identity does not ask again. Auth and transport
failures are `failed` with the reason; nothing is raised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from probes._xml import local
from probes.context import ProbeContext
from probes.dahua._cgi import call
from probes.errors import AuthProblem, BadResponse, NotSupported, ProbeError
from probes.fingerprint.matchers import DEVICE_INFO
from probes.isapi._status import IsapiForbidden, IsapiNotSupported, shared_doc

# `HTTP 404` alone: no ResponseStatus document came with the status (probes/isapi/_status.py).
_PLAIN = re.compile(r"^HTTP \d{3}(?: \(.*\))?$")


@dataclass(frozen=True)
class Confirmation:
    state: str          # proven | absent | failed
    reason: str


def confirm(ctx: ProbeContext, family: str) -> Confirmation:
    """Ask `family`'s identity resource with the device's credentials (see the module docstring)."""
    check = {"isapi": _isapi, "dahua_cgi": _dahua}.get(family)
    if check is None:
        return Confirmation("failed", f"no identity check for {family}")
    try:
        with ctx.expected():       # a 404 here is the answer we asked for, not a device problem
            return check(ctx)
    except AuthProblem as exc:
        return Confirmation("failed", exc.reason)
    except ProbeError as exc:
        return Confirmation("failed", exc.reason)


def _isapi(ctx: ProbeContext) -> Confirmation:
    try:
        doc = shared_doc(ctx, DEVICE_INFO)
    except (IsapiNotSupported, IsapiForbidden) as exc:
        result = exc.evidence.result
        if _PLAIN.match(result):
            if isinstance(exc, IsapiForbidden):
                return Confirmation("failed", f"{DEVICE_INFO} answered {result} with credentials")
            return Confirmation("absent", f"{DEVICE_INFO} answered {result} with credentials")
        return Confirmation("proven", f"{DEVICE_INFO} answered an ISAPI ResponseStatus ({result}) with credentials")
    except BadResponse:
        return Confirmation("absent", f"{DEVICE_INFO} answered with credentials, but not with an XML document")
    root = local(doc.root.tag)
    if root != "DeviceInfo":
        return Confirmation("absent", f"{DEVICE_INFO} answered <{root[:40]}>, not DeviceInfo, with credentials")
    return Confirmation("proven", f"{DEVICE_INFO} answered DeviceInfo with credentials")


def _dahua(ctx: ProbeContext) -> Confirmation:
    where = "/cgi-bin/magicBox.cgi?action=getDeviceType"
    try:
        answer = call(ctx, "magicBox.cgi", action="getDeviceType")
    except NotSupported as exc:
        if "HTTP 404" in exc.reason:
            return Confirmation("absent", f"{where} answered 404 with credentials")
        # Dahua's own `Error / Bad Request!` line: a Dahua CGI server answered.
        return Confirmation("proven", f"{where} answered in Dahua's Error format with credentials")
    except BadResponse:
        return Confirmation("absent", f"{where} answered with credentials, but not in Dahua's key=value format")
    if answer.doc.get("type") is None:
        return Confirmation("absent", f"{where} answered {answer.status} with credentials, without a type= line")
    return Confirmation("proven", f"{where} answered type= with credentials")
