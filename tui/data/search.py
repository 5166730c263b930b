"""Text filtering for the list screens: every typed word must appear somewhere in the row (case-insensitive),
the same rule as the fleet's text filter (tui.data.fleet.matches)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

R = TypeVar("R")


def keep_matching(records: Sequence[R], text: str, haystack: Callable[[R], str]) -> list[R]:
    """The records whose lower-cased `haystack` contains every word of `text`; all of them when `text` is blank."""
    words = text.lower().split()
    if not words:
        return list(records)
    return [r for r in records if all(w in haystack(r).lower() for w in words)]
