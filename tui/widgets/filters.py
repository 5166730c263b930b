"""The fleet's filter row: a text box and the quick filters, each with its count."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tui.data.fleet import QUICK_FILTERS, QuickFilter


class TextFilter(Input):
    """The `/` text box of a list screen (findings, egress, runs): one line, every word must match."""

    def __init__(self, placeholder: str) -> None:
        super().__init__(placeholder=placeholder, id="filter", compact=True, classes="text-filter")

    def on_mount(self) -> None:
        self.cursor_blink = getattr(self.app, "cursor_blink", True)


class QuickToggle(Static):
    """One quick filter: its key, label and how many devices it matches; click or key toggles it."""

    def __init__(self, quick: QuickFilter) -> None:
        super().__init__(id=f"quick-{quick.id}", classes="quick")
        self.quick = quick
        self.count: int | None = None

    def render_label(self) -> str:
        count = "" if self.count is None else f" {self.count}"
        return f"[b]{self.quick.key}[/b] {self.quick.label}{count}"

    def set_count(self, count: int | None) -> None:
        self.count = count
        self.update(self.render_label())

    def on_mount(self) -> None:
        self.update(self.render_label())

    def on_click(self) -> None:
        self.post_message(FilterBar.QuickToggled(self.quick.id))


class FilterBar(Vertical):
    """Text filter and quick filters; posts FilterChanged with the whole state."""

    class QuickToggled(Message):
        def __init__(self, quick: str) -> None:
            super().__init__()
            self.quick = quick

    class FilterChanged(Message):
        def __init__(self, text: str, quick: frozenset[str]) -> None:
            super().__init__()
            self.text = text
            self.quick = quick

    def __init__(self) -> None:
        super().__init__(id="filter-bar")
        self.active: set[str] = set()

    def compose(self) -> ComposeResult:
        box = Input(placeholder="/ to filter by address, maker, model, firmware, feature ...", id="filter",
                    compact=True)
        box.cursor_blink = getattr(self.app, "cursor_blink", True)
        yield box
        with Horizontal(id="quick-filters"):
            for quick in QUICK_FILTERS:
                yield QuickToggle(quick)

    @property
    def text(self) -> str:
        return self.query_one("#filter", Input).value

    def toggle(self, quick: str) -> None:
        self.active ^= {quick}
        self.query_one(f"#quick-{quick}", QuickToggle).set_class(quick in self.active, "-active")
        self._changed()

    def clear(self) -> None:
        for quick in list(self.active):
            self.query_one(f"#quick-{quick}", QuickToggle).remove_class("-active")
        self.active.clear()
        self.query_one("#filter", Input).value = ""
        self._changed()

    def set_counts(self, counts: Counter[str]) -> None:
        for quick in QUICK_FILTERS:
            self.query_one(f"#quick-{quick.id}", QuickToggle).set_count(counts.get(quick.id, 0))

    def on_filter_bar_quick_toggled(self, message: QuickToggled) -> None:
        message.stop()
        self.toggle(message.quick)

    def on_input_changed(self, message: Input.Changed) -> None:
        message.stop()
        self._changed()

    def _changed(self) -> None:
        self.post_message(self.FilterChanged(self.text, frozenset(self.active)))


class SiteChip(Static):
    """One site (or "all") in the site filter, with its run count; a click picks it."""

    def __init__(self, site: str | None) -> None:
        super().__init__(classes="quick site-chip")
        self.site = site

    def show(self, count: int, active: bool) -> None:
        self.update(Text(f"{'all sites' if self.site is None else self.site} {count}"))   # names are not markup
        self.set_class(active, "-active")

    class Clicked(Message):
        def __init__(self, site: str | None) -> None:
            super().__init__()
            self.site = site

    def on_click(self) -> None:
        self.post_message(self.Clicked(self.site))


class SiteFilter(Horizontal):
    """The runs screen's site filter: `t` steps through all sites and each site; shown only when the
    store holds more than one site, or a site was chosen (camaudit tui --site) that the user may clear."""

    class SiteChosen(Message):
        def __init__(self, site: str | None) -> None:
            super().__init__()
            self.site = site

    def __init__(self, site: str | None = None) -> None:
        super().__init__(id="site-filter")
        self.site = site
        self.counts: dict[str, int] = {}
        self.total = 0

    def compose(self) -> ComposeResult:
        yield Static("[b]t[/b] site:", classes="site-key")

    @property
    def choices(self) -> list[str | None]:
        """All sites, then each site; a chosen site without runs (yet) stays choosable."""
        extra = [] if self.site is None or self.site in self.counts else [self.site]
        return [None, *self.counts, *extra]

    def set_sites(self, counts: dict[str, int], total: int) -> None:
        """The sites the store's runs belong to, with their counts (and the total for "all sites")."""
        self.counts, self.total = counts, total
        self.display = len(counts) > 1 or self.site is not None
        chips = list(self.query(SiteChip))
        if [c.site for c in chips] != self.choices:
            for chip in chips:
                chip.remove()
            chips = [SiteChip(site) for site in self.choices]
            self.mount_all(chips)
        self._show(chips)

    def _show(self, chips: list[SiteChip]) -> None:
        for chip in chips:
            chip.show(self.total if chip.site is None else self.counts.get(chip.site, 0), chip.site == self.site)

    def choose(self, site: str | None) -> None:
        self.site = site
        self._show(list(self.query(SiteChip)))
        self.post_message(self.SiteChosen(site))

    def step(self) -> None:
        """The next site after the chosen one, round to "all sites"."""
        choices = self.choices
        self.choose(choices[(choices.index(self.site) + 1) % len(choices)])

    def on_site_chip_clicked(self, message: SiteChip.Clicked) -> None:
        message.stop()
        self.choose(message.site)
