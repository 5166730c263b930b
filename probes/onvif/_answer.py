"""What one ONVIF read gives back: the `<operation>Response` element, where and how it was
answered, and the evidence line an observation built from it carries (excerpts pass through
redaction)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from probes._redact import redact
from probes._xml import find, text
from probes.base import Evidence

PROTOCOL = "onvif"


@dataclass(frozen=True)
class Answer:
    value: Element          # the operation's Response element (parsed by probes/_xml.py)
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
    utc = find(answer.value, "SystemDateAndTime/UTCDateTime")
    parts = [text(utc, p) or "" for p in ("Date/Year", "Date/Month", "Date/Day", "Time/Hour", "Time/Minute",
                                          "Time/Second")]
    if not all(p.isdigit() for p in parts):
        return None                    # absent or not numbers
    try:
        device = dt.datetime(*(int(p) for p in parts), tzinfo=dt.UTC)
    except ValueError:
        return None                    # Hikvision's 0000-00-00
    midpoint = dt.datetime.now(dt.UTC) - dt.timedelta(milliseconds=answer.duration_ms / 2)
    return dt.timedelta(seconds=round((device - midpoint).total_seconds()))
