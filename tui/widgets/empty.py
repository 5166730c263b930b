"""What a list shows when there is nothing to list: what to run first."""

from __future__ import annotations

from textual.widgets import Static


class EmptyState(Static):
    DEFAULT_CSS = """
    EmptyState { height: 1fr; content-align: center middle; text-align: center; color: $text-muted;
                 padding: 1 2; display: none; }
    EmptyState.-shown { display: block; }
    """

    def show(self, message: str | None) -> None:
        """Show `message` (rich markup allowed) or hide when None."""
        if message is not None:
            self.update(message)
        self.set_class(message is not None, "-shown")
