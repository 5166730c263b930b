"""isapi.services: Telnet and SSH daemons, and the ports the device serves.

`/ISAPI/System/Network/telnetd` and `/ISAPI/System/Network/ssh` hold an `enabled` switch (root
names Telnetd / SSH unverified) [S2]; `/ISAPI/Security/adminAccesses` lists
`AdminAccessProtocol{protocol, enabled, portNo}` for HTTP, HTTPS, DEV_MANAGE (SDK 8000), RTSP,
SDK_OVER_TLS, WebSocket... [S1], reported as `https` (on/off) and `port:<protocol>` (the port
when on, False when off). A firmware without a telnet setting may still run a daemon, so
notSupport there is unknown, not off.
"""

from __future__ import annotations

from probes._xml import descendants, flag, text
from probes.base import Observation, ServiceObservation
from probes.context import ProbeContext
from probes.errors import AuthProblem, ProbeError, Unreachable
from probes.isapi._status import PROTOCOL, evidence_for, get_doc, with_excerpt

SHELLS = {"telnet": "/ISAPI/System/Network/telnetd", "ssh": "/ISAPI/System/Network/ssh"}
ADMIN_ACCESSES = "/ISAPI/Security/adminAccesses"


class Services:
    id = "isapi.services"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        for service, path in SHELLS.items():
            try:
                doc = get_doc(ctx, path)
            except (AuthProblem, Unreachable):
                raise
            except ProbeError as exc:
                out.append(ServiceObservation(service, None, evidence_for(exc, path)))
                continue
            on = flag(doc.root, "enabled")
            port = text(doc.root, "port") or text(doc.root, "portNo")
            summary = f"enabled={'unknown' if on is None else str(on).lower()}" + (f" port={port}" if port else "")
            out.append(ServiceObservation(service, on, with_excerpt(doc.evidence, summary)))
        try:
            doc = get_doc(ctx, ADMIN_ACCESSES)
        except (AuthProblem, Unreachable):
            raise
        except ProbeError as exc:
            out.append(ServiceObservation("https", None, evidence_for(exc, ADMIN_ACCESSES)))
            return out
        for node in descendants(doc.root, "AdminAccessProtocol"):
            protocol, on, port = text(node, "protocol"), flag(node, "enabled"), text(node, "portNo")
            if not protocol:
                continue
            evidence = with_excerpt(doc.evidence, f"{protocol} enabled={str(on).lower()} portNo={port}")
            if protocol.upper() == "HTTPS":
                out.append(ServiceObservation("https", on, evidence))
            out.append(ServiceObservation(f"port:{protocol.lower()}", (port or True) if on else on, evidence))
        return out


PROBE = Services()
