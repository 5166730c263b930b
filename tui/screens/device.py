"""Device: identity with maker evidence, analytics matrix, channels, remote access, egress,
findings and change history, read in a worker and shown in tabs.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import TabbedContent, TabPane
from textual.worker import get_current_worker

from tui.data.device import DeviceView, load_device
from tui.data.fleet import FleetIndex
from tui.data.format import age, severity_text
from tui.jobs import user_error_or_raise
from tui.messages import WorkFailed
from tui.screens.base import CamauditScreen
from tui.screens.dialogs import ExportDialog
from tui.widgets.analytics import AnalyticsPanel, ChannelsPanel
from tui.widgets.device_panels import EgressPanel, FindingsPanel, HistoryPanel, IdentityPanel, RemotePanel
from tui.widgets.empty import EmptyState

TABS = ("analytics", "identity", "channels", "remote", "egress", "findings", "history")


class DeviceScreen(CamauditScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "back", "Back", id="device.back"),
        Binding("right_square_bracket", "tab(1)", "Next tab", id="device.next_tab", key_display="]"),
        Binding("left_square_bracket", "tab(-1)", "Previous tab", id="device.previous_tab", key_display="["),
        Binding("e", "export", "Export matrix", id="device.export", tooltip="Save the analytics matrix as CSV/JSON"),
    ]
    EXPORT_NAME = "camaudit-device"

    def __init__(self, device_id: int) -> None:
        super().__init__()
        self.device_id = device_id
        self.view: DeviceView | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(initial="analytics", id="device-tabs"):
            with TabPane("Analytics", id="analytics"):
                yield AnalyticsPanel()
            with TabPane("Identity", id="identity-tab"):
                yield IdentityPanel()
            with TabPane("Channels", id="channels"):
                yield ChannelsPanel()
            with TabPane("Remote", id="remote-tab"):
                yield RemotePanel()
            with TabPane("Egress", id="egress-tab"):
                yield EgressPanel()
            with TabPane("Findings", id="findings-tab"):
                yield FindingsPanel()
            with TabPane("History", id="history-tab"):
                yield HistoryPanel()
        yield EmptyState(id="device-empty")

    def on_mount(self) -> None:
        self.set_title(f"Device {self.device_id}: reading ...")
        self.query_one("#device-tabs").display = False
        super().on_mount()
        self.load()

    def show_fleet(self, index: FleetIndex) -> None:
        if self.view is not None:   # a new audit may have re-audited this device
            self.load()

    @work(thread=True, exclusive=True, group="device")
    def load(self) -> None:
        try:
            view = load_device(self.camaudit.store, self.device_id)
        except Exception as exc:  # noqa: BLE001 - store problems become the error modal
            self.app.call_from_thread(self.app.post_message, WorkFailed(user_error_or_raise(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_view, view)

    def show_view(self, view: DeviceView | None) -> None:
        if not self.is_attached or not self.query("#title") or not self.query("#device-tabs"):
            return     # the screen closed (or the app quit) while its device was being read
        tabs = self.query_one("#device-tabs", TabbedContent)
        if view is None:
            self.set_title(f"Device {self.device_id}")
            self.query_one("#device-empty", EmptyState).show(
                "This device is no longer in the database. Press escape to go back.")
            return
        first = self.view is None
        self.view = view
        a = view.audit
        maker = (f"made by [b magenta]{a.manufacturer}[/] (rebadged)" if a.oem else
                 f"made by {a.manufacturer}" if a.manufacturer else "maker unknown")
        worst = severity_text(view.summary.latest.worst_severity).markup if view.read else "[yellow]?[/]"
        status = view.status if view.status == "read" else f"[b yellow]{view.status}[/]"
        now = self.camaudit.now()
        self.set_title(f"[b]{a.address}[/b] {a.brand or '?'} {a.model or ''}, {maker} · fw {a.firmware or '?'}"
                       f" · {status} · worst {worst} · audited {age(view.summary.latest.recorded, now)}")
        for panel in (AnalyticsPanel, ChannelsPanel, IdentityPanel, RemotePanel, EgressPanel, FindingsPanel,
                      HistoryPanel):
            self.query_one(panel).show(view)
        tabs.display = True
        if first:
            self.query_one("#matrix").focus()

    def action_back(self) -> None:
        self.dismiss()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one("#device-tabs", TabbedContent)
        panes = [p.id for p in tabs.query(TabPane) if p.id]
        current = panes.index(tabs.active) if tabs.active in panes else 0
        tabs.active = panes[(current + step) % len(panes)]
        pane = tabs.get_pane(tabs.active)
        focusable = [w for w in pane.query("*") if w.focusable]
        if focusable:
            focusable[0].focus()

    def action_export(self) -> None:
        """The analytics matrix of this device, with evidence (the other tabs are in the report)."""
        if self.view is None:
            return
        view = self.view
        rows = [{"feature": r.info.id, "label": r.info.label, "biometric": r.info.biometric,
                 "supported": r.verdict.supported, "enabled": r.verdict.enabled,
                 "channels_on": list(r.channels_on), "evidence": list(r.verdict.evidence)} for r in view.matrix]
        columns = list(rows[0])
        default = Path.cwd() / f"camaudit-device-{view.audit.address.replace(':', '_')}.json"
        self.app.push_screen(ExportDialog(default, len(rows)),
                             lambda path: path and self.camaudit.export(path, columns, rows))
