"""The Device screen's other panels: identity, remote access and where data goes, egress, findings
and history."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from models.features import EGRESS_LABEL_STYLE, counts_as_remote, severity_rank
from tui.data.device import DeviceView
from tui.data.egress import LINKED_BY, NOT_YET
from tui.data.format import country_cell, severity_text, tri, tri_text, when
from tui.widgets.analytics import evidence_markup


def identity_text(view: DeviceView) -> Text:
    a, d = view.audit, view.summary
    text = Text()

    def line(label: str, value: object, style: str = "") -> None:
        text.append(f"{label:<16}", style="bold")
        text.append(f"{'?' if value in (None, '') else value}\n", style=style)

    line("Address", f"{a.address} port {a.port}")
    line("Reachable", tri(a.reachable), "" if a.reachable else "bold red")
    line("Login", a.auth)
    line("Sold as", a.brand)
    maker = a.manufacturer
    if maker and a.oem:
        maker = f"{maker}  (rebadged: sold as {a.brand}, made by {maker})"
    line("True maker", maker, "bold magenta" if a.oem else "")
    line("Model", a.model)
    line("Type", a.device_type)
    line("Firmware", f"{a.firmware or '?'}" + (f" ({a.firmware_date.isoformat()})" if a.firmware_date else ""))
    line("Serial", a.serial)
    line("MAC", a.mac)
    line("Name", a.name)
    line("Protocols", ", ".join(a.protocols) or None)
    for family, status in sorted(a.protocol_status.items()):
        # One line per API family: probed, or why not (not-tried / failed) - never a silent gap.
        line(f"  {family}", f"{status.state}" + (f" ({status.reason})" if status.reason else ""),
             "" if status.state == "probed" else "yellow" if status.state == "failed" else "dim")
    line("First seen", when(d.first_seen))
    line("Audited", f"{when(view.summary.latest.recorded)} (run {view.summary.latest.run_id})")
    text.append("\nEvidence for the maker\n", style="bold underline")
    for item in a.identity_evidence or ["none recorded: the maker is a guess from labels only"]:
        text.append(f"  • {item}\n")
    if a.services:
        text.append("\nServices\n", style="bold underline")
        for key, value in a.services.items():
            text.append(f"  {key}: {value}\n")
    if a.errors:
        text.append("\nWhat could not be read\n", style="bold underline")
        for err in a.errors:
            text.append(f"  • {err}\n", style="yellow")
    if a.probes:
        text.append("\nChecks\n", style="bold underline")
        for p in a.probes:
            reason = f" ({p.reason})" if p.reason else ""
            text.append(f"  {p.probe}: {p.outcome}{reason}\n", style="" if p.outcome == "ok" else "dim")
    return text


class IdentityPanel(VerticalScroll):
    def compose(self) -> ComposeResult:
        yield Static("", id="identity")

    def show(self, view: DeviceView) -> None:
        self.query_one("#identity", Static).update(identity_text(view))


class RemotePanel(Vertical):
    """Every remote-access kind (supported / on / unknown, where it goes) and where data goes."""

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="remote", cursor_type="row")
        table.add_column("Remote access", key="kind", width=14)
        table.add_column("On", key="enabled", width=4)
        table.add_column("Supported", key="supported", width=9)
        table.add_column("Destination", key="destination")
        yield table
        yield Static("", id="remote-evidence", classes="evidence")
        yield Static(Text("Where data goes", style="bold underline"), id="flows-title")
        flows: DataTable[str | Text] = DataTable(id="data-flows", cursor_type="row")
        for key, label in (("what", "What"), ("enabled", "On"), ("destination", "Destination"), ("detail", "Detail")):
            flows.add_column(label, key=key)
        yield flows
        yield Static("", id="flow-evidence", classes="evidence")

    def show(self, view: DeviceView) -> None:
        self.rows = view.remote_rows
        self.view = view
        table = self.query_one("#remote", DataTable)
        table.clear()
        for r in self.rows:
            style = "bold yellow" if counts_as_remote(r.kind) else "dim"
            on = tri_text(r.enabled, on_style=style) if view.read else Text("?", style="yellow")
            table.add_row(r.kind, on, tri_text(r.supported, on_style=""), r.destination or "", key=r.kind)
        self._explain(0)
        self.flows = view.flow_lines
        flows = self.query_one("#data-flows", DataTable)
        flows.clear()
        for n, line in enumerate(self.flows):
            flows.add_row(line.kind, tri_text(line.enabled, on_style="bold red"), line.destination or "",
                          line.detail, key=f"flow-{n}")
        self.query_one("#flow-evidence", Static).update(
            "" if self.flows else "The configuration read says nothing about where data goes.")
        self._explain_flow(0)

    def _explain(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            r = self.rows[index]
            state = r.state if self.view.read else "not read"
            extra = f"state: {state}" + (f"   destination: {r.destination}" if r.destination else "")
            last = self.view.last_known_remote(r.kind)
            if last:
                extra += f"\n{r.kind}: {last}"
            self.query_one("#remote-evidence", Static).update(
                evidence_markup(r.kind, r.label, list(r.evidence), extra))

    def _explain_flow(self, index: int) -> None:
        if 0 <= index < len(self.flows):
            line = self.flows[index]
            where = f"   destination: {line.destination}" if line.destination else ""
            extra = f"enabled: {tri(line.enabled)}{where}"
            self.query_one("#flow-evidence", Static).update(
                evidence_markup(line.kind, line.label, list(line.evidence), extra))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        if message.data_table.id == "data-flows":
            self._explain_flow(message.cursor_row)
        else:
            self._explain(message.cursor_row)


def size(n: int) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1000:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return f"{n:.1f} GB"


class EgressPanel(Vertical):
    """Where the device was seen sending traffic, from its latest egress run (camaudit egress)."""

    def compose(self) -> ComposeResult:
        yield Static("", id="egress-note", classes="note")
        table: DataTable[str | Text] = DataTable(id="device-egress", cursor_type="row")
        for key, label in (("label", "Label"), ("country", "Loc."), ("network", "Network"),
                           ("destination", "Destination"), ("endpoint", "Address"), ("out", "Out"), ("in", "In"),
                           ("failed", "Failed")):
            table.add_column(label, key=key)
        yield table

    def show(self, view: DeviceView) -> None:
        note = self.query_one("#egress-note", Static)
        table = self.query_one("#device-egress", DataTable)
        table.clear()
        configured = [f"{r.kind} -> {r.destination}" for r in view.remote_rows if r.enabled and r.destination]
        configured += [f"{f.kind} -> {f.destination}" for f in view.flow_lines if f.enabled and f.destination]
        hint = ("\nConfigured on the device (settings, not traffic): " + "; ".join(configured)) if configured else ""
        if view.egress is None:
            note.update((NOT_YET if not view.egress_available else
                         "No egress run captured this device's traffic yet.") + hint)
            table.display = False
            return
        unknown = sum(1 for e in view.egress if e.unknown)
        run = view.egress[0].run_id if view.egress else None
        first = view.egress[0] if view.egress else None
        linked = LINKED_BY.get(first.linked_by or "") if first else None
        how = f" (capture linked to this device by {linked})" if linked else ""
        geo = f" ({first.geo_data})" if first and first.geo_data else ""
        note.update(f"{len(view.egress)} external destination(s) in egress run {run}, {unknown} unknown{how}; "
                    f"Loc. = the country the server is located in{geo}; US* = registered in, location unknown." if run
                    else "The latest capture of this device shows no external destinations.")
        table.display = bool(view.egress)
        for e in sorted(view.egress, key=lambda e: (not e.unknown, e.label, e.destination)):
            style = EGRESS_LABEL_STYLE.get(e.label, "") if e.label != "site" else ""
            d = e.dest
            table.add_row(Text(e.label, style=style), country_cell(d.located_in, d.registered_in),
                          d.network_owner or "?", e.destination,
                          f"{d.address}:{d.port}/{d.transport}", size(d.bytes_out), size(d.bytes_in),
                          str(d.failed_attempts or ""))


class FindingsPanel(Vertical):
    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="device-findings", cursor_type="row")
        table.add_column("Severity", key="severity", width=8)
        table.add_column("Finding", key="title")
        yield table
        yield Static("", id="finding-detail", classes="evidence")

    def show(self, view: DeviceView) -> None:
        self.findings = sorted(view.audit.findings, key=lambda f: severity_rank(f.severity))
        table = self.query_one("#device-findings", DataTable)
        table.clear()
        for f in self.findings:
            table.add_row(severity_text(f.severity), f.title)
        detail = self.query_one("#finding-detail", Static)
        detail.update("" if self.findings else "No findings for this device in its latest audit.")
        self._explain(0)

    def _explain(self, index: int) -> None:
        if 0 <= index < len(self.findings):
            f = self.findings[index]
            extra = f"Recommendation: {f.recommendation}" if f.recommendation else ""
            self.query_one("#finding-detail", Static).update(evidence_markup(f.id, f.title, f.evidence, extra))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self._explain(message.cursor_row)


class HistoryPanel(Vertical):
    """The runs this device was audited in, and what changed from one to the next."""

    def compose(self) -> ComposeResult:
        yield Static("", id="history-runs", classes="note")
        table: DataTable[str | Text] = DataTable(id="history", cursor_type="row")
        table.add_column("Runs", key="runs", width=8)
        table.add_column("Change", key="change")
        yield table

    def show(self, view: DeviceView) -> None:
        runs = ", ".join(str(e.run_id) for e in view.history)
        note = self.query_one("#history-runs", Static)
        table = self.query_one("#history", DataTable)
        table.clear()
        if not view.history:
            note.update("No audits recorded for this device.")
        elif len(view.history) < 2:
            note.update(f"Audited in run {runs} only: audit again to see what changes.")
        elif not view.changes:
            note.update(f"Audited in runs {runs}: nothing changed.")
        else:
            note.update(f"Audited in runs {runs}: {len(view.changes)} change(s).")
        for c in sorted(view.changes, key=lambda c: -c.runs[1]):   # newest first, drift's order within
            style = "bold red" if c.change.relevant else ""
            table.add_row(f"{c.runs[0]} -> {c.runs[1]}", Text(c.sentence(), style=style))
        table.display = bool(view.changes)
