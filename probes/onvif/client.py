"""The read-only ONVIF client one device's probes share (built once per device via ctx.memo).

Built on onvif-zeep's WSDLs, service definitions, ONVIFService and UsernameDigestTokenDtDiff,
but never on ONVIFCamera: its constructor sends CreatePullPointSubscription, which creates
state on the device. Services come from GetServices (GetCapabilities on older firmware), the
clock offset from the fingerprint or one unauthenticated GetSystemDateAndTime (quirk 14), the
account from the shared LoginState: one failed login per account per device per run. One read
outside ONVIF's PRE_AUTH class goes out without a login first, to find devices with none. Every
zeep / requests / lxml failure is caught once, in `OnvifClient.call`, and turned into a
probes.errors outcome by `_translate.translate`.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import requests
import zeep
from lxml import etree
from onvif import ONVIFService
from onvif.client import UsernameDigestTokenDtDiff
from urllib3.exceptions import HTTPError
from zeep import exceptions as zx

from probes.context import ProbeContext
from probes.errors import (
    BadResponse,
    ConnectionDropped,
    CredentialsNeeded,
    CredentialsRejected,
    Forbidden,
    NotSupported,
    ProbeError,
    TimedOut,
    UnexpectedAnswer,
)
from probes.onvif._answer import Answer, clock_offset
from probes.onvif._login import next_account, refused
from probes.onvif._translate import translate
from probes.onvif._transport import ReadOnlyTransport, require_read
from probes.onvif._wsdl import CATEGORY_SERVICE, NAMESPACE_SERVICE, SERVICE_DEFS, WSDL_DIR, document, place, settings

# ONVIF Core's PRE_AUTH class: a device may answer these without a login even when it has one.
PUBLIC = frozenset({"GetSystemDateAndTime", "GetServices", "GetServiceCapabilities", "GetCapabilities",
                    "GetWsdlUrl", "GetEndpointReference"})
# Failures of one read that leave the device's other reads worth trying (quirk 15: services refuse
# operations they advertise). Login problems and an unreachable device end the probe instead.
SOFT = (NotSupported, Forbidden, BadResponse, UnexpectedAnswer, TimedOut, ConnectionDropped)


class OnvifClient:
    def __init__(self, ctx: ProbeContext) -> None:
        self.ctx = ctx                # the device's problem list: every read's failure is recorded there
        self.login = ctx.login
        self.transport = ReadOnlyTransport(ctx.settings.onvif_timeout, ctx.settings.http.max_body)
        target, fp = ctx.target, ctx.fingerprint
        given = target.onvif_xaddr or fp.onvif_xaddr or target.base_url + "/onvif/device_service"
        self.device_url, note = place(given, target.base_url)
        self.xaddrs: dict[str, tuple[str, str]] = {"devicemgmt": (self.device_url, note)}
        self.offset: dt.timedelta | None = fp.clock_offset
        self._proxies: dict[str, ONVIFService] = {}
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
            answer = self.call("devicemgmt", "GetServices", anonymous=anonymous, IncludeCapability=False)
            return [(NAMESPACE_SERVICE.get(s.Namespace), s.XAddr) for s in answer.value or []]
        except (NotSupported, UnexpectedAnswer, BadResponse):
            answer = self.call("devicemgmt", "GetCapabilities", anonymous=anonymous, Category=["All"])
            return [(name, getattr(getattr(answer.value, cat, None), "XAddr", None))
                    for cat, name in CATEGORY_SERVICE.items()]

    def has(self, service: str) -> bool:
        return service in self.xaddrs

    def close(self) -> None:
        self.transport.session.close()

    # -- calls --------------------------------------------------------------------------------
    def call(self, service: str, operation: str, *, anonymous: bool = False, **params: Any) -> Answer:
        """One read; raises a probes.errors outcome. Only Get* operations can be called.

        `anonymous` sends no credentials (the clock read before WS-Security can work, quirk 14).
        Whatever it raises is recorded on the device's problem list (ProbeContext.record).
        """
        with self.ctx.recording():
            return self._call(service, operation, anonymous=anonymous, **params)

    def _call(self, service: str, operation: str, *, anonymous: bool, **params: Any) -> Answer:
        require_read(operation)
        if service not in self.xaddrs:
            raise NotSupported(f"the device advertises no ONVIF {service} service")
        proxy, (url, note) = self._proxy(service), self.xaddrs[service]
        while True:
            creds = None if anonymous or self._anonymous else next_account(self.login)
            if creds is not None and creds.user in self._refused:
                raise CredentialsRejected(f"the ONVIF login for '{creds.user}' was refused once; not sent again")
            proxy.zeep_client.wsse = (UsernameDigestTokenDtDiff(creds.user, creds.password, dt_diff=self.offset,
                                                                use_digest=True) if creds else None)
            self.transport.last = None
            try:
                value = getattr(proxy.ws_client, operation)(**params)
            except (ProbeError, zx.Error, requests.RequestException, HTTPError, OSError, etree.LxmlError,
                    ValueError) as exc:
                if isinstance(exc, zx.ValidationError) and self.transport.last is None:
                    raise              # zeep refused to build our request: a camaudit bug, not the device
                error = translate(exc, f"{operation} {url}", self.transport.last)
                if isinstance(error, CredentialsRejected):
                    if creds is None and not anonymous and self._anonymous and self.login.candidates:
                        self._anonymous = False    # open for some reads, not this one: log in after all
                        continue
                    if creds is not None and not self._worked:
                        self._refused.add(creds.user)     # never again over ONVIF, whatever comes next
                    refused(self.login, creds, error, worked=self._worked)
                    self.ctx.record(error)             # this account was refused; the next one is tried
                    continue           # the next account, if one is left
                if error is exc:
                    raise
                raise error from exc
            last = self.transport.last
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
            return Answer(value, operation, last.path if last else url, last.status if last else 200,
                          last.duration_ms if last else 0, note)

    def _proxy(self, service: str) -> ONVIFService:
        if service not in self._proxies:
            spec = SERVICE_DEFS[service]
            client = zeep.Client(document(spec.wsdl), transport=self.transport, settings=settings(strict=True))
            self._proxies[service] = ONVIFService(self.xaddrs[service][0], None, None,
                                                  os.path.join(WSDL_DIR, spec.wsdl), zeep_client=client,
                                                  binding_name=spec.binding)
        return self._proxies[service]


def client_for(ctx: ProbeContext) -> OnvifClient:
    """The device's ONVIF client, connected once per device (a failure is remembered too)."""
    return ctx.memo("onvif.client", lambda: OnvifClient(ctx).connect())
