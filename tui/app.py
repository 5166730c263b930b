"""The camaudit TUI: a thin App that wires screens, global keys and the injected clock.

State and workers live in `tui.jobs`, screens in `tui.screens`, widgets in `tui.widgets`,
read models in `tui.data`, styles in `app.tcss`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.binding import Binding, BindingType

from models.db import Store, open_store
from tui.data.live import STORE_POLL_S
from tui.jobs import WorkingApp
from tui.messages import DeviceSelected
from tui.screens.device import DeviceScreen
from tui.screens.dialogs import AuditDialog, HelpScreen, QuitDialog
from tui.screens.egress import EgressScreen
from tui.screens.findings import FindingsScreen
from tui.screens.fleet import FleetScreen
from tui.screens.runs import RunsScreen
from tui.services import ReadOnlyServices, Services


class CamauditApp(WorkingApp):
    TITLE = "camaudit"
    CSS_PATH = "app.tcss"
    MODES: ClassVar = {"fleet": FleetScreen, "findings": FindingsScreen, "egress": EgressScreen,
                       "runs": RunsScreen}
    DEFAULT_MODE = "fleet"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "switch_mode('fleet')", "Fleet", id="app.fleet"),
        Binding("2", "switch_mode('findings')", "Findings", id="app.findings"),
        Binding("3", "switch_mode('egress')", "Egress", id="app.egress"),
        Binding("4", "switch_mode('runs')", "Runs", id="app.runs"),
        Binding("a", "audit", "Audit", id="app.audit", tooltip="Audit a range of addresses"),
        Binding("x", "cancel_work", "Stop", id="app.stop", tooltip="Stop the running audit or egress watch"),
        Binding("question_mark,f1", "help", "Help", id="app.help", key_display="?"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, store: Store, *, services: Services, now: Callable[[], dt.datetime],
                 cursor_blink: bool = True) -> None:
        super().__init__(store, services, now)
        self.cursor_blink = cursor_blink
        self.owns_store = False

    def on_mount(self) -> None:
        self.reload_fleet()
        self.watch_store()

    def on_unmount(self) -> None:
        self.cancel_work()
        if self.owns_store:
            self.store.close()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_work":
            return self.working
        return True

    def action_audit(self) -> None:
        self.push_screen(AuditDialog(), lambda request: request and self.begin_audit(request))

    async def action_quit(self) -> None:
        """Quit at once when idle; while an audit or watch runs, ask first (quitting stops it)."""
        if not self.working:
            self.exit()
            return
        what = "An audit" if self.auditing else "An egress analysis"
        self.push_screen(QuitDialog(what), lambda yes: yes and self.exit())

    def action_cancel_work(self) -> None:
        self.cancel_work()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def on_device_selected(self, message: DeviceSelected) -> None:
        self.push_screen(DeviceScreen(message.device_id))


def make_app(db: Store | str | Path, *, services: Services | None = None,
             now: Callable[[], dt.datetime] | None = None, cursor_blink: bool = True,
             site: str | None = None, poll_s: float = STORE_POLL_S) -> CamauditApp:
    """The one way to build the app, for the CLI, the tests and the benchmark.

    Args:
        db: an open store or the path of the database (created if missing).
        services: how to start audits and egress analyses; read-only when omitted.
        now: the clock for "5 min ago" columns (tests pass a fixed one).
        cursor_blink: False in snapshot tests, so screenshots do not depend on timing.
        site: show only this site's devices, and preselect it on the runs screen (None: every site).
        poll_s: how often to look for runs other processes wrote (0: never; tests use a fraction of a second).

    Raises:
        StoreUnavailable: the database cannot be opened.
    """
    store = db if isinstance(db, Store) else open_store(db)
    app = CamauditApp(store, services=services or ReadOnlyServices(),
                      now=now or (lambda: dt.datetime.now(dt.UTC)), cursor_blink=cursor_blink)
    app.owns_store = not isinstance(db, Store)
    app.site = site
    app.poll_s = poll_s
    return app
