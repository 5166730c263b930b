"""What every list screen shares: a title line, the work status, the footer, the fleet signal,
and export of whatever table has focus.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.data.fleet import FleetIndex
from tui.data.search import keep_matching
from tui.widgets.filters import TextFilter
from tui.widgets.footer import CamauditFooter
from tui.widgets.record_table import RecordTable
from tui.widgets.status import WorkStatus

if TYPE_CHECKING:
    from tui.app import CamauditApp


class CamauditScreen(Screen[None]):
    """A screen with a title line on top and the status line and footer below its body."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "export", "Export", id="screen.export", tooltip="Save this view as CSV or JSON"),
    ]
    EXPORT_NAME = "camaudit"

    @property
    def camaudit(self) -> CamauditApp:
        return cast("CamauditApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="title", classes="title")
        yield from self.compose_body()
        yield WorkStatus()
        yield CamauditFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.camaudit.fleet_changed.subscribe(self, self.show_fleet)
        if self.camaudit.fleet is not None:
            self.show_fleet(self.camaudit.fleet)

    def show_fleet(self, index: FleetIndex) -> None:
        """Called with every fresh read of the fleet."""

    def main_table(self) -> RecordTable[Any] | None:
        """The screen's first table: where focus belongs after a dialog closes."""
        return next(iter(self.query(RecordTable)), None)

    def focus_main(self) -> None:
        """Focus the main table; when it is hidden (empty), focus nothing, so keys stay keys, not letters."""
        table = self.main_table()
        if table is None:
            return
        if table.display:
            table.focus()
        else:
            self.set_focus(None)

    def on_screen_resume(self) -> None:
        """After any modal closes, give focus back to the table (Textual would pick the first focusable: a filter)."""
        self.call_after_refresh(self._refocus)

    def _refocus(self) -> None:
        if self.focused is None or isinstance(self.focused, Input):
            self.focus_main()

    def set_title(self, text: str) -> None:
        self.query_one("#title", Static).update(text)

    def export_table(self) -> RecordTable[Any] | None:
        tables = list(self.query(RecordTable))
        focused = [t for t in tables if t.has_focus]
        return (focused or tables or [None])[0]

    def action_export(self) -> None:
        from tui.screens.dialogs import ExportDialog

        table = self.export_table()
        if table is None or not table.records:
            self.notify("Nothing to export in this view.", severity="warning")
            return
        columns, rows = table.export_rows()
        stamp = self.camaudit.now().astimezone(dt.UTC).strftime("%Y%m%d-%H%M")
        default = Path.cwd() / f"{self.EXPORT_NAME}-{stamp}.csv"

        def chosen(path: Path | None) -> None:
            if path is not None:
                self.camaudit.export(path, columns, rows)

        self.app.push_screen(ExportDialog(default, len(rows)), chosen)


class FilteredScreen(CamauditScreen):
    """A list screen with a `/` text filter over its main table, working like the fleet's text filter.

    Subclasses yield `self.text_filter()` in their body, keep the unfiltered records and implement `refilter`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_filter", "Filter", id="screen.filter", key_display="/",
                tooltip="Filter the rows by text; every word must match"),
        Binding("escape", "clear_filter", "Clear filter", id="screen.clear_filter", show=False),
    ]
    FILTER_HINT = "/ to filter by any text in the rows ..."
    # Textual would focus the first focusable widget, the filter box: a key pressed before our refocus ran
    # (on a loaded machine) was typed into it instead of reaching the screen's bindings ("n" on Egress).
    AUTO_FOCUS = "RecordTable"

    def text_filter(self) -> TextFilter:
        return TextFilter(self.FILTER_HINT)

    @property
    def filter_text(self) -> str:
        return self.query_one("#filter", TextFilter).value

    def filtered(self, table: RecordTable[Any], records: Sequence[Any]) -> list[Any]:
        return keep_matching(records, self.filter_text, table.row_text)

    def refilter(self) -> None:
        """Show the stored records that match the filter text."""

    def on_input_changed(self, message: Input.Changed) -> None:
        if message.input.id == "filter":
            message.stop()
            self.refilter()

    def on_input_submitted(self, message: Input.Submitted) -> None:
        if message.input.id == "filter":
            message.stop()
            self.focus_main()

    def action_focus_filter(self) -> None:
        self.query_one("#filter", TextFilter).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", TextFilter).value = ""
        self.refilter()
        self.focus_main()
