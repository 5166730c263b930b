"""ONVIF probes (onvif-zeep based, read-only): identity first, then analytics, events, network.

Every probe shares one client per device (probes.onvif.client), which only ever sends Get*
operations and never builds onvif-zeep's ONVIFCamera (it subscribes to events on connect).
"""

from __future__ import annotations

from probes.base import Probe
from probes.onvif import _quiet  # noqa: F401 - must run before anything imports onvif
from probes.onvif.analytics import OnvifAnalytics
from probes.onvif.events import OnvifEvents
from probes.onvif.identity import OnvifIdentity
from probes.onvif.network import OnvifNetwork

PROBES: list[Probe] = [OnvifIdentity(), OnvifAnalytics(), OnvifEvents(), OnvifNetwork()]

__all__ = ["PROBES"]
