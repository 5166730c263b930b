"""Video analytics: the IVS rule tables, motion detection and `devVideoAnalyse.cgi`.

`VideoAnalyseRule` is indexed `[channel][rule]`; each rule carries `Class`, `Type`,
`Enable`, `Name`, `Id`, `ObjectTypes[n]`, `Config.*` and `EventHandler.*` (PROTOCOLS.md b,
S26/S31/S32). Face rules keep their attribute extraction in `Config.FeatureEnable` and
`Config.FeatureList[i]` (S35). Tables are built as plain dicts and lists; `kv.flatten`
turns them into the wire format.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from device_simulators.dahua import kv
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

_FACE_TYPES = frozenset({"FaceDetection", "FaceRecognition", "FaceAnalysis", "FaceAttribute"})

# Dahua draws rule geometry on a 8192 x 8192 grid; a centred rectangle and a line across
# the frame stand in for what an installer drew.
_REGION = [[1024, 1024], [7168, 1024], [7168, 7168], [1024, 7168]]
_LINE = [[512, 4096], [7680, 4096]]


def channel_count(device: SimDevice) -> int:
    return max(1, int(device.profile.dahua.get("channels", 1)))


def has_ivs(device: SimDevice) -> bool:
    """Whether the firmware carries an IVS engine at all.

    Units that list capabilities have the rule tables even when no rule is set (an
    NVR on rroller/dahua #669 answered an empty 200 for VideoAnalyseRule). A unit whose
    getCaps is refused and that holds no rule, such as the old Amcrest IP2M-841B, has no
    rule tables: those names answer the Dahua error.
    """
    dahua = device.profile.dahua
    return isinstance(dahua.get("caps"), list) or bool(dahua.get("rules"))


def event_handler(*, record: bool = True, snapshot: bool = False, mail: bool = False) -> dict[str, Any]:
    """The linkage block every Dahua alarm config carries (key names per S31; the values
    are a plausible installer default)."""
    return {
        "AlarmOutEnable": False, "AlarmOutLatch": 10, "BeepEnable": False, "Dejitter": 5,
        "LogEnable": True, "MailEnable": mail, "MessageEnable": False, "PtzLinkEnable": False,
        "RecordEnable": record, "RecordLatch": 10, "SnapshotEnable": snapshot, "TipEnable": False,
    }


def _rule_config(rule: dict[str, Any]) -> dict[str, Any]:
    rule_type = str(rule.get("type", ""))
    config: dict[str, Any] = {"DetectRegion": _REGION}
    if rule_type == "CrossLineDetection":
        config = {"DetectLine": _LINE, "Direction": "Both"}
    elif rule_type == "CrossRegionDetection":
        config["Direction"] = "Both"
    elif rule_type in ("WanderDetection", "LeftDetection", "TakenAwayDetection"):
        config["MinDuration"] = 30
    if rule_type in _FACE_TYPES or rule.get("class") in ("FaceDetection", "FaceAnalysis"):
        config["FeatureEnable"] = bool(rule.get("feature_enable", False))
        if rule.get("features"):
            config["FeatureList"] = [str(f) for f in rule["features"]]
    if rule.get("class") == "FaceAnalysis":
        # Face comparison settings of WizMind units (S35); values are illustrative.
        config.update({"FaceAntifakeLevel": 0, "MinQuality": 50, "RecognizeDistance": 3})
    return config


def _rule(rule: dict[str, Any], index: int) -> dict[str, Any]:
    return {
        "Class": rule.get("class", "Normal"),
        "Config": _rule_config(rule),
        "Enable": bool(rule.get("enable", False)),
        "EventHandler": event_handler(snapshot=True),
        "Id": rule.get("id", index + 1),
        "Name": rule.get("name", f"IVS-{index + 1}"),
        "ObjectTypes": [str(t) for t in rule.get("object_types", [])],
        "PtzPresetId": 0,
        "TrackEnable": False,
        "Type": rule.get("type", ""),
    }


def _rules_by_channel(device: SimDevice) -> list[list[dict[str, Any]]]:
    channels: list[list[dict[str, Any]]] = [[] for _ in range(channel_count(device))]
    for rule in device.profile.dahua.get("rules") or []:
        channel = int(rule.get("channel", 0))
        if 0 <= channel < len(channels):
            channels[channel].append(rule)
    return channels


def video_analyse_rule(device: SimDevice) -> Any:
    if not has_ivs(device):
        return None
    return [[_rule(rule, i) for i, rule in enumerate(rules)] for rules in _rules_by_channel(device)]


def video_analyse_global(device: SimDevice) -> Any:
    """Per channel `Scene.Type`. Which scene a multi-algorithm WizMind channel reports is
    unverified; the class of the first enabled rule (else `Normal`) stands in."""
    if not has_ivs(device):
        return None
    scenes = []
    for rules in _rules_by_channel(device):
        enabled = [r for r in rules if r.get("enable")]
        scenes.append({"Scene": {"Type": str(enabled[0].get("class", "Normal")) if enabled else "Normal"}})
    return scenes


def motion_detect(device: SimDevice) -> Any:
    """`MotionDetect[ch]` with `DetectVersion=V3.0` and `Enable` (rroller/dahua capture);
    the window keys are unverified."""
    flags = list(device.profile.dahua.get("motion_detect") or [])
    flags += [False] * (channel_count(device) - len(flags))
    return [{
        "DetectVersion": "V3.0",
        "Enable": bool(flag),
        "EventHandler": event_handler(),
        "MotionDetectWindow": [{"Id": 0, "Name": "Region1", "Sensitive": 60, "Threshold": 5}],
    } for flag in flags[:channel_count(device)]]


def smart_motion_detect(device: SimDevice) -> Any:
    """`SmartMotionDetect[ch]` (rroller/dahua: Enable, ObjectTypes.Human/Vehicle,
    Sensitivity). The profile gives one setting for every channel or a list per channel."""
    setting = device.profile.dahua.get("smart_motion")
    if setting is None:
        return None
    per_channel = setting if isinstance(setting, list) else [setting] * channel_count(device)
    return [{
        "Enable": bool(s.get("enable", False)),
        "ObjectTypes": {"Human": bool(s.get("human", False)), "Vehicle": bool(s.get("vehicle", False))},
        "Sensitivity": s.get("sensitivity", "Middle"),
    } for s in per_channel]


def _channel_arg(device: SimDevice, request: SimRequest) -> int | None:
    """The 1-based `channel` of devVideoAnalyse calls, or None when absent or out of range."""
    try:
        channel = int(request.arg("channel", "1") or "1")
    except ValueError:
        return None
    return channel if 1 <= channel <= channel_count(device) else None


def dev_video_analyse(device: SimDevice, request: SimRequest) -> SimResponse:
    """devVideoAnalyse.cgi?action=getCaps&channel=N.

    Intelbras (Dahua OEM) units answer the documented getCaps with 400 Bad Request! while
    their rules work (S29); profiles say so with `caps: unsupported`. Only SupportedRules
    is taken from public material; the `caps.` prefix and MaxRules are unverified.
    getSceneList and getTemplateRule have no public capture, so they answer the error.
    """
    caps = device.profile.dahua.get("caps")
    if request.arg("action") != "getCaps" or not isinstance(caps, list):
        return kv.error()
    if _channel_arg(device, request) is None:
        return kv.error()
    return kv.text(kv.flatten("caps", {"MaxRules": max(10, len(caps)),
                                       "SupportedRules": [str(c) for c in caps]}))
