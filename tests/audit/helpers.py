"""Run real audits of simulated fleets for tests: discovery, probes, classification, store."""

from __future__ import annotations

from pathlib import Path

from auditor.run.credentials import AccountRule, CredentialBook
from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from device_simulators import Fleet
from models.audit import DeviceAudit
from models.db import open_store
from probes.login import Credentials


def credentials_for(fleet: Fleet, *, wrong: set[str] = frozenset()) -> CredentialBook:
    """Each device's first account, as a DPO would put it in the credentials file."""
    import ipaddress

    rules = []
    for device in fleet:
        if not device.profile.accounts:
            continue
        account = device.profile.accounts[0]
        password = "not-the-password" if device.profile.id in wrong else account.password
        rules.append(AccountRule((ipaddress.ip_network(device.address),), Credentials(account.user, password)))
    return CredentialBook(tuple(rules))


def audit_fleet(fleet: Fleet, db: Path, *, credentials: CredentialBook | None = None,
                options: AuditOptions | None = None) -> dict[str, DeviceAudit]:
    """Discover the fleet's addresses, audit them into `db`, return audits by address."""
    scope = [d.address for d in fleet]
    targets = plan_targets(scope)
    with open_store(db) as store:
        outcome = run_audit(store, targets, credentials or credentials_for(fleet), scope=scope,
                            options=options or AuditOptions(concurrency=8))
    assert outcome.complete
    return {a.address: a for a in outcome.devices}
