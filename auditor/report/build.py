"""Build a `Report` for one audit run from the store. Reads only; never probes."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence

from auditor import __version__
from auditor.report.appendix import build_appendix
from auditor.report.load import LoadedRun, load_run, pick_run, previous_run
from auditor.report.model import (
    ChannelRow,
    DeviceEgress,
    DeviceSection,
    FeatureCell,
    NotAudited,
    ProbeTally,
    RemoteRow,
    Report,
    ScopeSection,
    SiteLine,
)
from auditor.report.stats import fleet_summary
from models.audit import DeviceAudit, FeatureVerdict, Finding
from models.db import Store
from models.drift import Drift, device_label
from models.features import FEATURES, severity_rank
from models.last_read import compare_with_last_known, get_last_read_audit, last_known_feature, last_known_remote
from models.read_status import PARTLY_READ, READ, read_status, was_read
from models.store import list_sites
from models.views import NO, ON, SUPPORTED, channel_states, feature_matrix, remote_access_rows

TITLE = "CCTV capability audit: evidence for the DPIA"
FAILED_OUTCOMES = ("auth-failed", "locked", "error")


def device_status(audit: DeviceAudit) -> str:
    """How far camaudit got with a device (models.read_status, shared with the CLI, TUI and CSV)."""
    return read_status(audit)


def _failed_probes(audit: DeviceAudit) -> list[str]:
    return [f"{p.probe}: {p.outcome}{f' ({p.reason})' if p.reason else ''}"
            for p in audit.probes if p.outcome in FAILED_OUTCOMES]


def _reasons(audit: DeviceAudit) -> list[str]:
    lines = [] if audit.reachable else [f"no answer from {audit.address}:{audit.port}"]
    for line in [*audit.errors, *_failed_probes(audit)]:
        if line not in lines:
            lines.append(line)
    return lines


def _scope(loaded: LoadedRun, previous_id: int | None, generated: dt.datetime) -> ScopeSection:
    run = loaded.run
    audits = [a for _, a in loaded.devices]
    not_audited, partial = [], []
    for did, audit in loaded.devices:
        status = device_status(audit)
        entry = NotAudited(did, audit.address, audit.port, device_label(audit), status, _reasons(audit))
        if not was_read(status):
            not_audited.append(entry)
        elif status == PARTLY_READ:   # errors alone can be notes (an unknown Server header), not failures
            partial.append(entry)
    tallies: dict[str, Counter[str]] = defaultdict(Counter)
    for audit in audits:
        for record in audit.probes:
            tallies[record.probe][record.outcome] += 1
    protocols = Counter(p for a in audits for p in a.protocols)
    planned = run.options.get("target_count")
    return ScopeSection(
        run_id=run.id, started=run.started, finished=run.finished, complete=run.complete,
        targets=list(run.targets), camaudit_version=run.camaudit_version, report_version=__version__,
        generated=generated, options=dict(run.options),
        targets_planned=planned if isinstance(planned, int) else None,
        devices=len(audits), reachable=sum(a.reachable for a in audits),
        fully_read=len(audits) - len(not_audited) - len(partial),
        not_audited=not_audited, partial=partial,
        probes=[ProbeTally(probe, dict(sorted(c.items()))) for probe, c in sorted(tallies.items())],
        protocols=dict(sorted(protocols.items())), previous_run_id=previous_id,
        advisory_data=_advisory_date(),
    )


def _advisory_date() -> str | None:
    """The date of the advisory data in force now (findings were matched against the data of audit time)."""
    from auditor.judge.advisories.findings import current

    updated = current().updated
    return updated.isoformat() if updated else None


def _channel(number: int, verdicts: dict[str, FeatureVerdict]) -> ChannelRow:
    row = ChannelRow(number, not_reported=sum(1 for f in FEATURES if f.id not in verdicts))
    for info, state in channel_states(verdicts):
        if state == ON:
            row.enabled.append(info.label)
        elif state == NO:
            row.not_supported += 1
        elif state == SUPPORTED:
            row.supported_off.append(info.label)
        else:
            row.unknown.append(info.label)
    return row


def _findings(audit: DeviceAudit, egress: DeviceEgress | None) -> list[Finding]:
    """The audit's findings and the egress analysis's, most severe first."""
    found = list(audit.findings) + (list(egress.findings) if egress else [])
    return sorted(found, key=lambda f: severity_rank(f.severity))


def _section(n: int, device_id: int, audit: DeviceAudit, loaded: LoadedRun, drift: Drift | None,
             store: Store) -> DeviceSection:
    status = read_status(audit)
    read = was_read(status)
    last = None if status == READ else get_last_read_audit(store, device_id=device_id, before_run=loaded.run.id)
    features = [FeatureCell(r.info.id, r.info.label, r.info.group, r.info.biometric, r.verdict.supported,
                            r.verdict.enabled, list(r.verdict.evidence),
                            last_known_feature(audit, last, read, r.info.id),
                            last_known_feature(audit, last, read, r.info.id, "supported"))
                for r in feature_matrix(audit)]
    remote = [RemoteRow(r.kind, r.label, r.enabled, r.destination, list(r.evidence), r.supported,
                        last_known_remote(audit, last, read, r.kind),
                        last_known_remote(audit, last, read, r.kind, "supported")) for r in remote_access_rows(audit)]
    egress = loaded.egress.get(device_id) if loaded.egress_status.available else None
    return DeviceSection(
        device_id=device_id, anchor=f"device-{n}", label=device_label(audit), status=status,
        audit=audit, features=features,
        channels=[_channel(ch, v) for ch, v in sorted(audit.channels.items())],
        remote=remote, findings=_findings(audit, egress), egress=egress,
        changes=[c.text for c in drift.changes if c.device_id == device_id] if drift else [],
        last_read=last.when if last else None,
    )


def site_lines(store: Store) -> list[SiteLine]:
    """Each site's latest complete run (else its latest), when the store holds more than one site."""
    sites = list_sites(store)
    if len(sites) < 2:
        return []
    lines = []
    for site in sites:
        run = pick_run(store, None, site)
        lines.append(SiteLine(site=site, run_id=run.id, started=run.started, state=run.state, devices=run.device_count,
                              reachable=run.reachable_count, findings=run.finding_count))
    return lines


def build_report(store: Store, *, run_id: int | None = None, generated: dt.datetime | None = None,
                 site: str | None = None) -> Report:
    """The report of run `run_id` (default: the latest of `site`, or of any site), with changes since the
    site's run before it, and a line per site when the store holds several.

    Raises:
        UsageError: no such run (in that site), or no runs at all.
    """
    run = pick_run(store, run_id, site)
    loaded = load_run(store, run)
    before = previous_run(store, run)
    drift = None
    if before:
        drift = compare_with_last_known(store, load_run(store, before).state(), loaded.state())
    ids: Sequence[int] = [did for did, _ in loaded.devices]
    audits = [a for _, a in loaded.devices]
    return Report(
        title=TITLE,
        scope=_scope(loaded, before.id if before else None, generated or dt.datetime.now(dt.UTC)),
        summary=fleet_summary(audits, loaded.egress if loaded.egress_status.available else None, ids),
        devices=[_section(n, did, a, loaded, drift, store) for n, (did, a) in enumerate(loaded.devices, start=1)],
        egress=loaded.egress_status,
        drift=drift,
        appendix=build_appendix(),
        site=run.site,
        sites=site_lines(store),
    )

