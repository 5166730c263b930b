"""camaudit's feature taxonomy and remote-access ids: a contract shared by the audit JSON,
the store, the TUI, reports and tests. Vendor names are mapped onto these ids once, in
`auditor/judge/taxonomy.py`.

The domain rules every room applies live here as data, written once: which remote-access settings
count as remote access (not NTP), which are vendor clouds and which call home; how severities rank
(an unknown one ranks worst); how a three-valued verdict is written. tests/audit/test_rules_table.py
pins them, so a change is a decision.
"""

from __future__ import annotations

from collections.abc import Iterable
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

@dataclass(frozen=True)
class RemoteAccessInfo:
    """One remote-access setting and the rules every room applies to it (drift, findings, summary,
    report, TUI): written here once, pinned by tests/models/test_features.py."""

    id: str
    label: str              # the whole description, for reports and the TUI's device panel
    counts_as_remote: bool  # False for NTP: time sync sends no personal data and is on almost everywhere
    cloud: bool             # a vendor cloud or remote platform the device registers with (egress rules)
    calls_home: bool        # the device contacts a server outside the site on its own (cloud relays,
    #                         platform registration, DDNS updates); UPnP, e-mail, FTP and NTP do not

    @property
    def name(self) -> str:
        """The label without its explanation in brackets: "Dynamic DNS"."""
        return self.label.split(" (")[0]


REMOTE_ACCESS_INFO: tuple[RemoteAccessInfo, ...] = (
    RemoteAccessInfo("hik_connect", "Hik-Connect / EZVIZ cloud (Hikvision's remote-access cloud)",
                     counts_as_remote=True, cloud=True, calls_home=True),
    RemoteAccessInfo("isup", "ISUP / EHome platform access (device registers with a remote management platform)",
                     counts_as_remote=True, cloud=True, calls_home=True),
    RemoteAccessInfo("dahua_p2p", "Dahua P2P / Easy4IP cloud (T2UServer)",
                     counts_as_remote=True, cloud=True, calls_home=True),
    RemoteAccessInfo("ddns", "Dynamic DNS (makes the device reachable by name from the internet)",
                     counts_as_remote=True, cloud=False, calls_home=True),
    RemoteAccessInfo("upnp", "UPnP port mapping (opens ports on the site router)",
                     counts_as_remote=True, cloud=False, calls_home=False),
    RemoteAccessInfo("ntp", "Network time (NTP) server",
                     counts_as_remote=False, cloud=False, calls_home=False),
    RemoteAccessInfo("email", "Alarm e-mail through an SMTP server",
                     counts_as_remote=True, cloud=False, calls_home=False),
    RemoteAccessInfo("ftp", "FTP upload of pictures or video",
                     counts_as_remote=True, cloud=False, calls_home=False),
    RemoteAccessInfo("auto_register", "Auto-register to a remote platform (Dahua RegisterServer)",
                     counts_as_remote=True, cloud=True, calls_home=True),
)
REMOTE_ACCESS_BY_ID: dict[str, RemoteAccessInfo] = {r.id: r for r in REMOTE_ACCESS_INFO}
REMOTE_ACCESS: dict[str, str] = {r.id: r.label for r in REMOTE_ACCESS_INFO}
REMOTE_ACCESS_IDS: tuple[str, ...] = tuple(REMOTE_ACCESS)
CLOUD_SETTINGS: tuple[str, ...] = tuple(r.id for r in REMOTE_ACCESS_INFO if r.cloud)
CALLS_HOME_SETTINGS: frozenset[str] = frozenset(r.id for r in REMOTE_ACCESS_INFO if r.calls_home)


def counts_as_remote(rid: str) -> bool:
    """Whether a setting that is on counts as "remote access on". An id this version does not know
    counts: showing it is safer than hiding it."""
    info = REMOTE_ACCESS_BY_ID.get(rid)
    return info is None or info.counts_as_remote


def remote_name(rid: str) -> str:
    """A setting's short name ("Dynamic DNS"); an unknown id is shown as it is."""
    info = REMOTE_ACCESS_BY_ID.get(rid)
    return rid if info is None else info.name


# ---- severity ------------------------------------------------------------------------------------
# One ranking for every room. A severity this version does not know (a newer database, a typo) ranks
# as the WORST: shown first and never hidden behind "info" or dropped. A typo in our own rules is
# caught by tests/models/test_features.py, which checks every severity the judge writes.

SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")
SEVERITY_STYLE: dict[str, str] = {"critical": "bold white on red", "high": "bold red", "medium": "yellow",
                                  "low": "cyan", "info": "dim"}
UNKNOWN_SEVERITY_STYLE = SEVERITY_STYLE["critical"]


def severity_rank(severity: str) -> int:
    """0 for critical ... 4 for info; -1 (before critical) for a severity this version does not know."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1


def worst(severities: Iterable[str]) -> str | None:
    """The most severe of `severities` (see severity_rank), None when there are none."""
    return min(severities, key=severity_rank, default=None)


def severity_style(severity: str) -> str:
    """The Rich style of a severity; an unknown one looks like critical (ranked worst)."""
    return SEVERITY_STYLE.get(severity, UNKNOWN_SEVERITY_STYLE)


# ---- three-valued verdicts in words -----------------------------------------------------------------
# True / False / None everywhere; None ("the device would not tell us") is never written as "no".

YES_NO: tuple[str, str, str] = ("yes", "no", "unknown")      # reports, CSV, JSON views
ON_OFF: tuple[str, str, str] = ("on", "off", "unknown")      # a setting's state (drift, services)
YES_NO_SHORT: tuple[str, str, str] = ("yes", "no", "?")      # narrow TUI columns


def tri_state_text(value: bool | None, words: tuple[str, str, str] = YES_NO) -> str:
    """`words[0]` for True, `words[1]` for False, `words[2]` for None (unknown)."""
    if value is None:
        return words[2]
    if value is True:
        return words[0]
    if value is False:
        return words[1]
    raise TypeError(f"a three-valued verdict is True, False or None, not {value!r}")


# What an egress destination is, from the most expected to the least (auditor/judge/egress/labels.py
# decides; "configured" = a push host or NAS the device's own configuration names), how the CLI and
# the TUI colour each one, and which labels mean the device calls out on its own ("calls home" by
# traffic, beside CALLS_HOME_SETTINGS by configuration).
EGRESS_LABELS: tuple[str, ...] = ("site", "allowed", "configured", "vendor-cloud", "public-ntp", "dns", "unknown")
EGRESS_LABEL_STYLE: dict[str, str] = {"unknown": "bold red", "vendor-cloud": "yellow", "configured": "magenta",
                                      "allowed": "green", "public-ntp": "cyan", "dns": "cyan", "site": "dim"}
EGRESS_CALLS_HOME_LABELS: frozenset[str] = frozenset({"vendor-cloud", "unknown"})
