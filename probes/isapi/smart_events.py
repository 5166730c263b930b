"""isapi.smart-events: motion, tamper and the /ISAPI/Smart rules, per channel.

Paths and roots are those of PROTOCOLS.md a (analytics table) [S1][S2][S5][S10]; the NVR keeps
motion and tamper of a proxied camera under ContentMgmt/InputProxy (quirk 18). `group`
(people gathering) has no verified path: `/ISAPI/Smart/group/<ch>` follows the pattern of the
other Smart rules (unverified). AcuSense human/vehicle filtering is reported as
`detectionTarget` per channel, from the rules read here.
"""

from __future__ import annotations

from probes.base import Observation
from probes.context import ProbeContext
from probes.isapi._status import PROTOCOL
from probes.isapi._walk import Resource, target_filter, walk

_INPUT = "/ISAPI/System/Video/inputs/channels/{ch}/"
_PROXY = "/ISAPI/ContentMgmt/InputProxy/channels/{ch}/video/"

RESOURCES: tuple[Resource, ...] = (
    Resource("motionDetection", _INPUT + "motionDetection", "motion", _PROXY + "motionDetection"),
    Resource("tamperDetection", _INPUT + "tamperDetection", "plain", _PROXY + "tamperDetection"),
    Resource("FaceDetect", "/ISAPI/Smart/FaceDetect/{ch}"),
    Resource("LineDetection", "/ISAPI/Smart/LineDetection/{ch}", "line"),
    Resource("FieldDetection", "/ISAPI/Smart/FieldDetection/{ch}", "region"),
    Resource("regionEntrance", "/ISAPI/Smart/regionEntrance/{ch}", "region"),
    Resource("regionExiting", "/ISAPI/Smart/regionExiting/{ch}", "region"),
    Resource("loitering", "/ISAPI/Smart/loitering/{ch}", "region"),
    Resource("group", "/ISAPI/Smart/group/{ch}", "region"),
    Resource("unattendedBaggage", "/ISAPI/Smart/unattendedBaggage/{ch}", "region"),
    Resource("attendedBaggage", "/ISAPI/Smart/attendedBaggage/{ch}", "region"),
    Resource("AudioDetection", "/ISAPI/Smart/AudioDetection/channels/{ch}"),
    # SceneChangeDetection{id, enabled, sensitivityLevel}: DS-2CD4A26FWD, DS-7608NXI-I2 [S1]
    Resource("SceneChangeDetection", "/ISAPI/Smart/SceneChangeDetection/{ch}"),
)


class SmartEvents:
    id = "isapi.smart-events"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        """Published on the context: isapi.triggers adds where these analytics' events go."""
        readings = walk(ctx, RESOURCES)
        return ctx.publish(self.id, [r.observation for r in readings] + target_filter(readings, report_absent=True))


PROBE = SmartEvents()
