"""The analytics matrix (27 features x supported / enabled, evidence on selection) and the
per-channel view of an NVR.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from models.features import FEATURE_INFO, FEATURES
from tui.data.device import DeviceView, MatrixRow
from tui.data.format import tri, tri_text

LEGEND = ("[bold red]yes[/] biometric on  [bold green]yes[/] on  [dim]no[/]  "
          "[yellow]?[/] the device would not tell us")


def enabled_text(row: MatrixRow) -> Text:
    return tri_text(row.verdict.enabled, on_style="bold red" if row.info.biometric else "bold green")


def evidence_markup(title: str, meaning: str, evidence: list[str], extra: str = "") -> Text:
    text = Text()
    text.append(title, style="bold")
    text.append(f"  {meaning}\n", style="italic")
    if extra:
        text.append(f"{extra}\n")
    if evidence:
        for line in evidence:
            text.append(f"  • {line}\n")
    else:
        text.append("  no evidence recorded: the device gave no answer about this\n", style="dim")
    return text


class AnalyticsPanel(Vertical):
    """All 27 feature ids with supported / enabled, colour-coded; the evidence of the highlighted one."""

    def compose(self) -> ComposeResult:
        table: DataTable[str | Text] = DataTable(id="matrix", cursor_type="row", zebra_stripes=False)
        table.add_column("Feature", key="feature", width=20)
        table.add_column("Group", key="group", width=9)
        table.add_column("Supported", key="supported", width=9)
        table.add_column("Enabled", key="enabled", width=8)
        table.add_column("On in channels", key="channels")
        table.add_column("Last known", key="last")
        yield table
        yield Static(LEGEND, id="matrix-legend", classes="legend")
        yield Static("", id="matrix-evidence", classes="evidence")

    def show(self, view: DeviceView) -> None:
        self.view = view
        table = self.query_one("#matrix", DataTable)
        table.clear()
        for row in view.matrix:
            label = Text(row.info.label, style="bold" if row.info.biometric else "")
            channels = ", ".join(str(c) for c in row.channels_on) or ("-" if view.audit.channels else "")
            last = view.last_known(row.info.id)
            enabled = enabled_text(row) if view.read else Text("not read", style="yellow")
            table.add_row(label, row.info.group, tri_text(row.verdict.supported, on_style="green"),
                          enabled, channels, Text(last or "", style="yellow"), key=row.info.id)
        self._explain(0)

    def _explain(self, index: int) -> None:
        rows = self.view.matrix
        if not 0 <= index < len(rows):
            return
        row = rows[index]
        enabled = tri(row.verdict.enabled) if self.view.read else f"not read ({self.view.status})"
        extra = (f"supported: {tri(row.verdict.supported)}   enabled: {enabled}"
                 + ("   (biometric: special-category data when used to identify people)" if row.info.biometric
                    else ""))
        last = self.view.last_known(row.info.id)
        if last:
            extra += f"\n{row.info.label}: {last}"
        self.query_one("#matrix-evidence", Static).update(
            evidence_markup(f"{row.info.label} ({row.info.id})", row.info.meaning, row.verdict.evidence, extra))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self._explain(message.cursor_row)


class ChannelsPanel(Vertical):
    """Features by channel for recorders: which camera input runs which analytic."""

    def compose(self) -> ComposeResult:
        yield Static("", id="channels-note", classes="note")
        yield DataTable(id="channel-matrix", cursor_type="row")
        yield Static("", id="channel-evidence", classes="evidence")

    def show(self, view: DeviceView) -> None:
        self.view = view
        channels = sorted(view.audit.channels)
        table = self.query_one("#channel-matrix", DataTable)
        table.clear(columns=True)
        note = self.query_one("#channels-note", Static)
        if not channels:
            note.update("This device reports no per-channel analytics (a camera, or a recorder that would "
                        "not say). The device-wide verdicts are under Analytics.")
            table.display = False
            return
        table.display = True
        note.update(f"{len(channels)} channel(s). Features with any verdict on any channel are listed; "
                    "a channel with no verdict at all shows ?.")
        table.add_column("Feature", key="feature", width=20)
        for ch in channels:
            table.add_column(f"ch{ch}", key=f"ch{ch}", width=4)
        self.features = [f.id for f in FEATURES if any(f.id in view.audit.channels[c] for c in channels)]
        for fid in self.features:
            cells: list[str | Text] = [FEATURE_INFO[fid].label]
            for ch in channels:
                verdict = view.audit.channels[ch].get(fid)
                on_style = "bold red" if FEATURE_INFO[fid].biometric else "bold green"
                cells.append(tri_text(verdict.enabled if verdict else None, on_style=on_style))
            table.add_row(*cells, key=fid)
        if self.features:
            self._explain(0)

    def _explain(self, index: int) -> None:
        if not 0 <= index < len(self.features):
            return
        fid = self.features[index]
        lines = []
        for ch, per in sorted(self.view.audit.channels.items()):
            verdict = per.get(fid)
            if verdict is not None:
                lines += [f"ch{ch}: {e}" for e in verdict.evidence] or [f"ch{ch}: enabled {tri(verdict.enabled)}"]
        info = FEATURE_INFO[fid]
        self.query_one("#channel-evidence", Static).update(evidence_markup(info.label, info.meaning, lines))

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        message.stop()
        self._explain(message.cursor_row)
