"""Per-channel video analytics outside /Smart: motion, tamper, counting, heat map, thermal.

MotionDetection follows the DS-2CD2386G2-IU / DS-7608NXI-I2 replies in hikvision_next's
fixtures (grid layout; AcuSense firmware adds ``MotionDetectionLayout/targetType``).
FireDetection and FaceThermometry follow the Thermal SDK guide's XML_FireDetection and
XML_Cap_FaceThermometry (the face-thermometry switch is ``faceThermometryEnabled``).
Counting and HeatMap root names are (unverified). Number-plate firmware's ITC capability and
Traffic vehicleDetect follow DS-2CD4A26FWD-IZS-P in the same fixtures.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from device_simulators.isapi import caps, status
from device_simulators.isapi.model import Channel, Ctx, Event, channel_event
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse

_GRID_ON = "fffffc" * 18
_GRID_OFF = "000000" * 18


def motion_document(ctx: Ctx, event: Event) -> SimResponse:
    """Shared by the IPC path and the NVR's InputProxy path."""
    root = document("MotionDetection", ctx.view.namespace)
    leaves(root, [("enabled", event.enabled), ("enableHighlight", False), ("samplingInterval", 2),
                  ("startTriggerTime", 500), ("endTriggerTime", 500), ("regionType", "grid")])
    leaves(add(root, "Grid"), [("rowGranularity", 18), ("columnGranularity", 22)])
    layout = add(root, "MotionDetectionLayout")
    add(layout, "sensitivityLevel", 60 if event.enabled else 0)
    add(add(layout, "layout"), "gridMap", _GRID_ON if event.enabled else _GRID_OFF)
    if event.targets:
        add(layout, "targetType", ",".join(event.targets))
    return xml_response(root)


def tamper_document(ctx: Ctx, channel: Channel, event: Event) -> SimResponse:
    root = document("TamperDetection", ctx.view.namespace)
    leaves(root, [("id", channel.id), ("enabled", event.enabled)])
    leaves(add(root, "normalizedScreenSize"), [("normalizedScreenWidth", 1000),
                                               ("normalizedScreenHeight", 1000)])
    region = leaves(add(add(root, "TamperDetectionRegionList"), "TamperDetectionRegion"),
                    [("id", 1), ("enabled", event.enabled), ("sensitivityLevel", 50)])
    add(region, "RegionCoordinatesList")
    return xml_response(root)


def input_resource(ctx: Ctx, channel_id: str, name: str) -> SimResponse:
    """/ISAPI/System/Video/inputs/channels/<ch>/<name> for motion, tamper, counting, heatMap."""
    proxied = ctx.view.channel(channel_id)
    if proxied is not None and not proxied.analog and name in ("motionDetection", "tamperDetection"):
        return status.not_support(ctx)      # recorders keep a proxied camera's under ContentMgmt/InputProxy
    found = channel_event(ctx, channel_id, name)
    if isinstance(found, SimResponse):
        return found
    channel, event = found
    if name == "motionDetection":
        return motion_document(ctx, event)
    if name == "tamperDetection":
        return tamper_document(ctx, channel, event)
    root = document("Counting" if name == "counting" else "HeatMap", ctx.view.namespace)
    leaves(root, [("id", channel.id), ("enabled", event.enabled)])
    if name == "counting":
        add(root, "countingType", "human")
    return xml_response(root)


def video_input(ctx: Ctx, channel_id: str) -> SimResponse:
    channel = ctx.view.channel(channel_id)
    if channel is None or not channel.analog:
        return status.not_support(ctx)
    root = document("VideoInputChannel", ctx.view.namespace)
    leaves(root, [("id", channel.id), ("inputPort", channel.id), ("name", channel.name),
                  ("videoFormat", "PAL")])
    return xml_response(root)


# -- thermal ----------------------------------------------------------------------------
def thermal_capabilities(ctx: Ctx) -> SimResponse:
    if not caps.has_thermal(ctx.view):
        return status.not_support(ctx)
    root = caps.add_flags(document("ThermalCap", ctx.view.namespace), caps.THERMAL_FLAGS,
                          ctx.view.event_keys())
    return xml_response(root)


def fire_detection(ctx: Ctx, channel_id: str) -> SimResponse:
    found = channel_event(ctx, channel_id, "fireDetection")
    if isinstance(found, SimResponse):
        return found
    _, event = found
    root = document("FireDetection", ctx.view.namespace)
    leaves(root, [("enabled", event.enabled), ("sensitivity", 50), ("fireComfirmTime", 0),
                  ("fireRegionOverlay", True)])
    return xml_response(root)


def face_thermometry(ctx: Ctx, channel_id: str) -> SimResponse:
    found = channel_event(ctx, channel_id, "FaceThermometry")
    if isinstance(found, SimResponse):
        return found
    _, event = found
    root = document("FaceThermometry", ctx.view.namespace)
    leaves(root, [("faceThermometryEnabled", event.enabled), ("thermometrShowEnabled", event.enabled),
                  ("alarmEnabled", event.enabled and bool(event.notify)), ("alarmIntervalTime", 1)])
    leaves(add(root, "normalizedScreenSize"), [("normalizedScreenWidth", 1000),
                                               ("normalizedScreenHeight", 1000)])
    return xml_response(root)


# -- number-plate (traffic) firmware -------------------------------------------------------
def itc_capability(ctx: Ctx) -> SimResponse:
    """/ISAPI/ITC/capability: ITCCap as DS-2CD4A26FWD-IZS-P sends it; notSupport elsewhere."""
    keys = ctx.view.event_keys()
    if "vehicleDetection" not in keys:
        return status.not_support(ctx)
    return xml_response(caps.add_flags(document("ITCCap", ctx.view.namespace), caps.ITC_FLAGS, keys))


def vehicle_detect(ctx: Ctx, channel_id: str) -> SimResponse:
    """/ISAPI/Traffic/channels/<ch>/vehicleDetect: DS-2CD4A26FWD-IZS-P answers a bare
    <VehicleDetectCfg> with no version or namespace attributes."""
    found = channel_event(ctx, channel_id, "vehicleDetection")
    if isinstance(found, SimResponse):
        return found
    _, event = found
    root = ET.Element("VehicleDetectCfg")
    add(root, "enabled", event.enabled)
    return xml_response(root)
