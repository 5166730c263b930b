"""How zeep, requests and lxml failures become probes.errors outcomes for ONVIF.

Used at one place only: the `except` in OnvifClient.call (client.py), the single boundary every
ONVIF request passes through. Nothing else in probes/onvif catches a foreign exception.
"""

from __future__ import annotations

import re
from typing import Any

import requests
from lxml import etree
from urllib3.exceptions import ProtocolError
from zeep import exceptions as zx

from probes.errors import (
    ConnectionDropped,
    CredentialsRejected,
    HostileResponse,
    MalformedResponse,
    NotSupported,
    ProbeError,
    TimedOut,
    TlsFailed,
    UnexpectedAnswer,
    Unreachable,
)

# Expected "no such thing" faults (ONVIF Core). PROTOCOLS.md quirk 15: firmware answers
# ter:ActionNotSupported even for services it advertises; ter:NoSuchService for missing services.
NOT_SUPPORTED = frozenset({"ActionNotSupported", "NotSupported", "NoSuchService"})
# A refused login worded only in the Reason, without the ter:NotAuthorized subcode: gSOAP-based
# firmware says "Sender not Authorized" (consensyx/gsoap-onvif issue #3; a Samsung SNP-6320H in
# FalkTannhaeuser/python-onvif-zeep issue #42), some "Unauthorized".
_REFUSED_LOGIN = re.compile(r"\bnot\s+authori[sz]ed\b|\bunauthori[sz]ed\b", re.IGNORECASE)
_DECLARATION = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


def _local(qname: Any) -> str:
    return re.split(r"[}:]", str(qname))[-1]


def translate(exc: BaseException, where: str, last: Any) -> ProbeError:
    """Any zeep, requests, urllib3 or lxml failure as a probes.errors outcome."""
    status = last.status if last else None
    if isinstance(exc, ProbeError):
        return exc
    if isinstance(exc, zx.Fault):
        codes = [_local(c) for c in exc.subcodes or []] + [_local(exc.code or "")]
        shown = "/".join(c for c in codes if c) or "unknown"
        if "NotAuthorized" in codes or status == 401 or _REFUSED_LOGIN.search(exc.message or ""):
            return CredentialsRejected(f"{where}: SOAP fault ter:NotAuthorized ({exc.message or ''})")
        if NOT_SUPPORTED & set(codes):
            return NotSupported(f"{where}: SOAP fault ter:{shown}")
        return UnexpectedAnswer(f"{where}: SOAP fault {shown} ({(exc.message or '')[:80]})")
    # SOAP 1.2 forbids a DOCTYPE outright; a body declaring one is hostile even when it also fails
    # to parse (the simulator's billion-laughs answer does both).
    declared = last is not None and _DECLARATION.search(last.body[:8192]) is not None
    if declared or isinstance(exc, (zx.DTDForbidden, zx.EntitiesForbidden, zx.ExternalReferenceForbidden)):
        return HostileResponse(f"{where} sent XML with a document type or entities ({type(exc).__name__}); "
                               "refused without expanding it")
    if status == 401 or (last is not None and b"NotAuthorized" in last.body):
        return CredentialsRejected(f"{where}: the device refused the login (HTTP {status})")
    if isinstance(exc, zx.TransportError):
        if status in (404, 405) or exc.status_code in (404, 405):
            return NotSupported(f"{where}: no ONVIF service there (HTTP {exc.status_code})")
        if exc.content and exc.status_code == 200:
            return MalformedResponse(f"{where} sent XML that does not parse")
        return UnexpectedAnswer(f"{where}: the device answered HTTP {exc.status_code} without a SOAP reply")
    if isinstance(exc, requests.exceptions.SSLError):
        return TlsFailed(f"{where}: TLS handshake failed")
    if isinstance(exc, requests.exceptions.Timeout) or _caused_by(exc, TimeoutError, "timed out"):
        return TimedOut(f"{where} did not answer in time")
    if isinstance(exc, requests.exceptions.ConnectionError) and _caused_by(exc, ConnectionRefusedError, "refused"):
        return Unreachable(f"nothing listens for {where}")
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        ProtocolError, OSError)):
        return ConnectionDropped(f"{where}: the device closed the connection without a complete answer")
    if isinstance(exc, requests.RequestException):
        return UnexpectedAnswer(f"{where}: {type(exc).__name__}")
    if isinstance(exc, (zx.Error, etree.LxmlError, ValueError)):
        return MalformedResponse(f"{where} sent an answer that does not fit the ONVIF schema ({type(exc).__name__})")
    return UnexpectedAnswer(f"{where}: {type(exc).__name__}")


def _caused_by(exc: BaseException | None, kind: type[BaseException], word: str) -> bool:
    while exc is not None:
        if isinstance(exc, kind) or word in str(exc).lower():
            return True
        exc = exc.__cause__ or exc.__context__
    return False
