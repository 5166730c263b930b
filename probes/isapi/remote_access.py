"""isapi.remote-access: cloud, platform and network services that send data off the device.

Hik-Connect/EZVIZ, ISUP (Ehome), DDNS, UPnP, NTP, SMTP and FTP (PROTOCOLS.md a) [S2][S17][S19].
Resources that hold secrets are asked with `?security=1&iv=<random>`, as the web UI does, so
firmware that supports it encrypts them (quirk 13); firmware that refuses the parameters
(HTTP 400) is asked once more without. Either way only parsed non-secret values reach evidence.
A notSupport answer means the firmware has no such setting: off, unless the capability document
says the service exists (`NetworkCap/isSupportEZVIZ`, `isSupportEhome`, `isSupportDdns`,
`isSupportUpnp`, `isSupportNtp`, `isSupportFtp` [S1]; capabilities can disagree with the
resources, quirk 6): then it is supported, state unknown. A 403 without notSupport means this
account may not read it: unknown, never off (quirk 4), and supported when a flag says so.
E-mail has no on/off switch on Hikvision: it is on when an SMTP server is set and some event
trigger notifies by e-mail.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from xml.etree.ElementTree import Element

from probes._xml import local, to_bool
from probes.base import Observation, RemoteAccessObservation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi import _remote
from probes.isapi._caps import SYSTEM
from probes.isapi._status import PROTOCOL, IsapiDoc, IsapiFailed, evidence_for, get_doc, shared_doc, with_excerpt
from probes.isapi.triggers import TRIGGERS, parse_triggers

NET = "/ISAPI/System/Network"
Reader = Callable[[Element], _remote.Setting]
# setting id -> (paths tried in order until one is not notSupport, reader, asks for secrets)
SETTINGS: dict[str, tuple[tuple[str, ...], Reader, bool]] = {
    "hik_connect": ((f"{NET}/EZVIZ",), _remote.parse_ezviz, True),
    "isup": ((f"{NET}/Ehome",), _remote.parse_ehome, True),
    "ddns": ((f"{NET}/DDNS", f"{NET}/DDNS/1"), _remote.parse_ddns, True),
    "upnp": ((f"{NET}/UPnP",), _remote.parse_upnp, False),
    "email": ((f"{NET}/mailing",), _remote.parse_mailing, True),
    "ftp": ((f"{NET}/ftp", "/ISAPI/Event/notification/ftp"), _remote.parse_ftp, True),
}
TIME, NTP_SERVERS = "/ISAPI/System/time", "/ISAPI/System/time/ntpServers"
NO_SETTING = "the firmware has no such setting (notSupport): off"
# Capability flags that say the firmware has a service, wherever they sit in /ISAPI/System/capabilities
# (NetworkCap on IPCs; isSupportEhome at top level on NVRs) [S1 DS-2CD2386G2-IU, DS-7608NXI-I2].
CAPABILITY_FLAGS: dict[str, str] = {
    "isSupportEZVIZ": "hik_connect", "isSupportEhome": "isup", "isSupportDdns": "ddns",
    "isSupportUpnp": "upnp", "isSupportNtp": "ntp", "isSupportFtp": "ftp",
}
Claim = tuple[bool, str]          # what the flag says, and "Section/flag=value" for evidence


def parse_service_claims(root: Element) -> dict[str, Claim]:
    """Setting -> what the capability document claims about it; a true flag anywhere wins (pure)."""
    found: dict[str, Claim] = {}
    stack: list[tuple[str, Element]] = [(local(root.tag), child) for child in root]
    while stack:
        parent, node = stack.pop()
        name = local(node.tag)
        setting, value = CAPABILITY_FLAGS.get(name), to_bool(node.text)
        if setting is not None and value is not None and not found.get(setting, (False, ""))[0]:
            found[setting] = (value, f"{parent}/{name}={str(value).lower()}")
        stack.extend((name, child) for child in node)
    return found


def _claims(ctx: ProbeContext) -> dict[str, Claim]:
    try:
        return parse_service_claims(shared_doc(ctx, SYSTEM).root)
    except AuthProblem:
        raise
    except ProbeError:
        return {}                 # no capability document: nothing claimed either way


def _read(ctx: ProbeContext, path: str, secret: bool) -> IsapiDoc:
    if not secret:
        return get_doc(ctx, path)
    try:
        return get_doc(ctx, path, {"security": "1", "iv": secrets.token_hex(16)})
    except IsapiFailed as exc:
        if not exc.evidence.result.startswith("HTTP 400"):
            raise
        return get_doc(ctx, path)        # firmware without encrypted reads


def _first(ctx: ProbeContext, paths: tuple[str, ...], secret: bool) -> IsapiDoc | ProbeError:
    """The first path that is not notSupport, or the last error."""
    found: IsapiDoc | ProbeError = NotSupported("no path tried")
    for path in paths:
        try:
            return _read(ctx, path, secret)
        except (AuthProblem, Unreachable):
            raise
        except ProbeError as exc:
            found = exc
            if not isinstance(exc, NotSupported):
                break
    return found


def _unread(setting: str, exc: ProbeError, path: str, claim: Claim | None) -> RemoteAccessObservation:
    """A setting whose resource gave no document: off only when nothing says the service exists."""
    evidence = evidence_for(exc, path)
    claimed = claim is not None and claim[0]
    if isinstance(exc, NotSupported) and not claimed:
        return RemoteAccessObservation(setting, False, None, with_excerpt(evidence, NO_SETTING), supported=False)
    note = "state unknown" if not isinstance(exc, NotSupported) else "state unknown (resource answered notSupport)"
    if claim is not None:
        note = f"capability {claim[1]}; {note}"
    excerpt = f"{evidence.excerpt}; {note}" if evidence.excerpt else note
    return RemoteAccessObservation(setting, None, None, with_excerpt(evidence, excerpt),
                                   supported=True if claimed else None)


def _email_used(ctx: ProbeContext) -> bool | None:
    try:
        return any("email" in (m.lower() for m in t.methods) for t in parse_triggers(shared_doc(ctx, TRIGGERS).root))
    except AuthProblem:
        raise
    except ProbeError:
        return None


class RemoteAccess:
    id = "isapi.remote-access"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        claims = _claims(ctx)
        for setting, (paths, reader, secret) in SETTINGS.items():
            found = _first(ctx, paths, secret)
            if not isinstance(found, IsapiDoc):
                out.append(_unread(setting, found, paths[-1], claims.get(setting)))
                continue
            value = reader(found.root)
            enabled, summary = value.enabled, value.summary
            if setting == "email" and enabled:
                used = _email_used(ctx)
                enabled = used
                summary += {True: "; an event trigger sends e-mail", False: "; no event trigger sends e-mail",
                            None: "; event triggers not readable"}[used]
            out.append(RemoteAccessObservation(setting, enabled, value.destination,
                                               with_excerpt(found.evidence, summary), supported=True))
        out.append(self._ntp(ctx, claims.get("ntp")))
        return out

    def _ntp(self, ctx: ProbeContext, claim: Claim | None) -> RemoteAccessObservation:
        """`timeMode` says whether NTP is used; `ntpServers` says which server."""
        time_doc = _first(ctx, (TIME,), False)
        servers = _first(ctx, (NTP_SERVERS,), False)
        if not isinstance(servers, IsapiDoc) and not isinstance(time_doc, IsapiDoc):
            return _unread("ntp", servers, NTP_SERVERS, claim)
        value = _remote.parse_ntp(time_doc.root if isinstance(time_doc, IsapiDoc) else None,
                                  servers.root if isinstance(servers, IsapiDoc) else None)
        base = time_doc if isinstance(time_doc, IsapiDoc) else servers
        assert isinstance(base, IsapiDoc)
        where = " (server from ntpServers)" if isinstance(servers, IsapiDoc) and value.destination else ""
        return RemoteAccessObservation("ntp", value.enabled, value.destination,
                                       with_excerpt(base.evidence, value.summary + where), supported=True)


PROBE = RemoteAccess()
