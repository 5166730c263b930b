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

# (flag, event key that makes it true, or None for a fixed value, fixed value). A fixed value of
# None leaves the flag out unless the event is present: flags whose name no capture shows are
# only ever rendered true, so a guessed name never turns into an explicit "false".
Flags = list[tuple[str, str | None, bool | None]]
SMART_FLAGS: Flags = [
    ("isSupportROI", None, True),
    ("isSupportAudioDetection", "AudioDetection", False),
    ("isSupportFaceDetect", "FaceDetect", False),
    ("isSupportLineDetection", "LineDetection", False),
    ("isSupportFieldDetection", "FieldDetection", False),
    ("isSupportRegionEntrance", "regionEntrance", False),
    ("isSupportRegionExiting", "regionExiting", False),
    ("isSupportLoitering", "loitering", False),
    ("isSupportGroup", "group", False),                       # people gathering
    ("isSupportRapidMove", "rapidMove", False),               # running / fast movement
    ("isSupportParking", "parking", False),
    ("isSupportUnattendedBaggage", "unattendedBaggage", False),
    ("isSupportAttendedBaggage", "attendedBaggage", False),    # object removal
    ("isSupportSmartCalibration", None, True),
    ("isSupportIntelliTrace", None, False),
    ("isSupportPeopleDetection", None, False),
    ("isSupportDefocusDetection", "DefocusDetection", False),
    ("isSupportSceneChangeDetection", "SceneChangeDetection", False),
    ("isSupportStorageDetection", None, False),
]

EVENT_FLAGS: Flags = [
    ("isSupportHDFull", None, True),
    ("isSupportHDError", None, True),
    ("isSupportNicBroken", None, True),
    ("isSupportIpConflict", None, True),
    ("isSupportIllAccess", None, True),
    ("isSupportViException", None, False),
    ("isSupportMotionDetection", "motionDetection", False),
    ("isSupportTamperDetection", "tamperDetection", False),
    ("isSupportStudentsStoodUp", "StudentsStoodUp", False),   # DS-7608NXI-I2: classroom analysis
    ("isSupportFramesPeopleCounting", None, False),
    ("isSupportPersonQueueDetection", "PersonQueueDetection", False),
    ("isSupportFaceContrast", "faceContrast", False),
    ("isSupportFaceLib", None, False),                         # set from face_libraries below
    ("isSupportFaceSnap", "faceSnap", False),
    ("isSupportPersonDensityDetection", "PersonDensityDetection", False),
    ("isSupportTeacherBehaviorDetect", "TeacherBehaviorDetect", False),
    ("isSupportMixedTargetDetection", None, False),
    ("isSupportFaceSnapModeling", "faceSnapModeling", False),
    ("isSupportWhiteListFaceContrast", "whiteListFaceContrast", False),   # DS-7608NXI-I2
    ("isSupportSafetyHelmetDetection", "safetyHelmetDetection", False),   # seen on DS-7608NXI-I2
    ("isSupportHumanRecognition", "humanRecognition", False),             # seen on DS-7608NXI-I2
    ("isSupportViolentMotion", "violentMotion", None),                    # (unverified) flag name
]

# Wireless alarm section; IPCs list it with isSupportPIR (DS-2CD2443G0-IW: PIR camera).
WLALARM_FLAGS: Flags = [
    ("isSupportTeleControl", None, False),
    ("isSupportPIR", "PIR", False),
    ("isSupportWLSensors", None, False),
    ("isSupportCallHelp", None, False),
]

# /ISAPI/ITC/capability of number-plate firmware (DS-2CD4A26FWD-IZS-P).
ITC_FLAGS: Flags = [
    ("isSupportITC", None, False),
    ("isSupportIllegalDictionary", None, False),
    ("isSupportVehicleDetection", "vehicleDetection", False),
    ("isSupportlicencePlateAuditData", "vehicleDetection", False),
    ("isSupportSearchLPListAudit", "vehicleDetection", False),
    ("isSupportHVTVehicleDetection", None, False),
]

VIDEO_FLAGS: Flags = [
    ("isSupportHeatmap", "heatMap", False),
    ("isSupportCounting", "counting", False),
    ("isSupportPrivacyMask", None, True),      # video blanking, not face-mask detection
]

THERMAL_FLAGS: Flags = [
    ("isSupportFireDetection", "fireDetection", False),
    ("isSupportThermometry", None, True),                    # every thermal model measures (DS-2TD1228)
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


def add_flags(parent: ET.Element, flags: Flags, keys: set[str]) -> ET.Element:
    for flag, key, fixed in flags:
        value = (key in keys) if key else fixed
        if fixed is None and not value:
            continue
        add(parent, flag, value)
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
