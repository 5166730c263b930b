"""Dahua HTTP CGI probes (Dahua firmware and its OEMs: Amcrest, Lorex, Honeywell, Intelbras).

Every probe only GETs read actions (magicBox get*, configManager getConfig, devVideoAnalyse
getCaps, faceRecognitionServer findGroup) and reports in Dahua's own vocabulary; the names
become camaudit features in auditor/judge/taxonomy.py. Identity runs first so a device that does
not speak Dahua CGI at all is known before the rest ask.
"""

from __future__ import annotations

from probes.base import Probe
from probes.dahua import (
    accounts,
    analytics,
    data_flows,
    default_credentials,
    face_db,
    identity,
    motion,
    remote_access,
    services,
)

PROBES: tuple[Probe, ...] = (identity.PROBE, analytics.PROBE, motion.PROBE, face_db.PROBE,
                             remote_access.PROBE, services.PROBE, data_flows.PROBE, accounts.PROBE,
                             default_credentials.PROBE)

__all__ = ["PROBES"]
