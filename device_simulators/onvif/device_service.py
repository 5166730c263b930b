"""Device management service (tds): identity, clock, network settings and users.

Everything is rendered from the profile; nothing here stores state, so Set* operations are not
implemented and answer ActionNotSupported like any other unknown operation.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re

from lxml import etree

from device_simulators.onvif.capabilities import OPERATIONS as CAPABILITY_OPERATIONS
from device_simulators.onvif.capabilities import device_service_capabilities
from device_simulators.onvif.context import Context, Operation
from device_simulators.onvif.scopes import device_scopes
from device_simulators.onvif.xmlnode import E, Node

_USER_LEVELS = {"admin": "Administrator", "operator": "Operator", "viewer": "User"}


def _date_time(name: str, when: dt.datetime) -> Node:
    return E(name,
             E("tt:Time", E("tt:Hour", when.hour), E("tt:Minute", when.minute), E("tt:Second", when.second)),
             E("tt:Date", E("tt:Year", when.year), E("tt:Month", when.month), E("tt:Day", when.day)))


def get_system_date_and_time(ctx: Context, _: etree._Element) -> Node:
    """The device's own clock (clock_skew applied): what a client needs to correct its tokens."""
    now = ctx.device.clock()
    ntp = ctx.device.profile.remote_access.get("ntp") or {}
    return E("tds:GetSystemDateAndTimeResponse", E(
        "tds:SystemDateAndTime",
        E("tt:DateTimeType", "NTP" if ntp.get("enabled") else "Manual"),
        E("tt:DaylightSavings", False),
        E("tt:TimeZone", E("tt:TZ", "GMT0")),
        _date_time("tt:UTCDateTime", now),
        _date_time("tt:LocalDateTime", now),
    ))


def firmware_version(ctx: Context) -> str:
    identity = ctx.device.profile.identity
    if ctx.family.firmware_with_build:
        # Hikvision firmware reports "V5.5.23 build 190821" here (YYMMDD build date).
        return f"{identity.firmware} build {identity.build_date:%y%m%d}"
    return identity.firmware


def get_device_information(ctx: Context, _: etree._Element) -> Node:
    identity = ctx.device.profile.identity
    return E("tds:GetDeviceInformationResponse",
             E("tds:Manufacturer", str(ctx.onvif.get("manufacturer") or identity.manufacturer)),
             E("tds:Model", str(ctx.onvif.get("model") or identity.model)),
             E("tds:FirmwareVersion", firmware_version(ctx)),
             E("tds:SerialNumber", identity.serial),
             E("tds:HardwareId", str(ctx.onvif.get("hardware_id") or identity.hardware_version)))


def get_scopes(ctx: Context, _: etree._Element) -> Node:
    return E("tds:GetScopesResponse",
             [E("tds:Scopes", E("tt:ScopeDef", kind), E("tt:ScopeItem", item))
              for kind, item in device_scopes(ctx.device.profile)])


def get_network_interfaces(ctx: Context, _: etree._Element) -> Node:
    return E("tds:GetNetworkInterfacesResponse", E(
        "tds:NetworkInterfaces", {"token": "eth0"},
        E("tt:Enabled", True),
        E("tt:Info", E("tt:Name", "eth0"), E("tt:HwAddress", ctx.device.profile.identity.mac),
          E("tt:MTU", 1500)),
        E("tt:IPv4", E("tt:Enabled", True), E(
            "tt:Config",
            E("tt:Manual", E("tt:Address", ctx.device.address), E("tt:PrefixLength", 24)),
            E("tt:DHCP", False))),
    ))


def _hostname(ctx: Context) -> str:
    identity = ctx.device.profile.identity
    if ctx.family.hostname:
        return ctx.family.hostname
    if identity.manufacturer == "Axis":
        return f"axis-{identity.serial.lower()}"  # Axis factory hostname
    model = str(ctx.onvif.get("model") or identity.model)
    return re.sub(r"[^A-Za-z0-9-]+", "-", model).strip("-")


def get_hostname(ctx: Context, _: etree._Element) -> Node:
    return E("tds:GetHostnameResponse", E("tds:HostnameInformation",
                                          E("tt:FromDHCP", False), E("tt:Name", _hostname(ctx))))


def _network_host(server: str) -> Node:
    try:
        address = ipaddress.ip_address(server)
    except ValueError:
        return E("tds:NTPManual", E("tt:Type", "DNS"), E("tt:DNSname", server))
    kind = "IPv4" if address.version == 4 else "IPv6"
    return E("tds:NTPManual", E("tt:Type", kind), E(f"tt:{kind}Address", server))


def get_ntp(ctx: Context, _: etree._Element) -> Node:
    """The configured NTP server, whether or not NTP is on (that is GetSystemDateAndTime's DateTimeType)."""
    ntp = ctx.device.profile.remote_access.get("ntp") or {}
    server = str(ntp.get("server") or "")
    return E("tds:GetNTPResponse", E("tds:NTPInformation", E("tt:FromDHCP", False),
                                     _network_host(server) if server else None))


def get_dns(ctx: Context, _: etree._Element) -> Node:
    # Profiles carry no DNS servers; an empty manual list is what an unset device reports.
    return E("tds:GetDNSResponse", E("tds:DNSInformation", E("tt:FromDHCP", False)))


def get_network_protocols(ctx: Context, _: etree._Element) -> Node:
    services = ctx.device.profile.services
    bound = ctx.device.ports
    protocols = []
    for name, key, wanted in (("HTTP", "http", services.http), ("HTTPS", "https", services.https),
                              ("RTSP", "rtsp", services.rtsp)):
        port = bound.get(key) or wanted or {"http": 80, "https": 443, "rtsp": 554}[key]
        protocols.append(E("tds:NetworkProtocols", E("tt:Name", name), E("tt:Enabled", key in bound),
                           E("tt:Port", port)))
    return E("tds:GetNetworkProtocolsResponse", protocols)


def get_users(ctx: Context, _: etree._Element) -> Node:
    """Accounts and their levels; passwords are never returned (ONVIF forbids it)."""
    return E("tds:GetUsersResponse",
             [E("tds:User", E("tt:Username", a.user), E("tt:UserLevel", _USER_LEVELS.get(a.role, "User")))
              for a in ctx.device.profile.accounts])


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("tds:GetServiceCapabilitiesResponse", device_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetSystemDateAndTime": get_system_date_and_time,
    "GetDeviceInformation": get_device_information,
    "GetScopes": get_scopes,
    "GetNetworkInterfaces": get_network_interfaces,
    "GetHostname": get_hostname,
    "GetNTP": get_ntp,
    "GetDNS": get_dns,
    "GetNetworkProtocols": get_network_protocols,
    "GetUsers": get_users,
    "GetServiceCapabilities": get_service_capabilities,
    **CAPABILITY_OPERATIONS,
}
