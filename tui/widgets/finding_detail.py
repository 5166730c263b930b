"""The findings screen's detail pane: the highlighted finding in full (the table cuts long titles and advice)."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from models.features import severity_style
from models.fleet_flags import FindingLine
from tui.data.fleet import FleetRow


class FindingDetail(Static):
    """Severity, device, the whole finding text and the whole recommendation of one finding."""

    DEFAULT_CSS = """
    FindingDetail { height: auto; max-height: 8; padding: 0 1; border-top: solid $primary-background; }
    """

    def __init__(self) -> None:
        super().__init__("", id="finding-detail", markup=True)

    def show(self, pair: tuple[FleetRow, FindingLine] | None) -> None:
        if pair is None:
            self.update("")
            self.display = False
            return
        row, line = pair
        severity = f"[{severity_style(line.severity)}]{escape(line.severity)}[/]"
        device = " ".join(p for p in (row.label, row.maker or "", row.model or "") if p)
        self.update(f"{severity}  [b]{escape(line.title)}[/b]\n"
                    f"[dim]{escape(device)} · {escape(line.source)} · {escape(line.finding)}[/]\n"
                    f"[b]Recommendation:[/b] {escape(line.recommendation or '-')}")
        self.display = True
