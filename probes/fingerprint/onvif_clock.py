"""ONVIF `GetSystemDateAndTime`: the one call every ONVIF device answers without credentials.

It proves the ONVIF device service answers and gives the device clock, which WS-Security
needs (PROTOCOLS.md quirk 14: a skewed clock makes every UsernameToken fail). SOAP is POST
only, and DeviceHttp is GET-only by design, so this module owns the one POST the fingerprint
makes: a fixed Get* body, no credentials, through the same reader as DeviceHttp
(probes/_transport.py: deadline, size cap, one translation of urllib3 failures).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from probes._transport import Limits, exchange, open_session
from probes._xml import descendants, excerpt, find, local, parse_xml, text
from probes.base import Evidence
from probes.errors import (
    CredentialsNeeded,
    MalformedResponse,
    NotSupported,
)
from probes.http import HttpSettings

DEVICE_SERVICE = "/onvif/device_service"
OPERATION = "GetSystemDateAndTime"
BODY = (b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">'
        b'<s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>')
HEADERS = {"Content-Type": 'application/soap+xml; charset=utf-8; '
                           'action="http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime"'}


@dataclass(frozen=True)
class OnvifClock:
    device_time: dt.datetime | None       # UTC, as the device reported it
    offset: dt.timedelta | None           # device clock minus ours, whole seconds
    fault: str | None                     # SOAP fault subcode when the device refused
    evidence: Evidence
    headers: dict[str, str]               # lower-case names, for header matchers


def _post(url: str, settings: HttpSettings) -> tuple[int, dict[str, str], bytes, int]:
    limits = Limits(settings.connect_timeout, settings.read_timeout, settings.deadline, settings.max_body)
    with open_session() as session:            # no proxy, self-signed TLS accepted
        done = exchange(session, "POST", url, limits, where=f"{OPERATION} on {urlsplit(url).netloc}",
                        data=BODY, headers=HEADERS)
    return done.status, done.headers, done.body, done.elapsed_ms


def _utc(node: Element | None) -> dt.datetime | None:
    values = [text(node, p) or "" for p in ("Date/Year", "Date/Month", "Date/Day", "Time/Hour",
                                              "Time/Minute", "Time/Second")]
    if not all(v.isdigit() for v in values):
        return None
    year, month, day, hour, minute, second = (int(v) for v in values)
    try:
        return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)
    except ValueError:
        return None          # Hikvision has been seen sending 0000-00-00 (quirk 14)


def get_system_date_and_time(url: str, settings: HttpSettings) -> OnvifClock:
    """POST GetSystemDateAndTime to `url` without credentials.

    Returns the clock, or the fault a SOAP envelope carried (the service answers either way).
    Raises NotSupported when no ONVIF service answers there, CredentialsNeeded when even the
    clock wants a login, HostileResponse for SOAP with DTDs, and the transport outcomes
    (Unreachable, TimedOut, ...) like DeviceHttp.
    """
    before = dt.datetime.now(dt.UTC)
    status, headers, body, elapsed = _post(url, settings)
    after = dt.datetime.now(dt.UTC)
    path = urlsplit(url).path or "/"
    if status == 401:
        # Not proof of ONVIF: some firmware challenges every path before routing it.
        raise CredentialsNeeded(f"{path} asked for a login before answering {OPERATION}")
    if "xml" not in headers.get("content-type", "xml") or status in (404, 405):
        raise NotSupported(f"no ONVIF device service at {path} (HTTP {status})")
    try:
        root = parse_xml(body, f"{OPERATION} answer").root
    except MalformedResponse as exc:
        raise NotSupported(f"{path} answered HTTP {status} with something that is not SOAP") from exc
    if local(root.tag) != "Envelope":
        raise NotSupported(f"{path} answered HTTP {status} with XML that is not a SOAP envelope")
    fault = next(descendants(root, "Fault"), None)
    if fault is not None:
        subcodes = [v.text.strip() for v in descendants(fault, "Value") if v.text]
        code = subcodes[-1] if subcodes else "unknown"
        evidence = Evidence("onvif", OPERATION, f"SOAP fault {code}", excerpt(body), elapsed)
        return OnvifClock(None, None, code, evidence, headers)
    stamp = _utc(find(next(descendants(root, "SystemDateAndTime"), None), "UTCDateTime"))
    evidence = Evidence("onvif", OPERATION, f"HTTP {status}",
                        stamp.isoformat() if stamp else "no usable UTCDateTime", elapsed)
    if stamp is None:
        return OnvifClock(None, None, None, evidence, headers)
    midpoint = before + (after - before) / 2
    offset = dt.timedelta(seconds=round((stamp - midpoint).total_seconds()))
    return OnvifClock(stamp, offset, None, evidence, headers)


