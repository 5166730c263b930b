"""isapi.thermal: temperature screening (FaceThermometry), fire detection and thermometry, per channel.

`/ISAPI/Thermal/capabilities` says whether the firmware has thermal resources at all; the
per-channel resources are `/ISAPI/Thermal/channels/<ch>/fireDetection` (XML_FireDetection,
`enabled`) and `/ISAPI/Thermal/channels/<ch>/faceThermometry` (XML_FaceThermometry, switch
`faceThermometryEnabled`) from the Thermal SDK guide [S15][S2]. A camera (not a recorder) that
answers them is a thermal camera, reported as device_type "thermal".
"""

from __future__ import annotations

from probes.base import FeatureObservation, IdentitySignal, Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi._caps import claim_evidence, claims, read_flags
from probes.isapi._channels import channel_map
from probes.isapi._status import PROTOCOL, IsapiDoc, evidence_for, shared_doc, with_excerpt
from probes.isapi._walk import Resource, walk

THERMAL_CAPS = "/ISAPI/Thermal/capabilities"
RESOURCES: tuple[Resource, ...] = (
    Resource("FaceThermometry", "/ISAPI/Thermal/channels/{ch}/faceThermometry", switch="faceThermometryEnabled"),
    Resource("fireDetection", "/ISAPI/Thermal/channels/{ch}/fireDetection"),
)
# thermometry (temperature measurement, ThermalCap isSupportThermometry) has no per-channel
# resource in a public capture; its flag and its trigger (DS-2TD1228: thermometry-2) say it.
NAMES = (*(r.name for r in RESOURCES), "thermometry")


class Thermal:
    id = "isapi.thermal"
    protocol = PROTOCOL
    intrusive = False


    def _collect(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        claimed = claims(ctx)
        try:
            caps: IsapiDoc | ProbeError = shared_doc(ctx, THERMAL_CAPS)
        except AuthProblem:
            raise
        except ProbeError as exc:
            caps = exc
        if isinstance(caps, IsapiDoc):
            out += [FeatureObservation(PROTOCOL, c.name, c.supported, None, claim_evidence(caps, c))
                    for c in read_flags(caps.root) if c.name in NAMES]
        elif isinstance(caps, NotSupported) and not any(claimed.get(n) for n in NAMES):
            # No thermal resources and no capability flag claiming any: nothing to walk.
            evidence = evidence_for(caps, THERMAL_CAPS)
            return [FeatureObservation(PROTOCOL, name, False, False, evidence) for name in NAMES]
        readings = walk(ctx, RESOURCES)
        out += [r.observation for r in readings]
        answered = [r for r in readings if r.state is not None]
        if _camera(ctx) and (answered or isinstance(caps, IsapiDoc)):
            source = answered[0].observation.evidence if answered else caps.evidence  # type: ignore[union-attr]
            out.append(IdentitySignal("device_type", "thermal", PROTOCOL,
                                      with_excerpt(source, "the camera has thermal resources")))
        return out

    def run(self, ctx: ProbeContext) -> list[Observation]:
        """Published on the context: isapi.triggers adds where these analytics' events go."""
        return ctx.publish(self.id, self._collect(ctx))


def _camera(ctx: ProbeContext) -> bool:
    """Not a recorder; False when the channel list got no answer (recorder or camera is then unknown)."""
    try:
        return not channel_map(ctx).nvr
    except (AuthProblem, Unreachable):
        raise
    except ProbeError:
        return False


PROBE = Thermal()
