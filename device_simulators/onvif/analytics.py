"""Analytics service (tan, ver20): the modules and rules the firmware supports and has configured.

The same configuration is embedded in Media GetProfiles as VideoAnalyticsConfiguration, built
here so both answers come from one place. Module and rule types are QNames exactly as the
profile writes them ("tt:CellMotionEngine", "hikxsd:TamperEngine"); their prefixes are declared
on the Envelope. A rule entry with `armed: true|false` carries the ONVIF Analytics Service's
`Armed` parameter (a Bosch DINION answers GetRules with `SimpleItem Name="Armed" Value="true"`,
edgexfoundry/device-onvif-camera doc/api-analytic-support.md); without it the rule carries no
on/off switch at all, which is what most firmware sends.

One VideoAnalyticsConfiguration (token `VideoAnalyticsToken`) is shared by every media profile,
as Hikvision firmware does; with the onvif_analytics_per_profile quirk each media profile n has
its own (`VideoAnalyticsToken_<n>`) and entries pick theirs with `profile: <n>` (default 1).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from device_simulators.onvif.capabilities import analytics_service_capabilities
from device_simulators.onvif.context import ANALYTICS_TOKEN, Context, Operation
from device_simulators.onvif.messages import RULE_TOPICS, message_for_topic, split_qname
from device_simulators.onvif.quirks import analytics_per_profile
from device_simulators.onvif.soap import child_text, invalid_arg
from device_simulators.onvif.xmlnode import E, Node

SCHEMA_LOCATION = "http://www.onvif.org/ver10/schema/onvif.xsd"


def _section(ctx: Context) -> dict[str, Any]:
    return ctx.analytics or {}


def config(element: str, entry: dict[str, Any]) -> Node:
    """A tt:Config (module or rule): Name and Type attributes and its Parameters. Profiles hold
    no parameter values (sensitivity, cells, lines) except a rule's Armed switch."""
    armed = entry.get("armed")
    items = E("tt:SimpleItem", {"Name": "Armed", "Value": "true" if armed else "false"}) if armed is not None else None
    return E(element, {"Name": entry["name"], "Type": entry["type"]}, E("tt:Parameters", items))


def tokens(ctx: Context) -> list[str]:
    """The VideoAnalyticsConfiguration tokens, in media profile order."""
    if analytics_per_profile(ctx.device.profile):
        return [f"{ANALYTICS_TOKEN}_{n + 1}" for n in range(len(ctx.family.profiles))]
    return [ANALYTICS_TOKEN]


def _entries(ctx: Context, key: str, index: int) -> list[dict[str, Any]]:
    """The modules or rules of configuration `index` (0-based)."""
    entries = list(_section(ctx).get(key) or [])
    if not analytics_per_profile(ctx.device.profile):
        return entries
    return [e for e in entries if int(e.get("profile", 1)) == index + 1]


def video_analytics_configuration(ctx: Context, element: str = "tt:VideoAnalyticsConfiguration",
                                  index: int = 0) -> Node:
    index = min(index, len(tokens(ctx)) - 1)
    return E(element, {"token": tokens(ctx)[index]},
             E("tt:Name", f"VideoAnalyticsName{'' if len(tokens(ctx)) == 1 else f'_{index + 1}'}"),
             E("tt:UseCount", len(ctx.family.profiles) if len(tokens(ctx)) == 1 else 1),
             E("tt:AnalyticsEngineConfiguration",
               [config("tt:AnalyticsModule", m) for m in _entries(ctx, "modules", index)]),
             E("tt:RuleEngineConfiguration",
               [config("tt:Rule", r) for r in _entries(ctx, "rules", index)]))


def configuration_index(ctx: Context, token: str | None) -> int:
    """Which configuration a token names; a ter:NoConfig fault for one the device does not have."""
    if ctx.analytics is not None and token in tokens(ctx):
        return tokens(ctx).index(token)
    raise invalid_arg("ter:NoConfig", f"No VideoAnalyticsConfiguration with token '{token or ''}'")


def _module_description(qname: str) -> Node:
    return E("tt:AnalyticsModuleDescription", {"Name": qname},
             E("tt:Parameters", E("tt:SimpleItemDescription", {"Name": "Sensitivity", "Type": "xs:integer"})))


def _rule_description(qname: str) -> Node:
    topic = RULE_TOPICS.get(split_qname(qname)[1])
    messages = None
    if topic is not None:
        message = message_for_topic(topic)
        messages = E("tt:Messages", {"IsProperty": message.is_property}, message.items(),
                     E("tt:ParentTopic", topic))
    return E("tt:RuleDescription", {"Name": qname}, E("tt:Parameters"), messages)


def _check_token(ctx: Context, request: etree._Element) -> int:
    return configuration_index(ctx, child_text(request, "ConfigurationToken"))


def get_supported_analytics_modules(ctx: Context, request: etree._Element) -> Node:
    _check_token(ctx, request)
    return E("tan:GetSupportedAnalyticsModulesResponse", E(
        "tan:SupportedAnalyticsModules",
        E("tt:AnalyticsModuleContentSchemaLocation", SCHEMA_LOCATION),
        [_module_description(q) for q in _section(ctx).get("supported_modules") or []]))


def get_analytics_modules(ctx: Context, request: etree._Element) -> Node:
    index = _check_token(ctx, request)
    return E("tan:GetAnalyticsModulesResponse",
             [config("tan:AnalyticsModule", m) for m in _entries(ctx, "modules", index)])


def get_supported_rules(ctx: Context, request: etree._Element) -> Node:
    _check_token(ctx, request)
    return E("tan:GetSupportedRulesResponse", E(
        "tan:SupportedRules",
        E("tt:RuleContentSchemaLocation", SCHEMA_LOCATION),
        [_rule_description(q) for q in _section(ctx).get("supported_rules") or []]))


def get_rules(ctx: Context, request: etree._Element) -> Node:
    index = _check_token(ctx, request)
    return E("tan:GetRulesResponse", [config("tan:Rule", r) for r in _entries(ctx, "rules", index)])


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("tan:GetServiceCapabilitiesResponse", analytics_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetSupportedAnalyticsModules": get_supported_analytics_modules,
    "GetAnalyticsModules": get_analytics_modules,
    "GetSupportedRules": get_supported_rules,
    "GetRules": get_rules,
    "GetServiceCapabilities": get_service_capabilities,
}
