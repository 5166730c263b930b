"""Egress: which external servers each site device talks to, from a capture file or live.

capture (file or interface) -> `CaptureResult` (per device: destinations, DNS lookups, failed
attempts). Files take the fast path (`files.py`: libpcap pre-filter, tshark fields, a header
pass); live watches and files it cannot be sure of go through pyshark (`tshark.py`).

Every name is imported on first use (PEP 562): the CLI starts its processes before anything
heavy is imported, the header pass (`python -S -c ...headers`) imports this package and must
start in a few milliseconds, and pyshark is only loaded by the paths that need it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from probes.egress.errors import (
        CaptureFailed,
        CapturePermissionDenied,
        EgressCaptureError,
        InterfaceMissing,
        NotACaptureFile,
        TsharkMissing,
    )
    from probes.egress.files import FileAnalysis, read_files
    from probes.egress.live import LiveWatch
    from probes.egress.networks import DEFAULT_SITE_NETWORKS, SiteNetworks, parse_networks
    from probes.egress.reader import list_interfaces, read_files_slow
    from probes.egress.traffic import CaptureResult, CaptureSummary, DestinationTraffic, DeviceTraffic, DnsLookup

_LAZY = {
    **dict.fromkeys(("CaptureFailed", "CapturePermissionDenied", "EgressCaptureError", "InterfaceMissing",
                     "NotACaptureFile", "TsharkMissing"), "probes.egress.errors"),
    "FileAnalysis": "probes.egress.files", "read_files": "probes.egress.files",
    "DEFAULT_SITE_NETWORKS": "probes.egress.networks", "SiteNetworks": "probes.egress.networks",
    "parse_networks": "probes.egress.networks",
    **dict.fromkeys(("CaptureResult", "CaptureSummary", "DestinationTraffic", "DeviceTraffic", "DnsLookup"),
                    "probes.egress.traffic"),
    "LiveWatch": "probes.egress.live", "list_interfaces": "probes.egress.reader",
    "read_files_slow": "probes.egress.reader",
}

__all__ = [
    "DEFAULT_SITE_NETWORKS", "CaptureFailed", "CapturePermissionDenied", "CaptureResult", "CaptureSummary",
    "DestinationTraffic", "DeviceTraffic", "DnsLookup", "EgressCaptureError", "FileAnalysis", "InterfaceMissing",
    "LiveWatch", "NotACaptureFile", "SiteNetworks", "TsharkMissing", "list_interfaces", "parse_networks",
    "read_files", "read_files_slow",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
