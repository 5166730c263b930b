"""isapi.capabilities: what the System, Smart and Intelligent capability documents claim.

Each known flag (probes/isapi/_caps.py FLAGS) becomes a FeatureObservation with `supported`
only: capability flags never say whether a feature is switched on (quirk 6). A Coverage names
the capability sections that were read (EventCap, SmartCap, ThermalCap, ITCCap, ...): a
feature is "not supported" by silence only when every section known to carry its flag was
read (auditor/judge/taxonomy.py ISAPI_FLAG_SECTIONS); otherwise silence stays unknown. A document
whose root is not the expected one is unreadable, never a capability. Other probes read the
same, memoised documents.
"""

from __future__ import annotations

from probes.base import Coverage, FeatureObservation, Observation
from probes.context import ProbeContext
from probes.errors import ProbeError
from probes.isapi._caps import claim_evidence, documents, read_flags, sections
from probes.isapi._status import PROTOCOL, IsapiDoc, with_excerpt

SCOPE = "isapi-capabilities:"      # + the sections read, "+"-joined (auditor/judge/taxonomy.py covered)


class Capabilities:
    id = "isapi.capabilities"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        errors: list[ProbeError] = []
        read: set[str] = set()
        first: IsapiDoc | None = None
        for _, doc in documents(ctx):
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
            read |= sections(doc.root)
            first = first or doc
        if first is not None and read:
            names = "+".join(sorted(read))
            out.append(Coverage(PROTOCOL, SCOPE + names, with_excerpt(
                first.evidence, f"capability sections read: {', '.join(sorted(read))}")))
        if not out and errors:
            raise errors[0]
        return out


PROBE = Capabilities()
