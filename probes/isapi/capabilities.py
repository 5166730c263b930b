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
from probes.isapi._caps import FLAGS, SYSTEM, claim_evidence, documents, read_flags, sections, unanswered
from probes.isapi._status import PROTOCOL, IsapiDoc, evidence_for, with_excerpt

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
        docs = documents(ctx)
        # With a document unanswered, a false flag may be beaten by a true one in it: report only true ones.
        partial = any(unanswered(doc) for _, doc in docs)
        for _, doc in docs:
            if not isinstance(doc, IsapiDoc):
                errors.append(doc)
                continue
            seen: set[tuple[str, bool]] = set()
            flags = read_flags(doc.root)
            for claim in flags:
                if (claim.name, claim.supported) in seen or (partial and not claim.supported):
                    continue
                seen.add((claim.name, claim.supported))
                out.append(FeatureObservation(PROTOCOL, claim.name, claim.supported, None, claim_evidence(doc, claim)))
            read |= sections(doc.root)
            first = first or doc
        if first is not None and read:
            names = "+".join(sorted(read))
            out.append(Coverage(PROTOCOL, SCOPE + names, with_excerpt(
                first.evidence, f"capability sections read: {', '.join(sorted(read))}")))
        lost, where = next(((d, p) for p, d in docs if unanswered(d)), (None, SYSTEM))
        if isinstance(lost, ProbeError) and out:
            # Every feature no read document claims stays unknown, even where a resource answers
            # notSupport on each channel: the unread document may hold the flag that beats it (issue 15).
            claimed = {o.name for o in out if isinstance(o, FeatureObservation) and o.supported}
            out += [FeatureObservation(PROTOCOL, name, None, None, evidence_for(lost, where))
                    for name in sorted(set(FLAGS.values()) - claimed)]
        if not out and errors:
            raise errors[0]
        return out


PROBE = Capabilities()
