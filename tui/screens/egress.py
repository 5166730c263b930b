"""Egress: every external destination across the fleet, grouped by label and country."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType

from models.features import EGRESS_LABEL_STYLE as LABEL_STYLE
from tui.data.egress import EgressLine
from tui.data.fleet import FleetIndex
from tui.data.format import country_cell
from tui.messages import DeviceSelected
from tui.screens.base import FilteredScreen
from tui.screens.dialogs import EgressDialog
from tui.widgets.device_panels import size
from tui.widgets.empty import EmptyState
from tui.widgets.filters import TextFilter
from tui.widgets.record_table import Column, RecordTable

COLUMNS: list[Column[EgressLine]] = [
    Column("label", "Label", 12, lambda e: Text(e.label, style=LABEL_STYLE.get(e.label, "")),
           sort=lambda e: (not e.unknown, e.label, e.dest.located_in or "~", e.destination)),
    # "Located in": where the server is, per the offline geolocation data (its date in the filter hint).
    Column("country", "Loc.", 4, lambda e: country_cell(e.dest.located_in, e.dest.registered_in),
           sort=lambda e: (e.dest.located_in or "~", e.label)),
    Column("network", "Network", 14, lambda e: e.dest.network_owner or "?"),
    Column("destination", "Destination", 28, lambda e: e.destination),
    Column("device", "Device", 24, lambda e: e.device),
    Column("endpoint", "Address", 24, lambda e: f"{e.dest.address}:{e.dest.port}/{e.dest.transport}"),
    Column("bytes_out", "Out", 9, lambda e: size(e.dest.bytes_out), sort=lambda e: -e.dest.bytes_out, justify="right",
           value=lambda e: e.dest.bytes_out),
    Column("failed", "Failed", 6, lambda e: str(e.dest.failed_attempts or ""), sort=lambda e: -e.dest.failed_attempts,
           justify="right", value=lambda e: e.dest.failed_attempts),
    Column("setting", "Setting", 12, lambda e: e.dest.setting or "", value=lambda e: e.dest.setting),
    Column("run", "Run", 4, lambda e: str(e.run_id), sort=lambda e: e.run_id, value=lambda e: e.run_id),
]


class EgressScreen(FilteredScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "analyse", "Analyse/watch", id="egress.analyse",
                tooltip="Analyse a capture file or watch an interface for the cameras' traffic"),
    ]
    EXPORT_NAME = "camaudit-egress"
    FILTER_HINT = "/ to filter by label, country, network, destination, device, address, setting ..."

    def __init__(self) -> None:
        super().__init__()
        self.index: FleetIndex | None = None

    def compose_body(self) -> ComposeResult:
        yield self.text_filter()
        yield RecordTable(COLUMNS, key=lambda e: (e.address, e.destination, e.dest.port), id="egress-table")
        yield EmptyState(id="egress-empty")

    def on_mount(self) -> None:
        self.set_title("Egress: reading the database ...")
        self.query_one(RecordTable).sort_by("label")
        super().on_mount()

    def show_fleet(self, index: FleetIndex) -> None:
        self.index = index
        self.refilter()

    def refilter(self) -> None:
        if self.index is None:
            return
        egress = self.index.egress
        table = self.query_one(RecordTable)
        shown = self.filtered(table, egress.lines)
        table.set_records(shown)
        labels = Counter(e.label for e in egress.lines)
        devices = len({e.address for e in egress.lines})
        parts = " · ".join(f"[{LABEL_STYLE.get(k, '')}]{n} {k}[/]" if LABEL_STYLE.get(k) else f"{n} {k}"
                           for k, n in sorted(labels.items(), key=lambda kv: (kv[0] != "unknown", kv[0])))
        showing = f"showing {len(shown)} of " if len(shown) != len(egress.lines) else ""
        if egress.geo_data:     # the data's date wherever a country is shown
            self.query_one("#filter", TextFilter).placeholder = (
                f"/ to filter ...   Loc. = the country the server is located in, per {egress.geo_data}; "
                f"US* = registered in (registry), location unknown")
        self.set_title(f"[b]Egress[/b]  {showing}{len(egress.lines)} destination(s) from {devices} device(s) in "
                       f"{len(egress.runs)} run(s)" + (f": {parts}" if parts else "")
                       if egress.available else "[b]Egress[/b]  not analysed yet")
        empty = self.query_one(EmptyState)
        if not egress.available:
            empty.show(f"{egress.empty_message}\nOr press [b]n[/b] to analyse a capture file or watch an interface "
                       "from here.\n\nWhat each device is configured to contact (cloud, P2P, DDNS, e-mail, FTP) "
                       "is on its Remote tab.")
        elif not egress.lines:
            empty.show("No external destinations in the egress runs so far. Press [b]n[/b] to analyse a capture.")
        elif not shown:
            empty.show("No destination matches this filter. Press [b]escape[/b] to clear it.")
        else:
            empty.show(None)
        table.display = bool(shown)
        if not self.query_one("#filter").has_focus:
            self.focus_main()

    def on_record_table_row_chosen(self, message: RecordTable.RowChosen) -> None:
        line: EgressLine = message.record
        rows = self.camaudit.fleet.rows if self.camaudit.fleet else []
        row = next((r for r in rows if r.device_id == line.device_id), None) or next(
            (r for r in rows if line.device_id is None and r.address == line.address), None)
        if row is None:
            self.notify(f"{line.address} has not been audited yet; audit it to see its analytics.")
        else:
            self.post_message(DeviceSelected(row.device_id))

    def action_analyse(self) -> None:
        self.app.push_screen(EgressDialog(), lambda request: request and self.camaudit.begin_egress(request))
