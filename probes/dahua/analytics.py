"""dahua.analytics: IVS rules per channel, face attributes, and the getCaps rule listing.

`VideoAnalyseRule[ch][i]` says what is configured (Type, Enable, Config.FeatureList on face
rules); `devVideoAnalyse.cgi?action=getCaps&channel=N` lists every rule type the firmware can
run, so it alone earns a `dahua-caps` Coverage. Intelbras and old Amcrest units answer getCaps
with `400 Bad Request!` (quirk 6): then nothing is covered and silence stays unknown.
Channels are reported 1-based (table index + 1), as getCaps and the NVR web UI count them.
"""

from __future__ import annotations

from collections.abc import Callable

from probes.base import Coverage, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.dahua._cgi import ENDPOINT_REFUSALS, PROTOCOL, CgiAnswer, call, get_config, summary
from probes.dahua._kv import Node, elements, flag, node, strings, value
from probes.dahua._routes import ftp_snapshot_channels, sends_to
from probes.errors import NotSupported

_RULE_KEYS = ("Type", "Class", "Enable", "Name")
# Smart motion is switched on in SmartMotionDetect (dahua.motion), not by an IVS rule, so a
# missing rule says nothing about whether it runs. [S26]
_NOT_RULE_CONFIGURED = ("SmartMotion",)


def _table(answer: CgiAnswer | None, name: str) -> Node | None:
    return node(answer.doc.tree, ("table", name)) if answer else None


def supported_rules(tree: Node) -> list[str]:
    """Every value under a `SupportedRules` node, wherever getCaps nests it (`caps.` is unverified)."""
    if not isinstance(tree, dict):
        return []
    found: list[str] = []
    for key, child in tree.items():
        if key == "SupportedRules":
            items = [child] if isinstance(child, str) else strings(child)
            found += [t.strip() for item in items for t in item.split(",") if t.strip()]
        else:
            found += supported_rules(child)
    return list(dict.fromkeys(found))


class DahuaAnalytics:
    id = "dahua.analytics"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        rules_answer = _optional(lambda: get_config(ctx, "VideoAnalyseRule"))
        motion_answer = _optional(lambda: get_config(ctx, "MotionDetect"))
        rule_channels = elements(_table(rules_answer, "VideoAnalyseRule"))
        count = max(len(rule_channels), len(elements(_table(motion_answer, "MotionDetect"))), 1)
        count = min(count, ctx.settings.max_channels)

        def ftp() -> set[int] | None:
            return ftp_snapshot_channels(ctx)

        out: list[Observation] = []
        configured: dict[int, set[str]] = {}
        for index, rules in rule_channels[:count]:
            configured[index + 1] = self._rules(out, rules_answer, index, rules, ftp)

        caps_answered = 0
        for channel in range(1, count + 1):
            try:
                caps = call(ctx, "devVideoAnalyse.cgi", action="getCaps", channel=str(channel))
            except NotSupported:
                if channel == 1:
                    break          # the firmware has no getCaps at all: ask no further
                continue
            except ENDPOINT_REFUSALS:
                continue
            types = supported_rules(caps.doc.tree)
            if not types:
                continue
            caps_answered += 1
            evidence = caps.evidence("SupportedRules: " + ", ".join(types))
            for rule_type in types:
                known = rules_answer is not None and not rule_type.startswith(_NOT_RULE_CONFIGURED)
                off = False if known and rule_type not in configured.get(channel, set()) else None
                out.append(FeatureObservation(PROTOCOL, rule_type, True, off, evidence, channel))
            if count > 1:
                out.append(Coverage(PROTOCOL, "dahua-caps", evidence, channel))
            if caps_answered == count:
                out.append(Coverage(PROTOCOL, "dahua-caps", evidence))
        if rules_answer is None and caps_answered == 0:
            raise NotSupported("neither VideoAnalyseRule nor devVideoAnalyse getCaps answered: "
                               "no IVS analytics are exposed over Dahua CGI")
        return out

    @staticmethod
    def _rules(out: list[Observation], answer: CgiAnswer | None, index: int, rules: Node,
               ftp: Callable[[], set[int] | None]) -> set[str]:
        """Observations for one channel's rules; returns the rule types configured there."""
        assert answer is not None
        types: set[str] = set()
        for number, rule in elements(rules):
            rule_type = (value(rule, "Type") or "").strip()
            if not rule_type:
                continue
            types.add(rule_type)
            where = f"VideoAnalyseRule[{index}][{number}]: "
            enabled = flag(rule, "Enable")
            evidence = answer.evidence(where + summary(rule, _RULE_KEYS))
            routes = sends_to(rule, index + 1, ftp)
            out.append(FeatureObservation(PROTOCOL, rule_type, True, enabled, evidence, index + 1, routes))
            features = strings(node(rule, "Config.FeatureList"))
            if not features:
                continue
            feature_on = flag(rule, "Config.FeatureEnable")
            on = False if enabled is False or feature_on is False else (True if enabled and feature_on else None)
            evidence = answer.evidence(where + summary(rule, ("Type", "Enable", "Config.FeatureEnable"))
                                       + " Config.FeatureList=" + ",".join(features))
            for feature in features:
                out.append(FeatureObservation(PROTOCOL, f"Feature.{feature.strip()}", True, on, evidence,
                                              index + 1, routes))
        return types


def _optional(fetch: Callable[[], CgiAnswer]) -> CgiAnswer | None:
    """A config table, or None when the firmware has no such table or will not show it."""
    try:
        return fetch()
    except ENDPOINT_REFUSALS:
        return None


PROBE = DahuaAnalytics()
