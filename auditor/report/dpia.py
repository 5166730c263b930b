"""The DPIA pack's first pages as plain data: the fleet x analytics grid, where data goes, and the
devices that need action. Pure functions of a `Report`, shared by every format (HTML, PDF, Markdown,
JSON, CSV), so the summary a DPO signs reads the same whichever file they open.

Four cell states, never three: "on" (a feature of the class is on), "unknown" (none known on, but one
could be: the device would not tell us), "supported" (present and known off), "no" (not supported or
off). Unknown is never folded into "no".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from auditor.report.model import Destination, DeviceSection, Report
from auditor.report.stats import GROUP_LABELS
from models.features import FEATURES, counts_as_remote, severity_rank, worst
from models.read_status import was_read

CELL_STATES = ("on", "unknown", "supported", "no")
CELL_SYMBOLS = {"on": "●", "unknown": "?", "supported": "○", "no": "–"}
CELL_WORDS = {"on": "on", "unknown": "unknown", "supported": "supported, off", "no": "no"}
GROUP_SHORT = {"biometric": "Biometric", "behaviour": "Behaviour", "counting": "Counting",
               "perimeter": "Perimeter", "object": "Objects", "other": "Other"}
ACTION_SEVERITIES = ("critical", "high")   # medium and below are in each device's section
NOT_KNOWN = "not known"
# Destination labels that a device setting or the site explains (models.egress labels); "unknown" is undisclosed.
DISCLOSED = frozenset({"site", "allowed", "vendor-cloud", "public-ntp", "dns"})


def groups() -> list[str]:
    return list(dict.fromkeys(f.group for f in FEATURES))


def class_state(d: DeviceSection, group: str) -> str:
    cells = [c for c in d.features if c.group == group]
    if not was_read(d.status):
        return "unknown"
    if any(c.enabled is True for c in cells):
        return "on"
    if any(c.enabled is None and c.supported is not False for c in cells):
        return "unknown"
    if any(c.supported is True for c in cells):
        return "supported"
    return "no"


@dataclass
class GridRow:
    anchor: str
    label: str
    status: str
    cells: dict[str, str]              # group -> CELL_STATES


@dataclass
class PlaceRow:
    """Destinations in one country on one network, and how they are known."""

    country: str
    owner: str
    destinations: list[str]
    devices: list[str]
    configured: int = 0                # a device setting names it (push host, FTP, e-mail, vendor cloud)
    disclosed: int = 0                 # seen in traffic and explained (site, allowed, vendor cloud, NTP, DNS)
    undisclosed: int = 0               # seen in traffic, explained by nothing


@dataclass
class ActionRow:
    anchor: str
    label: str
    worst: str
    actions: list[str] = field(default_factory=list)


@dataclass
class PackSummary:
    groups: list[tuple[str, str]]              # (group id, column title)
    grid: list[GridRow]
    features_on: list[tuple[str, int, int]]    # (feature label, devices on, devices unknown), most first
    places: list[PlaceRow]
    egress_analysed: bool
    actions: list[ActionRow]

    def to_json(self) -> dict[str, Any]:
        return {
            "grid": {"columns": [g for g, _ in self.groups], "states": list(CELL_STATES),
                     "rows": [{"device": r.label, "status": r.status, "cells": r.cells} for r in self.grid]},
            "features_on": [{"feature": f, "on": n, "unknown": u} for f, n, u in self.features_on],
            "where_data_goes": [vars(p) for p in self.places],
            "egress_analysed": self.egress_analysed,
            "needs_action": [{"device": a.label, "worst": a.worst, "actions": a.actions} for a in self.actions],
        }


def network_owner(x: Destination) -> str:
    """Who runs the network a destination is on (offline GeoLite2 ASN data), else "not known"."""
    return x.network_owner or NOT_KNOWN


def _country(x: Destination) -> str:
    """Where the server is (geolocated); without that data, the registry's country, said to be that."""
    if x.located_in:
        return x.located_in
    return f"{x.registered_in} (registered)" if x.registered_in else NOT_KNOWN


def _places(r: Report) -> list[PlaceRow]:
    rows: dict[tuple[str, str], PlaceRow] = {}

    def row(country: str, owner: str) -> PlaceRow:
        return rows.setdefault((country, owner), PlaceRow(country, owner, [], []))

    for d in r.devices:
        configured = [f for f in d.audit.data_flows if f.enabled is True and f.destination]
        configured += [x for x in d.remote if x.enabled is True and x.destination and counts_as_remote(x.kind)]  # type: ignore[misc]
        for f in configured:
            p = row(NOT_KNOWN, NOT_KNOWN)
            if f.destination not in p.destinations:
                p.destinations.append(f.destination)  # type: ignore[arg-type]
                p.configured += 1
            if d.label not in p.devices:
                p.devices.append(d.label)
        for x in d.egress.destinations if d.egress else []:
            if x.label == "site":
                continue
            p = row(_country(x), network_owner(x))
            where = x.address
            if where not in p.destinations:
                p.destinations.append(where)
                if x.label in DISCLOSED:
                    p.disclosed += 1
                else:
                    p.undisclosed += 1
            if d.label not in p.devices:
                p.devices.append(d.label)
    return sorted(rows.values(), key=lambda p: (-p.undisclosed, p.country == NOT_KNOWN, p.country, p.owner))


def _actions(r: Report) -> list[ActionRow]:
    out = []
    for d in r.devices:
        if not was_read(d.status):
            out.append(ActionRow(d.anchor, d.label, "not read",
                                 [f"Not audited ({d.status}): check it is on and the audit account works, "
                                  "then audit it again."]))
            continue
        serious = [f for f in d.findings if f.severity in ACTION_SEVERITIES]
        if not serious:
            continue
        actions = list(dict.fromkeys(f.recommendation or f.title for f in serious))
        out.append(ActionRow(d.anchor, d.label, worst(f.severity for f in serious) or "", actions))
    return sorted(out, key=lambda a: severity_rank(a.worst) if a.worst != "not read" else -2)


def pack_summary(r: Report) -> PackSummary:
    gs = groups()
    grid = [GridRow(d.anchor, d.label, d.status, {g: class_state(d, g) for g in gs}) for d in r.devices]
    on: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in r.summary.features:
        on[f.label] = [f.enabled.count, f.enabled_unknown.count]
    features_on = sorted(((k, v[0], v[1]) for k, v in on.items() if v[0]), key=lambda t: (-t[1], t[0]))
    return PackSummary([(g, GROUP_SHORT.get(g, GROUP_LABELS.get(g, g))) for g in gs], grid, features_on,
                       _places(r), r.egress.available, _actions(r))
