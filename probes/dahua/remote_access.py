"""dahua.remote-access: where the device can send data or be reached from, per config table.

| setting       | config name | keys read (never Password/UserName)                           |
|---------------|-------------|---------------------------------------------------------------|
| dahua_p2p     | T2UServer   | Enable (object, or `[0]` on some firmware) [S38]              |
| ntp           | NTP         | Enable, Address, Port [S27]                                   |
| email         | Email       | Enable, Address, Port, SendAddress, Receivers[i] (not captured)|
| ddns          | DDNS        | [i].Enable, HostName, Address, Protocol (not captured)        |
| upnp          | UPnP        | Enable, MapTable[i].{Enable, ServiceName, InnerPort, OuterPort}|
| auto_register | DVRIP       | RegisterServer.{Enable, Servers[i].Address/Port}              |
| ftp           | NAS         | [i].{Enable, Protocol=FTP, Address, Port}                     |

The Dahua `Error` for a config name means the firmware has no such setting, so it cannot be
on (enabled False, with that answer as evidence). A 403 means this account may not look
(quirk 4): unknown, never "off". Evidence is built only from the non-secret keys above.
"""

from __future__ import annotations

from collections.abc import Callable

from probes.base import Observation, RemoteAccessObservation
from probes.context import ProbeContext
from probes.dahua._cgi import (
    ENDPOINT_REFUSALS,
    PROTOCOL,
    CgiAnswer,
    config_source,
    failure_evidence,
    get_config,
    summary,
)
from probes.dahua._kv import Node, elements, flag, node, strings, value
from probes.errors import NotSupported

Reading = tuple[bool | None, str | None, str]      # enabled, destination, excerpt
Reader = Callable[[Node | None], Reading]


def _any_on(entries: list[Node]) -> bool | None:
    flags = [flag(e, "Enable") for e in entries]
    return True if True in flags else (False if False in flags else None)


def _pick(entries: list[Node], *keys: str) -> str | None:
    """The first non-empty key value, enabled entries first."""
    ordered = sorted(entries, key=lambda e: flag(e, "Enable") is not True)
    return next((v.strip() for e in ordered for k in keys if (v := value(e, k)) and v.strip()), None)


def read_plain(keys: tuple[str, ...], *destination: str) -> Reader:
    """Enable from every entry; the destination from the first of `destination` keys that is set."""
    def read(table: Node | None) -> Reading:
        entries = [e for _, e in elements(table)]
        return _any_on(entries), _pick(entries, *destination), " | ".join(summary(e, keys) for e in entries)
    return read


def read_email(table: Node | None) -> Reading:
    enabled, server, text = read_plain(("Enable", "Address", "Port", "SslEnable", "TlsEnable", "SendAddress"),
                                       "Address")(table)
    receivers = [r for r in strings(node(table, "Receivers")) if r]
    return enabled, server, text + (" Receivers=" + ",".join(receivers) if receivers else "")


def read_upnp(table: Node | None) -> Reading:
    enabled, _, text = read_plain(("Enable",))(table)
    maps = [f"{value(m, 'ServiceName')} {value(m, 'InnerPort')}->{value(m, 'OuterPort')}"
            for _, m in elements(node(table, "MapTable")) if flag(m, "Enable")]
    return enabled, None, text + (" maps " + ", ".join(maps) if maps else "")


def read_register(table: Node | None) -> Reading:
    register = node(table, "RegisterServer")
    if register is None:
        return False, None, "DVRIP has no RegisterServer: this firmware cannot auto-register"
    servers = [s for _, s in elements(node(register, "Servers")) if (value(s, "Address") or "").strip()]
    target = None
    if servers:
        address, port = value(servers[0], "Address"), (value(servers[0], "Port") or "").strip()
        target = f"{address.strip()}:{port}" if address and port else address
    hosts = ", ".join(f"{value(s, 'Address')}:{value(s, 'Port')}" for s in servers)
    return flag(register, "Enable"), target, summary(register, ("Enable", "DeviceID")) + (
        f" Servers={hosts}" if hosts else "")


def read_nas(table: Node | None) -> Reading:
    entries = [e for _, e in elements(table)]
    ftp = [e for e in entries if (value(e, "Protocol") or "").strip().upper() in ("FTP", "SFTP")]
    others = sorted({value(e, "Protocol") or "?" for e in entries} - {value(e, "Protocol") for e in ftp})
    if not ftp:
        return False, None, "no FTP entry in NAS" + (f" (other protocols: {', '.join(others)})" if others else "")
    text = " | ".join(summary(e, ("Protocol", "Enable", "Address", "Port", "Directory")) for e in ftp)
    return _any_on(ftp), _pick(ftp, "Address"), text


# setting -> (config name, table reader), in report order.
SETTINGS: dict[str, tuple[str, Reader]] = {
    "dahua_p2p": ("T2UServer", read_plain(("Enable",), "Address")),
    "ntp": ("NTP", read_plain(("Enable", "Address", "Port"), "Address")),
    "email": ("Email", read_email),
    # The full DDNS name is the destination; the provider's server when no name is set.
    "ddns": ("DDNS", read_plain(("Enable", "Protocol", "HostName", "Address"), "HostName", "Address")),
    "upnp": ("UPnP", read_upnp),
    "auto_register": ("DVRIP", read_register),
    "ftp": ("NAS", read_nas),
}


# setting -> the section of its table that holds it, where the table also holds other things.
SECTIONS: dict[str, str] = {"auto_register": "RegisterServer"}


def observe(ctx: ProbeContext, setting: str, name: str, reader: Reader) -> RemoteAccessObservation:
    try:
        answer: CgiAnswer = get_config(ctx, name)
    except NotSupported as exc:       # the firmware has no such table: the service does not exist
        return RemoteAccessObservation(setting, False, None, failure_evidence(config_source(name), exc),
                                       supported=False)
    except ENDPOINT_REFUSALS as exc:
        return RemoteAccessObservation(setting, None, None, failure_evidence(config_source(name), exc))
    table = node(answer.doc.tree, ("table", name))
    enabled, destination, text = reader(table)
    # A table that exists but lacks the setting's section (DVRIP without RegisterServer) is a
    # firmware without that service, not one with it switched off.
    section = SECTIONS.get(setting)
    supported = not (section and node(table, section) is None)
    return RemoteAccessObservation(setting, enabled, destination, answer.evidence(text), supported=supported)


class DahuaRemoteAccess:
    id = "dahua.remote-access"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        return [observe(ctx, setting, name, reader) for setting, (name, reader) in SETTINGS.items()]


PROBE = DahuaRemoteAccess()
