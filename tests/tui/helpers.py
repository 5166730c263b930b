"""Waiting for the app's background work in Pilot tests."""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot


async def wait_until(pilot: Pilot, condition: Callable[[], object], *, timeout: float = 10.0,
                     what: str = "condition") -> None:
    """Let the app run until `condition()` holds; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await pilot.pause(0.05)


def shown_addresses(app) -> list[str]:
    table = app.screen.query_one("#fleet-table")
    return [row.label for row in table.records]
