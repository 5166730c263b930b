"""Pure readers for the ISAPI cloud, platform and network-service documents.

Each returns a Setting built only from non-secret values: `verificationCode`, `password` and
`key` are never read, only their presence is noted (quirk 13). Element names per PROTOCOLS.md a
"Cloud / phone-home / network services" [S2][S17][S19]; the DDNS element list is partly
unverified there.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._xml import descendants, find, flag, local, text

# Addresses firmware uses for "no server set".
UNSET = frozenset({"", "0.0.0.0", "::", "0:0:0:0:0:0:0:0"})
SECRETS = ("verificationCode", "password", "key")


@dataclass(frozen=True)
class Setting:
    enabled: bool | None
    destination: str | None
    summary: str


def host_of(node: Element | None) -> str | None:
    """The server a node names: hostName or ipAddress, as its addressingFormatType says."""
    if node is None:
        return None
    for holder in (find(node, "serverAddress"), node):
        if holder is None:
            continue
        kind = (text(holder, "addressingFormatType") or "").lower()
        order = ("ipAddress", "ipv6Address", "hostName") if kind.startswith("ip") else \
            ("hostName", "ipAddress", "ipv6Address")
        for tag in order:
            value = text(holder, tag)
            if value and value not in UNSET:
                return value
    return None


def _secrets(root: Element) -> str:
    present = sorted({local(n.tag) for n in root.iter() if local(n.tag) in SECRETS and (n.text or "").strip()})
    return f"; {', '.join(present)} present (not recorded)" if present else ""


def _on(value: bool | None) -> str:
    return "unknown" if value is None else str(value).lower()


def parse_ezviz(root: Element) -> Setting:
    on, host = flag(root, "enabled"), host_of(root)
    summary = (f"enabled={_on(on)} registerStatus={text(root, 'registerStatus')} "
               f"bindStatus={text(root, 'bindStatus')} server={host}" + _secrets(root))
    return Setting(on, host, summary)


def parse_ehome(root: Element) -> Setting:
    on, host, port = flag(root, "enabled"), host_of(root), text(root, "portNo")
    destination = f"{host}:{port}" if host and port else host
    summary = (f"enabled={_on(on)} server={destination} protocolVersion={text(root, 'protocolVersion')} "
               f"registerStatus={text(root, 'registerStatus')}" + _secrets(root))
    return Setting(on, destination, summary)


def parse_ddns(root: Element) -> Setting:
    entries = [root] if local(root.tag) == "DDNS" else list(descendants(root, "DDNS"))
    states = [flag(e, "enabled") for e in entries]
    on = True if True in states else (False if False in states else None)
    chosen = next((e for e, s in zip(entries, states, strict=True) if s), entries[0] if entries else None)
    host = host_of(chosen)
    summary = (f"enabled={_on(on)} provider={text(chosen, 'provider')} server={host} "
               f"domain={text(chosen, 'deviceDomainName')}" + _secrets(root))
    return Setting(on, host, summary)


def parse_upnp(root: Element) -> Setting:
    on = flag(root, "enabled")
    return Setting(on, None, f"enabled={_on(on)}")


def parse_ntp(time_root: Element | None, servers_root: Element | None) -> Setting:
    mode = text(time_root, "timeMode") if time_root is not None else None
    on = None if mode is None else mode.upper() == "NTP"
    servers = list(descendants(servers_root, "NTPServer")) if servers_root is not None else []
    host = next((h for h in (host_of(s) for s in servers) if h), None)
    return Setting(on, host, f"timeMode={mode or 'unknown'} ntpServer={host}")


def parse_mailing(root: Element) -> Setting:
    """SMTP settings have no on/off switch: `enabled` here only says whether a server is set."""
    smtp = next(iter(descendants(root, "smtp")), None)
    host = host_of(smtp)
    receivers = [text(r, "emailAddress") for r in descendants(root, "receiver") if text(r, "emailAddress")]
    summary = f"smtp server={host} port={text(smtp, 'portNo')} receivers={len(receivers)}" + _secrets(root)
    return Setting(bool(host), host, summary)


def parse_ftp(root: Element) -> Setting:
    entries = [root] if local(root.tag) == "FTPNotification" else list(descendants(root, "FTPNotification"))
    configured = [(e, flag(e, "enabled"), host_of(e)) for e in entries]
    active = [(e, host) for e, on, host in configured if on and host]
    chosen = active[0][1] if active else next((h for _, _, h in configured if h), None)
    states = [on for _, on, _ in configured]
    if active:
        on: bool | None = True
    elif True in states or (states and None not in states):
        on = False             # every entry off, or switched on without a server to send to
    else:
        on = None
    upload = next((text(e, "uploadPicture") for e, _ in active), None)
    summary = (f"enabled={_on(on)} server={chosen} uploadPicture={upload}"
               + ("; enabled without a server" if True in states and not active else "") + _secrets(root))
    return Setting(on, chosen, summary)
