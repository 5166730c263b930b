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
