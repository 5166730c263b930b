"""Parse the statistics tshark prints after the last packet of a file.

tshark's taps see every frame, not only those the display filter lets through, so two taps
in the same pass give what Python never sees: the capture's total frames, bytes, first and
last frame times (`io,stat` with MIN/MAX of frame.time_epoch), and every address's totals
(`endpoints,ip` / `endpoints,ipv6`), which is how devices that only stream video to the
recorder are still listed. The text layout is tshark's (stable since 1.x); a line that does
not parse is skipped, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from probes.egress.columns import epoch_us

TAPS: tuple[str, ...] = (
    "io,stat,0,FRAMES,BYTES,MIN(frame.time_epoch)frame.time_epoch,MAX(frame.time_epoch)frame.time_epoch",
    "endpoints,ip",
    "endpoints,ipv6",
)

# | 0.0 <> 96.6 |  20000 | 24004716 | 1767600000.000000 | 1767600096.552749 |
_IO_ROW = re.compile(r"^\|\s*[\d.]+\s*<>\s*(?:[\d.]+|Dur)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|"
                     r"\s*([\d.]+)?\s*\|\s*([\d.]+)?\s*\|")
# 10.20.0.18   774   871172   726   859909   48   11263
_ENDPOINT_ROW = re.compile(r"^([0-9A-Fa-f.:]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


@dataclass
class CaptureStats:
    frames: int = 0
    bytes: int = 0
    first_us: int | None = None
    last_us: int | None = None
    endpoints: dict[str, tuple[int, int]] = field(default_factory=dict)   # address -> (packets, bytes)
    found: bool = False                 # the io,stat table was there at all

    def merge(self, other: CaptureStats) -> None:
        """Add another file's statistics (captures split over several files)."""
        self.frames += other.frames
        self.bytes += other.bytes
        self.found = self.found or other.found
        for name in ("first_us", "last_us"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if theirs is not None:
                pick = min if name == "first_us" else max
                setattr(self, name, theirs if mine is None else pick(mine, theirs))
        for address, (packets, size) in other.endpoints.items():
            old = self.endpoints.get(address, (0, 0))
            self.endpoints[address] = (old[0] + packets, old[1] + size)


def parse_stats(text: str) -> CaptureStats:
    """The statistics in tshark's trailing output (after the PSML document)."""
    stats = CaptureStats()
    in_endpoints = False
    for line in text.splitlines():
        io = _IO_ROW.match(line)
        if io:
            stats.found = True
            stats.frames, stats.bytes = int(io.group(1)), int(io.group(2))
            if stats.frames and io.group(3) and io.group(4):
                stats.first_us, stats.last_us = epoch_us(io.group(3)), epoch_us(io.group(4))
            continue
        if line.startswith(("IPv4 Endpoints", "IPv6 Endpoints")):
            in_endpoints = True
            continue
        if line.startswith("="):
            in_endpoints = False
            continue
        if in_endpoints:
            row = _ENDPOINT_ROW.match(line)
            if row:
                stats.endpoints[row.group(1)] = (int(row.group(2)), int(row.group(3)))
    return stats
