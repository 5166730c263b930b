"""Analytics service (tan, ver20): the modules and rules the firmware supports and has configured.

The same configuration is embedded in Media GetProfiles as VideoAnalyticsConfiguration, built
here so both answers come from one place. Module and rule types are QNames exactly as the
profile writes them ("tt:CellMotionEngine", "hikxsd:TamperEngine"); their prefixes are declared
on the Envelope. ONVIF cannot say whether a rule is switched on: a configured rule is all the
device shows.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from device_simulators.onvif.capabilities import analytics_service_capabilities
from device_simulators.onvif.context import ANALYTICS_TOKEN, Context, Operation
from device_simulators.onvif.messages import RULE_TOPICS, message_for_topic, split_qname
from device_simulators.onvif.soap import child_text, invalid_arg
from device_simulators.onvif.xmlnode import E, Node

SCHEMA_LOCATION = "http://www.onvif.org/ver10/schema/onvif.xsd"


def _section(ctx: Context) -> dict[str, Any]:
    return ctx.analytics or {}


def config(element: str, entry: dict[str, Any]) -> Node:
    """A tt:Config (module or rule): Name and Type attributes and its Parameters. Profiles hold
    no parameter values (sensitivity, cells, lines), so Parameters stays empty."""
    return E(element, {"Name": entry["name"], "Type": entry["type"]}, E("tt:Parameters"))


def video_analytics_configuration(ctx: Context, element: str = "tt:VideoAnalyticsConfiguration") -> Node:
    section = _section(ctx)
    return E(element, {"token": ANALYTICS_TOKEN},
             E("tt:Name", "VideoAnalyticsName"),
             E("tt:UseCount", len(ctx.family.profiles)),
             E("tt:AnalyticsEngineConfiguration",
               [config("tt:AnalyticsModule", m) for m in section.get("modules") or []]),
             E("tt:RuleEngineConfiguration",
               [config("tt:Rule", r) for r in section.get("rules") or []]))


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


def _check_token(request: etree._Element) -> None:
    token = child_text(request, "ConfigurationToken")
    if token != ANALYTICS_TOKEN:
        raise invalid_arg("ter:NoConfig", f"No VideoAnalyticsConfiguration with token '{token or ''}'")


def get_supported_analytics_modules(ctx: Context, request: etree._Element) -> Node:
    _check_token(request)
    return E("tan:GetSupportedAnalyticsModulesResponse", E(
        "tan:SupportedAnalyticsModules",
        E("tt:AnalyticsModuleContentSchemaLocation", SCHEMA_LOCATION),
        [_module_description(q) for q in _section(ctx).get("supported_modules") or []]))


def get_analytics_modules(ctx: Context, request: etree._Element) -> Node:
    _check_token(request)
    return E("tan:GetAnalyticsModulesResponse",
             [config("tan:AnalyticsModule", m) for m in _section(ctx).get("modules") or []])


def get_supported_rules(ctx: Context, request: etree._Element) -> Node:
    _check_token(request)
    return E("tan:GetSupportedRulesResponse", E(
        "tan:SupportedRules",
        E("tt:RuleContentSchemaLocation", SCHEMA_LOCATION),
        [_rule_description(q) for q in _section(ctx).get("supported_rules") or []]))


def get_rules(ctx: Context, request: etree._Element) -> Node:
    _check_token(request)
    return E("tan:GetRulesResponse", [config("tan:Rule", r) for r in _section(ctx).get("rules") or []])


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("tan:GetServiceCapabilitiesResponse", analytics_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetSupportedAnalyticsModules": get_supported_analytics_modules,
    "GetAnalyticsModules": get_analytics_modules,
    "GetSupportedRules": get_supported_rules,
    "GetRules": get_rules,
    "GetServiceCapabilities": get_service_capabilities,
}
