"""From what the user typed to what the audit probes: parse TARGETs, discover, plan targets.

One entry point for the CLI, the TUI and the tests, so they all audit the same way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field

from auditor.run.targets import Scope, parse_targets
from probes.base import Target
from probes.discovery import DiscoveryReport, DiscoverySettings, discover_devices


@dataclass(frozen=True)
class Plan:
    """The targets to audit, and what discovery has to tell the user about them."""

    targets: list[Target]
    # One line each, for the CLI/TUI to show: targets discovery could not probe (an IPv6 zone
    # naming no interface here, no route), replies lost and recovered, unreadable replies.
    notes: list[str] = field(default_factory=list)
    report: DiscoveryReport | None = None       # None when discovery was switched off


def discover_scope(scope: Scope, *, multicast: bool = False,
                   settings: DiscoverySettings | None = None) -> DiscoveryReport:
    settings = settings or DiscoverySettings(multicast=multicast)
    return discover_devices(scope.addresses, given=scope.given, settings=settings)


def plan(specs: Sequence[str] | Scope, *, discover: bool = True, multicast: bool = False,
         settings: DiscoverySettings | None = None) -> Plan:
    """Targets to audit: discovered devices (with what discovery learned), or the addresses as given.

    Discovery's facts (SADP's Hik-Connect state) travel as `Target.facts`; an address discovery
    could not probe keeps its reason in `Target.discovery_errors` and in `Plan.notes`.
    Without discovery every address in scope is audited, those of networks and ranges too.
    """
    scope = specs if isinstance(specs, Scope) else parse_targets(specs)
    if not discover:
        return Plan([Target(address=address, scheme=scheme or "http", found_by=("given",),
                            port=port or (443 if scheme == "https" else 80))
                     for address, port, scheme in scope.listed], list(scope.notes))
    report = discover_scope(scope, multicast=multicast, settings=settings)
    targets = [dataclasses.replace(d.target, facts=tuple(d.observations)) for d in report.devices]
    return Plan(targets, [*scope.notes, *report.notes], report)


def plan_targets(specs: Sequence[str] | Scope, *, discover: bool = True, multicast: bool = False) -> list[Target]:
    """Targets to audit (see `plan`, which also returns what the user should be told)."""
    return plan(specs, discover=discover, multicast=multicast).targets
