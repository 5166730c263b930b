"""onvif.analytics: analytics modules and rules from the ONVIF analytics service (tan, ver20).

Which configurations: every VideoAnalyticsConfiguration an active media profile carries (Media
GetProfiles; when that is refused or names none, GetVideoAnalyticsConfigurations, keeping those in
use). Firmware may give each media profile its own configuration, so every token is read.

Supported types (GetSupportedAnalyticsModules, GetSupportedRules) say what the firmware can do;
configured ones (GetAnalyticsModules, GetRules, and the copy embedded in the media profile) say
what is set up. A configured rule is on unless its Armed parameter says false (_rules.py has the
sources); a supported type with no configured instance is off only when GetRules answered for
every configuration, otherwise unknown. Modules are engines the firmware keeps configured whatever
the user set (Dahua lists a CellMotionEngine with motion detection off): supported, on/off
unknown. Names are type local names (`tt:LineDetector` -> `LineDetector`). Every refused read is a
recorded outcome of its own (PROTOCOLS.md quirk 15): it leaves its part unknown, never "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from probes._xml import children, find_all, text
from probes.base import Coverage, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import NotSupported, ProbeError
from probes.onvif._answer import PROTOCOL, Answer
from probes.onvif._rules import Instance, described, instances, state
from probes.onvif.client import SOFT, OnvifClient, client_for

# Four reads per configuration; an NVR can carry one per channel and stream. Past this many the
# rest stay unread, and nothing is called "off" because of them.
MAX_CONFIGURATIONS = 32
# (service, operation, path of the descriptions in the answer, engine?)
SUPPORTED = (("analytics", "GetSupportedAnalyticsModules", "SupportedAnalyticsModules/AnalyticsModuleDescription",
              True),
             ("rules", "GetSupportedRules", "SupportedRules/RuleDescription", False))
# (service, operation, element embedded in the VideoAnalyticsConfiguration, its item, engine?)
CONFIGURED = (("analytics", "GetAnalyticsModules", "AnalyticsEngineConfiguration", "AnalyticsModule", True),
              ("rules", "GetRules", "RuleEngineConfiguration", "Rule", False))
# How an instance's Armed switch shows in the evidence excerpt.
_ARMED = {True: "", False: " (Armed=false)", None: " (Armed not a boolean)"}


@dataclass
class _Type:
    engine: bool = False
    supported: Answer | None = None
    configured: dict[tuple[str, str], tuple[Instance, Answer]] = field(default_factory=dict)  # (token, name)


@dataclass
class _Listing:
    tokens: int
    seen: dict[str, _Type] = field(default_factory=dict)
    answers: dict[str, list[Answer]] = field(default_factory=dict)      # operation -> one per token

    def kind(self, type_name: str, engine: bool) -> _Type:
        entry = self.seen.setdefault(type_name, _Type())
        entry.engine = entry.engine or engine
        return entry

    def everywhere(self, operation: str) -> bool:
        """The operation answered for every configuration."""
        return len(self.answers.get(operation, [])) == self.tokens


def configurations_in_use(answer: Answer) -> list[Element]:
    """VideoAnalyticsConfigurations in use, by token, from GetProfiles or GetVideoAnalyticsConfigurations."""
    found: dict[str, Element] = {}
    in_profiles = answer.operation == "GetProfiles"
    listed = find_all(answer.value, "Profiles/VideoAnalyticsConfiguration") if in_profiles else \
        list(children(answer.value, "Configurations"))
    for config in listed:
        token = config.get("token")
        if not token:
            continue
        if not in_profiles and text(config, "UseCount") == "0":
            continue                   # listed directly but used by no profile: it does not run
        found.setdefault(token, config)
    return list(found.values())


class OnvifAnalytics:
    id = "onvif.analytics"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        client = client_for(ctx)
        if not client.has("analytics"):
            said = "advertises no ONVIF analytics service" if client.listed else "did not list its ONVIF services"
            raise NotSupported(f"the device {said}; what it analyses stays unknown over ONVIF "
                               "(absence there is not proof of absence)")
        configs, source = self._find(client)
        # Every configuration counts towards "listed everywhere", also those past the cap.
        listing = _Listing(len(configs))
        failed: list[ProbeError] = []
        for config in configs[:MAX_CONFIGURATIONS]:
            self._read(client, config, source, listing, failed)
        out = self._observations(listing)
        if not out and failed:
            raise failed[0]
        return out

    @staticmethod
    def _find(client: OnvifClient) -> tuple[list[Element], Answer]:
        failed: list[ProbeError] = []
        for operation in ("GetProfiles", "GetVideoAnalyticsConfigurations"):
            try:
                answer = client.call("media", operation)
            except SOFT as exc:
                failed.append(exc)
                continue
            if configs := configurations_in_use(answer):
                return configs, answer
        if failed:
            raise failed[0]
        raise NotSupported("no media profile carries a VideoAnalyticsConfiguration to ask the analytics "
                           "service about; analytics stay unknown over ONVIF")

    @staticmethod
    def _read(client: OnvifClient, config: Element, source: Answer, listing: _Listing,
              failed: list[ProbeError]) -> None:
        token = config.get("token") or ""
        for service, operation, descriptions, engine in SUPPORTED:
            try:
                answer = client.call(service, operation, ConfigurationToken=token)
            except SOFT as exc:
                failed.append(exc)
                continue
            listing.answers.setdefault(operation, []).append(answer)
            for type_name in described(find_all(answer.value, descriptions)):
                entry = listing.kind(type_name, engine)
                entry.supported = entry.supported or answer
        for service, operation, embedded, item, engine in CONFIGURED:
            # The copy in the media profile is evidence of what is configured (never of what is not).
            found = [(i, source) for i in instances(find_all(config, f"{embedded}/{item}"))]
            try:
                answer = client.call(service, operation, ConfigurationToken=token)
                listing.answers.setdefault(operation, []).append(answer)
                found += [(i, answer) for i in instances(children(answer.value, item))]
            except SOFT as exc:
                failed.append(exc)
            for instance, answer in found:
                listing.kind(instance.type, engine).configured.setdefault((token, instance.name), (instance, answer))

    @staticmethod
    def _observations(listing: _Listing) -> list[Observation]:
        out: list[Observation] = []
        for type_name, entry in sorted(listing.seen.items()):
            configured = list(entry.configured.values())
            if entry.engine:
                answer = configured[0][1] if configured else entry.supported
                if answer is not None:
                    out.append(FeatureObservation(PROTOCOL, type_name, True, None, answer.evidence(
                        f"{type_name} engine {'configured' if configured else 'supported'}; "
                        "whether it runs is set by rules")))
            elif configured:
                shown = ", ".join(sorted({i.name + _ARMED[i.armed] for i, _ in configured}))[:80]
                out.append(FeatureObservation(PROTOCOL, type_name, True, state([i for i, _ in configured]),
                                              configured[0][1].evidence(f"{type_name} configured: {shown}")))
            elif entry.supported is not None:
                # Off only when GetRules listed every configuration's rules; otherwise unknown.
                enabled = False if listing.everywhere("GetRules") else None
                out.append(FeatureObservation(PROTOCOL, type_name, True, enabled, entry.supported.evidence(
                    f"{type_name} supported, none configured" + ("" if enabled is False else "; rules not listed"))))
        if listing.everywhere("GetSupportedRules") and listing.everywhere("GetSupportedAnalyticsModules"):
            out.append(Coverage(PROTOCOL, "onvif-analytics", listing.answers["GetSupportedRules"][0].evidence(
                f"{len(listing.seen)} module and rule types listed")))
        return out
