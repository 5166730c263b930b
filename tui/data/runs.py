"""Audit runs and egress runs for the Runs screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from models.db import Store
from models.store import list_runs
from tui.data.egress import load_egress


@dataclass(frozen=True)
class RunLine:
    kind: str                   # audit | egress
    id: int
    started: dt.datetime
    finished: dt.datetime | None
    complete: bool
    targets: str
    devices: int
    reachable: int | None
    findings: int | None
    state: str | None = None    # audit runs: running | complete | interrupted (models.runs.run_state)

    @property
    def key(self) -> str:
        return f"{self.kind}-{self.id}"

    @property
    def status(self) -> str:
        if self.state is not None:    # a killed audit (no heartbeat, process gone) is not "running"
            return self.state
        if self.finished is None:
            return "running"
        return "complete" if self.complete else "stopped early"


def load_runs(store: Store) -> list[RunLine]:
    """Every run, newest first."""
    lines = [RunLine("audit", r.id, r.started, r.finished, r.complete, " ".join(r.targets), r.device_count,
                     r.reachable_count, r.finding_count, r.state) for r in list_runs(store)]
    egress = load_egress(store)
    lines += [RunLine("egress", e.id, e.started, e.finished, e.complete, e.source, e.device_count, None,
                      e.finding_count) for e in egress.runs]
    return sorted(lines, key=lambda r: r.started, reverse=True)
