"""Egress: every external destination across the fleet, grouped by label and country."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from tui.data.egress import EgressLine
from tui.data.fleet import FleetIndex
from tui.messages import DeviceSelected
from tui.screens.base import CamauditScreen
from tui.screens.dialogs import EgressDialog
from tui.widgets.empty import EmptyState
from tui.widgets.record_table import Column, RecordTable

COLUMNS: list[Column[EgressLine]] = [
    Column("label", "Label", 16, lambda e: Text(e.label, style="bold red" if e.unknown else ""),
           sort=lambda e: (not e.unknown, e.label, e.country or "~", e.destination)),
    Column("country", "Country", 8, lambda e: e.country or "?", sort=lambda e: (e.country or "~", e.label)),
    Column("destination", "Destination", 30, lambda e: e.destination),
    Column("port", "Port", 5, lambda e: "" if e.port is None else str(e.port), sort=lambda e: e.port,
           justify="right", value=lambda e: e.port),
    Column("device", "Device", 17, lambda e: e.address),
    Column("flows", "Flows", 6, lambda e: str(e.flows), sort=lambda e: -e.flows, justify="right",
           value=lambda e: e.flows),
]


class EgressScreen(CamauditScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "analyse", "Analyse capture", id="egress.analyse"),
    ]
    EXPORT_NAME = "camaudit-egress"

    def compose_body(self) -> ComposeResult:
        yield RecordTable(COLUMNS, key=lambda e: (e.address, e.destination, e.port), id="egress-table")
        yield EmptyState(id="egress-empty")

    def on_mount(self) -> None:
        self.set_title("Egress: reading the database ...")
        self.query_one(RecordTable).sort_by("label")
        super().on_mount()

    def show_fleet(self, index: FleetIndex) -> None:
        egress = index.egress
        table = self.query_one(RecordTable)
        table.set_records(egress.lines)
        unknown = sum(1 for e in egress.lines if e.unknown)
        devices = len({e.address for e in egress.lines})
        self.set_title(f"[b]Egress[/b]  {len(egress.lines)} external destination(s) from {devices} device(s)"
                       f" · {unknown} unknown" if egress.available else "[b]Egress[/b]  not analysed yet")
        empty = self.query_one(EmptyState)
        if not egress.available:
            empty.show(f"{egress.empty_message}\n\nUntil then, what each device is configured to contact "
                       "(cloud, P2P, DDNS, e-mail, FTP) is on its Remote tab.")
        elif not egress.lines:
            empty.show("No external destinations in the egress analyses so far. Press [b]n[/b] to analyse a capture.")
        else:
            empty.show(None)
        table.display = bool(egress.lines)
        if egress.lines:
            table.focus()
        else:
            self.set_focus(None)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "analyse":   # nothing to analyse with until the egress module is installed
            return bool(self.camaudit.fleet and self.camaudit.fleet.egress.available)
        return True

    def on_record_table_row_chosen(self, message: RecordTable.RowChosen) -> None:
        line: EgressLine = message.record
        row = next((r for r in (self.camaudit.fleet.rows if self.camaudit.fleet else []) if r.address == line.address),
                   None)
        if row is None:
            self.notify(f"{line.address} has not been audited yet; audit it to see its analytics.")
        else:
            self.post_message(DeviceSelected(row.device_id))

    def action_analyse(self) -> None:
        self.app.push_screen(EgressDialog(), lambda path: path and self.camaudit.begin_egress(path))
