"""Hikvision ISAPI probes (Hikvision firmware and its OEM builds: EZVIZ, TruVision, LTS, ...).

Every probe only GETs (`probes.http.DeviceHttp` has no other method) and reports in ISAPI's own
vocabulary; auditor/judge/taxonomy.py turns the names into camaudit features. Identity and the
capability documents come first: the later probes reuse the memoised documents they read.
isapi.triggers runs after the configuration probes, whose results it decorates with `sends_to`.
"""

from __future__ import annotations

from probes.base import Probe
from probes.isapi import (
    accounts,
    capabilities,
    data_flows,
    default_credentials,
    face_library,
    identity,
    intelligent,
    nvr_channels,
    remote_access,
    services,
    smart_events,
    thermal,
    traffic,
    triggers,
    upnp_ports,
)

PROBES: tuple[Probe, ...] = (identity.PROBE, capabilities.PROBE, nvr_channels.PROBE, smart_events.PROBE,
                             intelligent.PROBE, thermal.PROBE, traffic.PROBE, face_library.PROBE, triggers.PROBE,
                             remote_access.PROBE, services.PROBE, data_flows.PROBE,
                             accounts.PROBE, upnp_ports.PROBE, default_credentials.PROBE)

__all__ = ["PROBES"]
