"""Cloud, platform and network services: /ISAPI/System/Network/* and /ISAPI/System/time.

Rendered from the vendor-neutral ``remote_access`` section. An id that is absent from the
profile means the firmware has no such setting, and its resource answers notSupport.

Secrets: older firmware returns the FTP and SMTP passwords and the EZVIZ verification code
in clear text; the web UI asks with ``?security=1&iv=<hex>`` and then gets them encrypted
(capture notes of the EZVIZ resource; PROTOCOLS.md quirk 13). With security=1 the simulator
returns an opaque hex stand-in: the real AES key derivation from the user's password is
not reproduced (unverified). The ISUP ``key`` is never returned (capture notes: "accepted
on write but not returned by GET").
"""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from device_simulators.isapi import status
from device_simulators.isapi.model import Ctx, address_fields
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse


def secret(ctx: Ctx, value: str) -> str:
    if not ctx.secure or not value:
        return value
    iv = ctx.request.arg("iv", "") or ""
    return hashlib.sha256(f"{iv}|{ctx.view.profile.identity.serial}|{value}".encode()).hexdigest()


def _setting(ctx: Ctx, remote_id: str) -> dict[str, Any] | SimResponse:
    found = ctx.view.remote(remote_id)
    return status.not_support(ctx) if found is None else found


def _server(parent: ET.Element, host: str) -> None:
    leaves(parent, address_fields(host))


def verification_code(ctx: Ctx) -> str:
    """Six capital letters, as printed on the device label; derived from the serial."""
    digest = hashlib.sha256(ctx.view.profile.identity.serial.encode()).digest()
    return "".join(chr(ord("A") + b % 26) for b in digest[:6])


def ezviz(ctx: Ctx) -> SimResponse:
    """Hik-Connect / EZVIZ cloud (litedev.hik-connect.com and friends)."""
    setting = _setting(ctx, "hik_connect")
    if isinstance(setting, SimResponse):
        return setting
    enabled, registered = bool(setting.get("enabled")), bool(setting.get("registered"))
    root = document("EZVIZ", ctx.view.namespace)
    leaves(root, [("enabled", enabled), ("registerStatus", enabled and registered)])
    _server(add(root, "serverAddress"), str(setting.get("server") or ""))
    leaves(root, [("verificationCode", secret(ctx, verification_code(ctx))),
                  ("bindStatus", "bind" if registered else "unbind"), ("streamEncrypteEnabled", False)])
    return xml_response(root)


def ezviz_capabilities(ctx: Ctx) -> SimResponse:
    setting = _setting(ctx, "hik_connect")
    if isinstance(setting, SimResponse):
        return setting
    root = document("EZVIZ", ctx.view.namespace)
    add(root, "enabled", opt="true,false")
    add(root, "registerStatus", opt="true,false")
    server = add(root, "serverAddress")
    add(server, "addressingFormatType", opt="hostName")
    add(server, "hostName", min=1, max=64)
    add(root, "verificationCode", min=6, max=12)
    add(root, "bindStatus", opt="bind,unbind")
    return xml_response(root)


def ehome(ctx: Ctx) -> SimResponse:
    """ISUP (EHome) platform registration; several centres exist on some firmware, one here."""
    setting = _setting(ctx, "isup")
    if isinstance(setting, SimResponse):
        return setting
    if ctx.request.arg("centerID", "1") != "1":
        return status.not_support(ctx)
    root = document("Ehome", ctx.view.namespace)
    add(root, "enabled", bool(setting.get("enabled")))
    _server(root, str(setting.get("server") or "0.0.0.0"))
    leaves(root, [("portNo", int(setting.get("port") or 7660)), ("deviceID", setting.get("device_id") or ""),
                  ("registerStatus", False), ("protocolVersion", "v5.0")])
    return xml_response(root)


def _ddns_entry(parent: ET.Element, setting: dict[str, Any]) -> ET.Element:
    node = leaves(add(parent, "DDNS"), [("id", 1), ("enabled", bool(setting.get("enabled"))),
                                        ("provider", setting.get("provider") or "HiDDNS")])
    _server(add(node, "serverAddress"), str(setting.get("server") or ""))
    leaves(node, [("portNo", 0), ("deviceDomainName", setting.get("domain") or ""), ("userName", None)])
    return node


Entry = Callable[[ET.Element, dict[str, Any]], ET.Element]


def _entry_list(ctx: Ctx, key: str, root_name: str, entry: Entry) -> SimResponse:
    """A list resource (DDNSList, NTPServerList) holding the profile's one configured entry."""
    setting = _setting(ctx, key)
    if isinstance(setting, SimResponse):
        return setting
    root = document(root_name, ctx.view.namespace)
    entry(root, setting)
    return xml_response(root)


def _entry_one(ctx: Ctx, key: str, entry_id: str, root_name: str, entry: Entry) -> SimResponse:
    """The same entry by id (/DDNS/1, /ntpServers/1); other ids do not exist."""
    setting = _setting(ctx, key)
    if isinstance(setting, SimResponse) or entry_id != "1":
        return status.not_support(ctx)
    root = document(root_name, ctx.view.namespace)
    root.extend(list(entry(ET.Element("x"), setting)))
    return xml_response(root)


def ddns_list(ctx: Ctx) -> SimResponse:
    return _entry_list(ctx, "ddns", "DDNSList", _ddns_entry)


def ddns_one(ctx: Ctx, ddns_id: str) -> SimResponse:
    return _entry_one(ctx, "ddns", ddns_id, "DDNS", _ddns_entry)


def upnp(ctx: Ctx) -> SimResponse:
    setting = _setting(ctx, "upnp")
    if isinstance(setting, SimResponse):
        return setting
    root = document("UPnP", ctx.view.namespace)
    leaves(root, [("enabled", bool(setting.get("enabled"))), ("name", ctx.view.profile.identity.name)])
    return xml_response(root)


# Port mappings a Hikvision device asks the router for (the web UI's "Port Mapping" list:
# HTTP, RTSP, Server (SDK 8000), HTTPS). Entry element names are (unverified); the root
# `ports{enabled, mapmode, portList}` is what a public ISAPI client sends back.
UPNP_SERVICES = (("HTTP", "http"), ("RTSP", "rtsp"), ("SERVER", "sdk"), ("HTTPS", "https"))


def upnp_port_list(ctx: Ctx) -> list[tuple[str, int, int]]:
    """(protocol, internal, external) from the profile's `upnp.ports`, else the services it runs."""
    setting = ctx.view.remote("upnp") or {}
    given = setting.get("ports")
    if given is not None:
        return [(str(p["protocol"]), int(p["internal"]), int(p.get("external", p["internal"]))) for p in given]
    services = ctx.view.profile.services
    return [(name, port, port) for name, attr in UPNP_SERVICES if (port := getattr(services, attr))]


def upnp_ports(ctx: Ctx) -> SimResponse:
    setting = _setting(ctx, "upnp")
    if isinstance(setting, SimResponse):
        return setting
    root = document("ports", ctx.view.namespace)
    leaves(root, [("enabled", bool(setting.get("enabled"))), ("mapmode", "auto")])
    listing = add(root, "portList")
    for i, (name, inner, outer) in enumerate(upnp_port_list(ctx), start=1):
        leaves(add(listing, "port"), [("id", i), ("enabled", True), ("protocol", name),
                                      ("internalPort", inner), ("externalPort", outer)])
    return xml_response(root)


def time(ctx: Ctx) -> SimResponse:
    """The device clock (clock_skew applied): what the auditor compares with its own."""
    ntp = ctx.view.remote("ntp")
    now = ctx.device.clock().replace(microsecond=0)
    root = document("Time", ctx.view.namespace)
    leaves(root, [("timeMode", "NTP" if ntp and ntp.get("enabled") else "manual"),
                  ("localTime", now.strftime("%Y-%m-%dT%H:%M:%S+00:00")), ("timeZone", "CST+0:00:00")])
    return xml_response(root)


def _ntp_entry(parent: ET.Element, setting: dict[str, Any]) -> ET.Element:
    node = add(parent, "NTPServer")
    add(node, "id", 1)
    _server(node, str(setting.get("server") or ""))
    leaves(node, [("portNo", int(setting.get("port") or 123)), ("synchronizeInterval", 1440)])
    return node


def ntp_servers(ctx: Ctx) -> SimResponse:
    return _entry_list(ctx, "ntp", "NTPServerList", _ntp_entry)


def ntp_server(ctx: Ctx, server_id: str) -> SimResponse:
    return _entry_one(ctx, "ntp", server_id, "NTPServer", _ntp_entry)


def mailing(ctx: Ctx) -> SimResponse:
    """SMTP settings. Firmware has no on/off switch here: a configured server plus an
    ``email`` notification on some trigger is what sends mail."""
    setting = _setting(ctx, "email")
    if isinstance(setting, SimResponse):
        return setting
    root = document("mailingList", ctx.view.namespace)
    mail = leaves(add(root, "mailing"), [("id", 1)])
    sender = leaves(add(mail, "sender"), [("emailAddress", setting.get("sender") or ""), ("name", None)])
    smtp = add(sender, "smtp")
    password = str(setting.get("password") or "")
    leaves(smtp, [("enableAuthorization", bool(password)), ("enableSSL", False),
                  ("enableTLS", int(setting.get("port") or 25) == 587)])
    _server(smtp, str(setting.get("server") or ""))
    leaves(smtp, [("portNo", int(setting.get("port") or 25)), ("accountName", setting.get("sender") or "")])
    if password:
        add(smtp, "password", secret(ctx, password))
    receivers = add(mail, "receiverList")
    for i, address in enumerate(setting.get("receivers") or (), start=1):
        leaves(add(receivers, "receiver"), [("id", i), ("name", str(address).split("@")[0]),
                                            ("emailAddress", address)])
    return xml_response(root)


def ftp(ctx: Ctx) -> SimResponse:
    setting = _setting(ctx, "ftp")
    if isinstance(setting, SimResponse):
        return setting
    root = document("FTPNotificationList", ctx.view.namespace)
    node = leaves(add(root, "FTPNotification"), [("id", 1), ("enabled", bool(setting.get("enabled"))),
                                                 ("useSSL", False)])
    _server(node, str(setting.get("server") or ""))
    leaves(node, [("portNo", int(setting.get("port") or 21)), ("userName", setting.get("user") or "")])
    password = str(setting.get("password") or "")
    if password:
        add(node, "password", secret(ctx, password))
    leaves(node, [("anonymous", not setting.get("user")),
                  ("uploadPicture", bool(setting.get("upload_picture")))])
    return xml_response(root)


def shell_service(ctx: Ctx, name: str) -> SimResponse:
    """Telnet and SSH switches follow services.telnet / services.ssh (root names (unverified))."""
    port = getattr(ctx.view.profile.services, name)
    root = document("Telnetd" if name == "telnet" else "SSH", ctx.view.namespace)
    add(root, "enabled", port is not None)
    if port is not None:
        add(root, "port", ctx.device.ports.get(name, port))
    return xml_response(root)
