"""Findings: every finding of every device's latest audit, most severe first; enter opens the device."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult

from models.features import SEVERITIES, SEVERITY_STYLE, severity_rank
from models.fleet_flags import FindingLine
from tui.data.fleet import FleetIndex, FleetRow
from tui.data.format import severity_text
from tui.messages import DeviceSelected
from tui.screens.base import FilteredScreen
from tui.widgets.empty import EmptyState
from tui.widgets.finding_detail import FindingDetail
from tui.widgets.record_table import Column, RecordTable

Pair = tuple[FleetRow, FindingLine]


COLUMNS: list[Column[Pair]] = [
    Column("severity", "Severity", 8, lambda p: severity_text(p[1].severity),
           sort=lambda p: severity_rank(p[1].severity), value=lambda p: p[1].severity),
    Column("device", "Device", 17, lambda p: p[0].label),
    Column("maker", "Maker", 10, lambda p: Text(p[0].maker or "?", style="bold magenta" if p[0].oem else ""),
           value=lambda p: p[0].maker),
    Column("title", "Finding", 60, lambda p: p[1].title),
    Column("source", "From", 6, lambda p: p[1].source),
    Column("finding", "Id", 24, lambda p: p[1].finding),
    Column("recommendation", "Recommendation", 60, lambda p: p[1].recommendation),
]


class FindingsScreen(FilteredScreen):
    EXPORT_NAME = "camaudit-findings"
    FILTER_HINT = "/ to filter by severity, device, maker, finding, recommendation ..."

    def __init__(self) -> None:
        super().__init__()
        self.all: list[Pair] = []
        self.index: FleetIndex | None = None

    def compose_body(self) -> ComposeResult:
        yield self.text_filter()
        yield RecordTable(COLUMNS, key=lambda p: (p[0].device_id, p[1].source, p[1].finding), id="findings-table")
        yield EmptyState(id="findings-empty")
        yield FindingDetail()

    def on_mount(self) -> None:
        self.set_title("Findings: reading the database ...")
        super().on_mount()
        self.query_one(RecordTable).focus()

    def show_fleet(self, index: FleetIndex) -> None:
        self.index = index
        self.all = list(index.findings)
        self.refilter()

    def refilter(self) -> None:
        index = self.index
        if index is None:
            return
        table = self.query_one(RecordTable)
        shown = self.filtered(table, self.all)
        table.set_records(shown)
        counts = Counter(f.severity for _, f in index.findings)
        parts = [f"[{SEVERITY_STYLE[s]}]{counts[s]} {s}[/]" for s in SEVERITIES if counts[s]]
        devices = len({row.device_id for row, _ in index.findings})
        showing = f"showing {len(shown)} of " if len(shown) != len(self.all) else ""
        self.set_title(f"[b]Findings[/b]  {showing}{len(index.findings)} on {devices} device(s)"
                       + (": " + " · ".join(parts) if parts else ""))
        empty = self.query_one(EmptyState)
        if not index.rows:
            empty.show("No audits yet, so no findings. Press [b]a[/b] to audit a range of addresses.")
        elif not index.findings:
            empty.show("No findings: the latest audit of every device found nothing to report.")
        elif not shown:
            empty.show("No finding matches this filter. Press [b]escape[/b] to clear it.")
        else:
            empty.show(None)
        table.display = bool(shown)
        self.query_one(FindingDetail).show(table.current)

    def on_record_table_row_highlighted(self, message: RecordTable.RowHighlighted) -> None:
        self.query_one(FindingDetail).show(message.record)

    def on_record_table_row_chosen(self, message: RecordTable.RowChosen) -> None:
        self.post_message(DeviceSelected(message.record[0].device_id))
