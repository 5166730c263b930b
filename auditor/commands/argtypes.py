"""Option types for the CLI: a bad number is refused by argparse in one line, never a traceback later.

`float("nan")` and `float("inf")` parse, so a plain `type=float` lets `--timeout nan` through to
the HTTP client and `--duration -1` through to a capture that then never stops.
"""

from __future__ import annotations

import argparse
import math


def seconds(text: str) -> float:
    """A finite number of seconds above 0 (`--timeout 2.5`)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds above 0 (e.g. 6 or 2.5)")
    return value


def positive_int(text: str) -> int:
    """A whole number of at least 1 (`--concurrency 8`)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number of at least 1")
    return value


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def duration(text: str) -> float:
    """A finite length of time above 0 in seconds, or with a unit: 90, 90s, 30m, 12h, 7d (`--duration`).

    0 and -1 are refused rather than read as "forever": leaving the option out means until Ctrl-C.
    """
    value = text.strip().lower()
    scale = _UNITS.get(value[-1:])
    try:
        length = float(value[:-1] if scale else value) * (scale or 1)
    except ValueError:
        length = math.nan
    if not math.isfinite(length) or length <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a length of time above 0; give seconds or a unit "
                                         "such as 90, 30m, 12h or 7d, or leave it out to run until Ctrl-C")
    return length
