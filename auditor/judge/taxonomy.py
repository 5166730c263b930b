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
    "whiteListFaceContrast": ("face_recognition",),          # [S1] DS-7608NXI-I2 trigger whiteListFaceContrast-<ch>
    "faceSnapModeling": ("face_recognition",),               # [S1] EventCap isSupportFaceSnapModeling: face models
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
    "fireDetection": ("fire_detection",),                     # [S1] ThermalCap/EventCap isSupportFireDetection
    "smokeDetection": ("fire_detection",),                    # (unverified) flag name, Thermal SDK naming [S15]
    "thermometry": ("temperature_measurement",),              # [S1] ThermalCap isSupportThermometry; DS-2TD1228
                                                              # trigger thermometry-2 on its thermal channel
    "StudentsStoodUp": ("classroom_behaviour",),              # [S1] EventCap isSupportStudentsStoodUp (DS-7608NXI-I2)
    "TeacherBehaviorDetect": ("classroom_behaviour",),        # [S1] EventCap isSupportTeacherBehaviorDetect
    "objectsThrownDetection": ("objects_thrown",),            # [S1] DeviceCap isSupportObjectsThrownDetection + trigger
    "rapidMove": ("rapid_movement",),                         # [S1] SmartCap isSupportRapidMove
    "parking": ("parking_detection",),                        # [S1] SmartCap isSupportParking
    "PIR": ("pir_detection",),                                # [S1] WLAlarmCap isSupportPIR, /ISAPI/WLAlarm/PIR
    "SceneChangeDetection": ("tamper_detection",),            # [S1] SmartCap + /ISAPI/Smart/SceneChangeDetection/<ch>
    "DefocusDetection": ("tamper_detection",),                # [S1] SmartCap isSupportDefocusDetection
    "detectionTarget": ("human_vehicle_filter",),             # [S1][S5] AcuSense detectionTarget human/vehicle
    "VMDHumanVehicle": ("human_vehicle_filter", "motion_detection"),   # [S8]
    "safetyHelmetDetection": ("ppe_detection",),              # [S2][S5]
    "vehicleDetection": ("vehicle_recognition",),             # [S1] ITCCap isSupportVehicleDetection, DS-2CD4A26FWD
    "tamperDetection": ("tamper_detection",),                 # [S1] EventCap isSupportTamperDetection
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
    # [S26] rroller/dahua client.py stream_events event codes
    "VideoBlind": ("tamper_detection",), "VideoAbnormalDetection": ("tamper_detection",),   # scene change
    "VideoUnFocus": ("tamper_detection",),                    # defocus
    "ParkingDetection": ("parking_detection",),
    "MoveDetection": ("rapid_movement",),                     # "fast moving event"
    "HeatImagingTemper": ("temperature_measurement",),        # thermal temperature alarm
    "FireWarning": ("fire_detection",), "FireWarningInfo": ("fire_detection",),
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
    # Video tamper detection is known but not mapped here: ONVIF analytics are audited per
    # rule elsewhere, and a Dahua unit's ONVIF tamper rule would contradict what its own
    # protocol says (VideoBlind is not read). ISAPI and Dahua names carry tamper_detection.
    "TamperDetector": (), "TamperEngine": (), "topic:RuleEngine/TamperDetector/Tamper": (),
    # Axis topics: Kane610/axis axis/event_stream.py; pandosme/make_acap README topic table
    "topic:RuleEngine/MotionRegionDetector/Motion": ("motion_detection",),  # Axis "Motion" over ONVIF (Profile M)
    "topic:CameraApplicationPlatform/VMD": ("motion_detection",),           # AXIS Video Motion Detection 4
    "topic:RuleEngine/VMD3": ("motion_detection",),                         # AXIS VMD 3 (tns1:RuleEngine/tnsaxis:VMD3)
    "topic:VideoAnalytics/MotionDetection": ("motion_detection",),          # older Axis motion
    "topic:CameraApplicationPlatform/MotionGuard": ("motion_detection",),   # AXIS Motion Guard
    "topic:CameraApplicationPlatform/FenceGuard": ("line_crossing",),       # AXIS Fence Guard (virtual fence)
    "topic:CameraApplicationPlatform/LoiteringGuard": ("loitering",),       # AXIS Loitering Guard
    "topic:VideoSource/Tampering": (),                                      # Axis camera tampering (pandosme table)
    # Bosch DINION IP starlight 6000 HD: edgexfoundry/device-onvif-camera doc/api-analytic-support.md
    "ObjectInField": ("intrusion",),                                        # tt:ObjectInField "Detect any object"
    "Viproc": (),                                                           # tt:Viproc analytics engine module
    # Left unmapped on purpose (ambiguous): CameraApplicationPlatform/ObjectAnalytics (the topic does not
    # say which scenario fired), LineCounting (any object class), AudioSource/TriggerLevel (a sound level).
}

VENDOR_NAMES: dict[str, dict[str, F]] = {"isapi": ISAPI, "dahua_cgi": DAHUA, "onvif": ONVIF}

# What a complete listing covers: a feature in scope that the listing does not mention is
# reported as not supported. Outside the scope, silence stays unknown.
ALL: F = FEATURE_IDS

# Which ISAPI capability sections carry each feature's flags on real firmware [S1] (the 16
# hikvision_next device captures; DeviceCap is the top level of /ISAPI/System/capabilities,
# ITCCap the root of /ISAPI/ITC/capability). Firmware spreads flags over these sections and
# names many we do not know, so silence only says "not supported" when every section that
# carries the feature's flags was read (isapi.capabilities reports which ones). Features with
# no known flag (emotion, masks, fights, age/gender, face/body attributes, AcuSense filtering)
# are never closed by silence.
ISAPI_FLAG_SECTIONS: dict[str, F] = {
    "face_detection": ("SmartCap",),                          # isSupportFaceDetect
    "face_capture": ("EventCap",),                            # isSupportFaceSnap
    "face_recognition": ("EventCap",),                        # isSupportFaceContrast, ...WhiteListFaceContrast
    "face_library": ("EventCap",),                            # isSupportFaceLib
    "body_attributes": ("EventCap",),                         # isSupportHumanRecognition
    "people_counting": ("VideoCap", "EventCap"),              # isSupportCounting, isSupportFramesPeopleCounting
    "queue_detection": ("EventCap",),                         # isSupportPersonQueueDetection
    "crowd_detection": ("SmartCap", "EventCap"),              # isSupportGroup, isSupportPersonDensityDetection
    "heat_map": ("VideoCap",),                                # isSupportHeatmap
    "loitering": ("SmartCap",), "intrusion": ("SmartCap",), "line_crossing": ("SmartCap",),
    "region_entrance": ("SmartCap",), "region_exiting": ("SmartCap",),
    "unattended_object": ("SmartCap",), "object_removal": ("SmartCap",),
    "audio_detection": ("SmartCap",),                         # isSupportAudioDetection
    "thermal_screening": ("EventCap", "ThermalCap"),          # isSupportFaceThermometry (DS-2TD1228 EventCap)
    "ppe_detection": ("EventCap",),                           # isSupportSafetyHelmetDetection
    "vehicle_recognition": ("ITCCap",),                       # isSupportVehicleDetection (DS-2CD4A26FWD-IZS-P)
    "motion_detection": ("EventCap", "VideoCap"),             # EventCap on most, VideoCap too on DS-2TD1228
    "classroom_behaviour": ("EventCap",),                     # isSupportStudentsStoodUp, isSupportTeacherBehaviorDetect
    "objects_thrown": ("DeviceCap",),                         # top-level isSupportObjectsThrownDetection
    "rapid_movement": ("SmartCap",), "parking_detection": ("SmartCap",),
    "pir_detection": ("WLAlarmCap",),                         # isSupportPIR
    "tamper_detection": ("EventCap", "SmartCap"),             # isSupportTamperDetection, Defocus, SceneChange
    "fire_detection": ("ThermalCap", "EventCap"),             # isSupportFireDetection (either section)
    "temperature_measurement": ("ThermalCap",),               # isSupportThermometry
}
ISAPI_CAPS_SCOPE = "isapi-capabilities:"      # + "+"-joined section names read, e.g. "...:DeviceCap+EventCap"

COVERAGE: dict[str, F] = {
    # Dahua getCaps lists every video-analysis rule type; motion detection, tamper (VideoBlind),
    # PIR and the thermal alarms (FireWarning, HeatImagingTemper) are separate config, and
    # classroom / objects-thrown analytics have no known Dahua rule type. [S36][S26]
    "dahua-caps": tuple(f for f in ALL if f not in (
        "motion_detection", "tamper_detection", "pir_detection", "fire_detection", "temperature_measurement",
        "classroom_behaviour", "objects_thrown")),
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
    """Features a complete listing closes. ISAPI: those whose every flag-carrying section was read."""
    if scope.startswith(ISAPI_CAPS_SCOPE):
        read = set(scope[len(ISAPI_CAPS_SCOPE):].split("+"))
        return tuple(f for f, sections in ISAPI_FLAG_SECTIONS.items() if set(sections) <= read)
    return COVERAGE.get(scope, ())
