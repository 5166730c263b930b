"""How each vendor's names map onto camaudit's feature ids: written down once, with sources.

Probes report FeatureObservation(protocol, name) in the vendor's own words; this table is
the only place those words become feature ids. Source tags refer to ../shared/PROTOCOLS.md.

Naming used by the probes:
- isapi: the ISAPI event/resource name (`FaceDetect`, `faceSnap`, `LineDetection`, ...), face
  capture attributes as `faceSnap.<attribute>`, the face library as `FDLib`, AcuSense target
  filtering as `detectionTarget`.
- dahua_cgi: the VideoAnalyseRule Type (`FaceDetection`, `CrossLineDetection`, ...), face
  attributes as `Feature.<name>` from Config.FeatureList, `MotionDetect`, `SmartMotionDetect`,
  the face database as `FaceGroup`.
- onvif: rule/module type local names (`CellMotionDetector`, `LineDetector`, ...) and event
  topics as `topic:<path>` (e.g. `topic:RuleEngine/LineDetector/Crossed`).
"""

from __future__ import annotations

from models.features import FEATURE_IDS

F = tuple[str, ...]

ISAPI: dict[str, F] = {
    # [S1][S2] System/Smart capability flags and per-channel resources
    "motionDetection": ("motion_detection",),
    "VMD": ("motion_detection",),
    "FaceDetect": ("face_detection",),                        # [S2][S9] /ISAPI/Smart/FaceDetect
    "faceSnap": ("face_capture",),                            # [S2][S12] EventCap isSupportFaceSnap
    "faceContrast": ("face_recognition",),                    # [S2] face comparison against libraries
    "whiteListFaceContrast": ("face_recognition",),
    "FDLib": ("face_library",),                               # [S2][S13][S14]
    "faceSnap.age": ("age_gender",), "faceSnap.ageGroup": ("age_gender",),
    "faceSnap.gender": ("age_gender",), "faceSnap.sex": ("age_gender",),
    "faceSnap.glasses": ("face_attributes",), "faceSnap.beard": ("face_attributes",),
    "faceSnap.hat": ("face_attributes",),
    "faceSnap.mask": ("mask_detection",),                     # (unverified) mask as a face-capture attribute
    "faceSnap.emotion": ("emotion",), "faceSnap.expression": ("emotion",),
    "humanRecognition": ("body_attributes",),                 # [S2]
    "violentMotion": ("fight_detection",),                    # (unverified) DeepinView behaviour analysis
    "counting": ("people_counting",),                         # [S2] VideoCap isSupportCounting
    "PersonQueueDetection": ("queue_detection",),             # [S1] EventCap isSupportPersonQueueDetection
    "PersonDensityDetection": ("crowd_detection",),           # [S2]
    "group": ("crowd_detection",),                            # [S1] SmartCap isSupportGroup: people gathering
    "heatMap": ("heat_map",),                                 # [S2] VideoCap isSupportHeatmap
    "loitering": ("loitering",),                              # [S10][S11]
    "FieldDetection": ("intrusion",),                         # [S1][S2]
    "LineDetection": ("line_crossing",),
    "regionEntrance": ("region_entrance",), "regionExiting": ("region_exiting",),
    "unattendedBaggage": ("unattended_object",),              # [S10]
    "attendedBaggage": ("object_removal",),                   # [S10]
    "AudioDetection": ("audio_detection",),                   # [S2]
    "FaceThermometry": ("thermal_screening", "face_detection"),   # [S15] measures temperature per face
    "fireDetection": (),                                      # fire/smoke: not about people, no feature id
    "detectionTarget": ("human_vehicle_filter",),             # [S1][S5] AcuSense detectionTarget human/vehicle
    "VMDHumanVehicle": ("human_vehicle_filter", "motion_detection"),   # [S8]
    "safetyHelmetDetection": ("ppe_detection",),              # [S2][S5]
    "vehicleDetection": ("vehicle_recognition",),
    "tamperDetection": (),                                    # video tamper: not analytics about people
}

DAHUA: dict[str, F] = {
    # [S26][S31][S32][S33][S34] VideoAnalyseRule Type strings and event codes
    "FaceDetection": ("face_detection",),
    "FaceRecognition": ("face_recognition",),
    "FaceAnalysis": ("face_recognition",),
    "FaceGroup": ("face_library",),                           # [S37] faceRecognitionServer findGroup
    "Feature.Sex": ("age_gender",), "Feature.Age": ("age_gender",),
    "Feature.Glasses": ("face_attributes",), "Feature.Beard": ("face_attributes",),
    "Feature.Mask": ("mask_detection",),                      # [S35] (spelling unverified)
    "Feature.Emotion": ("emotion",),
    "HumanTrait": ("body_attributes",),
    "FightDetection": ("fight_detection",),                   # SDK naming, not seen in a capture
    "NumberStat": ("people_counting",), "ManNumDetection": ("people_counting",),
    "QueueDetection": ("queue_detection",),
    "CrowdDetection": ("crowd_detection",), "RioterDetection": ("crowd_detection",),
    "HeatMap": ("heat_map",),
    "WanderDetection": ("loitering",), "StayDetection": ("loitering",),
    "CrossRegionDetection": ("intrusion",),
    "CrossLineDetection": ("line_crossing",),
    "LeftDetection": ("unattended_object",),
    "TakenAwayDetection": ("object_removal",),
    "AudioMutation": ("audio_detection",), "AudioAnomaly": ("audio_detection",),
    "SmartMotionDetect": ("human_vehicle_filter",),           # [S26] SmartMotionDetect ObjectTypes
    "SmartMotionHuman": ("human_vehicle_filter",), "SmartMotionVehicle": ("human_vehicle_filter",),
    "MotionDetect": ("motion_detection",), "VideoMotion": ("motion_detection",),
    "HelmetDetection": ("ppe_detection",),
    "TrafficJunction": ("vehicle_recognition",), "VehicleDetection": ("vehicle_recognition",),
    "FaceThermometry": ("thermal_screening",),
}

ONVIF: dict[str, F] = {
    # [S41][S43][S45] rule and module types, event topics
    "CellMotionDetector": ("motion_detection",), "CellMotionEngine": ("motion_detection",),
    "MotionRegionDetector": ("motion_detection",),
    "LineDetector": ("line_crossing",), "LineDetectorEngine": ("line_crossing",),
    "FieldDetector": ("intrusion",), "FieldDetectorEngine": ("intrusion",),
    "topic:RuleEngine/CellMotionDetector/Motion": ("motion_detection",),
    "topic:VideoSource/MotionAlarm": ("motion_detection",),
    "topic:RuleEngine/LineDetector/Crossed": ("line_crossing",),
    "topic:RuleEngine/FieldDetector/ObjectsInside": ("intrusion",),
    "topic:RuleEngine/MyRuleDetector/FaceDetect": ("face_detection",),   # [S45][S46] vendor topics
    "topic:RuleEngine/MyRuleDetector/PeopleDetect": (),                  # person detection: no feature id
    "topic:AudioAnalytics/Audio/DetectedSound": ("audio_detection",),
    "topic:UserAlarm/IVA/HumanShapeDetect": ("human_vehicle_filter",),
    "topic:Thermometry/TemperatureAlarm": ("thermal_screening",),        # Hikvision tnshik topic
    # Video tamper detection is about the camera, not about people: no feature id, but known.
    "TamperDetector": (), "TamperEngine": (), "topic:RuleEngine/TamperDetector/Tamper": (),
}

VENDOR_NAMES: dict[str, dict[str, F]] = {"isapi": ISAPI, "dahua_cgi": DAHUA, "onvif": ONVIF}

# What a complete listing covers: a feature in scope that the listing does not mention is
# reported as not supported. Outside the scope, silence stays unknown.
ALL: F = FEATURE_IDS
COVERAGE: dict[str, F] = {
    # ISAPI System/Smart/Intelligent capability documents describe every analytic the
    # firmware has; Hikvision has no analytics outside them. [S1]
    "isapi-capabilities": ALL,
    # Dahua getCaps lists every video-analysis rule type; motion detection is separate config. [S36]
    "dahua-caps": tuple(f for f in ALL if f != "motion_detection"),
    # ONVIF analytics only standardises these; a vendor may do more outside ONVIF. [S40 quirk 15]
    "onvif-analytics": ("motion_detection", "line_crossing", "intrusion"),
}


def features_for(protocol: str, name: str) -> F | None:
    """Feature ids for a vendor name; None when the name is not in the table (reported, never guessed)."""
    table = VENDOR_NAMES.get(protocol, {})
    if name in table:
        return table[name]
    if protocol == "onvif" and name.startswith("topic:"):
        # Topic trees can be longer than the rule (e.g. .../Crossed/Line1); match by prefix.
        for known, ids in table.items():
            if known.startswith("topic:") and name.startswith(known):
                return ids
    return None


def covered(scope: str) -> F:
    return COVERAGE.get(scope, ())
