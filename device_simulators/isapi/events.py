"""Linkage: /ISAPI/Event/triggers and the per-channel event capability list.

EventTrigger layout follows hikvision_next's fixtures: IPC firmware (DS-2CD2386G2-IU) gives
eventDescription, videoInputChannelID and dynVideoInputChannelID and a notificationRecurrence
per method; NVR firmware (DS-7608NXI-I2) gives dynVideoInputChannelID only. ``record``
notifications name the channel they record (id ``record-<ch>``). An enabled event whose
profile entry has no ``notify`` gets an empty EventTriggerNotificationList: it runs and
reports nowhere.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from device_simulators.isapi import status
from device_simulators.isapi.model import Channel, Ctx, Event, reachable_channel
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse

# profile event key -> (eventType, trigger id prefix). Names not in the fixtures or in
# hikvision_next's EVENTS table (personQueueDetection, humanRecognition, violentMotion,
# faceThermometry) are (unverified).
EVENT_TYPES: dict[str, tuple[str, str]] = {
    "motionDetection": ("VMD", "VMD"),
    "tamperDetection": ("tamperdetection", "tamper"),
    "FaceDetect": ("facedetection", "facedetection"),
    "faceSnap": ("faceSnap", "faceSnap"),
    "faceContrast": ("faceContrast", "faceContrast"),
    "LineDetection": ("linedetection", "linedetection"),
    "FieldDetection": ("fielddetection", "fielddetection"),
    "regionEntrance": ("regionEntrance", "regionEntrance"),
    "regionExiting": ("regionExiting", "regionExiting"),
    "loitering": ("loitering", "loitering"),
    "group": ("group", "group"),
    "unattendedBaggage": ("unattendedBaggage", "unattendedBaggage"),
    "attendedBaggage": ("attendedBaggage", "attendedBaggage"),
    "AudioDetection": ("audioexception", "audioexception"),
    "counting": ("counting", "counting"),
    "heatMap": ("heatMap", "heatMap"),
    "PersonDensityDetection": ("personDensityDetection", "personDensityDetection"),
    "PersonQueueDetection": ("personQueueDetection", "personQueueDetection"),
    "safetyHelmetDetection": ("safetyHelmetDetection", "safetyHelmetDetection"),
    "humanRecognition": ("humanRecognition", "humanRecognition"),
    "vehicleDetection": ("vehicledetection", "vehicledetection"),   # DS-2CD4A26FWD-IZS-P
    "SceneChangeDetection": ("scenechangedetection", "scenechangedetection"),
    "fireDetection": ("fireDetection", "fireDetection"),
    "thermometry": ("thermometry", "thermometry"),                    # DS-2TD1228: thermometry-2
    "FaceThermometry": ("faceThermometry", "faceThermometry"),        # (unverified)
    "objectsThrownDetection": ("objectsThrownDetection", "objectsThrownDetection"),   # DS-7608NXI-I2
    "violentMotion": ("violentMotion", "violentMotion"),
}

# Device exception triggers every firmware lists (fixture defaults).
EXCEPTIONS = [("diskfull", ()), ("diskerror", ("center",)), ("nicbroken", ()), ("ipconflict", ()),
              ("illaccess", ("center",))]


def _notification(ctx: Ctx, parent: ET.Element, method: str, channel_id: int | None) -> None:
    node = add(parent, "EventTriggerNotification")
    if method == "record" and channel_id is not None:
        add(node, "id", f"record-{channel_id}")
    elif method == "IO":
        add(node, "id", "IO-1")
    else:
        add(node, "id", method)
    add(node, "notificationMethod", method)
    if not ctx.view.is_nvr:
        add(node, "notificationRecurrence", "beginning")
    if method == "record" and channel_id is not None:
        add(node, "dynVideoInputID" if ctx.view.is_nvr else "videoInputID", channel_id)
    if method == "IO":
        add(node, "outputIOPortID", 1)


def _trigger(ctx: Ctx, parent: ET.Element, trigger_id: str, event_type: str,
             channel: Channel | None, notify: tuple[str, ...]) -> ET.Element:
    node = leaves(add(parent, "EventTrigger"), [("id", trigger_id), ("eventType", event_type)])
    if not ctx.view.is_nvr:
        add(node, "eventDescription", f"{event_type} Event trigger Information")
    channel_id = channel.id if channel is not None else None
    if channel is not None:
        # IPC: both ids; DVR analog input: videoInputChannelID only (iDS-7204HUHI-M1);
        # NVR proxied camera: dynVideoInputChannelID only (DS-7608NXI-I2).
        if not ctx.view.is_nvr or channel.analog:
            add(node, "videoInputChannelID", channel.id)
        if not ctx.view.is_nvr or not channel.analog:
            add(node, "dynVideoInputChannelID", channel.id)
    methods = add(node, "EventTriggerNotificationList")
    for method in notify:
        _notification(ctx, methods, method, channel_id)
    return node


def _channel_triggers(ctx: Ctx, parent: ET.Element, channel: Channel, event: Event) -> ET.Element | None:
    known = EVENT_TYPES.get(event.key)
    if known is None:
        return None
    event_type, prefix = known
    # NVR firmware gives objects-thrown triggers no channel suffix (DS-7608NXI-I2).
    trigger_id = prefix if prefix == "objectsThrownDetection" else f"{prefix}-{channel.id}"
    return _trigger(ctx, parent, trigger_id, event_type, channel, event.notify)


def _all(ctx: Ctx) -> ET.Element:
    root = document("EventTriggerList", ctx.view.namespace)
    for channel in ctx.view.channels:
        for event in channel.events.values():
            _channel_triggers(ctx, root, channel, event)
    for event_type, notify in EXCEPTIONS:
        _trigger(ctx, root, event_type, event_type, None, notify)
    return root


def triggers(ctx: Ctx) -> SimResponse:
    if ctx.view.trigger_list_fails:
        return status.device_error(ctx)     # HTTP 500 (DS-2CD4A26FWD-IZS-P; body not recorded)
    return xml_response(_all(ctx))


def trigger(ctx: Ctx, trigger_id: str) -> SimResponse:
    """One trigger by id, matched case-insensitively: DS-2SE4C425MWG-E-26 answered a GET of
    `regionentrance-2` with the trigger whose id is `regionEntrance-2` (hikvision_next fixture)."""
    wanted = trigger_id.lower()
    found = next((t for t in _all(ctx) if (t.findtext("id") or "").lower() == wanted), None)
    if found is None:
        return status.not_support(ctx)
    root = document("EventTrigger", ctx.view.namespace)
    root.extend(list(found))
    return xml_response(root)


def channel_capabilities(ctx: Ctx, channel_id: str) -> SimResponse:
    """Event types one channel can raise (ChannelEventCap; layout (unverified))."""
    channel = reachable_channel(ctx, channel_id)
    if isinstance(channel, SimResponse):
        return channel
    types = [EVENT_TYPES[k][0] for k in channel.events if k in EVENT_TYPES]
    root = document("ChannelEventCap", ctx.view.namespace)
    add(root, "eventType", opt=",".join(types))
    return xml_response(root)
