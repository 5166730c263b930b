"""Capability documents derived from the profile's events and remote-access settings.

A feature listed in any channel's ``events`` is claimed; one that is absent is reported
false, the way IPC firmware lists its whole flag set with explicit ``false`` values
(hikvision_next fixture DS-2CD2386G2-IU). ``isapi.capabilities`` in the profile is applied
last, so a profile can state what a particular firmware really says.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from device_simulators.isapi.model import IsapiView
from device_simulators.isapi.xml import add, text_of

# (flag, event key that makes it true, or None for a fixed value, fixed value)
SMART_FLAGS: list[tuple[str, str | None, bool]] = [
    ("isSupportROI", None, True),
    ("isSupportAudioDetection", "AudioDetection", False),
    ("isSupportFaceDetect", "FaceDetect", False),
    ("isSupportLineDetection", "LineDetection", False),
    ("isSupportFieldDetection", "FieldDetection", False),
    ("isSupportRegionEntrance", "regionEntrance", False),
    ("isSupportRegionExiting", "regionExiting", False),
    ("isSupportLoitering", "loitering", False),
    ("isSupportGroup", "group", False),                       # people gathering
    ("isSupportRapidMove", None, False),
    ("isSupportParking", None, False),
    ("isSupportUnattendedBaggage", "unattendedBaggage", False),
    ("isSupportAttendedBaggage", "attendedBaggage", False),    # object removal
    ("isSupportSmartCalibration", None, True),
    ("isSupportIntelliTrace", None, False),
    ("isSupportPeopleDetection", None, False),
    ("isSupportDefocusDetection", None, False),
    ("isSupportSceneChangeDetection", None, False),
    ("isSupportStorageDetection", None, False),
]

EVENT_FLAGS: list[tuple[str, str | None, bool]] = [
    ("isSupportHDFull", None, True),
    ("isSupportHDError", None, True),
    ("isSupportNicBroken", None, True),
    ("isSupportIpConflict", None, True),
    ("isSupportIllAccess", None, True),
    ("isSupportViException", None, False),
    ("isSupportMotionDetection", "motionDetection", False),
    ("isSupportTamperDetection", "tamperDetection", False),
    ("isSupportStudentsStoodUp", None, False),
    ("isSupportFramesPeopleCounting", None, False),
    ("isSupportPersonQueueDetection", "PersonQueueDetection", False),
    ("isSupportFaceContrast", "faceContrast", False),
    ("isSupportFaceLib", None, False),                         # set from face_libraries below
    ("isSupportFaceSnap", "faceSnap", False),
    ("isSupportPersonDensityDetection", "PersonDensityDetection", False),
    ("isSupportTeacherBehaviorDetect", None, False),
    ("isSupportMixedTargetDetection", None, False),
    ("isSupportFaceSnapModeling", None, False),
    ("isSupportSafetyHelmetDetection", "safetyHelmetDetection", False),   # seen on DS-7608NXI-I2
    ("isSupportHumanRecognition", "humanRecognition", False),             # seen on DS-7608NXI-I2
    ("isSupportVehicleDetection", "vehicleDetection", False),             # (unverified) flag name
    ("isSupportViolentMotion", "violentMotion", False),                   # (unverified) flag name
]

VIDEO_FLAGS: list[tuple[str, str | None, bool]] = [
    ("isSupportHeatmap", "heatMap", False),
    ("isSupportCounting", "counting", False),
    ("isSupportPrivacyMask", None, True),      # video blanking, not face-mask detection
]

THERMAL_FLAGS: list[tuple[str, str | None, bool]] = [
    ("isSupportFireDetection", "fireDetection", False),
    ("isSupportThermometry", None, True),
    ("isSupportFaceThermometry", "FaceThermometry", False),  # (unverified) flag name
]

# Per-channel VCA document (XML_IntelliCap). isLineDetectionSupport, isRegionEntranceSupport
# and isRegionExitingSupport are documented; the other names follow that pattern (unverified).
INTELLI_FLAGS: list[tuple[str, tuple[str, ...]]] = [
    ("isFaceSupport", ("FaceDetect", "faceSnap", "faceContrast")),
    ("isFaceCaptureSupport", ("faceSnap",)),
    ("isFaceContrastSupport", ("faceContrast",)),
    ("isBehaviorSupport", ("LineDetection", "FieldDetection", "regionEntrance", "regionExiting",
                           "loitering", "group", "unattendedBaggage", "attendedBaggage", "violentMotion")),
    ("isLineDetectionSupport", ("LineDetection",)),
    ("isFieldDetectionSupport", ("FieldDetection",)),
    ("isRegionEntranceSupport", ("regionEntrance",)),
    ("isRegionExitingSupport", ("regionExiting",)),
    ("isLoiteringSupport", ("loitering",)),
    ("isGroupDetectionSupport", ("group",)),
    ("isUnattendedBaggageSupport", ("unattendedBaggage",)),
    ("isAttendedBaggageSupport", ("attendedBaggage",)),
    ("isPersonDensitySupport", ("PersonDensityDetection",)),
    ("isPersonQueueDetectionSupport", ("PersonQueueDetection",)),
    ("isSafetyHelmetDetectionSupport", ("safetyHelmetDetection",)),
    ("isHumanRecognitionSupport", ("humanRecognition",)),
]

THERMAL_EVENTS = ("fireDetection", "FaceThermometry")


def add_flags(parent: ET.Element, flags: list[tuple[str, str | None, bool]], keys: set[str]) -> ET.Element:
    for flag, key, fixed in flags:
        add(parent, flag, (key in keys) if key else fixed)
    return parent


def smart_cap(parent: ET.Element, view: IsapiView) -> ET.Element:
    return add_flags(add(parent, "SmartCap"), SMART_FLAGS, view.event_keys())


def event_cap(parent: ET.Element, view: IsapiView) -> ET.Element:
    node = add_flags(add(parent, "EventCap"), EVENT_FLAGS, view.event_keys())
    set_flag(node, "isSupportFaceLib", view.face_libraries is not None)
    return node


def intelli_flags(parent: ET.Element, keys: set[str], libraries: bool) -> ET.Element:
    for flag, wanted in INTELLI_FLAGS:
        add(parent, flag, any(k in keys for k in wanted))
    add(parent, "isFDLibSupport", libraries)    # (unverified) flag name
    return parent


def has_thermal(view: IsapiView) -> bool:
    return view.profile.identity.device_type == "thermal" or any(view.has_event(k) for k in THERMAL_EVENTS)


def set_flag(node: ET.Element, flag: str, value: Any) -> None:
    child = node.find(flag)
    if child is None:
        child = add(node, flag)
    child.text = text_of(value)


def apply_overrides(root: ET.Element, overrides: Mapping[str, Mapping[str, Any]]) -> None:
    """Merge ``isapi.capabilities`` (section -> flags) into a capability document.

    A section is the root itself or the first element of that name anywhere below it; a
    missing section is created under the root.
    """
    for section, flags in overrides.items():
        if section == root.tag:
            node = root
        else:
            node = next((n for n in root.iter(section)), None)
            if node is None:
                node = add(root, section)
        for flag, value in (flags or {}).items():
            set_flag(node, flag, value)
