"""isapi.capabilities: what the System, Smart and Intelligent capability documents claim.

Each known flag (probes/isapi/_caps.py FLAGS) becomes a FeatureObservation with `supported`
only: capability flags never say whether a feature is switched on (quirk 6). When the device
capability document was read, a Coverage says so: a feature none of the documents lists is
then "not supported" rather than unknown (auditor/classify.py). Other probes read the same,
memoised documents.
"""

from __future__ import annotations

from probes.base import Coverage, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import ProbeError
from probes.isapi._caps import SYSTEM, claim_evidence, documents, read_flags
from probes.isapi._status import PROTOCOL, IsapiDoc, with_excerpt

SCOPE = "isapi-capabilities"


class Capabilities:
    id = "isapi.capabilities"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        errors: list[ProbeError] = []
        for path, doc in documents(ctx):
            if not isinstance(doc, IsapiDoc):
                errors.append(doc)
                continue
            seen: set[tuple[str, bool]] = set()
            flags = read_flags(doc.root)
            for claim in flags:
                if (claim.name, claim.supported) in seen:
                    continue
                seen.add((claim.name, claim.supported))
                out.append(FeatureObservation(PROTOCOL, claim.name, claim.supported, None, claim_evidence(doc, claim)))
            if path == SYSTEM:
                out.append(Coverage(PROTOCOL, SCOPE, with_excerpt(
                    doc.evidence, f"device capability document read: {len(flags)} analytics flags")))
        if not out and errors:
            raise errors[0]
        return out


PROBE = Capabilities()
