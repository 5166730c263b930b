"""Egress: which external servers each site device talks to, from a capture file or live.

capture (file or interface) -> `CaptureResult` (per device: destinations, DNS lookups, failed
attempts). Files take the fast path (`files.py`: libpcap pre-filter, tshark fields, a header
pass); live watches and files it cannot be sure of go through pyshark (`tshark.py`).

The names that need pyshark are imported on first use (PEP 562): the fast path starts its
processes before anything heavy is imported, and the header pass runs as
`python -m probes.egress.headers`, which imports this package.
"""

from __future__ import annotations

import importlib
from typing import Any

from probes.egress.errors import (
    CaptureFailed,
    CapturePermissionDenied,
    EgressCaptureError,
    InterfaceMissing,
    NotACaptureFile,
    TsharkMissing,
)
from probes.egress.files import FileAnalysis, read_files
from probes.egress.networks import DEFAULT_SITE_NETWORKS, SiteNetworks, parse_networks
from probes.egress.traffic import CaptureResult, CaptureSummary, DestinationTraffic, DeviceTraffic, DnsLookup

_LAZY = {"LiveWatch": "probes.egress.live", "list_interfaces": "probes.egress.reader",
         "read_files_slow": "probes.egress.reader"}

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
