"""Events service (tev): the topic set the firmware can raise, and pull-point subscriptions.

The TopicSet is built from `onvif.topics`; its top-level elements carry the topic namespace
prefix and the levels below are unqualified, the way gSOAP-based firmware writes them.

Subscriptions: onvif-zeep's ONVIFCamera calls CreatePullPointSubscription on its own while it
connects. A real camera answers with a subscription address and keeps the subscription for its
termination time (Hikvision advertises MaxPullPoints=5). The simulator answers the same way but keeps
nothing: the address is made up per call, PullMessages returns no messages at once, and
Renew/Unsubscribe just succeed. The request log still shows every such call.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any

from lxml import etree

from device_simulators.onvif.capabilities import events_service_capabilities
from device_simulators.onvif.context import Context, Operation
from device_simulators.onvif.messages import message_for_topic, split_qname
from device_simulators.onvif.soap import child_text
from device_simulators.onvif.xmlnode import E, Node

_DIALECTS = ("http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet",
             "http://docs.oasis-open.org/wsn/t-1/TopicExpression/Concrete")
_DURATION = re.compile(r"^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_DEFAULT_LIFETIME = dt.timedelta(seconds=60)
_numbers = itertools.count(1)


def _stamp(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


# -- topic set ------------------------------------------------------------------------------
def _topic_tree(topics: list[str]) -> dict[str, Any]:
    """{"tns1:RuleEngine": {"CellMotionDetector": {"Motion": {"": "tns1:RuleEngine/..."}}}}."""
    tree: dict[str, Any] = {}
    for topic in topics:
        prefix, path = split_qname(topic)
        parts = path.split("/")
        node = tree.setdefault(f"{prefix}:{parts[0]}" if prefix else parts[0], {})
        for part in parts[1:]:
            node = node.setdefault(part, {})
        node[""] = topic
    return tree


def _topic_node(name: str, subtree: dict[str, Any]) -> Node:
    topic = subtree.get("")
    leaf = None
    if topic is not None:
        message = message_for_topic(topic)
        leaf = E("tt:MessageDescription", {"IsProperty": message.is_property}, message.items())
    return E(name, {"wstop:topic": True} if topic is not None else None,
             leaf, [_topic_node(k, v) for k, v in subtree.items() if k])


def get_event_properties(ctx: Context, _: etree._Element) -> Node:
    tree = _topic_tree([str(t) for t in ctx.onvif.get("topics") or []])
    return E("tev:GetEventPropertiesResponse",
             E("tev:TopicNamespaceLocation", "http://www.onvif.org/onvif/ver10/topics/topicns.xml"),
             E("wsnt:FixedTopicSet", True),
             E("wstop:TopicSet", [_topic_node(k, v) for k, v in tree.items()]),
             [E("wsnt:TopicExpressionDialect", d) for d in _DIALECTS],
             E("tev:MessageContentFilterDialect", "http://www.onvif.org/ver10/tev/messageContentFilter/ItemFilter"),
             E("tev:MessageContentSchemaLocation", "http://www.onvif.org/onvif/ver10/schema/onvif.xsd"))


# -- pull-point subscriptions (stateless) ---------------------------------------------------
def _lifetime(value: str | None, now: dt.datetime) -> dt.timedelta:
    """InitialTerminationTime / TerminationTime: an xs:duration or an absolute time."""
    if not value:
        return _DEFAULT_LIFETIME
    match = _DURATION.match(value.strip())
    if match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return _DEFAULT_LIFETIME
    when = when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return max(when - now, dt.timedelta(0))


def create_pull_point_subscription(ctx: Context, request: etree._Element) -> Node:
    now = ctx.device.clock()
    path = ctx.family.pullpoint_address.format(stamp=_stamp(now), n=next(_numbers))
    until = now + _lifetime(child_text(request, "InitialTerminationTime"), now)
    return E("tev:CreatePullPointSubscriptionResponse",
             E("tev:SubscriptionReference", E("wsa:Address", ctx.base_url() + path)),
             E("wsnt:CurrentTime", _stamp(now)),
             E("wsnt:TerminationTime", _stamp(until)))


def pull_messages(ctx: Context, _: etree._Element) -> Node:
    # Answer at once with no messages: a simulator must never hold an auditor for Timeout.
    now = ctx.device.clock()
    return E("tev:PullMessagesResponse", E("tev:CurrentTime", _stamp(now)),
             E("tev:TerminationTime", _stamp(now + _DEFAULT_LIFETIME)))


def renew(ctx: Context, request: etree._Element) -> Node:
    now = ctx.device.clock()
    until = now + _lifetime(child_text(request, "TerminationTime"), now)
    return E("wsnt:RenewResponse", E("wsnt:TerminationTime", _stamp(until)),
             E("wsnt:CurrentTime", _stamp(now)))


def unsubscribe(ctx: Context, _: etree._Element) -> Node:
    return E("wsnt:UnsubscribeResponse")


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("tev:GetServiceCapabilitiesResponse", events_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetEventProperties": get_event_properties,
    "GetServiceCapabilities": get_service_capabilities,
    "CreatePullPointSubscription": create_pull_point_subscription,
    "PullMessages": pull_messages,
}
# WS-BaseNotification operations, sent to the subscription address in the wsnt namespace.
WSNT_OPERATIONS: dict[str, Operation] = {
    "Renew": renew,
    "Unsubscribe": unsubscribe,
}
