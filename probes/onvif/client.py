"""The read-only ONVIF client one device's probes share (built once per device via ctx.memo).

Each read is a fixed SOAP 1.2 envelope from a table of Get* operations (_operations.py), with a
WS-Security UsernameToken built here (_envelope.py), POSTed through the one HTTP boundary
(probes/_transport.exchange: size cap, deadline, device budget, error mapping) and read with the
hardened XML reader (_reply.py over probes/_xml.py). No SOAP library runs per device: zeep's
per-device clients cost ~16% of the auditor's CPU for the same answers.

Services come from GetServices (GetCapabilities on older firmware), the clock offset from the
fingerprint or one unauthenticated GetSystemDateAndTime (quirk 14), the account from the shared
LoginState: one failed login per account per device per run. One read outside ONVIF's PRE_AUTH
class goes out without a login first, to find devices with none. Every failure is a
probes.errors outcome by the time it leaves `OnvifClient.call`.

HTTP Digest: devices that challenge a request without credentials (Hikvision: 401 + Digest +
ter:NotAuthorized) are answered with the WS-Security token, not with HTTP Digest, as before:
answering the challenge as well would spend a second login attempt of the same account.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

from probes._transport import Connections, Limits, Transfer, exchange, open_session
from probes.context import ProbeContext
from probes.errors import (
    BadResponse,
    ConnectionDropped,
    CredentialsNeeded,
    CredentialsRejected,
    Forbidden,
    NotSupported,
    TimedOut,
    UnexpectedAnswer,
)
from probes.login import Credentials
from probes.onvif._answer import Answer, clock_offset
from probes.onvif._envelope import envelope, headers
from probes.onvif._login import next_account, refused
from probes.onvif._operations import Operation
from probes.onvif._operations import operation as read_of
from probes.onvif._reply import read_reply
from probes.onvif._services import from_capabilities, from_services, place

# ONVIF Core's PRE_AUTH class: a device may answer these without a login even when it has one.
PUBLIC = frozenset({"GetSystemDateAndTime", "GetServices", "GetServiceCapabilities", "GetCapabilities",
                    "GetWsdlUrl", "GetEndpointReference"})
# Failures of one read that leave the device's other reads worth trying (quirk 15: services refuse
# operations they advertise). Login problems and an unreachable device end the probe instead.
SOFT = (NotSupported, Forbidden, BadResponse, UnexpectedAnswer, TimedOut, ConnectionDropped)


def send(session: Connections, url: str, op: Operation, params: dict[str, Any], creds: Credentials | None,
         offset: dt.timedelta | None, limits: Limits) -> tuple[Transfer, Element]:
    """POST one read and return the transfer and its Response element; raises probes.errors outcomes."""
    where = f"{op.name} {urlsplit(url).path or '/'}"
    done = exchange(session, "POST", url, limits, where=where, data=envelope(op, params, creds, offset),
                    headers=headers(op))
    return done, read_reply(done.body, done.status, op.name, where)


class OnvifClient:
    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx                # the device's problem list: every read's failure is recorded there
        self.login = ctx.login
        timeout = ctx.settings.onvif_timeout
        self.limits = Limits(min(3.0, timeout), timeout, 2 * timeout, ctx.settings.http.max_body)
        self.session = open_session()
        target, fp = ctx.target, ctx.fingerprint
        given = target.onvif_xaddr or fp.onvif_xaddr or target.base_url + "/onvif/device_service"
        self.device_url, note = place(given, target.base_url)
        self.xaddrs: dict[str, tuple[str, str]] = {"devicemgmt": (self.device_url, note)}
        self.offset: dt.timedelta | None = fp.clock_offset
        self._worked = False          # an account already succeeded on this client, on a protected read
        self._anonymous = False       # the device answers without any login
        self._refused: set[str] = set()   # users the device refused over ONVIF in this run
        self.listed = True                # GetServices or GetCapabilities said which services exist

    # -- set-up -------------------------------------------------------------------------------
    def connect(self) -> OnvifClient:
        next_account(self.login)                # no traffic at all when every account was already refused
        if self.offset is None:
            try:
                with self.ctx.expected():
                    self.offset = clock_offset(self.call("devicemgmt", "GetSystemDateAndTime", anonymous=True))
            except (NotSupported, CredentialsNeeded, BadResponse, UnexpectedAnswer):
                self.offset = None     # tokens go out with our own clock
        try:
            # Asked first without a login, as DeviceHttp's challenge round-trip does: a device that
            # answers a read outside PRE_AUTH has no login at all (a finding), whatever was given.
            with self.ctx.expected():      # a refusal here is the normal answer, not a device problem
                self.call("devicemgmt", "GetDeviceInformation", anonymous=True)
            self._anonymous = True
        except CredentialsNeeded:
            if not self.login.candidates:
                raise
        except SOFT:
            pass                       # not answered either way: the account decides below
        try:
            found = self._services(anonymous=self._anonymous)
        except SOFT:
            # Both listings refused (quirk 15): the device service itself is still worth reading.
            found, self.listed = [], False
        for name, xaddr in found:
            if name and name != "devicemgmt" and xaddr:
                self.xaddrs[name] = place(xaddr, self.device_url)
        if "analytics" in self.xaddrs:
            self.xaddrs["rules"] = self.xaddrs["analytics"]
        return self

    def _services(self, *, anonymous: bool) -> list[tuple[str | None, str | None]]:
        """(service name, XAddr) from GetServices, or the legacy GetCapabilities."""
        try:
            return from_services(self.call("devicemgmt", "GetServices", anonymous=anonymous,
                                           IncludeCapability="false").value)
        except (NotSupported, UnexpectedAnswer, BadResponse):
            return from_capabilities(self.call("devicemgmt", "GetCapabilities", anonymous=anonymous,
                                               Category="All").value)

    def has(self, service: str) -> bool:
        return service in self.xaddrs

    def close(self) -> None:
        self.session.close()

    # -- calls --------------------------------------------------------------------------------
    def call(self, service: str, operation: str, *, anonymous: bool = False, **params: Any) -> Answer:
        """One read; raises a probes.errors outcome. Only the Get* operations of the table can be called.

        `anonymous` sends no credentials (the clock read before WS-Security can work, quirk 14).
        Whatever it raises is recorded on the device's problem list (ProbeContext.record).
        """
        with self.ctx.recording():
            return self._call(service, operation, anonymous=anonymous, **params)

    def _call(self, service: str, operation: str, *, anonymous: bool, **params: Any) -> Answer:
        op = read_of(service, operation)
        if service not in self.xaddrs:
            raise NotSupported(f"the device advertises no ONVIF {service} service")
        url, note = self.xaddrs[service]
        while True:
            creds = None if anonymous or self._anonymous else next_account(self.login)
            if creds is not None and creds.user in self._refused:
                raise CredentialsRejected(f"the ONVIF login for '{creds.user}' was refused once; not sent again")
            try:
                done, value = send(self.session, url, op, params, creds, self.offset, self.limits)
            except CredentialsRejected as error:
                if creds is None and not anonymous and self._anonymous and self.login.candidates:
                    self._anonymous = False    # open for some reads, not this one: log in after all
                    continue
                if creds is not None and not self._worked:
                    self._refused.add(creds.user)     # never again over ONVIF, whatever comes next
                refused(self.login, creds, error, worked=self._worked)
                self.ctx.record(error)             # this account was refused; the next one is tried
                continue           # the next account, if one is left
            if creds is not None and operation not in PUBLIC:
                # Only a protected read proves the account: PRE_AUTH reads may be answered without
                # the credentials ever being checked (Axis answers GetCapabilities to a wrong
                # password, Apra-Labs/ONVIF-Device-Manager issue #27), and taking that for a
                # working login would send the wrong password again with every later read.
                self._worked = True
                if self.login.confirmed != creds:
                    self.login.confirm(creds)
            elif creds is None and operation not in PUBLIC:
                self.login.no_auth = True      # a protected read answered without any login
            return Answer(value, operation, urlsplit(url).path or "/", done.status, done.elapsed_ms, note)


def client_for(ctx: ProbeContext) -> OnvifClient:
    """The device's ONVIF client, connected once per device (a failure is remembered too)."""
    return ctx.memo("onvif.client", lambda: OnvifClient(ctx).connect())
