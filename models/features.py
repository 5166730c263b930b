"""camaudit's feature taxonomy and remote-access ids: a contract shared by the audit JSON,
the store, the TUI, reports and tests. Vendor names are mapped onto these ids once, in
`auditor/judge/taxonomy.py`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureInfo:
    id: str
    label: str
    group: str          # biometric | behaviour | counting | perimeter | object | other
    biometric: bool     # processes biometric data about a person (UK GDPR Art. 9 when used to identify)
    meaning: str        # plain English for the report appendix and the TUI


FEATURES: tuple[FeatureInfo, ...] = (
    FeatureInfo("face_detection", "Face detection", "biometric", True,
                "Finds faces in the picture. Usually the first step of face capture or recognition."),
    FeatureInfo("face_capture", "Face capture", "biometric", True,
                "Crops and stores a picture of every face it sees, often sent on to a recorder or server."),
    FeatureInfo("face_recognition", "Face recognition", "biometric", True,
                "Compares faces with stored faces to identify people: special-category biometric data."),
    FeatureInfo("face_library", "Face library", "biometric", True,
                "Holds a database of enrolled faces (staff, members, watch lists) to match against."),
    FeatureInfo("age_gender", "Age and gender", "biometric", True,
                "Estimates each person's age and sex from their face."),
    FeatureInfo("face_attributes", "Face attributes", "biometric", True,
                "Describes faces: glasses, beard, hat and similar attributes."),
    FeatureInfo("mask_detection", "Mask detection", "biometric", True,
                "Decides whether a face wears a mask (not the privacy mask that blanks part of the picture)."),
    FeatureInfo("emotion", "Emotion", "biometric", True,
                "Infers emotions or expressions from faces."),
    FeatureInfo("body_attributes", "Body attributes", "behaviour", False,
                "Describes people by clothing colour, bags, posture and similar attributes."),
    FeatureInfo("fight_detection", "Fight detection", "behaviour", False,
                "Flags violent or rapid movement between people."),
    FeatureInfo("people_counting", "People counting", "counting", False,
                "Counts people entering and leaving an area."),
    FeatureInfo("queue_detection", "Queue detection", "counting", False,
                "Measures queue length and waiting time."),
    FeatureInfo("crowd_detection", "Crowd detection", "counting", False,
                "Flags gatherings or crowd density above a threshold."),
    FeatureInfo("heat_map", "Heat map", "counting", False,
                "Accumulates where people spend time in the scene."),
    FeatureInfo("loitering", "Loitering", "behaviour", False,
                "Flags people who stay in an area longer than a set time."),
    FeatureInfo("intrusion", "Intrusion", "perimeter", False,
                "Flags objects entering and staying in a defined region."),
    FeatureInfo("line_crossing", "Line crossing", "perimeter", False,
                "Flags objects crossing a virtual line (tripwire)."),
    FeatureInfo("region_entrance", "Region entrance", "perimeter", False,
                "Flags objects entering a defined region."),
    FeatureInfo("region_exiting", "Region exiting", "perimeter", False,
                "Flags objects leaving a defined region."),
    FeatureInfo("unattended_object", "Unattended object", "object", False,
                "Flags objects left behind in the scene."),
    FeatureInfo("object_removal", "Object removal", "object", False,
                "Flags objects taken away from the scene."),
    FeatureInfo("audio_detection", "Audio detection", "other", False,
                "Listens for sudden sounds or audio loss; implies the camera has a microphone in use."),
    FeatureInfo("thermal_screening", "Thermal screening", "biometric", True,
                "Measures people's skin temperature: health data about identifiable people."),
    FeatureInfo("human_vehicle_filter", "Human/vehicle filter", "other", False,
                "Classifies moving objects as people or vehicles to filter alarms."),
    FeatureInfo("ppe_detection", "PPE detection", "behaviour", False,
                "Checks whether people wear hard hats or other protective equipment."),
    FeatureInfo("vehicle_recognition", "Vehicle recognition", "other", False,
                "Reads number plates or describes vehicles (ANPR)."),
    FeatureInfo("motion_detection", "Motion detection", "other", False,
                "Flags changes in the picture. Not analytics about people as such."),
    FeatureInfo("classroom_behaviour", "Classroom behaviour", "behaviour", False,
                "Watches pupils and teachers in a classroom: flags students standing up and rates teacher behaviour."),
    FeatureInfo("objects_thrown", "Objects thrown from height", "object", False,
                "Flags objects falling or thrown from a building (balconies, windows)."),
    FeatureInfo("rapid_movement", "Running / rapid movement", "behaviour", False,
                "Flags people or objects moving unusually fast, such as someone running."),
    FeatureInfo("parking_detection", "Parking detection", "object", False,
                "Flags vehicles that stop or park in a watched area."),
    FeatureInfo("pir_detection", "PIR sensor", "other", False,
                "A passive-infrared sensor that reacts to body heat moving in front of the camera."),
    FeatureInfo("tamper_detection", "Tampering / defocus / scene change", "other", False,
                "Flags a covered, blurred or turned camera. About the camera, not about people."),
    FeatureInfo("fire_detection", "Fire and smoke detection", "other", False,
                "Flags flames, hot spots or smoke in the scene."),
    FeatureInfo("temperature_measurement", "Temperature measurement", "other", False,
                "Measures the temperature of objects or areas in a thermal picture (not people's body temperature)."),
)

FEATURE_IDS: tuple[str, ...] = tuple(f.id for f in FEATURES)
FEATURE_INFO: dict[str, FeatureInfo] = {f.id: f for f in FEATURES}
BIOMETRIC_FEATURES: frozenset[str] = frozenset(f.id for f in FEATURES if f.biometric)

REMOTE_ACCESS: dict[str, str] = {
    "hik_connect": "Hik-Connect / EZVIZ cloud (Hikvision's remote-access cloud)",
    "isup": "ISUP / EHome platform access (device registers with a remote management platform)",
    "dahua_p2p": "Dahua P2P / Easy4IP cloud (T2UServer)",
    "ddns": "Dynamic DNS (makes the device reachable by name from the internet)",
    "upnp": "UPnP port mapping (opens ports on the site router)",
    "ntp": "Network time (NTP) server",
    "email": "Alarm e-mail through an SMTP server",
    "ftp": "FTP upload of pictures or video",
    "auto_register": "Auto-register to a remote platform (Dahua RegisterServer)",
}
REMOTE_ACCESS_IDS: tuple[str, ...] = tuple(REMOTE_ACCESS)

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")

# What an egress destination is, from the most expected to the least (auditor/judge/egress/labels.py
# decides; "configured" = a push host or NAS the device's own configuration names), and how the
# CLI and the TUI colour each one.
EGRESS_LABELS: tuple[str, ...] = ("site", "allowed", "configured", "vendor-cloud", "public-ntp", "dns", "unknown")
EGRESS_LABEL_STYLE: dict[str, str] = {"unknown": "bold red", "vendor-cloud": "yellow", "configured": "magenta",
                                      "allowed": "green", "public-ntp": "cyan", "dns": "cyan", "site": "dim"}
