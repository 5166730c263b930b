"""The cheap header pass: capture totals and every address's totals without dissecting.

The pre-filter (`bpf.py`) hides ~97% of the frames from tshark, but the report still needs
what they add up to: the capture's frames, bytes, first and last time, and each site
device's frames and bytes (its traffic inside the site, and devices that only stream video
to the recorder). Those are in the record headers and the Ethernet/IP headers, so this
reads only those: pcap (both byte orders, micro- and nanosecond) and pcapng (every
interface's timestamp resolution), Ethernet with up to two VLAN tags, IPv4 and IPv6. It
counts what tshark's `endpoints,ip`/`endpoints,ipv6` and `io,stat` taps would (outer header;
a frame counts for its source and its destination). It runs as its own process
(`python -m probes.egress.headers FILE`, JSON on stdout) next to tcpdump and tshark, so the
three passes share the machine's cores. Memory is one read buffer plus one counter per
address pair.
"""

from __future__ import annotations

import gzip
import ipaddress
import json
import struct
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from probes.egress.capfile import PCAP_MAGICS, PCAPNG_SHB, open_capture, resolution, sniff
from probes.egress.stats import CaptureStats

CHUNK = 1 << 22
MAX_RECORD = 1 << 18            # tshark's own limit for one Ethernet frame (WTAP_MAX_PACKET_SIZE_STANDARD)
CUT_SHORT = "the file appears to have been cut short in the middle of a packet"
_ET_IP4, _ET_IP6 = 0x0800, 0x86DD
_TAGS = (0x8100, 0x88A8, 0x9100)


@dataclass
class HeaderPass:
    """What the header pass found in one file."""

    stats: CaptureStats = field(default_factory=CaptureStats)
    link_types: set[int] = field(default_factory=set)
    damage: str | None = None       # why the pass stopped before the end of the file

    def to_json(self) -> dict:
        s = self.stats
        return {"frames": s.frames, "bytes": s.bytes, "first_us": s.first_us, "last_us": s.last_us,
                "endpoints": s.endpoints, "link_types": sorted(self.link_types), "damage": self.damage}

    @classmethod
    def from_json(cls, doc: dict) -> HeaderPass:
        stats = CaptureStats(frames=doc["frames"], bytes=doc["bytes"], first_us=doc["first_us"],
                             last_us=doc["last_us"], found=True,
                             endpoints={a: (v[0], v[1]) for a, v in doc["endpoints"].items()})
        return cls(stats=stats, link_types=set(doc["link_types"]), damage=doc["damage"])


class _Counter:
    """Per address-pair frames and bytes; folded into per-address totals at the end."""

    def __init__(self) -> None:
        self.packets: dict[bytes, int] = {}
        self.bytes: dict[bytes, int] = {}

    def frame(self, data: bytes | memoryview, length: int) -> None:
        """One Ethernet frame's outer IP addresses (after up to two VLAN tags)."""
        offset = 12
        kind = int.from_bytes(data[12:14], "big")
        for _ in range(2):
            if kind not in _TAGS:
                break
            offset += 4
            kind = int.from_bytes(data[offset:offset + 2], "big")
        if kind == _ET_IP4 and len(data) >= offset + 22:
            key = bytes(data[offset + 14:offset + 22])
        elif kind == _ET_IP6 and len(data) >= offset + 42:
            key = bytes(data[offset + 10:offset + 42])
        else:
            return
        self.packets[key] = self.packets.get(key, 0) + 1
        self.bytes[key] = self.bytes.get(key, 0) + length

    def endpoints(self) -> dict[str, tuple[int, int]]:
        totals: dict[str, list[int]] = {}
        for key, packets in self.packets.items():
            half = len(key) // 2
            for raw in (key[:half], key[half:]):
                address = str(ipaddress.ip_address(raw))
                entry = totals.setdefault(address, [0, 0])
                entry[0] += packets
                entry[1] += self.bytes[key]
        return {a: (p, b) for a, (p, b) in totals.items()}


def _chunks(stream: BinaryIO, first: bytes = b"", *, result: HeaderPass) -> Iterator[bytes]:
    """The stream in large pieces; a compressed stream that breaks off ends them, noted."""
    if first:
        yield first
    while True:
        try:
            chunk = stream.read(CHUNK)
        except (EOFError, OSError, zlib.error) as exc:
            result.damage = f"the compressed file breaks off part-way ({exc or 'unexpected end of data'})"
            return
        if not chunk:
            return
        yield chunk


Progress = Callable[[int], None] | None      # told the frames counted so far, once per chunk


def _pcap(stream: BinaryIO, head: bytes, result: HeaderPass, counter: _Counter, progress: Progress) -> None:
    order, units = PCAP_MAGICS[struct.unpack_from("<I", head)[0]]
    result.link_types.add(struct.unpack_from(order + "I", head, 20)[0] & 0x0FFFFFFF)
    # One unpack per record: its header, the Ethernet type and an untagged IPv4 source and
    # destination. This loop is the header pass's whole cost (~0.7 us a frame): keep it flat.
    fast = struct.Struct(order + "IIII12x2s12x8s")
    unpack, reach = fast.unpack_from, fast.size
    tail = struct.Struct(order + "IIII").unpack_from         # the last records of a buffer
    micro = units == 1_000_000
    packets, sizes, frame = counter.packets, counter.bytes, counter.frame
    frames = total = 0
    first = last = None
    # One buffer for the whole file (a fresh 4 MB object per read costs more in page faults
    # than the loop below): each read appends after what is left of the last record.
    buf = bytearray(CHUNK + MAX_RECORD + 16)
    view = memoryview(buf)
    n = 0
    while True:
        try:
            got = stream.readinto(view[n:n + CHUNK])
        except (EOFError, OSError, zlib.error) as exc:
            result.damage = f"the compressed file breaks off part-way ({exc or 'unexpected end of data'})"
            break
        if not got:
            break
        n += got
        off = 0
        limit = n - reach
        while True:
            if off <= limit:
                sec, frac, incl, orig, kind, key = unpack(buf, off)
            elif off + 16 <= n:
                sec, frac, incl, orig = tail(buf, off)
                kind = key = None
            else:
                break
            end = off + 16 + incl
            if end > n or incl > MAX_RECORD:
                if incl > MAX_RECORD:
                    result.damage = f"a packet claims {incl} bytes, bigger than maximum of {MAX_RECORD}"
                break
            if kind == b"\x08\x00" and incl >= 34:          # IPv4, untagged: the common case
                packets[key] = packets.get(key, 0) + 1
                sizes[key] = sizes.get(key, 0) + orig
            elif incl >= 14:
                frame(bytes(buf[off + 16:end]), orig)
            t = sec * 1_000_000 + (frac if micro else frac // 1000)
            if first is None:
                first = last = t
            elif t > last:
                last = t
            elif t < first:
                first = t
            frames += 1
            total += orig
            off = end
        buf[:n - off] = bytes(view[off:n])        # what is left of a record (a copy: no overlap)
        n -= off
        if progress is not None:
            progress(frames)
        if result.damage:
            break
    view.release()
    if n and not result.damage:
        result.damage = CUT_SHORT
    stats = result.stats
    stats.frames, stats.bytes, stats.first_us, stats.last_us = frames, total, first, last


def _pcapng(stream: BinaryIO, head: bytes, result: HeaderPass, counter: _Counter, progress: Progress) -> None:
    stats = result.stats
    order = "<"
    interfaces: list[Callable[[int], int]] = []
    frames = total = 0
    first = last = None
    buf = b""
    for chunk in _chunks(stream, head, result=result):
        buf = buf + chunk if buf else chunk
        n, off = len(buf), 0
        while off + 12 <= n:
            kind = struct.unpack_from(order + "I", buf, off)[0]
            if kind == PCAPNG_SHB or struct.unpack_from("<I", buf, off)[0] == PCAPNG_SHB:
                order = "<" if struct.unpack_from("<I", buf, off + 8)[0] == 0x1A2B3C4D else ">"
                kind, interfaces = PCAPNG_SHB, []
            size = struct.unpack_from(order + "I", buf, off + 4)[0]
            if size < 12 or size % 4 or size > MAX_RECORD + 64:
                result.damage = "a pcapng block has an impossible length"
                break
            if off + size > n:
                break
            if kind == 1:                                    # interface description
                result.link_types.add(struct.unpack_from(order + "H", buf, off + 8)[0])
                interfaces.append(resolution(buf[off + 16:off + size - 4], order))
            elif kind in (6, 3):                             # enhanced / simple packet
                if kind == 6:
                    iface, high, low, incl, orig = struct.unpack_from(order + "IIIII", buf, off + 8)
                    data = buf[off + 28:off + 28 + incl]
                    to_us = interfaces[iface] if iface < len(interfaces) else (lambda ts: ts)
                    t: int | None = to_us(high << 32 | low)
                else:
                    orig = struct.unpack_from(order + "I", buf, off + 8)[0]
                    data, t = buf[off + 12:off + size - 4], None
                if len(data) >= 14:
                    counter.frame(data, orig)
                if t is not None:
                    first = t if first is None else min(first, t)
                    last = t if last is None else max(last, t)
                frames += 1
                total += orig
            off += size
        buf = buf[off:]
        if progress is not None:
            progress(frames)
        if result.damage:
            break
    if buf and not result.damage:
        result.damage = CUT_SHORT
    stats.frames, stats.bytes, stats.first_us, stats.last_us = frames, total, first, last


def read_headers(path: str | Path, progress: Progress = None) -> HeaderPass:
    """The header pass over one pcap or pcapng file, gzip-compressed or not.

    Raises:
        ValueError: the file is neither pcap nor pcapng (callers fall back to tshark).
    """
    result, counter = HeaderPass(), _Counter()
    with open_capture(path) as stream:
        try:
            head = stream.read(24)
            kind = sniff(head)
            if kind == "pcap" and len(head) == 24:
                _pcap(stream, head, result, counter, progress)
            elif kind == "pcapng":
                _pcapng(stream, head, result, counter, progress)
            else:
                raise ValueError(f"{path} is not a pcap or pcapng file")
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise ValueError(f"{path} is not a readable gzip file ({exc})") from exc
    result.stats.found = True
    result.stats.endpoints = counter.endpoints()
    return result


def main(argv: list[str]) -> int:
    """`python -c '...main' FILE...`: one JSON line per file on stdout, as each is done, and
    "INDEX FRAMES" progress lines on stderr."""
    for index, path in enumerate(argv):
        def progress(frames: int, index: int = index) -> None:
            sys.stderr.write(f"{index} {frames}\n")
            sys.stderr.flush()

        try:
            doc = read_headers(path, progress).to_json()
        except (OSError, ValueError) as exc:
            doc = {"error": str(exc)}
        sys.stdout.write(json.dumps(doc) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
