"""Event message descriptions: which topic a rule type raises and what the message carries.

Shared by the analytics service (RuleDescription/Messages/ParentTopic) and the events service
(TopicSet leaves), so the two always agree. Item names are the ones Hikvision and Dahua
firmware send (IsMotion, IsTamper, IsInside + ObjectId, State).
"""

from __future__ import annotations

from dataclasses import dataclass

from device_simulators.onvif.xmlnode import E, Node

_RULE_SOURCE = (("VideoSourceConfigurationToken", "tt:ReferenceToken"),
                ("VideoAnalyticsConfigurationToken", "tt:ReferenceToken"),
                ("Rule", "xs:string"))
_VIDEO_SOURCE = (("VideoSourceToken", "tt:ReferenceToken"),)


@dataclass(frozen=True)
class MessageDescription:
    source: tuple[tuple[str, str], ...]
    data: tuple[tuple[str, str], ...]
    key: tuple[tuple[str, str], ...] = ()
    is_property: bool = True

    def items(self) -> list[Node | None]:
        def group(name: str, items: tuple[tuple[str, str], ...]) -> Node | None:
            if not items:
                return None
            return E(f"tt:{name}", [E("tt:SimpleItemDescription", {"Name": n, "Type": t}) for n, t in items])
        return [group("Source", self.source), group("Key", self.key), group("Data", self.data)]


# Topic path (without prefix) -> message. Unknown topics get a boolean State, the common shape.
TOPIC_MESSAGES: dict[str, MessageDescription] = {
    "RuleEngine/CellMotionDetector/Motion": MessageDescription(_RULE_SOURCE, (("IsMotion", "xs:boolean"),)),
    "RuleEngine/LineDetector/Crossed": MessageDescription(_RULE_SOURCE, (("ObjectId", "xs:integer"),),
                                                          is_property=False),
    "RuleEngine/FieldDetector/ObjectsInside": MessageDescription(
        _RULE_SOURCE, (("IsInside", "xs:boolean"),), key=(("ObjectId", "xs:integer"),)),
    "RuleEngine/TamperDetector/Tamper": MessageDescription(_RULE_SOURCE, (("IsTamper", "xs:boolean"),)),
    "RuleEngine/MotionRegionDetector/Motion": MessageDescription(_RULE_SOURCE, (("State", "xs:boolean"),)),
    "VideoSource/MotionAlarm": MessageDescription(_VIDEO_SOURCE, (("State", "xs:boolean"),)),
}
DEFAULT_MESSAGE = MessageDescription(_RULE_SOURCE, (("State", "xs:boolean"),))

# Rule type local name -> topic it raises (tt: and hikxsd: detectors share the standard topics).
RULE_TOPICS: dict[str, str] = {
    "CellMotionDetector": "tns1:RuleEngine/CellMotionDetector/Motion",
    "LineDetector": "tns1:RuleEngine/LineDetector/Crossed",
    "FieldDetector": "tns1:RuleEngine/FieldDetector/ObjectsInside",
    "TamperDetector": "tns1:RuleEngine/TamperDetector/Tamper",
    "MotionRegionDetector": "tns1:RuleEngine/MotionRegionDetector/Motion",
}


def split_qname(value: str) -> tuple[str, str]:
    """("tns1", "RuleEngine/CellMotionDetector/Motion") from "tns1:RuleEngine/...". """
    prefix, _, rest = value.partition(":")
    return (prefix, rest) if rest else ("", prefix)


def message_for_topic(topic: str) -> MessageDescription:
    return TOPIC_MESSAGES.get(split_qname(topic)[1], DEFAULT_MESSAGE)
