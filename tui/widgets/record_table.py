"""A virtual table: renders only the visible rows, so 10,000 devices paint and filter instantly.

Textual's DataTable measures and stores every cell up front (about 3 s for 10,000 fleet rows);
this table keeps the records as they are and renders a row only when it scrolls into view.
Keys: arrows or j/k move, home/end or g/G jump to the first/last row, left/right pick a column,
s sorts by it (again: reverse), enter opens.
Mouse: click a header to sort, click a row to highlight it, click it again or double-click to open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

R = TypeVar("R")


@dataclass(frozen=True)
class Column(Generic[R]):
    key: str
    label: str
    width: int
    cell: Callable[[R], str | Text]
    sort: Callable[[R], Any] | None = None      # default: the cell's plain text
    value: Callable[[R], Any] | None = None     # for export; default: the sort value or plain text
    justify: str = "left"

    def plain(self, record: R) -> str:
        cell = self.cell(record)
        return cell.plain if isinstance(cell, Text) else str(cell)

    def export(self, record: R) -> Any:
        if self.value is not None:
            return self.value(record)
        return self.plain(record)


def _sort_key(value: Any) -> tuple[bool, Any]:
    return (value is None, value if value is not None else 0)


class RecordTable(ScrollView, Generic[R], can_focus=True):
    """Rows are records of any type; columns say how to show, sort and export them."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "first", "First row", show=False, id="table.first"),
        Binding("end", "last", "Last row", show=False, id="table.last"),
        Binding("j", "cursor(1)", "Down", show=False, id="table.down_vi", tooltip="Down one row (as in vi)"),
        Binding("k", "cursor(-1)", "Up", show=False, id="table.up_vi", tooltip="Up one row (as in vi)"),
        Binding("g", "first", "First row", show=False, id="table.first_vi", tooltip="First row (as in vi/less)"),
        Binding("G", "last", "Last row", show=False, id="table.last_vi", tooltip="Last row (as in vi/less)"),
        Binding("left", "column(-1)", "Previous column", show=False, id="table.previous_column"),
        Binding("right", "column(1)", "Next column", show=False, id="table.next_column"),
        Binding("s", "sort", "Sort", id="table.sort", tooltip="Sort by the highlighted column; again to reverse"),
        Binding("enter", "choose", "Open", id="table.open", tooltip="Open the highlighted row"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "record-table--header", "record-table--header-cursor", "record-table--cursor",
    }
    DEFAULT_CSS = """
    RecordTable { height: 1fr; }
    RecordTable > .record-table--header { text-style: bold; background: $panel; }
    RecordTable > .record-table--header-cursor { text-style: bold reverse; }
    RecordTable > .record-table--cursor { background: $block-cursor-blurred-background; }
    RecordTable:focus > .record-table--cursor { background: $block-cursor-background; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_column: reactive[int] = reactive(0)

    class RowHighlighted(Message):
        """The cursor moved onto a record."""

        def __init__(self, table: RecordTable[Any], record: Any) -> None:
            super().__init__()
            self.table = table
            self.record = record

        @property
        def control(self) -> RecordTable[Any]:
            return self.table

    class RowChosen(RowHighlighted):
        """The user opened a record (enter, second click, double-click)."""

    def __init__(self, columns: Sequence[Column[R]], *, key: Callable[[R], Any] = id,
                 id: str | None = None, classes: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, classes=classes)
        self.columns: list[Column[R]] = list(columns)
        self.records: list[R] = []
        self._key = key
        self._sort: tuple[str, bool] | None = None
        self._lines: LRUCache[int, Strip] = LRUCache(512)

    # ---- data ---------------------------------------------------------------------------

    @property
    def total_width(self) -> int:
        return sum(c.width + 1 for c in self.columns)

    @property
    def current(self) -> R | None:
        return self.records[self.cursor_row] if 0 <= self.cursor_row < len(self.records) else None

    def set_records(self, records: Sequence[R]) -> None:
        """Show `records` in the current sort order, keeping the cursor on the same record if present."""
        previous = self.current
        self.records = list(records)
        self._apply_sort()
        self._lines.clear()
        self.virtual_size = Size(self.total_width, len(self.records) + 1)
        row = 0
        if previous is not None:
            wanted = self._key(previous)
            row = next((i for i, r in enumerate(self.records) if self._key(r) == wanted), 0)
        self.cursor_row = row
        self.refresh()

    def set_columns(self, columns: Sequence[Column[R]]) -> None:
        """Show other columns (the runs screen adds Site when the store holds several); the sort stays."""
        if [c.key for c in columns] == [c.key for c in self.columns]:
            return
        current = self.columns[self.cursor_column].key if self.columns else None
        self.columns = list(columns)
        self.cursor_column = next((i for i, c in enumerate(self.columns) if c.key == current), 0)
        self.set_records(self.records)

    def sort_by(self, column_key: str, reverse: bool = False) -> None:
        self._sort = (column_key, reverse)
        self.set_records(self.records)

    @property
    def sort_state(self) -> tuple[str, bool] | None:
        return self._sort

    def _apply_sort(self) -> None:
        if self._sort is None:
            return
        key, reverse = self._sort
        column = next((c for c in self.columns if c.key == key), None)
        if column is None:
            return
        get = column.sort or column.plain
        self.records.sort(key=lambda r: _sort_key(get(r)), reverse=reverse)

    def row_text(self, record: R) -> str:
        """Every column's full text for `record`, for text filters (cells are never cut here)."""
        return " ".join(c.plain(record) for c in self.columns)

    def export_rows(self) -> tuple[list[str], list[dict[str, Any]]]:
        """The records as shown (filtered and sorted): column keys and one dict per row."""
        keys = [c.key for c in self.columns]
        return keys, [{c.key: c.export(r) for c in self.columns} for r in self.records]

    # ---- rendering ----------------------------------------------------------------------

    def _cell_segments(self, column: Column[R], content: str | Text, style: Style) -> list[Segment]:
        text = content.copy() if isinstance(content, Text) else Text(str(content))
        text.no_wrap = True
        if column.justify == "right" and text.cell_len < column.width:
            text.pad_left(column.width - text.cell_len)
        text.truncate(column.width, overflow="ellipsis", pad=True)
        console = self.app.console
        # Text.render leaves the Text's own style out (only spans are rendered); add it under them.
        cell_style = style + console.get_style(text.style) if text.style else style
        segments = list(text.render(console))
        return [*Segment.apply_style(segments, cell_style), Segment(" ", style)]

    def _header(self) -> Strip:
        style = self.get_component_rich_style("record-table--header")
        cursor = self.get_component_rich_style("record-table--header-cursor")
        segments: list[Segment] = []
        for i, column in enumerate(self.columns):
            label = column.label
            if self._sort and self._sort[0] == column.key:
                label = f"{label}{'▼' if self._sort[1] else '▲'}"
            cell_style = style + cursor if (i == self.cursor_column and self.has_focus) else style
            segments.extend(self._cell_segments(column, Text(label), cell_style))
        return Strip(segments, self.total_width)

    def _row(self, index: int) -> Strip:
        strip = self._lines.get(index)
        if strip is None:
            record = self.records[index]
            base = self.rich_style
            segments: list[Segment] = []
            for column in self.columns:
                segments.extend(self._cell_segments(column, column.cell(record), base))
            strip = Strip(segments, self.total_width)
            self._lines[index] = strip
        if index == self.cursor_row:
            cursor = self.get_component_rich_style("record-table--cursor")
            strip = Strip(list(Segment.apply_style(list(strip), post_style=cursor)), strip.cell_length)
        return strip

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        if y == 0:
            strip = self._header()
        else:
            index = scroll_y + y - 1
            if not 0 <= index < len(self.records):
                return Strip.blank(width, self.rich_style)
            strip = self._row(index)
        return strip.crop_extend(scroll_x, scroll_x + width, self.rich_style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    # ---- cursor -------------------------------------------------------------------------

    def validate_cursor_row(self, value: int) -> int:
        return max(0, min(value, len(self.records) - 1)) if self.records else 0

    def watch_cursor_row(self, new: int) -> None:
        visible = max(1, self.size.height - 1)
        top = self.scroll_offset.y
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        self.refresh()
        if self.current is not None:
            self.post_message(self.RowHighlighted(self, self.current))

    def watch_cursor_column(self, new: int) -> None:
        start = sum(c.width + 1 for c in self.columns[:new])
        end = start + self.columns[new].width
        left = self.scroll_offset.x
        if start < left:
            self.scroll_to(x=start, animate=False, immediate=True)
        elif end > left + self.size.width:
            self.scroll_to(x=end - self.size.width + 1, animate=False, immediate=True)
        self.refresh()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def action_cursor(self, delta: int) -> None:
        self.cursor_row += delta

    def action_page(self, delta: int) -> None:
        self.cursor_row += delta * max(1, self.size.height - 2)

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.records) - 1

    def action_column(self, delta: int) -> None:
        self.cursor_column = max(0, min(len(self.columns) - 1, self.cursor_column + delta))

    def action_sort(self) -> None:
        key = self.columns[self.cursor_column].key
        reverse = bool(self._sort and self._sort[0] == key and not self._sort[1])
        self.sort_by(key, reverse)

    def action_choose(self) -> None:
        if self.current is not None:
            self.post_message(self.RowChosen(self, self.current))

    # ---- mouse --------------------------------------------------------------------------

    def _column_at(self, x: int) -> int | None:
        edge = 0
        for i, column in enumerate(self.columns):
            edge += column.width + 1
            if x < edge:
                return i
        return None

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        scroll_x, scroll_y = self.scroll_offset
        if offset.y == 0:
            column = self._column_at(offset.x + scroll_x)
            if column is not None:
                self.cursor_column = column
                self.action_sort()
            return
        index = scroll_y + offset.y - 1
        if 0 <= index < len(self.records):
            again = index == self.cursor_row
            self.cursor_row = index
            if again or event.chain >= 2:
                self.action_choose()
