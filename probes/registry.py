"""Which probes camaudit runs, per protocol family, in order.

Each family's package lists its probes in `PROBES` (definition stays in the probe modules);
this module only collects them, so adding a probe never touches the orchestrator.
"""

from __future__ import annotations

import importlib
from collections.abc import Collection

from probes.base import Probe

FAMILIES = ("isapi", "dahua_cgi", "onvif")
# Probes of no API family (RTSP, the HTTPS certificate): run once per reachable device, after the families.
DEVICE = "device"
RUN_ORDER = (*FAMILIES, DEVICE)
_PACKAGES = {"isapi": "probes.isapi", "dahua_cgi": "probes.dahua", "onvif": "probes.onvif",
             DEVICE: "probes.exposure"}


def probes_for(protocol: str, *, include_intrusive: bool = False, checks: Collection[str] = ()) -> list[Probe]:
    """The registered probes of one family; an intrusive one only when its check is named in `checks`
    (or every intrusive one with `include_intrusive`)."""
    module = importlib.import_module(_PACKAGES[protocol])
    found: list[Probe] = list(module.PROBES)
    return [p for p in found if not p.intrusive or include_intrusive or getattr(p, "check", None) in checks]


def intrusive_checks() -> dict[str, list[str]]:
    """Every intrusive check by name (`--intrusive NAME`), with the probe ids that carry it."""
    found: dict[str, list[str]] = {}
    for family in RUN_ORDER:
        for probe in probes_for(family, include_intrusive=True):
            if probe.intrusive:
                found.setdefault(getattr(probe, "check", probe.id), []).append(probe.id)
    return found


def all_probe_ids() -> list[str]:
    return [p.id for family in RUN_ORDER for p in probes_for(family, include_intrusive=True)]
