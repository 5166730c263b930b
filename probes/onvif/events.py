"""onvif.events: the event topics the firmware can raise (GetEventProperties TopicSet).

A topic says the device can emit that event, not that anything producing it is switched on,
so every topic is supported=True, enabled=None. Names are `topic:<path>` with the namespace
prefix dropped: `tns1:RuleEngine/LineDetector/Crossed` -> `topic:RuleEngine/LineDetector/Crossed`,
Hikvision's `tnshik:Thermometry/TemperatureAlarm` -> `topic:Thermometry/TemperatureAlarm`.
Only GetEventProperties is sent: subscribing (CreatePullPointSubscription) would create state.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element

from probes._xml import child, local
from probes.base import FeatureObservation, Observation
from probes.context import ProbeContext
from probes.onvif._answer import PROTOCOL
from probes.onvif.client import client_for

WSTOP = "http://docs.oasis-open.org/wsn/t-1"
SCHEMA = "http://www.onvif.org/ver10/schema"      # tt:MessageDescription and friends: not topics
MAX_DEPTH = 12          # real topic trees are 2-4 levels; a hostile device could nest without end
MAX_TOPICS = 500


def _is_topic(element: Element) -> bool:
    marked = (element.get(f"{{{WSTOP}}}topic") or "").strip().lower() in ("true", "1")
    # Some firmware omits wstop:topic on leaves; a MessageDescription still marks a topic.
    return marked or any(local(c.tag) == "MessageDescription" for c in element)


def walk(element: Element, path: tuple[str, ...] = ()) -> Iterator[str]:
    """Topic paths under one TopicSet element, by local name (namespace prefixes differ by vendor)."""
    if not isinstance(element.tag, str) or element.tag.startswith(f"{{{SCHEMA}}}") or len(path) >= MAX_DEPTH:
        return
    path = (*path, local(element.tag))
    if _is_topic(element):
        yield "/".join(path)
    for inner in element:
        yield from walk(inner, path)


def topics(topic_set: Element | None) -> list[str]:
    """Topic paths of a wstop:TopicSet, each once, at most MAX_TOPICS."""
    found: list[str] = []
    for root in topic_set if topic_set is not None else ():
        for path in walk(root):
            if path not in found and len(found) < MAX_TOPICS:
                found.append(path)
    return found


class OnvifEvents:
    id = "onvif.events"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        answer = client_for(ctx).call("events", "GetEventProperties")
        return [FeatureObservation(PROTOCOL, f"topic:{path}", True, None, answer.evidence(path))
                for path in topics(child(answer.value, "TopicSet"))]
