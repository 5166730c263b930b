"""Walk per-channel analytics resources and report each as a FeatureObservation.

For every channel and every resource the capability documents do not deny, one GET:
- a document: supported, enabled per PROTOCOLS.md "Enabled semantics" (probes/isapi/_rules.py);
- notSupport: not supported on that channel;
- anything else (HTTP 500 while the capabilities claim the feature, deviceError, 403, a
  document with the wrong root element): the capability is kept (IPCs) and enabled is
  unknown, with the failure as evidence (quirk 6);
- an NVR channel whose camera is offline is not asked at all: supported and enabled unknown,
  with the reason in evidence (the NVR cannot read a configuration from a camera it cannot reach).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from probes.base import Evidence, FeatureObservation
from probes.context import ProbeContext
from probes.errors import UNANSWERED, AuthProblem, NotSupported, ProbeError, Unreachable
from probes.isapi._caps import claims
from probes.isapi._channels import Channel, ChannelMap, channel_map
from probes.isapi._rules import RuleState, parse_rule
from probes.isapi._status import PROTOCOL, evidence_for, get_doc, with_excerpt


@dataclass(frozen=True)
class Resource:
    name: str                      # ISAPI name reported (auditor/judge/taxonomy.py ISAPI table)
    path: str                      # with {ch}
    kind: str = "plain"            # probes/isapi/_rules.py KINDS
    nvr_path: str | None = None    # where an NVR keeps it for a proxied camera (quirk 18)
    switch: str = "enabled"
    roots: tuple[str, ...] | None = None    # root elements the document may have (default: see root_names)

    def root_names(self) -> tuple[str, ...]:
        """The expected roots: given, or the resource name with its first letter upper case
        (LineDetection, RegionEntrance, MotionDetection ... in every capture [S1])."""
        return self.roots or (self.name[:1].upper() + self.name[1:],)


@dataclass(frozen=True)
class Reading:
    """What one resource said on one channel."""

    resource: Resource
    channel: Channel
    observation: FeatureObservation
    state: RuleState | None        # None when no document was read


def _observe(ctx: ProbeContext, res: Resource, ch: Channel, cmap: ChannelMap,
             claimed: bool | None) -> Reading:
    path = (res.nvr_path if ch.proxied and res.nvr_path else res.path).format(ch=ch.id)
    if ch.online is False:
        evidence = Evidence(PROTOCOL, path, "not read",
                            f"NVR channel {ch.id}: the proxied camera is offline (InputProxy status), "
                            "so its configuration cannot be read")
        return Reading(res, ch, FeatureObservation(PROTOCOL, res.name, None, None, evidence, ch.id), None)
    try:
        doc = get_doc(ctx, path, roots=res.root_names())
    except (AuthProblem, Unreachable):
        raise
    except NotSupported as exc:
        obs = FeatureObservation(PROTOCOL, res.name, False, False, evidence_for(exc, path), ch.id)
        return Reading(res, ch, obs, None)
    except ProbeError as exc:
        # Keep what the capability documents claimed (an IPC's or a DVR's device caps describe its
        # own inputs; an NVR's do not describe the proxied camera, so such a channel stays unknown).
        # A read that got no answer (a timeout under load) keeps nothing: the channel may be one that
        # answers notSupport, so the device-wide claim would turn its "no" into "yes" (issue 15).
        answered = type(exc).__name__ not in UNANSWERED
        supported = claimed if (claimed and not ch.proxied and answered) else None
        obs = FeatureObservation(PROTOCOL, res.name, supported, None, evidence_for(exc, path), ch.id)
        return Reading(res, ch, obs, None)
    state = parse_rule(doc.root, res.kind, res.switch)
    obs = FeatureObservation(PROTOCOL, res.name, True, state.enabled, with_excerpt(doc.evidence, state.summary),
                             ch.id)
    return Reading(res, ch, obs, state)


def walk(ctx: ProbeContext, resources: Iterable[Resource]) -> list[Reading]:
    """Every resource the capabilities do not deny, on every channel (capped)."""
    claimed = claims(ctx)
    wanted = [r for r in resources if claimed.get(r.name) is not False]
    try:
        cmap = channel_map(ctx)
    except ProbeError as exc:
        if type(exc).__name__ not in UNANSWERED:
            raise
        # The channel list got no answer: every resource is unread, device-wide. Said as observations so
        # the judge keeps these features unknown, not "off" because another source (a thermal notSupport,
        # an ONVIF event list) said no (issue 15).
        where = Channel(0)
        return [Reading(res, where, FeatureObservation(PROTOCOL, res.name, None, None,
                                                       evidence_for(exc, res.path.format(ch="*"))), None)
                for res in wanted]
    return [_observe(ctx, res, ch, cmap, claimed.get(res.name)) for ch in cmap.channels for res in wanted]


def target_filter(readings: list[Reading], *, report_absent: bool) -> list[FeatureObservation]:
    """`detectionTarget` per channel: supported where a rule has the AcuSense human/vehicle
    filter, enabled where a rule that can fire filters by human or vehicle."""
    out: list[FeatureObservation] = []
    by_channel: dict[int, list[Reading]] = {}
    unread: set[int] = set()         # channels where a rule read got no answer in time
    for reading in readings:
        if reading.state is not None:
            by_channel.setdefault(reading.channel.id, []).append(reading)
        elif reading.observation.evidence.result in UNANSWERED:
            unread.add(reading.channel.id)
    for number, read in by_channel.items():
        if number in unread and not any(r.state and r.state.filters_people_or_vehicles for r in read):
            # A rule that timed out (or failed) may be the one that filters: neither "no filter"
            # nor "filter present, unused" follows from the rules that did answer.
            continue
        with_filter = [r for r in read if r.state and r.state.has_target]
        firing = [r for r in with_filter if r.state and r.state.filters_people_or_vehicles]
        if firing:
            names = ", ".join(f"{r.resource.name} ({','.join(sorted(r.state.targets))})" for r in firing if r.state)
            out.append(FeatureObservation(PROTOCOL, "detectionTarget", True, True,
                                          with_excerpt(firing[0].observation.evidence,
                                                       f"enabled rules filter by target: {names}"), number))
        elif with_filter:
            out.append(FeatureObservation(PROTOCOL, "detectionTarget", True, False,
                                          with_excerpt(with_filter[0].observation.evidence,
                                                       "human/vehicle filter present; no enabled rule uses it"),
                                          number))
        elif report_absent:
            out.append(FeatureObservation(PROTOCOL, "detectionTarget", False, False,
                                          with_excerpt(read[0].observation.evidence,
                                                       f"no rule read on channel {number} has a "
                                                       "detectionTarget/targetType filter"), number))
    return out
