"""Audit one device: fingerprint, run every probe of the protocols it speaks, classify.

Nothing here raises for a device problem: every failure becomes a ProbeRecord and an error
line on that device, and whatever was read before it is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.judge.classify import classify_data_flows, classify_features, classify_remote_access
from auditor.judge.findings import derive_findings
from auditor.judge.identity import resolve_identity
from auditor.run.protocol_gate import open_families, reopen_families, settle
from models.audit import DeviceAudit, ProbeRecord, ProtocolStatus, RemoteAccessVerdict
from probes import oui
from probes.base import (
    FeatureObservation,
    Fingerprint,
    IdentitySignal,
    Observation,
    ServiceObservation,
    Target,
)
from probes.context import ProbeContext, ProbeSettings
from probes.discovery.addresses import address_problem
from probes.errors import UNANSWERED, AccountLocked, AuthProblem, ProbeError
from probes.login import Credentials, LoginState
from probes.registry import DEVICE, RUN_ORDER, probes_for

log = logging.getLogger(__name__)

@dataclass
class DeviceResult:
    audit: DeviceAudit
    observations: list[Observation] = field(default_factory=list)


@dataclass
class _Log:
    """What happened on the way through one device, kept until its DeviceAudit is built at the end."""

    errors: list[str] = field(default_factory=list)
    probes: list[ProbeRecord] = field(default_factory=list)

    def note(self, line: str) -> None:
        """An error line, once."""
        if line not in self.errors:
            self.errors.append(line)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fingerprint(ctx: ProbeContext, log_: _Log) -> Fingerprint:
    from probes.fingerprint import fingerprint

    started = time.monotonic()
    try:
        fp = fingerprint(ctx.target, ctx.http)
        outcome, reason = "ok", ""
    except ProbeError as exc:
        fp, outcome, reason = Fingerprint(notes=[exc.reason]), exc.outcome, exc.reason
    log_.probes.append(ProbeRecord("fingerprint", outcome, reason, int((time.monotonic() - started) * 1000)))
    log_.errors.extend(fp.notes)
    return fp


def _answered(fp: Fingerprint) -> bool:
    """A camera maker's signals answered, even if only with challenges no family could be proven from
    (firmware that challenges every path): the device is there and worth a confirmed login."""
    return any(g.pointers for g in fp.families.values())


def _run_probes(ctx: ProbeContext, log_: _Log, protocols: set[str],
                include_intrusive: bool, checks: tuple[str, ...] = ()) -> list[Observation]:
    observations: list[Observation] = []
    for family in RUN_ORDER:
        if family not in protocols:
            continue
        for probe in probes_for(family, include_intrusive=include_intrusive, checks=checks):
            if ctx.login.locked:
                log_.probes.append(ProbeRecord(probe.id, "skipped", "account locked"))
                continue
            started = time.monotonic()
            met = len(ctx.problems)
            try:
                found = probe.run(ctx)
                observations.extend(found)
                record = ProbeRecord(probe.id, "ok", f"{len(found)} observations")
                # A probe that kept going past a read nobody answered (a timeout under load) read part of
                # what it covers: "error", so the device is "partly read" and what that read would have
                # said is not taken as gone (a finding "resolved", a data flow "off") (issue 15).
                unread = [p.reason for p in ctx.problems[met:] if type(p).__name__ in UNANSWERED]
                unread += [f"{o.evidence.source}: no answer ({o.evidence.result})" for o in found
                           if getattr(getattr(o, "evidence", None), "result", "") in UNANSWERED]
                if unread:
                    record = ProbeRecord(probe.id, "error", f"{len(found)} observations; {unread[0]}")
            except AuthProblem as exc:
                record = ProbeRecord(probe.id, exc.outcome, exc.reason)
                if not isinstance(exc, AccountLocked):
                    log_.note(exc.reason)
            except ProbeError as exc:
                record = ProbeRecord(probe.id, exc.outcome, exc.reason)
                if exc.outcome != "unsupported":
                    log_.errors.append(f"{probe.id}: {exc.reason}")
            except Exception as exc:  # noqa: BLE001 - a probe bug must not end the run
                log.exception("probe %s crashed on %s", probe.id, ctx.target.address)
                record = ProbeRecord(probe.id, "error", f"internal error ({type(exc).__name__})")
                log_.errors.append(f"{probe.id}: camaudit failed on this device's answer "
                                   f"({type(exc).__name__}); other probes continued")
            record.duration_ms = int((time.monotonic() - started) * 1000)
            log_.probes.append(record)
    return observations


def absent_by_construction(setting: str, maker: str) -> bool:
    """Remote-access services that cannot exist on this maker's firmware: "no", not "unknown"."""
    if setting in ("hik_connect", "isup"):
        return maker != "Hikvision"
    if setting == "dahua_p2p":
        return maker != "Dahua"
    if setting == "auto_register":
        # Hikvision's equivalent is ISUP; other makers (Axis O3C, ...) may have their own.
        return maker == "Hikvision"
    return False


# The API family whose firmware carries a maker's own remote-access service: a device answering it runs
# that firmware whatever its brand (an Amcrest on Dahua firmware has T2UServer), so a read of the service
# that failed (a timeout) leaves it unknown there, never "not applicable" (issue 15).
_SERVICE_FAMILY = {"hik_connect": "isapi", "isup": "isapi", "dahua_p2p": "dahua_cgi"}


def _not_applicable(remote: dict[str, RemoteAccessVerdict], maker: str | None,
                    protocols: set[str] | frozenset[str] = frozenset()) -> dict[str, RemoteAccessVerdict]:
    """`remote` with the settings this maker's firmware cannot have turned from unknown to no."""
    if maker is None:
        return remote
    for setting, verdict in remote.items():
        if _SERVICE_FAMILY.get(setting) in protocols:
            continue
        if verdict.enabled is None and absent_by_construction(setting, maker):
            verdict.supported = verdict.enabled = False
            verdict.evidence.append(f"not applicable: not a service of {maker} firmware")
    return remote


DISCOVERY_PROTOCOLS = ("ws_discovery", "sadp", "dhip")


def answered_without_login(target: Target, fp: Fingerprint, login: LoginState) -> list[str]:
    """Which protocols told us something with no credentials at all.

    Discovery answers by design (SADP even says whether Hik-Connect is on); ONVIF answers
    GetSystemDateAndTime by design; a device with no login answers every API it has.
    """
    answered = [p for p in DISCOVERY_PROTOCOLS if p in target.found_by]
    if fp.clock_offset is not None:
        answered.append("onvif:GetSystemDateAndTime")
    if login.no_auth:
        answered += sorted(fp.protocols & {"isapi", "dahua_cgi", "onvif"})
    return answered


def audit_device(target: Target, credentials: list[Credentials], settings: ProbeSettings, *,
                 include_intrusive: bool = False, intrusive_checks: tuple[str, ...] = ()) -> DeviceResult:
    started = _now()
    log_ = _Log(errors=list(target.discovery_errors))
    if (unusable := address_problem(target.address)) is not None:
        # An address this machine cannot send to (an IPv6 zone naming no interface here): say so
        # once, instead of three "connection closed" errors from probes that could never run.
        log_.note(unusable)
        return DeviceResult(DeviceAudit(address=target.address, port=target.port, errors=log_.errors,
                                        started=started, finished=_now()), [])
    ctx = ProbeContext(target, LoginState(list(credentials)), settings)
    status: dict[str, ProtocolStatus] = {}
    try:
        fp = ctx.fingerprint = _fingerprint(ctx, log_)
        reachable = bool(fp.protocols) or bool(target.open_ports) or _answered(fp)
        observations = list(target.facts)
        if reachable:
            families, status = open_families(ctx, fp)
            observations += _run_probes(ctx, log_, families | {DEVICE}, include_intrusive, intrusive_checks)
            late = reopen_families(ctx, fp, status, observations)
            if late:
                observations += _run_probes(ctx, log_, late, include_intrusive, intrusive_checks)
            for st in status.values():       # a failed confirming login, say
                if st.state == "failed":
                    log_.note(st.reason)
            fp.protocols |= settle(status, log_.probes)
        protocols = set(fp.protocols) | (set(target.found_by) - {"given", "tcp-sweep"})
    finally:
        ctx.close()
    for problem in ctx.problems:
        if not any(problem.reason in e for e in log_.errors):
            log_.errors.append(problem.reason)
    features, channels, notes = classify_features(observations)
    log_.errors.extend(notes)
    signals = list(target.hints) + list(fp.signals) + [o for o in observations if isinstance(o, IdentitySignal)]
    identity = resolve_identity(signals, oui=oui.maker_signals)
    if identity.device_type == "camera" and features["thermal_screening"].supported:
        identity = replace(identity, device_type="thermal")
    services: dict[str, Any] = {o.service: o.state for o in observations if isinstance(o, ServiceObservation)}
    services["answered_without_login"] = answered_without_login(target, fp, ctx.login)
    if fp.clock_offset is not None:      # device clock minus ours, from ONVIF GetSystemDateAndTime
        services["clock_offset_seconds"] = round(fp.clock_offset.total_seconds())
    audit = DeviceAudit(
        address=target.address, port=target.port, reachable=reachable, auth=ctx.login.outcome, identity=identity,
        protocols=sorted(protocols), features=features, channels=channels,
        remote_access=_not_applicable(classify_remote_access(observations), identity.manufacturer, protocols),
        data_flows=classify_data_flows(observations), protocol_status=status, services=services,
        errors=log_.errors, probes=log_.probes, started=started, finished=_now())
    # Findings are judged from the finished audit, so they are the one thing added after it is built.
    audit.findings = derive_findings(audit, [o for o in observations if isinstance(o, FeatureObservation)])
    return DeviceResult(audit, observations)
