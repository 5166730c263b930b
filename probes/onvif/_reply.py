"""One ONVIF answer read with the hardened XML reader (probes/_xml.py), and SOAP faults and HTTP
statuses turned into probes.errors outcomes. The only place ONVIF answers are parsed.

Parsing goes by namespace URI and local name, never by prefix: real firmware names the same
elements `SOAP-ENV:`/`tds:`/`tt:` (Axis, gSOAP-based: hammeraj/onvif
test/devices/fixtures/get_network_protocols.xml), `env:`/`tds:` with Hikvision's `tnshik:` and
`hikxsd:` (same repository, get_ntp_response.xml), or a default namespace. Both SOAP 1.2 and the
older SOAP 1.1 envelope are read. A fault's codes are QName texts (`ter:NotAuthorized`), read by
their local part: ONVIF Core's fault table (ter:NotAuthorized, ter:ActionNotSupported under
env:Receiver, ter:InvalidArgVal under env:Sender; hammeraj/onvif
test/media/ver10/fixtures/get_audio_encoder_configuration_options_notsupport.xml nests
ter:ActionNotSupported / ter:AudioNotSupported).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from probes._xml import children, descendants, local, parse_xml
from probes.errors import (
    CredentialsRejected,
    HostileResponse,
    MalformedResponse,
    NotSupported,
    ProbeError,
    UnexpectedAnswer,
)

ENVELOPES = frozenset({"http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/"})
# Expected "no such thing" faults (ONVIF Core). PROTOCOLS.md quirk 15: firmware answers
# ter:ActionNotSupported even for services it advertises; ter:NoSuchService for missing services.
NOT_SUPPORTED = frozenset({"ActionNotSupported", "NotSupported", "NoSuchService"})
# A refused login worded only in the Reason, without the ter:NotAuthorized subcode: gSOAP-based
# firmware says "Sender not Authorized" (consensyx/gsoap-onvif issue #3; a Samsung SNP-6320H in
# FalkTannhaeuser/python-onvif-zeep issue #42), some "Unauthorized".
_REFUSED_LOGIN = re.compile(r"\bnot\s+authori[sz]ed\b|\bunauthori[sz]ed\b", re.IGNORECASE)
# SOAP 1.2 forbids a DOCTYPE outright (part 1, 5): a body declaring one is hostile even when it also
# fails to parse (the simulator's billion-laughs answer does both).
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _soap_body(root: Element | None) -> Element | None:
    if root is None or local(root.tag) != "Envelope" or _namespace(root.tag) not in ENVELOPES:
        return None
    return next((c for c in root if local(c.tag) == "Body" and _namespace(c.tag) == _namespace(root.tag)), None)


def _words(node: Element | None) -> str:
    return " ".join("".join(node.itertext()).split()) if node is not None else ""


def fault_error(fault: Element, status: int, where: str) -> ProbeError:
    """A SOAP 1.2 (Code/Value, Subcode/Value..., Reason/Text) or 1.1 (faultcode, faultstring) fault."""
    values = [_words(v) for v in descendants(fault, "Value")] or [_words(c) for c in children(fault, "faultcode")]
    codes = [v.rsplit(":", 1)[-1] for v in values if v]
    reason = next((_words(t) for t in descendants(fault, "Text")), "") or _words(next(children(fault, "faultstring"),
                                                                                     None))
    shown = "/".join(codes[1:] or codes) or "unknown"
    if "NotAuthorized" in codes or status == 401 or _REFUSED_LOGIN.search(reason):
        return CredentialsRejected(f"{where}: SOAP fault ter:NotAuthorized ({reason[:120]})")
    if NOT_SUPPORTED & set(codes):
        return NotSupported(f"{where}: SOAP fault ter:{shown}")
    return UnexpectedAnswer(f"{where}: SOAP fault {'/'.join(codes) or 'unknown'} ({reason[:80]})")


def read_reply(body: bytes, status: int, operation: str, where: str) -> Element:
    """The `<operation>Response` element of a successful answer; raises the outcome otherwise."""
    if _DECLARATION.search(body[:8192]):
        raise HostileResponse(f"{where} sent XML with a document type or entities; refused without expanding it")
    root: Element | None = None
    if body.strip():
        try:
            root = parse_xml(body, where).root     # HostileResponse, ResponseTooComplex pass through
        except MalformedResponse:
            if status == 200:
                raise
    soap = _soap_body(root)
    fault = next(children(soap, "Fault"), None) if soap is not None else None
    if fault is not None:
        raise fault_error(fault, status, where)
    if status == 401 or (status != 200 and b"NotAuthorized" in body):
        raise CredentialsRejected(f"{where}: the device refused the login (HTTP {status})")
    if status in (404, 405):
        raise NotSupported(f"{where}: no ONVIF service there (HTTP {status})")
    if status != 200:
        raise UnexpectedAnswer(f"{where}: the device answered HTTP {status} without a SOAP reply")
    if root is None:
        raise MalformedResponse(f"{where} answered with an empty body")
    if soap is None:
        raise MalformedResponse(f"{where} answered with <{local(root.tag)[:40]}>, not a SOAP envelope")
    answer = next(iter(soap), None)
    if answer is None or local(answer.tag) != f"{operation}Response":
        found = f"<{local(answer.tag)[:40]}>" if answer is not None else "an empty Body"
        raise MalformedResponse(f"{where} answered {found} where {operation}Response belongs")
    return answer
