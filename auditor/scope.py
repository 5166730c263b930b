"""From what the user typed to what the audit probes: parse TARGETs, discover, plan targets.

One entry point for the CLI, the TUI and the tests, so they all audit the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from auditor.targets import Scope, parse_targets
from probes.base import Target
from probes.discovery import DiscoveryReport, DiscoverySettings, discover_devices


def discover_scope(scope: Scope, *, multicast: bool = False,
                   settings: DiscoverySettings | None = None) -> DiscoveryReport:
    settings = settings or DiscoverySettings(multicast=multicast)
    return discover_devices(scope.addresses, given=scope.given, settings=settings)


def plan_targets(specs: Sequence[str], *, discover: bool = True, multicast: bool = False) -> list[Target]:
    """Targets to audit: discovered devices (with what discovery learned), or the addresses as given."""
    scope = parse_targets(specs)
    if not discover:
        return [Target(address=g.address, scheme=g.scheme or "http", found_by=("given",),
                       port=g.port or (443 if g.scheme == "https" else 80))
                for g in scope.given]
    report = discover_scope(scope, multicast=multicast)
    return [dataclasses.replace(d.target, facts=tuple(d.observations)) for d in report.devices]
