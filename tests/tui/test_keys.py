"""Keyboard use from issue 11: focus after dialogs, j/k/g/G, `/` filters on every list, the footer at 80x24."""

from __future__ import annotations

from tests.tui.builders import NOW
from tests.tui.helpers import wait_until
from tui.app import make_app
from tui.screens.dialogs import AuditDialog


async def fleet_loaded(pilot) -> None:
    await wait_until(pilot, lambda: pilot.app.fleet is not None and pilot.app.screen.query("#fleet-table")
                     and pilot.app.screen.query_one("#fleet-table").records, what="the fleet rows")


async def test_focus_returns_to_the_table_after_the_audit_dialog(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await fleet_loaded(pilot)
        await pilot.press("a")
        assert isinstance(school_app.screen, AuditDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert school_app.focused is school_app.screen.query_one("#fleet-table")
        assert school_app.screen.query_one("#filter").value == ""
        await pilot.press("q")
        await wait_until(pilot, lambda: not school_app.is_running, what="the app to quit")


async def test_q_quits_after_the_audit_dialog_on_an_empty_fleet(tmp_path):
    app = make_app(tmp_path / "new.db", now=lambda: NOW, cursor_blink=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.fleet is not None, what="the empty fleet")
        await pilot.press("a")
        assert isinstance(app.screen, AuditDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen.query_one("#filter").has_focus is False
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, what="the app to quit")


async def test_j_k_g_G_move_the_cursor_in_every_list(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await fleet_loaded(pilot)
        for mode, selector in (("1", "#fleet-table"), ("2", "#findings-table"), ("3", "#egress-table"),
                               ("4", "#runs-table")):
            await pilot.press(mode)
            await wait_until(pilot, lambda s=selector: school_app.screen.query(s)
                             and len(school_app.screen.query_one(s).records) >= 2, what=f"rows in {selector}")
            table = school_app.screen.query_one(selector)
            table.focus()
            await pilot.press("g")
            assert table.cursor_row == 0
            await pilot.press("j")
            assert table.cursor_row == 1
            await pilot.press("k")
            assert table.cursor_row == 0
            await pilot.press("G")
            assert table.cursor_row == len(table.records) - 1
            await pilot.press("j")                      # stays on the last row
            assert table.cursor_row == len(table.records) - 1
            await pilot.press("g")
            assert table.current is table.records[0]


async def test_slash_filters_findings_egress_and_runs_and_escape_leaves_the_filter(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await fleet_loaded(pilot)
        for mode, selector, word in (("2", "#findings-table", "face"), ("3", "#egress-table", "unknown"),
                                     ("4", "#runs-table", "egress")):
            await pilot.press(mode)
            await wait_until(pilot, lambda s=selector: school_app.screen.query(s)
                             and len(school_app.screen.query_one(s).records) >= 2, what=f"rows in {selector}")
            table = school_app.screen.query_one(selector)
            everything = list(table.records)
            await pilot.press("slash", *word)
            assert school_app.focused is school_app.screen.query_one("#filter")
            shown = list(table.records)
            assert shown and len(shown) < len(everything), selector
            assert all(word in table.row_text(r).lower() for r in shown)
            assert all(r in shown for r in everything if word in table.row_text(r).lower())
            if mode != "4":
                assert f"showing {len(shown)} of" in str(school_app.screen.query_one("#title").render())
            await pilot.press("enter")                  # back to the table, filter kept
            assert school_app.focused is table and list(table.records) == shown
            await pilot.press("slash", *"zzznosuch")
            assert table.records == [] and "matches this filter" in str(
                school_app.screen.query(".-shown").first().render())
            await pilot.press("escape")                 # leaves the filter and clears it
            assert school_app.screen.query_one("#filter").value == ""
            assert len(table.records) == len(everything) and school_app.focused is table
        await pilot.press("q")                          # q in the table quits, it is not typed anywhere
        await wait_until(pilot, lambda: not school_app.is_running, what="the app to quit")


def footer_keys(app) -> dict[str, tuple[int, int]]:
    """Footer keys in view: description -> (left, right) cell."""
    from textual.widgets._footer import FooterKey

    return {k.description: (k.region.x, k.region.right) for k in app.screen.query(FooterKey) if k.region.width}


async def test_footer_keeps_help_and_quit_in_view_at_80x24(school_app):
    async with school_app.run_test(size=(80, 24)) as pilot:
        await fleet_loaded(pilot)
        for mode in ("1", "2", "3", "4"):
            await pilot.press(mode)
            await pilot.pause(0.2)
            keys = footer_keys(school_app)
            assert "Help" in keys and "Quit" in keys, (mode, keys)
            assert keys["Help"][1] <= 80 - 12 and keys["Quit"][1] <= 80 - 12   # left of "^p palette"
            spans = sorted(keys.values())
            assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))   # nothing overlaps
        await pilot.press("1", "enter")
        await wait_until(pilot, lambda: type(school_app.screen).__name__ == "DeviceScreen", what="the device")
        await pilot.pause(0.2)
        assert {"Help", "Quit"} <= set(footer_keys(school_app))
        await pilot.press("escape")
        await pilot.resize_terminal(140, 24)            # wide again: every key, the views included
        await pilot.pause(0.3)
        assert {"Fleet", "Findings", "Egress", "Runs", "Sort", "Help", "Quit"} <= set(footer_keys(school_app))


async def test_findings_detail_pane_shows_the_whole_finding_and_recommendation(school_app):
    async with school_app.run_test(size=(80, 24)) as pilot:
        await fleet_loaded(pilot)
        await pilot.press("2")
        await wait_until(pilot, lambda: school_app.screen.query("#findings-table")
                         and len(school_app.screen.query_one("#findings-table").records) >= 2, what="findings")
        table = school_app.screen.query_one("#findings-table")
        detail = school_app.screen.query_one("#finding-detail")
        for key in ("g", "j", "G"):
            await pilot.press(key)
            await pilot.pause()
            row, line = table.current
            text = str(detail.render())
            assert line.title in text and line.recommendation in text and row.label in text, key
        assert detail.region.height >= 3 and table.region.height >= 5
        await pilot.press("slash", *"zzznosuch")
        assert detail.display is False                  # nothing highlighted, nothing detailed
