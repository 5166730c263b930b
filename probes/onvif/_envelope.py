"""One ONVIF request as bytes: a SOAP 1.2 envelope around a fixed Get* body, with a WS-Security
UsernameToken header when an account is sent.

The token is the one ONVIF Core prescribes (ONVIF Core Specification, "Security" / user
authentication: WS-UsernameToken with PasswordDigest): OASIS Web Services Security UsernameToken
Profile 1.0 (2004), section 3.1,

    PasswordDigest = Base64( SHA-1( nonce + created + password ) )

with `nonce` the raw random bytes (sent Base64-encoded in wsse:Nonce) and `created` the exact
wsu:Created text. Created is the device's clock, not ours (our clock plus the offset read from
GetSystemDateAndTime): firmware refuses tokens created more than a few minutes from its own time
(PROTOCOLS.md quirk 14). The password itself never goes into the message.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import os
from xml.sax.saxutils import escape

from probes.login import Credentials
from probes.onvif._operations import Operation

SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
MESSAGE_SECURITY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0"


def created_at(offset: dt.timedelta | None, now: dt.datetime | None = None) -> str:
    """wsu:Created on the device's clock, whole seconds in UTC with a Z (as ONVIF Core's examples)."""
    stamp = (now or dt.datetime.now(dt.UTC)) + (offset or dt.timedelta(0))
    return stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """Base64(SHA-1(nonce + created + password)), UsernameToken Profile 1.0 section 3.1."""
    raw = nonce + created.encode("utf-8") + password.encode("utf-8")
    return base64.b64encode(hashlib.sha1(raw).digest()).decode("ascii")  # noqa: S324 - the profile's hash


def security_header(creds: Credentials, offset: dt.timedelta | None, *, nonce: bytes | None = None,
                    created: str | None = None) -> str:
    """The wsse:Security header element with a PasswordDigest UsernameToken."""
    nonce = nonce if nonce is not None else os.urandom(16)
    created = created or created_at(offset)
    return (f'<wsse:Security xmlns:wsse="{WSSE}" xmlns:wsu="{WSU}"><wsse:UsernameToken>'
            f"<wsse:Username>{escape(creds.user)}</wsse:Username>"
            f'<wsse:Password Type="{PROFILE}#PasswordDigest">{password_digest(nonce, created, creds.password)}'
            "</wsse:Password>"
            f'<wsse:Nonce EncodingType="{MESSAGE_SECURITY}#Base64Binary">{base64.b64encode(nonce).decode()}'
            f"</wsse:Nonce><wsu:Created>{created}</wsu:Created></wsse:UsernameToken></wsse:Security>")


def envelope(op: Operation, params: dict[str, str], creds: Credentials | None, offset: dt.timedelta | None) -> bytes:
    """The whole SOAP 1.2 request for one read."""
    header = f"<s:Header>{security_header(creds, offset)}</s:Header>" if creds is not None else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="{SOAP12}">{header}'
            f"<s:Body>{op.body(params)}</s:Body></s:Envelope>").encode()


def headers(op: Operation) -> dict[str, str]:
    """SOAP 1.2 over HTTP carries the action in the Content-Type (RFC 3902), as zeep sends it."""
    return {"Content-Type": f'application/soap+xml; charset=utf-8; action="{op.action}"',
            "User-Agent": "camaudit (read-only ONVIF audit)"}
