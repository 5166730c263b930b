"""What one ONVIF read gives back: the parsed value, where and how it was answered, and the
evidence line an observation built from it carries (excerpts pass through redaction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from probes._redact import redact
from probes.base import Evidence

PROTOCOL = "onvif"


@dataclass(frozen=True)
class Answer:
    value: Any
    operation: str
    path: str
    status: int
    duration_ms: int
    note: str = ""

    def evidence(self, excerpt: str = "") -> Evidence:
        result = f"HTTP {self.status}" + (f"; {self.note}" if self.note else "")
        return Evidence(PROTOCOL, f"{self.operation} {self.path}", result, redact(excerpt)[:120], self.duration_ms)


def clock_offset(answer: Answer) -> dt.timedelta | None:
    """Device clock minus ours; the answer's duration centres our reading (quirk 14)."""
    utc = getattr(answer.value, "UTCDateTime", None)
    try:
        d, t = utc.Date, utc.Time
        device = dt.datetime(d.Year, d.Month, d.Day, t.Hour, t.Minute, t.Second, tzinfo=dt.UTC)
    except (AttributeError, TypeError, ValueError):
        return None                    # absent, or Hikvision's 0000-00-00
    midpoint = dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=answer.duration_ms / 2)
    return dt.timedelta(seconds=round((device - midpoint).total_seconds()))
