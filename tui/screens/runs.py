"""Runs: audit (and egress) runs with times and counts; mark two and compare them."""

from __future__ import annotations

from typing import ClassVar

from rich.markup import escape
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static
from textual.worker import get_current_worker

from models.drift import Change, Drift
from models.store_version import StoreVersion
from tui.data.changes import compare_egress_runs, compare_stored_runs
from tui.data.fleet import FleetIndex
from tui.data.format import when
from tui.data.runs import RunLine, load_runs, of_site, site_counts
from tui.jobs import user_error_or_raise
from tui.messages import DeviceSelected, WorkFailed
from tui.screens.base import FilteredScreen
from tui.widgets.empty import EmptyState
from tui.widgets.filters import SiteFilter
from tui.widgets.record_table import Column, RecordTable


class RunsScreen(FilteredScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "mark", "Mark run", id="runs.mark"),
        Binding("c", "compare", "Compare marked", id="runs.compare"),
        Binding("t", "step_site", "Site", id="runs.site", show=False,
                tooltip="Show the runs of the next site (all sites, then each)"),
    ]
    EXPORT_NAME = "camaudit-runs"
    FILTER_HINT = "/ to filter runs by kind, number, date, status, targets ..."

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[str] = []
        self.lines: list[RunLine] = []

    def run_columns(self, sites: bool = False) -> list[Column[RunLine]]:
        """The columns; Site only when the store holds runs of more than one site."""
        columns = [
            Column("mark", "", 1, lambda r: Text("●", style="bold cyan") if r.key in self.marked else ""),
            Column("kind", "Kind", 6, lambda r: r.kind),
            Column("id", "Run", 4, lambda r: str(r.id), sort=lambda r: r.id, justify="right", value=lambda r: r.id),
            Column("started", "Started", 20, lambda r: when(r.started), value=lambda r: r.started.isoformat()),
            Column("status", "Status", 13, lambda r: r.status),
            Column("devices", "Devices", 7, lambda r: str(r.devices), sort=lambda r: r.devices, justify="right",
                   value=lambda r: r.devices),
            Column("reachable", "Up", 4, lambda r: "" if r.reachable is None else str(r.reachable),
                   justify="right", value=lambda r: r.reachable),
            Column("findings", "Finds", 5, lambda r: "" if r.findings is None else str(r.findings),
                   justify="right", value=lambda r: r.findings),
            Column("targets", "Targets", 30, lambda r: r.targets),
        ]
        if sites:
            columns.insert(2, Column("site", "Site", 14, lambda r: r.site_label, value=lambda r: r.site))
        return columns

    def compose_body(self) -> ComposeResult:
        yield self.text_filter()
        yield SiteFilter(self.camaudit.site)
        yield RecordTable(self.run_columns(), key=lambda r: r.key, id="runs-table")
        yield Static("Mark two runs with [b]space[/b], then press [b]c[/b] to see what changed.", id="compare-title",
                     classes="note")
        yield RecordTable(CHANGE_COLUMNS, key=lambda c: (c.device_id, c.kind, c.subject), id="changes-table")
        yield EmptyState(id="runs-empty")

    def on_mount(self) -> None:
        self.set_title("Runs: reading the database ...")
        self.query_one("#changes-table").display = False
        super().on_mount()
        self.camaudit.runs_aged.subscribe(self, self.runs_aged)
        self.query_one("#runs-table").focus()

    def show_fleet(self, index: FleetIndex) -> None:
        self.load()

    def runs_aged(self, version: StoreVersion) -> None:
        """A run shown as running may have lost its process (models.runs.run_state): read the runs again."""
        if any(r.status == "running" for r in self.lines):
            self.load()

    @work(thread=True, exclusive=True, group="runs")
    def load(self) -> None:
        try:
            lines = load_runs(self.camaudit.store)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.post_message, WorkFailed(user_error_or_raise(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_runs, lines)

    def show_runs(self, lines: list[RunLine]) -> None:
        self.lines = lines
        self.refilter()

    @property
    def site_filter(self) -> SiteFilter:
        return self.query_one(SiteFilter)

    def refilter(self) -> None:
        table = self.query_one("#runs-table", RecordTable)
        sites = site_counts(self.lines)
        self.site_filter.set_sites(sites, len(self.lines))
        table.set_columns(self.run_columns(sites=len(sites) > 1))
        site = self.site_filter.site
        lines = of_site(self.lines, site)
        shown = self.filtered(table, lines)
        table.set_records(shown)
        audits = sum(1 for r in lines if r.kind == "audit")
        where = "" if site is None else f" at site [b]{escape(site)}[/b]"   # a site may be named "[x]"
        self.set_title(f"[b]Runs[/b]  {audits} audit run(s) · {len(lines) - audits} egress run(s){where}")
        self.query_one("#runs-empty", EmptyState).show(
            None if shown else "No run matches this filter. Press [b]escape[/b] to clear it." if lines
            else f"No runs{where} yet. Press [b]t[/b] for another site." if self.lines
            else "No runs yet. Press [b]a[/b] to audit a range of addresses.")
        table.display = bool(shown)

    def on_site_filter_site_chosen(self, message: SiteFilter.SiteChosen) -> None:
        self.refilter()

    def action_step_site(self) -> None:
        if self.site_filter.display:     # one site and none chosen: nothing to step through
            self.site_filter.step()

    def action_mark(self) -> None:
        run = self.query_one("#runs-table", RecordTable).current
        if run is None:
            return
        if run.key in self.marked:
            self.marked.remove(run.key)
        else:
            self.marked = [*self.marked[-1:], run.key]
        self.refilter()

    def action_compare(self) -> None:
        runs = [r for r in self.lines if r.key in self.marked]
        if len(runs) != 2 or runs[0].kind != runs[1].kind:
            self.notify("Mark two audit runs, or two egress runs, with space first.", severity="warning")
            return
        older, newer = sorted(r.id for r in runs)
        kind = runs[0].kind
        self.query_one("#compare-title", Static).update(f"Comparing {kind} run {older} with {kind} run {newer} ...")
        self.compare(kind, older, newer)

    @work(thread=True, exclusive=True, group="compare")
    def compare(self, kind: str, older: int, newer: int) -> None:
        try:
            compare = compare_stored_runs if kind == "audit" else compare_egress_runs
            drift = compare(self.camaudit.store, older, newer)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.app.post_message, WorkFailed(user_error_or_raise(exc)))
            return
        self.app.call_from_thread(self.show_drift, kind, drift)

    def show_drift(self, kind: str, drift: Drift) -> None:
        changes = drift.changes
        table = self.query_one("#changes-table", RecordTable)
        table.set_records(changes)
        table.display = bool(changes)
        devices = len({c.device_id for c in changes})
        head = f"[b]{kind.capitalize()} run {drift.before_run} -> {kind} run {drift.after_run}[/b]"
        egress = "" if drift.egress_compared else " Egress not compared (compare two egress runs for traffic)."
        self.query_one("#compare-title", Static).update(
            f"{head}: {len(changes)} change(s) on {devices} device(s), {len(drift.relevant)} relevant "
            f"(analytics, remote access or unknown destinations switched on).{egress}"
            if changes else f"{head}: nothing changed.{egress}")
        if changes:
            table.focus()

    def on_record_table_row_chosen(self, message: RecordTable.RowChosen) -> None:
        if isinstance(message.record, Change) and message.record.device_id is not None:
            self.post_message(DeviceSelected(message.record.device_id))


CHANGE_COLUMNS: list[Column[Change]] = [
    Column("relevant", "!", 1, lambda c: Text("!", style="bold red") if c.relevant else "",
           sort=lambda c: not c.relevant, value=lambda c: c.relevant),
    Column("kind", "Kind", 16, lambda c: c.kind.replace("-", " "), value=lambda c: c.kind),
    Column("device", "Device", 24, lambda c: c.device),
    Column("change", "Change", 70, lambda c: c.text),
]
