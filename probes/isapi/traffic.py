"""isapi.traffic: number-plate recognition (ANPR) on Hikvision traffic firmware, per channel.

Number-plate cameras answer `/ISAPI/ITC/capability` with `ITCCap{isSupportVehicleDetection,
isSupportlicencePlateAuditData, ...}` and keep the rule at
`/ISAPI/Traffic/channels/<ch>/vehicleDetect` (`VehicleDetectCfg{enabled}`, sent without a
namespace); the trigger is `vehicledetection-<ch>` (DS-2CD4A26FWD-IZS-P V5.4.7 in
hikvision_next's fixtures) [S1]. Firmware without ITC answers notSupport there, which says
"no number-plate recognition" without walking every channel.
"""

from __future__ import annotations

from probes.base import FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, NotSupported, ProbeError
from probes.isapi._caps import ITC
from probes.isapi._status import PROTOCOL, evidence_for, shared_doc
from probes.isapi._walk import Resource, walk

NAME = "vehicleDetection"
RESOURCES = (Resource(NAME, "/ISAPI/Traffic/channels/{ch}/vehicleDetect", roots=("VehicleDetectCfg",)),)


class Traffic:
    id = "isapi.traffic"
    protocol = PROTOCOL
    intrusive = False


    def _collect(self, ctx: ProbeContext) -> list[FeatureObservation]:
        try:
            shared_doc(ctx, ITC)
        except AuthProblem:
            raise
        except NotSupported as exc:
            return [FeatureObservation(PROTOCOL, NAME, False, False, evidence_for(exc, ITC))]
        except ProbeError:
            pass            # unreadable capability: the per-channel resource may still answer
        return [r.observation for r in walk(ctx, RESOURCES)]

    def run(self, ctx: ProbeContext) -> list[Observation]:
        """Published on the context: isapi.triggers adds where these analytics' events go."""
        return ctx.publish(self.id, list(self._collect(ctx)))


PROBE = Traffic()
