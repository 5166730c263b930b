"""Pilot: the Device screen's Remote tab keeps "supported, state unknown" apart from "off" and shows
where data goes (push hosts, storage, audio) with the evidence of the highlighted row."""

from __future__ import annotations

from tests.tui.helpers import wait_until
from tests.tui.test_navigation import loaded, text_of
from tui.screens.device import DeviceScreen


async def test_remote_tab_shows_supported_and_where_data_goes(school_app):
    async with school_app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await pilot.press("slash", *"recep", "enter", "enter")
        await wait_until(pilot, lambda: isinstance(school_app.screen, DeviceScreen) and school_app.screen.view,
                         what="the device screen")
        screen = school_app.screen
        screen.query_one("#device-tabs").active = "remote-tab"
        await pilot.pause()
        remote = screen.query_one("#remote")
        assert [str(c) for c in remote.get_row("ddns")[:3]] == ["ddns", "?", "yes"]       # supported, state unknown
        assert [str(c) for c in remote.get_row("upnp")[:3]] == ["upnp", "no", "yes"]      # supported, off
        remote.move_cursor(row=remote.get_row_index("ddns"))
        await pilot.pause()
        assert "state: supported, state unknown" in text_of(school_app, "#remote-evidence")
        flows = screen.query_one("#data-flows")
        rows = [[str(c) for c in flows.get_row_at(i)] for i in range(flows.row_count)]
        assert rows == [["http_push", "yes", "203.0.113.7:8080", "HTTP, pictures"],
                        ["audio_recording", "?", "", "stream 101 (channel 1)"]]      # on first, then unknown
        flows.focus()
        flows.move_cursor(row=0)
        await pilot.pause()
        evidence = text_of(school_app, "#flow-evidence")
        assert "httpHosts" in evidence and "destination: 203.0.113.7:8080" in evidence
