"""Rich tables and progress for the audit CLI: what a user sees on the terminal."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor.orchestrator import AuditProgress
from models.audit import DeviceAudit
from models.features import BIOMETRIC_FEATURES, SEVERITIES

SEVERITY_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "yellow", "low": "cyan",
                  "info": "dim"}


def worst_severity(audit: DeviceAudit) -> str | None:
    ranks = [SEVERITIES.index(f.severity) for f in audit.findings]
    return SEVERITIES[min(ranks)] if ranks else None


def audit_table(devices: Sequence[DeviceAudit]) -> Table:
    table = Table(title="Audit summary", title_justify="left", show_lines=False)
    table.add_column("address", no_wrap=True)
    table.add_column("sold as / made by")
    table.add_column("model")
    table.add_column("auth")
    table.add_column("analytics on", justify="right")
    table.add_column("biometric")
    table.add_column("remote access")
    table.add_column("worst finding")
    for a in devices:
        maker = a.manufacturer or "?"
        sold = a.brand or "?"
        identity = sold if sold == maker else f"{sold} / [bold]{maker}[/]"
        on = [fid for fid, v in a.features.items() if v.enabled is True]
        biometric = sorted(set(on) & BIOMETRIC_FEATURES)
        remote = [rid for rid, v in a.remote_access.items() if v.enabled is True and rid != "ntp"]
        worst = worst_severity(a)
        table.add_row(
            a.address if a.reachable else f"{a.address} [dim](unreachable)[/]",
            identity, a.model or "?", a.auth or "?", str(len(on)),
            "[bold red]" + ", ".join(biometric) + "[/]" if biometric else "none seen",
            ", ".join(remote) or "none seen",
            f"[{SEVERITY_STYLE[worst]}]{worst}[/]" if worst else "-",
        )
    return table


def findings_table(devices: Sequence[DeviceAudit], limit: int = 30) -> Table:
    table = Table(title="Findings (most severe first)", title_justify="left")
    table.add_column("severity", no_wrap=True)
    table.add_column("device", no_wrap=True)
    table.add_column("finding")
    rows = sorted(((SEVERITIES.index(f.severity), a.address, f) for a in devices for f in a.findings),
                  key=lambda r: (r[0], r[1]))
    for _, address, f in rows[:limit]:
        table.add_row(f"[{SEVERITY_STYLE[f.severity]}]{f.severity}[/]", address, f.title)
    if len(rows) > limit:
        table.caption = f"{len(rows) - limit} more in the stored run (camaudit report)"
    return table


@contextmanager
def audit_progress(console: Console, total: int) -> Iterator[AuditProgress]:
    """A progress bar on a terminal; quiet callbacks otherwise (pipes, CI, --json)."""
    if not console.is_terminal:
        yield AuditProgress()
        return
    columns = (TextColumn("[bold]auditing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn("{task.description}"))
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)
        yield AuditProgress(
            started=lambda t: bar.update(task, description=t.address),
            finished=lambda a: bar.advance(task),
        )
