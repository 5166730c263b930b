"""Egress: which external servers each site device talks to, from a capture file or live.

capture (file or interface) -> `CaptureResult` (per device: destinations, DNS lookups, failed
attempts). tshark does the dissecting and filtering; see `tshark.py` for why it is fast.
"""

from probes.egress.errors import (
    CaptureFailed,
    CapturePermissionDenied,
    EgressCaptureError,
    InterfaceMissing,
    NotACaptureFile,
    TsharkMissing,
)
from probes.egress.live import LiveWatch
from probes.egress.networks import DEFAULT_SITE_NETWORKS, SiteNetworks, parse_networks
from probes.egress.reader import list_interfaces, read_files
from probes.egress.traffic import CaptureResult, CaptureSummary, DestinationTraffic, DeviceTraffic, DnsLookup

__all__ = [
    "DEFAULT_SITE_NETWORKS", "CaptureFailed", "CapturePermissionDenied", "CaptureResult", "CaptureSummary",
    "DestinationTraffic", "DeviceTraffic", "DnsLookup", "EgressCaptureError", "InterfaceMissing", "LiveWatch",
    "NotACaptureFile", "SiteNetworks", "TsharkMissing", "list_interfaces", "parse_networks", "read_files",
]
