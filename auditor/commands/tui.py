"""`camaudit tui [--db PATH]`: the interactive view of the store, and the composition root that
gives the TUI its way to start audits (the TUI itself never imports the probes).
"""

from __future__ import annotations

import argparse
import threading
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.commands.dbarg import add_db_argument, add_site_argument

if TYPE_CHECKING:
    from auditor.run.orchestrator import AuditOptions
    from models.db import Store
    from tui.services import (
        AuditCallbacks,
        AuditRequest,
        AuditResult,
        EgressCallbacks,
        EgressRequest,
        EgressResult,
    )

ORDER = 30
WATCH_POLL_S = 0.5      # how often a live watch reports its progress to the TUI


class OrchestratorServices:
    """The TUI's `Services`: the same target planning and orchestrator as `camaudit audit`."""

    def __init__(self, options: AuditOptions | None = None, *, discover: bool = True) -> None:
        from auditor.run.orchestrator import AuditOptions

        self.options = options or AuditOptions()
        self.discover = discover

    def audit(self, store: Store, request: AuditRequest, callbacks: AuditCallbacks,
              cancel: threading.Event) -> AuditResult:
        from auditor.run.credentials import AccountRule, CredentialBook, load_credentials, merge
        from auditor.run.orchestrator import AuditProgress, run_audit
        from auditor.run.scope import plan
        from probes.login import Credentials
        from tui.services import AuditResult

        # The file is read first: a typo in it is a CredentialsError for the modal before anything is probed.
        books = [load_credentials(request.credentials)] if request.credentials is not None else []
        if request.user:   # one account for every device, kept in memory for this run only
            books.append(CredentialBook((AccountRule((), Credentials(request.user, request.password or ""),
                                                     "the account typed in the dialog"),)))
        credentials = merge(*books)
        planned = plan(list(request.targets), discover=self.discover)
        targets = planned.targets
        callbacks.planned(len(targets))
        outcome = run_audit(store, targets, credentials, scope=list(request.targets),
                            options=self.options, cancel=cancel,
                            progress=AuditProgress(started=lambda t: callbacks.started(t.address),
                                                   finished=callbacks.finished))
        return AuditResult(outcome.run_id, len(outcome.devices), outcome.complete,
                           (*credentials.warnings, *planned.notes))

    def egress(self, store: Store, request: EgressRequest, callbacks: EgressCallbacks,
               cancel: threading.Event) -> EgressResult:
        from auditor.run.egress import EgressOptions, analyze_files, finish_watch, start_watch
        from tui.services import EgressResult

        options = EgressOptions(site_name=self.options.site)      # linked to the devices of the TUI's site
        if request.capture is not None:
            report = analyze_files(store, [request.capture], options, cancel=cancel)
        else:
            assert request.interface is not None
            watch = start_watch(request.interface, options, duration=request.duration)
            while watch.running and not cancel.wait(WATCH_POLL_S):
                callbacks.progress(watch.frames, len(watch.snapshot()))
            if cancel.is_set():
                watch.stop()
            report = finish_watch(store, watch, options, stopped_early=cancel.is_set())
        external = [d for device in report.devices for d in device.destinations if d.label != "site"]
        return EgressResult(report.run_id, len(report.devices), len(external),
                            sum(1 for d in external if d.label == "unknown"))


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tui", help="browse the fleet, each device's analytics, findings and history; run audits",
        description="Open the interactive view of the database: the fleet, each device's analytics and "
                    "evidence, remote access, egress, findings and history across runs. Audits started "
                    "from it run like camaudit audit and write to the same database.")
    add_db_argument(p)
    add_site_argument(p)
    p.set_defaults(func=cmd_tui, handles_signals=False)   # Textual owns the keyboard and its own shutdown


def cmd_tui(args: argparse.Namespace, console: Console) -> int:
    from auditor.run.orchestrator import AuditOptions
    from models.db import open_store
    from models.location import DEFAULT_SITE
    from tui.app import make_app

    services = OrchestratorServices(AuditOptions(site=args.site or DEFAULT_SITE))   # audits from the TUI join it
    with open_store(args.db) as store:
        make_app(store, services=services, site=args.site).run()
    return 0
