"""onvif.analytics: analytics modules and rules from the ONVIF analytics service (tan, ver20).

Supported types (GetSupportedAnalyticsModules, GetSupportedRules) say what the firmware can do;
configured ones (GetAnalyticsModules, GetRules) say what runs. ONVIF rules have no enable
switch: a configured rule is on, a supported type with no configured instance is off. Names
are type local names (`tt:LineDetector` -> `LineDetector`, `hikxsd:TamperEngine` ->
`TamperEngine`). A device without an analytics service says nothing here: unknown, not "no"
(PROTOCOLS.md quirk 15).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from probes.base import Coverage, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import NotSupported, ProbeError
from probes.onvif._answer import PROTOCOL, Answer
from probes.onvif.client import SOFT, OnvifClient, client_for

# (service, operation, listing kind, what to read from the answer)
READS = (
    ("analytics", "GetSupportedAnalyticsModules", "supported", "AnalyticsModuleDescription.Name"),
    ("analytics", "GetAnalyticsModules", "configured", ".Type"),
    ("rules", "GetSupportedRules", "supported", "RuleDescription.Name"),
    ("rules", "GetRules", "configured", ".Type"),
)
# The same configuration embedded in Media GetProfiles, used when GetAnalyticsModules/GetRules fail.
EMBEDDED = {"GetAnalyticsModules": ("AnalyticsEngineConfiguration", "AnalyticsModule"),
            "GetRules": ("RuleEngineConfiguration", "Rule")}
CONFIGURED_BY = {"GetSupportedAnalyticsModules": "GetAnalyticsModules", "GetSupportedRules": "GetRules"}


def local_name(qname: Any) -> str:
    return re.split(r"[}:]", str(qname).strip())[-1]


@dataclass
class _Type:
    supported: Answer | None = None
    configured: list[tuple[str, Answer]] = field(default_factory=list)   # (instance name, answer)
    engine: bool = False          # an analytics module (engine), not a rule


# Modules are engines the firmware keeps configured whatever the user set (Dahua lists a
# CellMotionEngine with motion detection off); only a configured rule says something runs.
MODULE_OPERATIONS = ("GetSupportedAnalyticsModules", "GetAnalyticsModules")


def _types(value: Any, path: str) -> list[tuple[str, str]]:
    """(type local name, instance name) from a listing; `X.Name` = descriptions, `.Type` = configs."""
    container, _, attribute = path.partition(".")
    items = getattr(value, container, None) if container else value
    return [(local_name(getattr(i, attribute)), str(getattr(i, "Name", "") or ""))
            for i in items or [] if getattr(i, attribute, None)]


def _tokens(profiles: Answer) -> list[Any]:
    found: dict[str, Any] = {}
    for profile in profiles.value or []:
        config = getattr(profile, "VideoAnalyticsConfiguration", None)
        if config is not None and getattr(config, "token", None):
            found.setdefault(config.token, config)
    return list(found.values())


class OnvifAnalytics:
    id = "onvif.analytics"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        client = client_for(ctx)
        if not client.has("analytics"):
            raise NotSupported("the device advertises no ONVIF analytics service; what it analyses stays "
                               "unknown over ONVIF (absence there is not proof of absence)")
        profiles = client.call("media", "GetProfiles")
        configs = _tokens(profiles)
        if not configs:
            raise NotSupported("no media profile carries a VideoAnalyticsConfiguration to ask the analytics "
                               "service about; analytics stay unknown over ONVIF")
        seen: dict[str, _Type] = {}
        answered: dict[str, Answer] = {}
        failed: list[ProbeError] = []
        for config in configs:
            self._read(client, profiles, config, seen, answered, failed)
        if not answered and failed:
            raise failed[0]
        return self._observations(seen, answered)

    def _read(self, client: OnvifClient, profiles: Answer, config: Any, seen: dict[str, _Type],
              answered: dict[str, Answer], failed: list[ProbeError]) -> None:
        for service, operation, kind, path in READS:
            try:
                answer = client.call(service, operation, ConfigurationToken=config.token)
                found = _types(answer.value, path)
            except SOFT as exc:
                if operation not in EMBEDDED:
                    failed.append(exc)
                    continue
                engine, item = EMBEDDED[operation]
                answer, found = profiles, _types(getattr(getattr(config, engine, None), item, None), ".Type")
            answered.setdefault(operation, answer)
            for type_name, instance in found:
                entry = seen.setdefault(type_name, _Type())
                entry.engine = entry.engine or operation in MODULE_OPERATIONS
                if kind == "supported":
                    entry.supported = entry.supported or answer
                else:
                    entry.configured.append((instance, answer))

    def _observations(self, seen: dict[str, _Type], answered: dict[str, Answer]) -> list[Observation]:
        out: list[Observation] = []
        for type_name, entry in sorted(seen.items()):
            if entry.engine:
                answer = entry.configured[0][1] if entry.configured else entry.supported
                if answer is not None:
                    out.append(FeatureObservation(PROTOCOL, type_name, True, None, answer.evidence(
                        f"{type_name} engine {'configured' if entry.configured else 'supported'}; "
                        "whether it runs is set by rules")))
                continue
            if entry.configured:
                names = ", ".join(sorted({n for n, _ in entry.configured if n}))[:80]
                out.append(FeatureObservation(PROTOCOL, type_name, True, True,
                                              entry.configured[0][1].evidence(f"{type_name} configured: {names}")))
            elif entry.supported is not None:
                # Off only when the matching configured listing was read; otherwise unknown.
                enabled = False if CONFIGURED_BY[entry.supported.operation] in answered else None
                out.append(FeatureObservation(PROTOCOL, type_name, True, enabled,
                                              entry.supported.evidence(f"{type_name} supported, none configured")))
        if "GetSupportedRules" in answered and "GetSupportedAnalyticsModules" in answered:
            out.append(Coverage(PROTOCOL, "onvif-analytics",
                                answered["GetSupportedRules"].evidence(f"{len(seen)} module and rule types listed")))
        return out
