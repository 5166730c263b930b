"""isapi.remote-access: cloud, platform and network services that send data off the device.

Hik-Connect/EZVIZ, ISUP (Ehome), DDNS, UPnP, NTP, SMTP and FTP (PROTOCOLS.md a) [S2][S17][S19].
Resources that hold secrets are asked with `?security=1&iv=<random>`, as the web UI does, so
firmware that supports it encrypts them (quirk 13); firmware that refuses the parameters
(HTTP 400) is asked once more without. Either way only parsed non-secret values reach evidence.
A notSupport answer means the firmware has no such setting: off. A 403 without notSupport means
this account may not read it: unknown, never off (quirk 4).
E-mail has no on/off switch on Hikvision: it is on when an SMTP server is set and some event
trigger notifies by e-mail.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from xml.etree.ElementTree import Element

from probes.base import Observation, RemoteAccessObservation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi import _remote
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


def _unread(setting: str, exc: ProbeError, path: str) -> RemoteAccessObservation:
    evidence = evidence_for(exc, path)
    if isinstance(exc, NotSupported):
        return RemoteAccessObservation(setting, False, None, with_excerpt(evidence, NO_SETTING))
    return RemoteAccessObservation(setting, None, None, evidence)


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
        for setting, (paths, reader, secret) in SETTINGS.items():
            found = _first(ctx, paths, secret)
            if not isinstance(found, IsapiDoc):
                out.append(_unread(setting, found, paths[-1]))
                continue
            value = reader(found.root)
            enabled, summary = value.enabled, value.summary
            if setting == "email" and enabled:
                used = _email_used(ctx)
                enabled = used
                summary += {True: "; an event trigger sends e-mail", False: "; no event trigger sends e-mail",
                            None: "; event triggers not readable"}[used]
            out.append(RemoteAccessObservation(setting, enabled, value.destination,
                                               with_excerpt(found.evidence, summary)))
        out.append(self._ntp(ctx))
        return out

    def _ntp(self, ctx: ProbeContext) -> RemoteAccessObservation:
        """`timeMode` says whether NTP is used; `ntpServers` says which server."""
        time_doc = _first(ctx, (TIME,), False)
        servers = _first(ctx, (NTP_SERVERS,), False)
        if not isinstance(servers, IsapiDoc) and not isinstance(time_doc, IsapiDoc):
            return _unread("ntp", servers, NTP_SERVERS)
        value = _remote.parse_ntp(time_doc.root if isinstance(time_doc, IsapiDoc) else None,
                                  servers.root if isinstance(servers, IsapiDoc) else None)
        base = time_doc if isinstance(time_doc, IsapiDoc) else servers
        assert isinstance(base, IsapiDoc)
        where = " (server from ntpServers)" if isinstance(servers, IsapiDoc) and value.destination else ""
        return RemoteAccessObservation("ntp", value.enabled, value.destination,
                                       with_excerpt(base.evidence, value.summary + where))


PROBE = RemoteAccess()
