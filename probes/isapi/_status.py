"""How every ISAPI probe asks: one GET, the `ResponseStatus` recognised, the body parsed safely.

ISAPI answers errors with a `<ResponseStatus>` document (statusCode, statusString,
subStatusCode) whose HTTP status is often 403 even when the meaning is "no such feature"
(PROTOCOLS.md a, quirks 3-4). This module turns every answer into one of: a parsed document
with its evidence, or NotSupported / Forbidden / UnexpectedAnswer carrying evidence too, so a
probe can record "not supported" or "unknown" for exactly that resource and carry on.
Auth and transport outcomes from `ctx.http` (AuthProblem, Unreachable, TimedOut, ...) pass
through unchanged: the orchestrator records them for the device.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._redact import redact
from probes._xml import XmlDoc, excerpt, local, parse_xml, text
from probes.base import Evidence
from probes.context import ProbeContext
from probes.errors import Forbidden, MalformedResponse, NotSupported, ProbeError, UnexpectedAnswer

PROTOCOL = "isapi"
EXCERPT_LIMIT = 160

# subStatusCode values meaning "this firmware has no such resource or feature". Sent by
# Hikvision IPC and NVR firmware (DS-2CD2386G2-IU, DS-7608NXI-I2 in hikvision_next's fixtures)
# and by the OEM builds of the same firmware (EZVIZ, TruVision/Interlogix, LTS, Annke), usually
# with HTTP 403 and statusCode 4 "Invalid Operation", on some firmware with statusCode 6 or
# HTTP 200 [S4][S6]. Compared case-insensitively.
NOT_SUPPORTED_SUBSTATUS = frozenset({"notsupport", "notsupported"})
# statusCode values seen beside notSupport: 4 "Invalid Operation" and 6 "Invalid XML Content".
# Old (PSIA-era) Hikvision firmware sends statusCode 4 "Invalid Operation" with no
# subStatusCode at all for a resource it lacks, so that alone also counts as not supported.
NOT_SUPPORTED_STATUS = frozenset({4, 6})
INVALID_OPERATION = 4
# subStatusCode values for "authenticated, but this account may not read it" (Viewer and
# Operator accounts on Security/Network resources, quirk 4): unknown, never "disabled".
NO_PRIVILEGE_SUBSTATUS = frozenset({"lowprivilege", "badauthorization", "nopermission"})
# statusCode 3 "Device Error": deviceError, or reConnectIpc on an NVR whose camera is away.
DEVICE_ERROR = 3
OK = 1


@dataclass(frozen=True)
class ResponseStatus:
    """An ISAPI `<ResponseStatus>` document."""

    status_code: int | None
    status_string: str | None
    sub_status: str | None
    request_url: str | None = None

    @property
    def not_supported(self) -> bool:
        sub = (self.sub_status or "").lower()
        if sub in NOT_SUPPORTED_SUBSTATUS:
            return True
        return not sub and self.status_code == INVALID_OPERATION

    @property
    def no_privilege(self) -> bool:
        return (self.sub_status or "").lower() in NO_PRIVILEGE_SUBSTATUS

    def label(self) -> str:
        parts = [str(self.status_code) if self.status_code is not None else "?",
                 self.status_string or "", self.sub_status or ""]
        return " ".join(p for p in parts if p)


def parse_response_status(root: Element) -> ResponseStatus | None:
    """The ResponseStatus in a parsed answer, or None when the answer is another document."""
    if local(root.tag) != "ResponseStatus":
        return None
    code = text(root, "statusCode")
    return ResponseStatus(int(code) if code and code.isdigit() else None, text(root, "statusString"),
                          text(root, "subStatusCode"), text(root, "requestURL"))


def outcome(http_status: int, status: ResponseStatus | None) -> str:
    """ok | not-supported | forbidden | device-error | failed, from the HTTP status and ResponseStatus."""
    if status is not None and status.not_supported:
        return "not-supported"
    if (status is not None and status.no_privilege) or http_status == 403:
        return "forbidden"
    if http_status == 404:
        return "not-supported"
    if status is not None and status.status_code == DEVICE_ERROR:
        return "device-error"
    if http_status != 200 or (status is not None and status.status_code not in (None, OK)):
        return "failed"
    return "ok" if status is None else "empty"


class IsapiNotSupported(NotSupported):
    def __init__(self, reason: str, evidence: Evidence) -> None:
        super().__init__(reason)
        self.evidence = evidence


class IsapiForbidden(Forbidden):
    def __init__(self, reason: str, evidence: Evidence) -> None:
        super().__init__(reason)
        self.evidence = evidence


class IsapiFailed(UnexpectedAnswer):
    """5xx, deviceError, badParameters...: the resource exists but gave nothing usable."""

    def __init__(self, reason: str, evidence: Evidence, *, device_error: bool = False) -> None:
        super().__init__(reason)
        self.evidence = evidence
        self.device_error = device_error


@dataclass
class IsapiDoc(XmlDoc):
    """A parsed 200 answer and the evidence for it."""

    evidence: Evidence = dataclasses.field(default_factory=lambda: Evidence(PROTOCOL, ""))


_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>\s*")


def clip(value: str, limit: int = EXCERPT_LIMIT) -> str:
    value = " ".join(redact(value).split())
    return value[:limit] + ("…" if len(value) > limit else "")


def with_excerpt(evidence: Evidence, summary: str) -> Evidence:
    """The same evidence with a summary of parsed, non-secret values as its excerpt."""
    return dataclasses.replace(evidence, excerpt=clip(summary))


def evidence_for(exc: ProbeError, source: str) -> Evidence:
    """The evidence an ISAPI error carries, or one built from its reason."""
    found = getattr(exc, "evidence", None)
    if isinstance(found, Evidence):
        return found
    return Evidence(PROTOCOL, source, type(exc).__name__, clip(exc.reason))


def _source(path: str, params: dict[str, str] | None) -> str:
    # Query parameters are shown by name only: an `iv` is not a secret but is noise.
    return path + ("?" + "&".join(sorted(params)) if params else "")


def check_root(doc: XmlDoc, source: str, roots: tuple[str, ...] | None) -> None:
    """A 200 answer is only the document asked for when its root element says so.

    Matched by local name and case-insensitively (namespaces and the capitalisation of some
    roots vary between firmware); `*Cap` accepts any root ending in Cap. Junk a broken proxy
    or web server returns in place of the document (a flat list of `<a/>`, an HTML page) is
    unreadable, never a capability.

    Raises:
        MalformedResponse: the root is none of `roots`.
    """
    if not roots:
        return
    found = local(doc.root.tag).lower()
    if not any(found.endswith(r[1:].lower()) if r.startswith("*") else found == r.lower() for r in roots):
        shown = clip(local(doc.root.tag), 40)
        raise MalformedResponse(f"{source} answered <{shown}> where {' or '.join(roots)} was expected: "
                                "not that document, so it was treated as unreadable")


def get_doc(ctx: ProbeContext, path: str, params: dict[str, str] | None = None, *,
            roots: tuple[str, ...] | None = None) -> IsapiDoc:
    """GET an ISAPI resource and parse it; with `roots`, the document must have one of them as root.

    Raises:
        IsapiNotSupported: notSupport (any HTTP status), old-style "Invalid Operation", HTTP 404.
        IsapiForbidden: lowPrivilege, or HTTP 403 without notSupport (insufficient privilege).
        IsapiFailed: 5xx, deviceError/reConnectIpc, badParameters and other failures.
        HostileResponse, MalformedResponse: from probes._xml; MalformedResponse too for a wrong root.
        AuthProblem and transport errors from ctx.http, unchanged.
    Whatever it raises is recorded on the device's problem list (ProbeContext.record).
    """
    with ctx.recording():
        return _get_doc(ctx, path, params, roots)


def _get_doc(ctx: ProbeContext, path: str, params: dict[str, str] | None, roots: tuple[str, ...] | None) -> IsapiDoc:
    source = _source(path, params)
    answer = ctx.http.get(path, params=params)
    doc: XmlDoc | None = None
    body = answer.body
    if body_is_xml(body):
        try:
            doc = parse_xml(body, source)
        except MalformedResponse as exc:
            if answer.status == 200:
                raise
            ctx.record(exc)         # the HTTP status decides below; the broken body is still a problem
    status = parse_response_status(doc.root) if doc is not None else None
    result = f"HTTP {answer.status}" + (f" {status.label()}" if status else "")
    if doc is not None and doc.notes:
        result += " (" + "; ".join(doc.notes) + ")"
    # A ResponseStatus is fully said by `result`; other bodies get a short redacted excerpt.
    shown = "" if status is not None else excerpt(_DECLARATION.sub(b"", body), EXCERPT_LIMIT)
    evidence = Evidence(PROTOCOL, source, result, shown, answer.elapsed_ms)
    verdict = outcome(answer.status, status)
    if verdict == "not-supported":
        raise IsapiNotSupported(f"{source}: not supported by this firmware ({result})", evidence)
    if verdict == "forbidden":
        raise IsapiForbidden(f"{source}: the account may not read this ({result})", evidence)
    if verdict in ("device-error", "failed"):
        raise IsapiFailed(f"{source}: the device could not answer ({result})", evidence,
                          device_error=verdict == "device-error")
    if verdict == "empty" or doc is None:
        raise MalformedResponse(f"{source} answered {result} without a document")
    check_root(doc, source, roots)
    return IsapiDoc(doc.root, doc.notes, evidence)


# Root elements of the documents several probes share, by path [S1]. Old firmware (DS-2CD2532F
# V5.2.0, DS-2TD1228 V5.5.98) wraps the trigger list in <EventNotification>.
ROOTS: dict[str, tuple[str, ...]] = {
    "/ISAPI/System/deviceInfo": ("DeviceInfo",),
    "/ISAPI/System/capabilities": ("DeviceCap",),
    "/ISAPI/Smart/capabilities": ("SmartCap",),
    # The VCA capability root is not in a public capture (XML_IntelliCap in the SDK guide [S5]).
    "/ISAPI/Intelligent/capabilities": ("*Cap",),
    "/ISAPI/Intelligent/Capabilities": ("*Cap",),
    "/ISAPI/Thermal/capabilities": ("ThermalCap",),
    "/ISAPI/ITC/capability": ("ITCCap",),
    "/ISAPI/Event/triggers": ("EventTriggerList", "EventNotification"),
    "/ISAPI/System/Video/inputs/channels": ("VideoInputChannelList",),
    "/ISAPI/ContentMgmt/InputProxy/channels": ("InputProxyChannelList",),
    "/ISAPI/ContentMgmt/InputProxy/channels/status": ("InputProxyChannelStatusList",),
}


def shared_doc(ctx: ProbeContext, path: str, params: dict[str, str] | None = None) -> IsapiDoc:
    """get_doc once per device, whichever probe asks first (capabilities, deviceInfo, triggers);
    the root is checked against ROOTS."""
    return ctx.memo(f"{PROTOCOL}:doc:{_source(path, params)}",
                    lambda: get_doc(ctx, path, params, roots=ROOTS.get(path)))


def body_is_xml(body: bytes) -> bool:
    return body.lstrip().startswith(b"<")
