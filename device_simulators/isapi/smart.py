"""Smart events: /ISAPI/Smart/capabilities and the per-channel rule documents.

Shapes follow the DS-7608NXI-I2 replies in hikvision_next's fixtures (LineDetection with a
four-item LineItemList, FieldDetection / regionEntrance region lists, normalised 1000x1000
coordinates, ``detectionTarget`` on AcuSense firmware). Loitering, group and the baggage
rules use the same region pattern; their list element names are (unverified).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from device_simulators.isapi import caps
from device_simulators.isapi.model import Ctx, Event, channel_event
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse

# path segment (= profile event key) -> (root element, region list prefix or None, has timeThreshold)
REGION_RULES: dict[str, tuple[str, str, bool]] = {
    "FieldDetection": ("FieldDetection", "FieldDetectionRegion", True),
    "regionEntrance": ("RegionEntrance", "RegionEntranceRegion", False),
    "regionExiting": ("RegionExiting", "RegionExitingRegion", False),
    "loitering": ("Loitering", "LoiteringRegion", True),
    "group": ("Group", "GroupRegion", False),
    "unattendedBaggage": ("UnattendedBaggage", "UnattendedBaggageRegion", True),
    "attendedBaggage": ("AttendedBaggage", "AttendedBaggageRegion", True),
}
SMART_RESOURCES = ("FaceDetect", "LineDetection", "SceneChangeDetection", *REGION_RULES)

_SQUARE = [(100, 100), (900, 100), (900, 900), (100, 900)]
_LINE = [(200, 500), (800, 500)]


def capabilities(ctx: Ctx) -> SimResponse:
    root = caps.add_flags(document("SmartCap", ctx.view.namespace), caps.SMART_FLAGS, ctx.view.event_keys())
    smart_overrides = ctx.view.capability_overrides.get("SmartCap")
    if smart_overrides:
        caps.apply_overrides(root, {"SmartCap": smart_overrides})
    return xml_response(root)


def _screen(parent: ET.Element) -> None:
    leaves(add(parent, "normalizedScreenSize"), [("normalizedScreenWidth", 1000),
                                                 ("normalizedScreenHeight", 1000)])


def _points(parent: ET.Element, list_tag: str, item_tag: str, points: list[tuple[int, int]]) -> None:
    node = add(parent, list_tag)
    for x, y in points:
        leaves(add(node, item_tag), [("positionX", x), ("positionY", y)])


def _targets(parent: ET.Element, event: Event) -> None:
    # Only AcuSense firmware has the human/vehicle filter; older firmware has no element.
    if event.targets:
        add(parent, "detectionTarget", ",".join(event.targets))


def rule(ctx: Ctx, name: str, channel_id: str) -> SimResponse:
    found = channel_event(ctx, channel_id, name)
    if isinstance(found, SimResponse):
        return found
    channel, event = found
    if name == "FaceDetect":
        root = document("FaceDetect", ctx.view.namespace)
        leaves(root, [("id", channel.id), ("enabled", event.enabled), ("sensitivityLevel", 50)])
        return xml_response(root)
    if name == "SceneChangeDetection":
        # {id, enabled, sensitivityLevel}: DS-2CD4A26FWD-IZS-P, DS-7608NXI-I2 in hikvision_next's fixtures
        root = document("SceneChangeDetection", ctx.view.namespace)
        leaves(root, [("id", channel.id), ("enabled", event.enabled), ("sensitivityLevel", 50)])
        return xml_response(root)
    if name == "LineDetection":
        return xml_response(_line_detection(ctx, channel.id, event))
    tag, region, threshold = REGION_RULES[name]
    root = document(tag, ctx.view.namespace)
    leaves(root, [("id", channel.id), ("enabled", event.enabled)])
    _screen(root)
    regions = add(root, region + "List", size=4)
    for i in range(1, 5):
        node = leaves(add(regions, region), [("id", i), ("sensitivityLevel", 50)])
        if threshold:
            add(node, "timeThreshold", 5)
        _targets(node, event)
        # A drawn region is what makes an enabled rule detect anything.
        _points(node, "RegionCoordinatesList", "RegionCoordinates",
                _SQUARE if (i == 1 and event.enabled) else [])
    return xml_response(root)


def _line_detection(ctx: Ctx, channel_id: int, event: Event) -> ET.Element:
    root = document("LineDetection", ctx.view.namespace)
    leaves(root, [("id", channel_id), ("enabled", event.enabled)])
    _screen(root)
    items = add(root, "LineItemList", size=4)
    for i in range(1, 5):
        active = i == 1 and event.enabled
        item = leaves(add(items, "LineItem"), [("id", i), ("enabled", active), ("sensitivityLevel", 50),
                                              ("directionSensitivity", "any")])
        _points(item, "CoordinatesList", "Coordinates", _LINE if active else [(0, 1000), (0, 1000)])
        _targets(item, event)
    return root


def rule_capabilities(ctx: Ctx, name: str, channel_id: str) -> SimResponse:
    found = channel_event(ctx, channel_id, name)
    if isinstance(found, SimResponse):
        return found
    channel, event = found
    tag = name if name in ("FaceDetect", "LineDetection", "SceneChangeDetection") else REGION_RULES[name][0]
    root = document(tag, ctx.view.namespace)
    add(root, "id", channel.id)
    add(root, "enabled", opt="true,false")
    if event.targets:
        add(root, "detectionTarget", opt="all,human,vehicle")
    return xml_response(root)


def audio_detection(ctx: Ctx, channel_id: str) -> SimResponse:
    """Audio exception detection (element names besides ``enabled`` are (unverified))."""
    found = channel_event(ctx, channel_id, "AudioDetection")
    if isinstance(found, SimResponse):
        return found
    channel, event = found
    root = document("AudioDetection", ctx.view.namespace)
    leaves(root, [("id", channel.id), ("enabled", event.enabled), ("audioMode", "audioInputException"),
                  ("sensitivityLevel", 50)])
    return xml_response(root)
