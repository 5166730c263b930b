"""Observations -> feature and remote-access verdicts. Pure functions.

Rules, in order of strength:
1. A device statement wins over silence: any observation saying supported/enabled = True
   makes it True; otherwise one saying False makes it False.
2. Not supported implies not enabled.
3. Silence is unknown (None) unless the device answered a complete listing that covers the
   feature (auditor/judge/taxonomy.py COVERAGE): then it is "not supported", with that listing as
   evidence.
4. Vendor names missing from the taxonomy are kept as notes, never mapped by guesswork.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from auditor.judge.taxonomy import covered, features_for
from models.audit import DataFlow, FeatureVerdict, RemoteAccessVerdict, empty_features, empty_remote_access
from models.drift import UNANSWERED_NOTE
from models.features import FEATURE_IDS
from probes.base import Coverage, DataFlowObservation, FeatureObservation, Observation, RemoteAccessObservation
from probes.errors import UNANSWERED

ROLLUP = None     # channel key for device-level statements


def _merge(current: bool | None, new: bool | None) -> bool | None:
    if current is True or new is True:
        return True
    if current is False or new is False:
        return False
    return None


def _apply(verdict: FeatureVerdict, obs: FeatureObservation) -> None:
    verdict.supported = _merge(verdict.supported, obs.supported)
    verdict.enabled = _merge(verdict.enabled, obs.enabled)
    line = str(obs.evidence)
    if line not in verdict.evidence:
        verdict.evidence.append(line)


def _finish(verdicts: dict[str, FeatureVerdict], coverage: list[Coverage]) -> None:
    in_scope: dict[str, Coverage] = {}
    for cov in coverage:
        for fid in covered(cov.scope):
            in_scope.setdefault(fid, cov)
    for fid, verdict in verdicts.items():
        if verdict.enabled is True:
            verdict.supported = True          # it runs, so it is supported whatever a flag said
        if verdict.supported is None and fid in in_scope:
            verdict.supported = False
            verdict.evidence.append(f"not listed in {in_scope[fid].evidence}")
        if verdict.supported is False:
            verdict.enabled = False
        if verdict.supported is True and verdict.enabled is None and not verdict.evidence:
            verdict.evidence.append("supported, but the device did not say whether it is on")


def _unanswered(obs: FeatureObservation) -> bool:
    """A read that got no answer in time: under load, such a read must never become "off"."""
    return obs.enabled is None and obs.supported is not False and obs.evidence.result in UNANSWERED


def _keep_unknown(verdict: FeatureVerdict | None, where: str) -> None:
    """"Off" needs every read of the feature answered: one that timed out leaves it unknown, and says so.
    So does "not supported" when it came from another source of the same feature (the taxonomy maps both
    tamperDetection and SceneChangeDetection to tamper detection): the unread one may be the one the
    device has (issue 15)."""
    if verdict is None:
        return
    if verdict.supported is False:
        verdict.supported = None
    if verdict.enabled is False:
        verdict.enabled = None
    note = f"{where} {UNANSWERED_NOTE}"
    if verdict.enabled is None and note not in verdict.evidence:
        verdict.evidence.append(note)


def classify_features(observations: Iterable[Observation]) -> tuple[
        dict[str, FeatureVerdict], dict[int, dict[str, FeatureVerdict]], list[str]]:
    """Device roll-up verdicts, per-channel verdicts (NVRs, multi-channel cameras), and notes."""
    device = empty_features()
    channels: dict[int, dict[str, FeatureVerdict]] = defaultdict(dict)
    device_cov: list[Coverage] = []
    channel_cov: dict[int, list[Coverage]] = defaultdict(list)
    notes: list[str] = []
    unanswered: dict[str, set[int | None]] = defaultdict(set)     # feature -> scopes with a read that timed out
    for obs in observations:
        if isinstance(obs, Coverage):
            if obs.channel is None:
                device_cov.append(obs)
            else:
                channel_cov[obs.channel].append(obs)
            continue
        if not isinstance(obs, FeatureObservation):
            continue
        ids = features_for(obs.protocol, obs.name)
        if ids is None:
            notes.append(f"{obs.protocol} reported '{obs.name}', which camaudit does not map to a feature yet")
            continue
        for fid in ids:
            if _unanswered(obs):
                unanswered[fid].add(obs.channel)
            _apply(device[fid], obs)
            if obs.channel is not None:
                _apply(channels[obs.channel].setdefault(fid, FeatureVerdict()), obs)
    _finish(device, device_cov)
    for number, verdicts in channels.items():
        if channel_cov.get(number):
            for fid in FEATURE_IDS:
                verdicts.setdefault(fid, FeatureVerdict())
        _finish(verdicts, channel_cov.get(number, []))
    for fid, scopes in unanswered.items():
        for channel in sorted(scopes, key=lambda c: -1 if c is None else c):
            _keep_unknown(device[fid], "the device" if channel is None else f"channel {channel}")
            if channel is not None:
                _keep_unknown(channels.get(channel, {}).get(fid), f"channel {channel}")
    per_channel = dict(sorted(channels.items())) if len(channels) > 1 else {}
    return device, per_channel, notes


def classify_remote_access(observations: Iterable[Observation]) -> dict[str, RemoteAccessVerdict]:
    """Remote-access verdicts; the first destination a device states is kept, all evidence listed."""
    verdicts = empty_remote_access()
    for obs in observations:
        if not isinstance(obs, RemoteAccessObservation) or obs.setting not in verdicts:
            continue
        verdict = verdicts[obs.setting]
        verdict.supported = _merge(verdict.supported, obs.supported)
        verdict.enabled = _merge(verdict.enabled, obs.enabled)
        if verdict.destination is None and obs.destination:
            verdict.destination = obs.destination
        line = str(obs.evidence)
        if line not in verdict.evidence:
            verdict.evidence.append(line)
    for verdict in verdicts.values():
        # A configuration that says on or off proves the firmware has the service.
        if verdict.enabled is not None and verdict.supported is None:
            verdict.supported = True
        if verdict.supported is False and verdict.enabled is None:
            verdict.enabled = False
    return verdicts


def classify_data_flows(observations: Iterable[Observation]) -> list[DataFlow]:
    """One DataFlow per (kind, destination, channel, detail), evidence merged, in the order first seen."""
    flows: dict[tuple[str, str | None, int | None, str], DataFlow] = {}
    for obs in observations:
        if not isinstance(obs, DataFlowObservation):
            continue
        key = (obs.kind, obs.destination, obs.channel, obs.detail)
        flow = flows.setdefault(key, DataFlow(kind=obs.kind, destination=obs.destination, channel=obs.channel,
                                              detail=obs.detail))
        flow.enabled = _merge(flow.enabled, obs.enabled)
        line = str(obs.evidence)
        if line not in flow.evidence:
            flow.evidence.append(line)
    return list(flows.values())
