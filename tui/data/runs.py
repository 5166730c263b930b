"""Audit runs and egress runs for the Runs screen."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from models.db import Store
from models.egress.store import list_egress_runs
from models.store import list_runs


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
    site: str | None = None     # None: an egress run recorded before egress runs carried a site

    @property
    def site_label(self) -> str:
        return self.site if self.site is not None else "-"

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
    """Every run of every site, newest first."""
    lines = [RunLine("audit", r.id, r.started, r.finished, r.complete, " ".join(r.targets), r.device_count,
                     r.reachable_count, r.finding_count, r.state, r.site) for r in list_runs(store)]
    # Egress runs gain a site with migration 0005_egress_site (issue 14); stores without it have none.
    lines += [RunLine("egress", e.id, e.started, e.finished, e.complete, e.source, e.device_count, None,
                      e.finding_count, site=e.site) for e in list_egress_runs(store)]
    return sorted(lines, key=lambda r: r.started, reverse=True)


def site_counts(lines: Sequence[RunLine]) -> dict[str, int]:
    """Runs per site, sites in name order (case aside); runs without a site are in no site."""
    counts = Counter(r.site for r in lines if r.site is not None)
    return {site: counts[site] for site in sorted(counts, key=lambda s: (s.lower(), s))}


def of_site(lines: Sequence[RunLine], site: str | None) -> list[RunLine]:
    """The runs of `site` (None: every run)."""
    return list(lines) if site is None else [r for r in lines if r.site == site]
