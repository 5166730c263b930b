"""isapi.upnp-ports: the ports the device asks the site router to open with UPnP.

`GET /ISAPI/System/Network/UPnP/ports` is the port-mapping configuration: root `ports` with
`enabled` (mapping on/off), `mapmode` (auto/manual) and `portList` (a public Rust ISAPI client
PUTs exactly `ports{enabled, mapmode, portList}` to switch mapping off; the ISAPI developer guide
lists "GET /ISAPI/System/Network/UPnP/ports" and ".../ports/status" for mapping states). The
entries' element names are (unverified): each `port`/`portMapping` is read for a protocol name
(`protocol`, `portType`, `protocolType`, `name`), `internalPort`, `externalPort` and `enabled`.

Reported as ServiceObservation `upnp_ports`: "HTTP 80->8080, RTSP 554->554" when mapping is on
with enabled entries, "" when mapping is off or lists nothing, None when the device did not say.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from probes._xml import descendants, flag, local, text
from probes.base import Observation, ServiceObservation
from probes.context import ProbeContext
from probes.errors import AuthProblem, ProbeError, Unreachable
from probes.isapi._status import PROTOCOL, evidence_for, get_doc, with_excerpt

PORTS = "/ISAPI/System/Network/UPnP/ports"
ENTRY_NAMES = ("port", "portMapping")
NAME_KEYS = ("protocol", "portType", "protocolType", "name")


def _entry(node: Element) -> str | None:
    """"HTTP 80->8080" for an enabled entry with ports, None otherwise."""
    if flag(node, "enabled") is False:
        return None
    inner, outer = text(node, "internalPort"), text(node, "externalPort")
    if not (inner or outer):
        return None
    name = next((v for k in NAME_KEYS if (v := text(node, k))), "port")
    return f"{name.upper()} {inner or '?'}->{outer or '?'}"


def parse_ports(root: Element) -> str | None:
    """The mapped ports, "" for none, None when the document does not say whether mapping is on."""
    on = flag(root, "enabled")
    entries = [e for name in ENTRY_NAMES for e in descendants(root, name) if local(e.tag) == name]
    mapped = [m for m in (_entry(e) for e in entries) if m]
    if on is False:
        return ""
    if on is None and not mapped:
        return None
    return ", ".join(mapped)


class UpnpPorts:
    id = "isapi.upnp-ports"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        try:
            doc = get_doc(ctx, PORTS, roots=("ports", "UPnPPortList", "PortList"))
        except (AuthProblem, Unreachable):
            raise
        except ProbeError as exc:
            return [ServiceObservation("upnp_ports", None, evidence_for(exc, PORTS))]
        mapped = parse_ports(doc.root)
        shown = "unknown" if mapped is None else (mapped or "none")
        return [ServiceObservation("upnp_ports", mapped, with_excerpt(
            doc.evidence, f"enabled={text(doc.root, 'enabled') or '-'} mapmode={text(doc.root, 'mapmode') or '-'} "
                          f"mapped: {shown}"))]


PROBE = UpnpPorts()
