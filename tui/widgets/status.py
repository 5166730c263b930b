"""The one-line strip above the footer: what is running in the background, if anything."""

from __future__ import annotations

from textual.widgets import Static


class WorkStatus(Static):
    """Mirrors the app's `work_status`; hidden while nothing runs."""

    DEFAULT_CSS = """
    WorkStatus { height: 1; background: $warning 30%; padding: 0 1; display: none; }
    WorkStatus.-busy { display: block; }
    """

    def on_mount(self) -> None:
        self.watch(self.app, "work_status", self._show, init=True)

    def _show(self, status: str) -> None:
        self.update(status)
        self.set_class(bool(status), "-busy")
