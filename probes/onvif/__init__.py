"""ONVIF probes (read-only): identity first, then analytics, events, network.

Every probe shares one client per device (probes.onvif.client), which only ever sends the fixed
Get* envelopes of probes/onvif/_operations.py and reads the answers with probes/_xml.py.
"""

from __future__ import annotations

from probes.base import Probe
from probes.onvif.analytics import OnvifAnalytics
from probes.onvif.events import OnvifEvents
from probes.onvif.identity import OnvifIdentity
from probes.onvif.network import OnvifNetwork

PROBES: list[Probe] = [OnvifIdentity(), OnvifAnalytics(), OnvifEvents(), OnvifNetwork()]

__all__ = ["PROBES"]
