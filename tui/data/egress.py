"""Egress as the TUI shows it: external destinations per device, from the egress store.

The egress analysis (issue 4: `models/egress.py`, `auditor/egress*`) has not landed in this tree
yet, so `load_egress` reports it as unavailable and the screens say how to produce it; nothing
is ever made up. When it lands, this module is the one place that reads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from models.db import Store

NOT_YET = "No egress analysis yet: run camaudit egress analyze FILE (a capture of the cameras' traffic)."


@dataclass(frozen=True)
class EgressLine:
    """One external destination one device talked to."""

    address: str                 # the device
    destination: str             # host name when known, else the IP address
    port: int | None
    protocol: str
    label: str                   # e.g. "Hik-Connect", "Dahua P2P", "NTP", "unknown"
    country: str | None
    flows: int
    device_id: int | None = None
    last_seen: dt.datetime | None = None

    @property
    def unknown(self) -> bool:
        return self.label == "unknown"


@dataclass(frozen=True)
class EgressRunLine:
    id: int
    started: dt.datetime
    finished: dt.datetime | None
    source: str                  # the capture file or interface
    device_count: int
    destination_count: int


@dataclass
class EgressIndex:
    available: bool = False      # False: the egress module is not installed in this build
    runs: list[EgressRunLine] = field(default_factory=list)
    lines: list[EgressLine] = field(default_factory=list)

    def for_address(self, address: str) -> list[EgressLine]:
        return [line for line in self.lines if line.address == address]

    @property
    def empty_message(self) -> str:
        return NOT_YET


def load_egress(store: Store) -> EgressIndex:
    """The latest egress analysis per device, or an unavailable index (see the module docstring)."""
    del store
    return EgressIndex(available=False)
