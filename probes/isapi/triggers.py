"""isapi.triggers: where each analytic's events go, from `/ISAPI/Event/triggers`.

`EventTriggerList/EventTrigger{id, eventType, videoInputChannelID | dynVideoInputChannelID,
EventTriggerNotificationList/EventTriggerNotification{notificationMethod}}` [S1]. The channel
comes from (dyn)videoInputChannelID, else the `-<n>` suffix of the id (NVR firmware also sends
ids without a suffix, e.g. `objectsThrownDetection`). For every trigger whose analytic a
configuration probe observed on that channel (what it published on the context, DECORATES; a
probe that failed published nothing), the observation is re-emitted with the same name, channel and
states and `sends_to` filled; the classifier merges them. An enabled rule with an empty list
runs and reports nowhere; a disabled rule with notifications never fires (quirk 8): both are
said in the evidence.

Some firmware answers the list with HTTP 500 while each `/ISAPI/Event/triggers/<id>` works
(DS-2CD4A26FWD-IZS-P V5.4.7 in hikvision_next's fixtures: list 500, `vehicledetection-1` and
`scenechangedetection-1` answered) [S1]. Then the probe asks for the trigger of each analytic
the other probes found on each channel, by the id firmware gives it (TRIGGER_IDS).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._xml import descendants, text
from probes.base import Evidence, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi._status import PROTOCOL, IsapiFailed, get_doc, shared_doc, with_excerpt

TRIGGERS = "/ISAPI/Event/triggers"
# eventType (lower case) -> ISAPI name used by the config probes [S1][S2][S8]. `thermometry` as
# the face-thermometry trigger is (unverified); it is only attached where FaceThermometry was seen.
EVENT_TYPES: dict[str, str] = {
    "vmd": "motionDetection", "vmdhumanvehicle": "motionDetection", "motiondetection": "motionDetection",
    "tamperdetection": "tamperDetection", "shelteralarm": "tamperDetection",
    "facedetection": "FaceDetect", "facesnap": "faceSnap",
    "facecontrast": "faceContrast", "facecontrastsuccess": "faceContrast", "facecontrastfailure": "faceContrast",
    "whitelistfacecontrast": "faceContrast",
    "linedetection": "LineDetection", "fielddetection": "FieldDetection",
    "regionentrance": "regionEntrance", "regionexiting": "regionExiting", "loitering": "loitering",
    "group": "group", "unattendedbaggage": "unattendedBaggage", "attendedbaggage": "attendedBaggage",
    "audioexception": "AudioDetection", "counting": "counting", "heatmap": "heatMap",
    "persondensitydetection": "PersonDensityDetection", "personqueuedetection": "PersonQueueDetection",
    "safetyhelmetdetection": "safetyHelmetDetection", "humanrecognition": "humanRecognition",
    "firedetection": "fireDetection", "facethermometry": "FaceThermometry",
    # DS-2TD1228-2-QA: thermometry-2 on the thermal channel is temperature measurement, not screening.
    "thermometry": "thermometry",
    "vehicledetection": "vehicleDetection",                    # DS-2CD4A26FWD-IZS-P
    "scenechangedetection": "SceneChangeDetection",           # every capture with SmartCap
    "objectsthrowndetection": "objectsThrownDetection",       # DS-7608NXI-I2 (id without a channel)
}
# ISAPI name -> trigger id prefix (`<prefix>-<ch>`), as the captures name them [S1]; the rest
# follow the event type (unverified).
TRIGGER_IDS: dict[str, str] = {
    "motionDetection": "VMD", "tamperDetection": "tamper", "FaceDetect": "facedetection", "faceSnap": "faceSnap",
    "faceContrast": "faceContrast", "LineDetection": "linedetection", "FieldDetection": "fielddetection",
    "regionEntrance": "regionEntrance", "regionExiting": "regionExiting",
    "SceneChangeDetection": "scenechangedetection", "AudioDetection": "audioexception",
    "vehicleDetection": "vehicledetection", "loitering": "loitering", "group": "group",
    "unattendedBaggage": "unattendedBaggage", "attendedBaggage": "attendedBaggage", "fireDetection": "fireDetection",
}
# notificationMethod -> camaudit route (probes/base.py FeatureObservation.sends_to).
ROUTES = {"center": "platform", "ftp": "ftp", "email": "email", "record": "record"}
_SUFFIX = re.compile(r"-(\d+)$")


@dataclass(frozen=True)
class Trigger:
    id: str
    event_type: str
    channel: int | None
    methods: tuple[str, ...]

    @property
    def routes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(ROUTES[m.lower()] for m in self.methods if m.lower() in ROUTES))


def parse_triggers(root: Element) -> list[Trigger]:
    """EventTriggerList -> triggers (pure)."""
    out = []
    for node in descendants(root, "EventTrigger"):
        trigger_id, event_type = text(node, "id") or "", text(node, "eventType") or ""
        channel = text(node, "videoInputChannelID") or text(node, "dynVideoInputChannelID")
        if not (channel and channel.isdigit()):
            match = _SUFFIX.search(trigger_id)
            channel = match[1] if match else None
        notifications = descendants(node, "EventTriggerNotification")
        methods = tuple(m for m in (text(n, "notificationMethod") for n in notifications) if m)
        out.append(Trigger(trigger_id, event_type, int(channel) if channel else None, methods))
    return out


# The configuration probes whose observations this probe decorates; they run before it
# (probes/isapi/__init__.py) and publish what they found on the context.
DECORATES = ("isapi.smart-events", "isapi.intelligent", "isapi.thermal", "isapi.traffic")


def observed(ctx: ProbeContext) -> dict[tuple[str, int | None], FeatureObservation]:
    """The configuration probes' observations by (name, channel), as they published them."""
    found: dict[tuple[str, int | None], FeatureObservation] = {}
    for obs in ctx.published(*DECORATES):
        if isinstance(obs, FeatureObservation) and obs.channel is not None and obs.supported is not False:
            found.setdefault((obs.name, obs.channel), obs)
    return found


def _note(trigger: Trigger, obs: FeatureObservation) -> str:
    methods = ", ".join(trigger.methods) or "none"
    note = f"{trigger.id} ({trigger.event_type}): notifications {methods}"
    if obs.enabled is True and not trigger.methods:
        note += "; the rule is enabled with an empty notification list: it runs and reports nowhere"
    elif obs.enabled is False and trigger.methods:
        note += "; the rule is switched off, so these notifications never fire"
    return note


class Triggers:
    id = "isapi.triggers"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        states = observed(ctx)
        try:
            doc = shared_doc(ctx, TRIGGERS)
            found = [(t, doc.evidence) for t in parse_triggers(doc.root)]
        except IsapiFailed:
            found = one_by_one(ctx, states)
        out: list[Observation] = []
        for trigger, evidence in found:
            name = EVENT_TYPES.get(trigger.event_type.lower())
            obs = states.get((name, trigger.channel)) if name else None
            if obs is None:
                continue
            out.append(FeatureObservation(PROTOCOL, obs.name, obs.supported, obs.enabled,
                                          with_excerpt(evidence, _note(trigger, obs)), obs.channel,
                                          sends_to=trigger.routes))
        return out


def one_by_one(ctx: ProbeContext, states: dict[tuple[str, int | None], FeatureObservation]
               ) -> list[tuple[Trigger, Evidence]]:
    """The list failed: each observed analytic's own trigger, read by id (one GET each)."""
    found: list[tuple[Trigger, Evidence]] = []
    for name, channel in states:
        prefix = TRIGGER_IDS.get(name)
        if prefix is None or channel is None:
            continue
        path = f"{TRIGGERS}/{prefix}-{channel}"
        try:
            doc = get_doc(ctx, path, roots=("EventTrigger",))
        except (AuthProblem, Unreachable):
            raise
        except (NotSupported, ProbeError):
            continue            # no such trigger on this firmware, or unreadable: routes stay unknown
        found += [(t, doc.evidence) for t in parse_triggers(doc.root)]
    return found


PROBE = Triggers()
