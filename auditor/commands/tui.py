"""`camaudit tui [--db PATH]`: the interactive view of the store, and the composition root that
gives the TUI its way to start audits (the TUI itself never imports the probes).
"""

from __future__ import annotations

import argparse
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.credentials import AccountRule, CredentialBook
from auditor.errors import CaptureError
from auditor.orchestrator import AuditOptions, AuditProgress, run_audit
from auditor.scope import plan_targets
from models.db import Store
from probes.login import Credentials

if TYPE_CHECKING:
    from tui.services import AuditCallbacks, AuditRequest, AuditResult, EgressResult

ORDER = 30
DEFAULT_DB = Path("camaudit.db")


class OrchestratorServices:
    """The TUI's `Services`: the same target planning and orchestrator as `camaudit audit`."""

    def __init__(self, options: AuditOptions | None = None, *, discover: bool = True) -> None:
        self.options = options or AuditOptions()
        self.discover = discover

    def audit(self, store: Store, request: AuditRequest, callbacks: AuditCallbacks,
              cancel: threading.Event) -> AuditResult:
        from tui.services import AuditResult

        targets = plan_targets(list(request.targets), discover=self.discover)
        callbacks.planned(len(targets))
        rules = ()
        if request.user:   # one account for every device, kept in memory for this run only
            rules = (AccountRule((), Credentials(request.user, request.password or "")),)
        outcome = run_audit(store, targets, CredentialBook(rules), scope=list(request.targets),
                            options=self.options, cancel=cancel,
                            progress=AuditProgress(started=lambda t: callbacks.started(t.address),
                                                   finished=callbacks.finished))
        return AuditResult(outcome.run_id, len(outcome.devices), outcome.complete)

    def analyze_egress(self, store: Store, capture: Path, cancel: threading.Event) -> EgressResult:
        raise CaptureError("Egress analysis is not part of this camaudit yet, so the capture "
                           f"{capture} was not read; audits and their remote-access settings are available.")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tui", help="browse the fleet, each device's analytics, findings and history; run audits",
        description="Open the interactive view of the database: the fleet, each device's analytics and "
                    "evidence, remote access, egress, findings and history across runs. Audits started "
                    "from it run like camaudit audit and write to the same database.")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite store (default ./{DEFAULT_DB})")
    p.set_defaults(func=cmd_tui)


def cmd_tui(args: argparse.Namespace, console: Console) -> int:
    from models.db import open_store
    from tui.app import make_app

    with open_store(args.db) as store:
        make_app(store, services=OrchestratorServices()).run()
    return 0
