"""Fleet: one row per device, sortable, filtered by text and quick filters, counts on top."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input

from models.read_status import READ_STATUS_STYLE
from tui.data.fleet import QUICK_FILTERS, FleetIndex, FleetRow, apply_filter
from tui.data.format import age, severity_text, tri_text
from tui.messages import DeviceSelected
from tui.screens.base import CamauditScreen
from tui.widgets.empty import EmptyState
from tui.widgets.filters import FilterBar
from tui.widgets.record_table import Column, RecordTable

EMPTY = ("[b]No devices in {db} yet.[/b]\n\n"
         "Press [b]a[/b] to audit a range of addresses from here,\n"
         "or run [b]camaudit audit 192.168.1.0/24 --db {db}[/b] first.\n"
         "To try it on simulated cameras: [b]camaudit sim up[/b], then audit 127.0.20.0/24.")
NO_MATCH = "No device matches this filter. Press [b]escape[/b] to clear it."


def _maker(row: FleetRow) -> Text:
    if row.maker is None:
        return Text("?", style="yellow")
    return Text(f"{row.maker} OEM" if row.oem else row.maker, style="bold magenta" if row.oem else "")


def _count(row: FleetRow) -> Text:
    if row.all_unknown:
        return Text("?", style="yellow")
    return Text(str(len(row.enabled)), style="bold" if row.enabled else "dim")


def _remote(row: FleetRow) -> Text:
    return tri_text(bool(row.remote) if row.read else None, on_style="bold yellow")


def _status(row: FleetRow) -> Text:
    return Text(row.status, style=READ_STATUS_STYLE.get(row.status, ""))


def _worst(row: FleetRow) -> Text:
    """A device that could not be read has no "worst": its own findings say only that it could not be read."""
    if not row.read:
        return Text("?", style="yellow")
    return severity_text(row.worst)


def _egress(row: FleetRow) -> Text:
    """Unknown destinations first; "-" means no capture covered the device (not "none")."""
    if row.egress_unknown is None:
        return Text("-", style="dim")
    if row.egress_unknown:
        return Text(f"{row.egress_unknown} unk", style="bold red")
    return Text(f"{row.egress_calls_home} cld", style="yellow") if row.egress_calls_home else Text("none", style="dim")


def fleet_columns(screen: FleetScreen) -> list[Column[FleetRow]]:
    now = screen.camaudit.now
    return [
        Column("address", "Address", 17, lambda r: Text(r.label, style="" if r.reachable else "dim red"),
               sort=lambda r: (r.address.count(":"), tuple(int(p) if p.isdigit() else 0
                                                           for p in r.address.replace(":", ".").split(".")))
               , value=lambda r: r.label),
        Column("brand", "Sold as", 10, lambda r: r.brand or "?", value=lambda r: r.brand),
        Column("maker", "True maker", 13, _maker, value=lambda r: r.maker,
               sort=lambda r: ((r.maker or "~").lower(), not r.oem)),
        Column("biometric", "Bio", 4, lambda r: tri_text(r.biometric, on_style="bold red"),
               sort=lambda r: {True: 0, None: 1, False: 2}[r.biometric], value=lambda r: r.biometric_on),
        Column("enabled", "On", 3, _count, justify="right", sort=lambda r: -len(r.enabled),
               value=lambda r: r.enabled if r.read else None),
        Column("remote", "Remote", 6, _remote, sort=lambda r: -len(r.remote),
               value=lambda r: r.remote if r.read else None),
        Column("egress", "Egress", 6, _egress, sort=lambda r: -(r.egress_unknown or 0),
               value=lambda r: r.egress_unknown),
        Column("worst", "Worst", 8, _worst, sort=lambda r: r.severity_rank if r.read else 99,
               value=lambda r: r.worst if r.read else None),
        Column("status", "Status", 12, _status, sort=lambda r: (r.read, r.status), value=lambda r: r.status),
        Column("model", "Model", 18, lambda r: r.model or "?", value=lambda r: r.model),
        Column("firmware", "Firmware", 14, lambda r: r.firmware or "?", value=lambda r: r.firmware),
        Column("audited", "Audited", 10, lambda r: age(r.audited, now()), sort=lambda r: -r.audited.timestamp(),
               value=lambda r: r.audited.isoformat()),
    ]


class FleetScreen(CamauditScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *[Binding(q.key, f"quick('{q.id}')", q.label.capitalize(), id=f"fleet.{q.id}", show=False)
          for q in QUICK_FILTERS],
        Binding("slash", "focus_filter", "Filter", id="fleet.filter", key_display="/"),
        Binding("escape", "clear_filter", "Clear filter", id="fleet.clear", show=False),
        Binding("r", "reload", "Reload", id="fleet.reload", show=False),
    ]
    EXPORT_NAME = "camaudit-fleet"

    def compose_body(self) -> ComposeResult:
        yield FilterBar()
        yield RecordTable(fleet_columns(self), key=lambda r: r.device_id, id="fleet-table")
        yield EmptyState(id="fleet-empty")

    def on_mount(self) -> None:
        self.set_title("Fleet: reading the database ...")
        self.query_one("#fleet-table", RecordTable).sort_by("biometric")
        super().on_mount()
        self.query_one("#fleet-table", RecordTable).focus()

    @property
    def table(self) -> RecordTable[FleetRow]:
        return self.query_one("#fleet-table", RecordTable)

    @property
    def bar(self) -> FilterBar:
        return self.query_one(FilterBar)

    def show_fleet(self, index: FleetIndex) -> None:
        self.bar.set_counts(index.counts())
        self._refilter()

    def _refilter(self) -> None:
        index = self.camaudit.fleet
        if index is None:
            return
        rows = apply_filter(index.rows, self.bar.text, self.bar.active)
        self.table.set_records(rows)
        total = len(index.rows)
        counts = index.counts()
        shown = f"showing {len(rows)} of {total} devices" if len(rows) != total else f"{total} devices"
        self.set_title(f"[b]Fleet[/b]  {shown} · {counts['oem']} rebadged Hikvision/Dahua · "
                       f"{counts['biometric']} biometric on")
        empty = self.query_one("#fleet-empty", EmptyState)
        if not total:
            empty.show(EMPTY.format(db=self.camaudit.store.path.name))
        else:
            empty.show(NO_MATCH if not rows else None)
        self.table.display = bool(rows)
        if rows and self.focused is None:
            self.table.focus()          # the first rows of an audit started on an empty fleet

    def on_filter_bar_filter_changed(self, message: FilterBar.FilterChanged) -> None:
        self._refilter()

    def on_record_table_row_chosen(self, message: RecordTable.RowChosen) -> None:
        self.post_message(DeviceSelected(message.record.device_id))

    def on_input_submitted(self, message: Input.Submitted) -> None:
        self.table.focus()

    def action_quick(self, quick: str) -> None:
        self.bar.toggle(quick)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.bar.clear()
        self.table.focus()

    def action_reload(self) -> None:
        self.camaudit.reload_fleet()
