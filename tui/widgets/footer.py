"""The footer: Textual's, but it never lets `? Help` and `q Quit` fall off a narrow terminal.

Textual lays the keys out left to right (table keys, then the screen's, then the app's) and cuts what does
not fit, so at 80x24 Help and Quit were the first to go. Here the keys are chosen by importance until the
width is used up, and shown in Textual's order; the rest (at 80 columns: the views 1-4) are in the help screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets import Footer

ESSENTIAL = ("help", "quit")      # always shown
PALETTE = 13                      # the "^p palette" key docked on the right


def _width(binding: Binding, key_display: str) -> int:
    """Cells of one footer key: key, description and Textual's padding (one either side, one between)."""
    return len(key_display) + len(binding.description) + 3


def _rank(kind: int, binding: Binding) -> int:
    """Help and Quit first, then the screen's own keys, the app's (audit, stop), the table's, the views 1-4."""
    if binding.action in ESSENTIAL:
        return 0
    if binding.action.startswith("switch_mode"):
        return 4
    return {0: 1, 1: 2, 2: 3}[kind]


def fitting_actions(bindings: Iterable[tuple[int, Binding, str, bool]], width: int) -> set[str]:
    """Actions to show within `width` cells, by rank; ties keep the footer's order.

    `bindings` are (node kind 0=screen, 1=app, 2=widget, binding, key display, shown) in footer order.
    """
    shown = [(_rank(kind, b), i, b, display) for i, (kind, b, display, show) in enumerate(bindings) if show]
    chosen: set[str] = set()
    left = width
    for _, _, binding, display in sorted(shown, key=lambda s: (s[0], s[1])):
        if binding.action in chosen:
            continue
        cost = _width(binding, display)
        if cost <= left:
            chosen.add(binding.action)
            left -= cost
    return chosen


class CamauditFooter(Footer):
    """Footer that keeps Help and Quit in view at any width."""

    def _allowed(self) -> set[str]:
        screen = self.screen
        entries = []
        for node, binding, _enabled, _tooltip in screen.active_bindings.values():
            kind = 0 if node is screen else 1 if node is self.app else 2
            entries.append((kind, binding, self.app.get_key_display(binding), binding.show))
        palette = PALETTE if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE else 0
        return fitting_actions(entries, self.app.size.width - palette)

    def compose(self) -> ComposeResult:
        allowed = self._allowed() if self._bindings_ready else set()
        widget: Widget
        for widget in super().compose():
            # Footer yields one key widget per binding, each with its `action` (textual.widgets._footer.FooterKey,
            # private, so not imported): a key whose action did not fit is left out; labels and groups stay.
            action = getattr(widget, "action", None)
            if isinstance(action, str) and "-command-palette" not in widget.classes and action not in allowed:
                continue
            yield widget

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self.recompose)
