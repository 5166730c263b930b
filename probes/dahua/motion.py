"""dahua.motion: plain motion detection and smart (human/vehicle) motion detection per channel.

`MotionDetect[ch].Enable` and `SmartMotionDetect[ch].{Enable, ObjectTypes.Human,
ObjectTypes.Vehicle}` [S26]. Smart motion only filters people or vehicles when it is on and
at least one of those object types is ticked. Firmware without smart motion answers the
Dahua `Error` for the config name: that is silence, not "off" (getCaps coverage, if any,
decides "not supported").
"""

from __future__ import annotations

from probes.base import FeatureObservation, Observation
from probes.context import ProbeContext
from probes.dahua._cgi import (
    ENDPOINT_REFUSALS,
    PROTOCOL,
    CgiAnswer,
    config_source,
    get_config,
    summary,
    unanswered,
    unread,
)
from probes.dahua._kv import Node, elements, flag, node
from probes.dahua._routes import ftp_snapshot_channels, sends_to
from probes.errors import NotSupported, ProbeError

_SMART_KEYS = ("Enable", "ObjectTypes.Human", "ObjectTypes.Vehicle", "Sensitivity")


class DahuaMotion:
    id = "dahua.motion"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        limit = ctx.settings.max_channels
        motion = _read(ctx, "MotionDetect")
        failed = [(name, r) for name, r in (("MotionDetect", motion),) if isinstance(r, ProbeError)]
        motion = None if isinstance(motion, ProbeError) else motion
        if motion is not None:
            for index, entry in elements(node(motion.doc.tree, ("table", "MotionDetect")))[:limit]:
                evidence = motion.evidence(f"MotionDetect[{index}]: " + summary(entry, ("Enable", "DetectVersion")))
                routes = sends_to(entry, index + 1, lambda: ftp_snapshot_channels(ctx))
                out.append(FeatureObservation(PROTOCOL, "MotionDetect", True, flag(entry, "Enable"), evidence,
                                              index + 1, routes))
        smart = _read(ctx, "SmartMotionDetect")
        if isinstance(smart, ProbeError):
            failed.append(("SmartMotionDetect", smart))
            smart = None
        if smart is not None:
            for index, entry in elements(node(smart.doc.tree, ("table", "SmartMotionDetect")))[:limit]:
                evidence = smart.evidence(f"SmartMotionDetect[{index}]: " + summary(entry, _SMART_KEYS))
                out.append(FeatureObservation(PROTOCOL, "SmartMotionDetect", True, smart_enabled(entry), evidence,
                                              index + 1))
        if motion is None and smart is None:
            if failed:
                raise failed[0][1]
            raise NotSupported("neither MotionDetect nor SmartMotionDetect could be read over Dahua CGI")
        return out + [unread(name, config_source(name), exc) for name, exc in failed]


def smart_enabled(entry: Node) -> bool | None:
    """On only when Enable is true and a Human or Vehicle object type is on."""
    enabled = flag(entry, "Enable")
    if enabled is not True:
        return enabled
    kinds = [flag(entry, f"ObjectTypes.{kind}") for kind in ("Human", "Vehicle")]
    if True in kinds:
        return True
    return False if kinds == [False, False] else None


def _read(ctx: ProbeContext, name: str) -> CgiAnswer | ProbeError | None:
    """The config, None when the device refused it, or the failure when it did not answer in time."""
    try:
        return get_config(ctx, name)
    except ENDPOINT_REFUSALS:
        return None
    except ProbeError as exc:
        if unanswered(exc):
            return exc
        raise


PROBE = DahuaMotion()
