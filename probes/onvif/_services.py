"""Where each ONVIF service lives on a device: the GetServices / GetCapabilities listings read into
(service name, XAddr), and advertised XAddrs placed on the address the audit was pointed at."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import Element

from probes._xml import children, find, text
from probes.onvif._operations import SERVICE_NAMESPACES

NAMESPACE_SERVICE = {namespace: name for name, namespace in SERVICE_NAMESPACES.items()}
# GetCapabilities (the legacy listing) names services by category.
CATEGORY_SERVICE = {"Device": "devicemgmt", "Media": "media", "Events": "events", "Analytics": "analytics"}


def from_services(answer: Element) -> list[tuple[str | None, str | None]]:
    """(service, XAddr) per tds:Service of a GetServicesResponse."""
    return [(NAMESPACE_SERVICE.get(text(s, "Namespace") or ""), text(s, "XAddr")) for s in children(answer, "Service")]


def from_capabilities(answer: Element) -> list[tuple[str | None, str | None]]:
    """(service, XAddr) per category of a GetCapabilitiesResponse."""
    capabilities = find(answer, "Capabilities")
    return [(name, text(find(capabilities, category), "XAddr")) for category, name in CATEGORY_SERVICE.items()]


def place(xaddr: str, device_url: str) -> tuple[str, str]:
    """Where to send calls for an advertised XAddr, and a note when it was not followed.

    XAddrs on the device's own address are followed (any port). One that names another host
    (NAT, a misconfigured or hostile device) is not: the advertised path is used on the device
    address camaudit reaches, so no request ever goes to a host the audit was not pointed at.
    """
    there, here = urlsplit(xaddr.strip()), urlsplit(device_url)
    if there.scheme in ("http", "https") and (there.hostname or "").lower() == (here.hostname or "").lower():
        return xaddr.strip(), ""
    moved = urlunsplit((here.scheme, here.netloc, there.path or "/", there.query, ""))
    return moved, f"XAddr {xaddr.strip()[:80]} is not on the device's address; used {moved}"


