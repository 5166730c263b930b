"""What the TUI asks of the auditor, as an interface the TUI owns.

The import contract keeps `tui` away from `probes`, directly or through `auditor` modules that use
them (the orchestrator does). So the TUI defines what it needs here, and the CLI's composition root
(`auditor/commands/tui.py`) passes in the implementation backed by `auditor.run.orchestrator.run_audit`
and the target planner; the tests use that same implementation against the simulators.
Every call runs in a worker thread; callbacks fire from the auditor's threads.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from models.audit import DeviceAudit
from models.db import Store
from models.errors import UsageError


@dataclass(frozen=True)
class AuditRequest:
    """What the audit dialog collected. The password lives only in memory for this run.

    `credentials` is a credentials file (TOML, as `camaudit audit --credentials`), read by the
    auditor when the audit starts; its problems come back as one CredentialsError sentence.
    """

    targets: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    credentials: Path | None = None


@dataclass
class AuditCallbacks:
    planned: Callable[[int], None] = lambda count: None          # devices found in scope
    started: Callable[[str], None] = lambda address: None        # one device's audit began
    finished: Callable[[DeviceAudit], None] = lambda audit: None  # ... and was recorded


@dataclass(frozen=True)
class AuditResult:
    run_id: int | None            # None when nothing answered, so no run was recorded
    devices: int
    complete: bool
    notes: tuple[str, ...] = ()   # what discovery has to say: bad targets, lost replies


@dataclass(frozen=True)
class EgressRequest:
    """A capture file to analyse, or an interface to watch (for `duration` seconds or until stopped)."""

    capture: Path | None = None
    interface: str | None = None
    duration: float | None = None


@dataclass
class EgressCallbacks:
    progress: Callable[[int, int], None] = lambda frames, devices: None   # live watch: so far


@dataclass(frozen=True)
class EgressResult:
    run_id: int
    devices: int
    destinations: int           # external destinations (not on the site)
    unknown: int                # ... of which nobody could name


class Services(Protocol):
    def audit(self, store: Store, request: AuditRequest, callbacks: AuditCallbacks,
              cancel: threading.Event) -> AuditResult:
        """Plan the targets and audit them into `store`; raises CamauditError for user errors."""
        ...

    def egress(self, store: Store, request: EgressRequest, callbacks: EgressCallbacks,
               cancel: threading.Event) -> EgressResult:
        """Analyse a capture or watch an interface into `store`; raises CamauditError for user errors."""
        ...


class ReadOnlyServices:
    """For an app built only to look at a database (benchmarks, snapshot tests)."""

    def audit(self, store: Store, request: AuditRequest, callbacks: AuditCallbacks,
              cancel: threading.Event) -> AuditResult:
        raise UsageError("This window was opened read-only; start camaudit tui to run audits from it.")

    def egress(self, store: Store, request: EgressRequest, callbacks: EgressCallbacks,
               cancel: threading.Event) -> EgressResult:
        raise UsageError("This window was opened read-only; start camaudit tui to analyse captures from it.")
