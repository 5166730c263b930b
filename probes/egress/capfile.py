"""What a capture file is, from its first bytes: pcap (either byte order, micro- or nanosecond),
pcapng, gzip; the link types it declares; the time of its first frame. Cheap look-ups that
decide a file's path (`files.py`) and the order of ring-buffer files, and the formats the
header pass (`headers.py`) reads.
"""

from __future__ import annotations

import gzip
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

LINKTYPE_ETHERNET = 1
PCAP_MAGICS = {                 # magic as read little-endian -> (byte order, units per second)
    0xA1B2C3D4: ("<", 1_000_000), 0xA1B23C4D: ("<", 1_000_000_000),
    0xD4C3B2A1: (">", 1_000_000), 0x4D3CB2A1: (">", 1_000_000_000),
}
PCAPNG_SHB = 0x0A0D0D0A


def sniff(head: bytes) -> str:
    """What a file starts like: pcap, pcapng, gzip, or unknown (tshark may still read it)."""
    if len(head) >= 4 and struct.unpack_from("<I", head)[0] in PCAP_MAGICS:
        return "pcap"
    if len(head) >= 4 and struct.unpack_from("<I", head)[0] == PCAPNG_SHB:
        return "pcapng"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    return "unknown"


def open_capture(path: str | Path) -> BinaryIO:
    """The file's bytes, decompressed if it is gzip-compressed."""
    with open(path, "rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rb")     # type: ignore[return-value]
    return open(path, "rb", buffering=0)


def first_time_us(path: str | Path) -> int | None:
    """The first frame's time (microseconds), from the start of the file only; None if unknown."""
    try:
        with open_capture(path) as stream:
            head = stream.read(1 << 16)
    except (OSError, EOFError, zlib.error):
        return None
    kind = sniff(head)
    if kind == "pcap" and len(head) >= 40:
        order, units = PCAP_MAGICS[struct.unpack_from("<I", head)[0]]
        sec, frac = struct.unpack_from(order + "II", head, 24)
        return sec * 1_000_000 + frac * 1_000_000 // units
    if kind != "pcapng":
        return None
    order, off, resolutions = "<", 0, []
    while off + 28 <= len(head):
        if struct.unpack_from("<I", head, off)[0] == PCAPNG_SHB:
            order = "<" if struct.unpack_from("<I", head, off + 8)[0] == 0x1A2B3C4D else ">"
        kind_id, size = struct.unpack_from(order + "II", head, off)
        if size < 12:
            return None
        if kind_id == 1:
            resolutions.append(resolution(head[off + 16:off + size - 4], order))
        elif kind_id == 6:
            iface, high, low = struct.unpack_from(order + "III", head, off + 8)
            to_us = resolutions[iface] if iface < len(resolutions) else (lambda ts: ts)
            return to_us(high << 32 | low)
        off += size
    return None


def resolution(options: bytes, order: str) -> Callable[[int], int]:
    """An interface's timestamp units -> microseconds (if_tsresol, option 9; default 10^-6)."""
    at = 0
    while at + 4 <= len(options):
        code, size = struct.unpack_from(order + "HH", options, at)
        if code == 0:
            break
        if code == 9 and size >= 1:
            value = options[at + 4]
            if value & 0x80:
                power = value & 0x7F
                return lambda ts: ts * 1_000_000 >> power
            digits = value
            if digits >= 6:
                div = 10 ** (digits - 6)
                return lambda ts: ts // div
            mul = 10 ** (6 - digits)
            return lambda ts: ts * mul
        at += 4 + (size + 3) // 4 * 4
    return lambda ts: ts


def declared_link_types(head: bytes) -> set[int] | None:
    """The link types a file's first bytes declare (pcap: its header; pcapng: the interface
    descriptions before the first packet); None if it is neither."""
    kind = sniff(head)
    if kind == "pcap":
        if len(head) < 24:
            return set()
        order, _ = PCAP_MAGICS[struct.unpack_from("<I", head)[0]]
        return {struct.unpack_from(order + "I", head, 20)[0] & 0x0FFFFFFF}
    if kind != "pcapng":
        return None
    order, off, found = "<", 0, set()
    while off + 12 <= len(head):
        if struct.unpack_from("<I", head, off)[0] == PCAPNG_SHB:
            order = "<" if struct.unpack_from("<I", head, off + 8)[0] == 0x1A2B3C4D else ">"
        block, size = struct.unpack_from(order + "II", head, off)
        if size < 12 or block in (2, 3, 6):
            break                              # packets begin: the descriptions come before them
        if block == 1 and off + 10 <= len(head):
            found.add(struct.unpack_from(order + "H", head, off + 8)[0])
        off += size
    return found
