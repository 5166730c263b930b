"""isapi.intelligent: DeepinView/AcuSense VCA resources and footfall analytics, per channel.

`/ISAPI/Intelligent/channels/<ch>/<resource>` for face comparison, crowd density, queues, hard
hats and human attributes [S2][S5]; people counting and heat map live under
`/ISAPI/System/Video/inputs/channels/<ch>/` [S2]. Face capture (`faceSnap`) has no public config
path: `/ISAPI/Intelligent/channels/<ch>/faceCapture` with a `FaceAttributeList` of
`FaceAttribute{type, enabled}` is the layout documented for the camaudit simulator (unverified
on firmware); each attribute is reported as `faceSnap.<type>`, on only while face capture is.
"""

from __future__ import annotations

from probes.base import FeatureObservation, Observation
from probes.context import ProbeContext
from probes.isapi._status import PROTOCOL, with_excerpt
from probes.isapi._walk import Reading, Resource, target_filter, walk

_VCA = "/ISAPI/Intelligent/channels/{ch}/"
_INPUT = "/ISAPI/System/Video/inputs/channels/{ch}/"

RESOURCES: tuple[Resource, ...] = (
    Resource("faceSnap", _VCA + "faceCapture", "faceCapture", roots=("FaceCapture",)),
    Resource("faceContrast", _VCA + "faceContrast"),
    Resource("PersonDensityDetection", _VCA + "PersonDensityDetection"),
    Resource("PersonQueueDetection", _VCA + "PersonQueueDetection"),
    Resource("safetyHelmetDetection", _VCA + "safetyHelmetDetection"),
    Resource("humanRecognition", _VCA + "humanRecognition"),
    Resource("counting", _INPUT + "counting"),
    Resource("heatMap", _INPUT + "heatMap"),
)


def face_attributes(readings: list[Reading]) -> list[FeatureObservation]:
    """`faceSnap.<attribute>`: supported where listed; enabled when switched on and capture is on."""
    out: list[FeatureObservation] = []
    for reading in readings:
        state = reading.state
        if reading.resource.name != "faceSnap" or state is None:
            continue
        for attribute, on in sorted(state.attributes.items()):
            enabled = state.enabled if on else False
            summary = f"FaceAttribute {attribute} enabled={str(on).lower()}; face capture {state.summary}"
            out.append(FeatureObservation(PROTOCOL, f"faceSnap.{attribute}", True, enabled,
                                          with_excerpt(reading.observation.evidence, summary),
                                          reading.channel.id))
    return out


class Intelligent:
    id = "isapi.intelligent"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        """Published on the context: isapi.triggers adds where these analytics' events go."""
        readings = walk(ctx, RESOURCES)
        return ctx.publish(self.id, [r.observation for r in readings] + face_attributes(readings)
                           + target_filter(readings, report_absent=False))


PROBE = Intelligent()
