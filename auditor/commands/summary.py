"""Rich tables and progress for the audit CLI: what a user sees on the terminal."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from auditor.commands.console import UNLIMITED, make_console  # noqa: F401 - re-exported for the commands
from auditor.run.orchestrator import AuditProgress
from models.audit import DeviceAudit
from models.features import BIOMETRIC_FEATURES, counts_as_remote, severity_rank, severity_style, worst
from models.last_read import LastRead
from models.read_status import READ_STATUS_STYLE, read_status, was_read


def worst_severity(audit: DeviceAudit) -> str | None:
    return worst(f.severity for f in audit.findings)


NOT_READ = "[yellow]not read[/]"


def _listed(items: Sequence[str], unknown: int, style: str = "") -> str:
    """What is on, with "?" for verdicts the device would not give: never "none" when some are unknown."""
    shown = ", ".join(items)
    if style and shown:
        shown = f"[{style}]{shown}[/]"
    if unknown:
        return f"{shown} [yellow](+{unknown} ?)[/]" if shown else f"[yellow]? ({unknown} unknown)[/]"
    return shown or "none seen"


def _not_read(last: LastRead | None) -> tuple[str, str, str]:
    """Analytics, biometric and remote cells of a device not read now, with what was on when last read."""
    if last is None:
        return NOT_READ, NOT_READ, NOT_READ
    a, when = last.audit, last.when
    on = [fid for fid, v in a.features.items() if v.enabled is True]
    biometric = sorted(set(on) & BIOMETRIC_FEATURES)
    remote = [rid for rid, v in a.remote_access.items() if v.enabled is True and counts_as_remote(rid)]
    return (f"{NOT_READ} [dim](last read: {len(on)} on in {when})[/]",
            f"{NOT_READ} [dim](last read: {', '.join(biometric) or 'none'} on in {when})[/]",
            f"{NOT_READ} [dim](last read: {', '.join(remote) or 'none'} on in {when})[/]")


def audit_table(devices: Sequence[DeviceAudit], last_read: Mapping[tuple[str, int], LastRead] | None = None) -> Table:
    """One row per device. A device that could not be read shows "not read", never 0 / none / info, and
    what was on when it was last read (`last_read` by address and port)."""
    table = Table(title="Audit summary", title_justify="left", show_lines=False)
    table.add_column("address", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("sold as / made by")
    table.add_column("model")
    table.add_column("auth")
    table.add_column("analytics on", justify="right")
    table.add_column("biometric")
    table.add_column("remote access")
    table.add_column("worst finding")
    for a in devices:
        status = read_status(a)
        maker = a.manufacturer or "?"
        sold = a.brand or "?"
        identity = sold if sold == maker else f"{sold} / [bold]{maker}[/]"
        worst = worst_severity(a)
        worst_text = f"[{severity_style(worst)}]{escape(worst)}[/]" if worst else "-"
        if was_read(status):
            on = [fid for fid, v in a.features.items() if v.enabled is True]
            unknown = [fid for fid, v in a.features.items() if v.enabled is None]
            biometric = sorted(set(on) & BIOMETRIC_FEATURES)
            remote = [rid for rid, v in a.remote_access.items() if v.enabled is True and counts_as_remote(rid)]
            remote_unknown = sum(1 for rid, v in a.remote_access.items() if v.enabled is None and counts_as_remote(rid))
            cells = (f"{len(on)}" + (f" [yellow](+{len(unknown)} ?)[/]" if unknown else ""),
                     _listed(biometric, len(set(unknown) & BIOMETRIC_FEATURES), "bold red"),
                     _listed(remote, remote_unknown), worst_text)
        else:   # what could not be read is unknown, not "0" or "none"; a finding about the failure still shows
            # The worst finding of a device not read is only about the failure: "info" would read as "fine".
            cells = (*_not_read((last_read or {}).get((a.address, a.port))), NOT_READ)
        table.add_row(a.address, f"[{READ_STATUS_STYLE[status]}]{status}[/]", identity, a.model or "?", a.auth or "?",
                      *cells)
    return table


def device_rows(devices: Sequence[DeviceAudit],
                last_read: Mapping[tuple[str, int], LastRead] | None = None) -> list[dict[str, object]]:
    """One flat row per device for CSV: the audit table's columns, "not read" where nothing was read."""
    rows: list[dict[str, object]] = []
    for a in devices:
        status = read_status(a)
        last = (last_read or {}).get((a.address, a.port))
        row: dict[str, object] = {
            "address": a.address, "port": a.port, "status": status, "auth": a.auth, "brand": a.brand,
            "manufacturer": a.manufacturer, "model": a.model, "device_type": a.device_type, "firmware": a.firmware,
            "serial": a.serial, "mac": a.mac, "name": a.name}
        if was_read(status):
            on = [fid for fid, v in a.features.items() if v.enabled is True]
            row |= {"analytics_on": " ".join(on),
                    "analytics_unknown": sum(1 for v in a.features.values() if v.enabled is None),
                    "biometric_on": " ".join(sorted(set(on) & BIOMETRIC_FEATURES)),
                    "remote_access_on": " ".join(r for r, v in a.remote_access.items() if v.enabled is True
                                                 and counts_as_remote(r)),
                    "worst_finding": worst_severity(a)}
        else:
            row |= dict.fromkeys(("analytics_on", "analytics_unknown", "biometric_on", "remote_access_on",
                                  "worst_finding"), "not read")
        row |= {"findings": len(a.findings), "last_read": last.when if last else None}
        rows.append(row)
    return rows


def findings_table(devices: Sequence[DeviceAudit], limit: int = 30) -> Table:
    table = Table(title="Findings (most severe first)", title_justify="left")
    table.add_column("severity", no_wrap=True)
    table.add_column("device", no_wrap=True)
    table.add_column("finding")
    rows = sorted(((severity_rank(f.severity), a.address, f) for a in devices for f in a.findings),
                  key=lambda r: (r[0], r[1]))
    for _, address, f in rows[:limit]:
        table.add_row(f"[{severity_style(f.severity)}]{escape(f.severity)}[/]", address, f.title)
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
