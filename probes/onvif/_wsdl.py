"""onvif-zeep's WSDLs, parsed once per process, and where each service lives on a device.

zeep takes a while to build a WSDL Document; the Document holds no device state (the transport,
the WS-Security token and the address belong to each device's client), so one copy serves
every device and thread.
"""

from __future__ import annotations

import inspect
import os
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from onvif import ONVIFCamera
from onvif.definition import SERVICES
from zeep import Settings
from zeep.transports import Transport
from zeep.wsdl import Document

# onvif-zeep's own WSDL directory (the default of ONVIFCamera's wsdl_dir).
WSDL_DIR: str = inspect.signature(ONVIFCamera.__init__).parameters["wsdl_dir"].default


def settings(*, strict: bool) -> Settings:
    """Hostile XML is refused: no DTD, no entities, no external fetches, no huge trees.

    WSDL Documents are built with strict=False (lenient schema reading, as onvif-zeep does: real
    firmware adds elements); replies are parsed with strict=True so broken XML is an error, not
    something lxml's recover mode half-reads.
    """
    return Settings(strict=strict, xml_huge_tree=False, forbid_dtd=True, forbid_entities=True,
                    forbid_external=True)


@dataclass(frozen=True)
class ServiceDef:
    namespace: str
    wsdl: str
    binding: str         # QName of the WSDL binding


# The services camaudit reads. The analytics namespace has two bindings at one XAddr: onvif-zeep's
# "analytics" is the AnalyticsEngine (modules); rules live on the RuleEngine binding.
_ANALYTICS = SERVICES["analytics"]
SERVICE_DEFS: dict[str, ServiceDef] = {
    name: ServiceDef(SERVICES[name]["ns"], SERVICES[name]["wsdl"],
                     f"{{{SERVICES[name]['ns']}}}{SERVICES[name]['binding']}")
    for name in ("devicemgmt", "media", "events", "analytics")
}
SERVICE_DEFS["rules"] = ServiceDef(_ANALYTICS["ns"], _ANALYTICS["wsdl"], f"{{{_ANALYTICS['ns']}}}RuleEngineBinding")
NAMESPACE_SERVICE = {d.namespace: n for n, d in SERVICE_DEFS.items() if n != "rules"}
# GetCapabilities (the legacy listing) names services by category.
CATEGORY_SERVICE = {"Device": "devicemgmt", "Media": "media", "Events": "events", "Analytics": "analytics"}

_documents: dict[str, Document] = {}
_lock = threading.Lock()


def document(wsdl: str) -> Document:
    with _lock:
        if wsdl not in _documents:
            session = requests.Session()
            session.trust_env = False
            _documents[wsdl] = Document(os.path.join(WSDL_DIR, wsdl), Transport(session=session),
                                        settings=settings(strict=False))
        return _documents[wsdl]


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
