"""The executive summary's fleet statistics. Pure functions over the run's device audits.

Every percentage is of all devices recorded in the run (unreachable ones included), and every
"enabled" figure has an "unknown" figure beside it, so the two never hide each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from auditor.report.model import ClassRow, Count, DeviceEgress, FeatureStat, MakerRow, RemoteStat, Summary
from models.audit import DeviceAudit, FeatureVerdict
from models.features import BIOMETRIC_FEATURES, FEATURES, REMOTE_ACCESS, REMOTE_ACCESS_IDS, SEVERITIES, counts_as_remote

GROUP_LABELS = {
    "biometric": "Biometric (faces, temperature)",
    "behaviour": "Behaviour and appearance",
    "counting": "Counting and footfall",
    "perimeter": "Perimeter and regions",
    "object": "Objects left or taken",
    "other": "Other (audio, vehicles, motion)",
}
UNKNOWN_MAKER = "unknown"


def _verdict(audit: DeviceAudit, fid: str) -> FeatureVerdict:
    return audit.features.get(fid) or FeatureVerdict()


def any_state(values: Sequence[bool | None]) -> bool | None:
    """True if any is True; else None if any is unknown; else False."""
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _makers(audits: Sequence[DeviceAudit]) -> list[MakerRow]:
    total = len(audits)
    by_maker: dict[str, list[DeviceAudit]] = defaultdict(list)
    for a in audits:
        by_maker[a.manufacturer or UNKNOWN_MAKER].append(a)
    rows = [MakerRow(maker, Count(len(group), total), sum(1 for a in group if a.oem is True),
                     sorted({a.brand for a in group if a.oem is True and a.brand}))
            for maker, group in by_maker.items()]
    return sorted(rows, key=lambda r: (r.manufacturer == UNKNOWN_MAKER, -r.devices.count, r.manufacturer))


def _classes(audits: Sequence[DeviceAudit]) -> list[ClassRow]:
    total = len(audits)
    groups: dict[str, list[str]] = {}
    for f in FEATURES:
        groups.setdefault(f.group, []).append(f.id)
    rows = []
    for group, fids in groups.items():
        supported = [any_state([_verdict(a, f).supported for f in fids]) for a in audits]
        enabled = [any_state([_verdict(a, f).enabled for f in fids]) for a in audits]
        rows.append(ClassRow(group, GROUP_LABELS.get(group, group), fids,
                             Count(supported.count(True), total), Count(supported.count(None), total),
                             Count(enabled.count(True), total), Count(enabled.count(None), total)))
    return rows


def _features(audits: Sequence[DeviceAudit]) -> list[FeatureStat]:
    total = len(audits)
    return [FeatureStat(f.id, f.label, f.biometric,
                        Count(sum(_verdict(a, f.id).supported is True for a in audits), total),
                        Count(sum(_verdict(a, f.id).enabled is True for a in audits), total),
                        Count(sum(_verdict(a, f.id).enabled is None for a in audits), total))
            for f in FEATURES]


def _remote_state(audit: DeviceAudit, rid: str) -> bool | None:
    verdict = audit.remote_access.get(rid)
    return None if verdict is None else verdict.enabled


def fleet_summary(audits: Sequence[DeviceAudit], egress: Mapping[int, DeviceEgress] | None,
                  device_ids: Sequence[int]) -> Summary:
    """The summary of one run; `egress` is None when the database holds no egress analysis."""
    total = len(audits)
    biometric = [any_state([_verdict(a, f).enabled for f in sorted(BIOMETRIC_FEATURES)]) for a in audits]
    remote = [any_state([_remote_state(a, r) for r in REMOTE_ACCESS_IDS if counts_as_remote(r)]) for a in audits]
    severities = Counter(f.severity for a in audits for f in a.findings)
    egress_unknown = None
    if egress is not None:
        unknown = sum(1 for did in device_ids
                      if did in egress and any(d.label == "unknown" for d in egress[did].destinations))
        egress_unknown = Count(unknown, total)
    return Summary(
        devices=total,
        reachable=Count(sum(a.reachable for a in audits), total),
        logged_in=Count(sum(a.reachable and a.auth in ("ok", "not-required") for a in audits), total),
        makers=_makers(audits),
        rebadged=Count(sum(a.oem is True for a in audits), total),
        classes=_classes(audits),
        features=_features(audits),
        biometric_active=Count(biometric.count(True), total),
        biometric_unknown=Count(biometric.count(None), total),
        remote_enabled=Count(remote.count(True), total),
        remote_unknown=Count(remote.count(None), total),
        remote=[RemoteStat(rid, REMOTE_ACCESS[rid], Count(sum(_remote_state(a, rid) is True for a in audits), total),
                           Count(sum(_remote_state(a, rid) is None for a in audits), total))
                for rid in REMOTE_ACCESS_IDS],
        findings_by_severity={s: severities.get(s, 0) for s in SEVERITIES},
        devices_with_critical=Count(sum(any(f.severity == "critical" for f in a.findings) for a in audits), total),
        egress_unknown=egress_unknown,
        egress_analysed=0 if egress is None else sum(1 for did in device_ids if did in egress),
    )
