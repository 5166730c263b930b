"""The site capture as real sites also record it: 802.1Q/Q-in-Q tags, IPv6 with extension
headers, fragmented DNS answers, Linux cooked capture, gzip. Each variant rewrites a classic
pcap frame by frame (memory stays flat) and keeps every flow, so an analysis of the variant
must find the same conversations as of the original; these captures exist to catch a
pre-filter or header parser that reads only the easy case.

Why each one: a mirror port on a trunk delivers tagged frames and BPF `ip` does not match a
tagged frame; BPF `port 53` misses DNS behind IPv6 extension headers and in non-first IPv4
fragments (large DNSSEC answers are fragmented); `tcpdump -i any` writes Linux cooked
capture; rotated captures are often gzipped.
"""

from __future__ import annotations

import gzip
import ipaddress
import shutil
import struct
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from device_simulators.egress.pcap import PCAP_MAGIC, SNAPLEN, PcapWriter, checksum

LINKTYPE_LINUX_SLL = 113
_RECORD = struct.Struct("<IIII")
_ET_IP4, _ET_IP6 = b"\x08\x00", b"\x86\xdd"
_DNS = 53
# RFC 1918 only: ipaddress' is_private also covers the TEST-NETs the plan uses as internet hosts.
_RFC1918 = tuple(ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def read_frames(path: str | Path) -> Iterator[tuple[int, bytes]]:
    """(time in microseconds, frame) of a classic little-endian microsecond pcap."""
    with open(path, "rb") as stream:
        head = stream.read(24)
        if struct.unpack_from("<I", head)[0] != PCAP_MAGIC:
            raise ValueError(f"{path} is not a little-endian microsecond pcap")
        while record := stream.read(16):
            sec, usec, incl, _ = _RECORD.unpack(record)
            yield sec * 1_000_000 + usec, stream.read(incl)


def _rewrite(src: str | Path, dst: str | Path, change: Callable[[int, int, bytes], list[bytes]],
             linktype: int = 1) -> int:
    count = 0
    with PcapWriter(dst, linktype=linktype) as writer:
        for index, (time_us, frame) in enumerate(read_frames(src)):
            for out in change(index, time_us, frame):
                writer.write(time_us, out)
                count += 1
    return count


def vlan_tagged(src: str | Path, dst: str | Path) -> int:
    """Every frame tagged: VLAN 20 + the last address byte; every fifth frame Q-in-Q (802.1ad
    provider tag 100 outside). Returns the frames written."""
    def change(index: int, _: int, frame: bytes) -> list[bytes]:
        inner = struct.pack("!HH", 0x8100, 20 + frame[-1] % 8)
        tags = (struct.pack("!HH", 0x88A8, 100) + inner) if index % 5 == 0 else inner
        return [frame[:12] + tags + frame[12:]]

    return _rewrite(src, dst, change)


def to_ipv6_address(packed: bytes) -> bytes:
    """The IPv4 plan mapped onto IPv6 with the same roles: private -> fd00::/64 (site, inside
    fc00::/7), multicast -> ff02::, link-local -> fe80::, anything else -> 2001:db8::/96."""
    v4 = ipaddress.IPv4Address(packed)
    if v4.is_multicast or v4 == ipaddress.IPv4Address("255.255.255.255"):
        prefix = b"\xff\x02" + bytes(10)
    elif v4.is_link_local:
        prefix = b"\xfe\x80" + bytes(10)
    elif any(v4 in n for n in _RFC1918):
        prefix = b"\xfd\x00" + bytes(10)
    else:
        prefix = b"\x20\x01\x0d\xb8" + bytes(8)
    return prefix + packed


def _transport_checksum(src: bytes, dst: bytes, proto: int, segment: bytes) -> bytes:
    at = 16 if proto == 6 else 6
    zeroed = segment[:at] + b"\x00\x00" + segment[at + 2:]
    pseudo = src + dst + struct.pack("!IxxxB", len(segment), proto)
    value = checksum(pseudo + zeroed) or (0xFFFF if proto == 17 else 0)
    return zeroed[:at] + value.to_bytes(2, "big") + zeroed[at + 2:]


def ipv6(src: str | Path, dst: str | Path) -> int:
    """IPv4 frames as IPv6 (addresses by `to_ipv6_address`); every DNS datagram carries a
    Destination Options header in front of UDP, as some resolvers' stacks send them."""
    def change(_: int, __: int, frame: bytes) -> list[bytes]:
        if frame[12:14] != _ET_IP4:
            return [frame]
        ihl = (frame[14] & 0x0F) * 4
        ttl, proto = frame[22], frame[23]
        source, dest = to_ipv6_address(frame[26:30]), to_ipv6_address(frame[30:34])
        segment = frame[14 + ihl:14 + struct.unpack_from("!H", frame, 16)[0]]
        if proto in (6, 17):
            segment = _transport_checksum(source, dest, proto, segment)
        ports = struct.unpack_from("!HH", segment) if proto in (6, 17) else (0, 0)
        next_header, extension = proto, b""
        if proto == 17 and _DNS in ports:
            next_header, extension = 60, bytes([17, 0, 1, 4, 0, 0, 0, 0])   # PadN: 8 bytes in all
        header = struct.pack("!IHBB", 6 << 28, len(extension) + len(segment), next_header, ttl) + source + dest
        return [frame[:12] + _ET_IP6 + header + extension + segment]

    return _rewrite(src, dst, change)


def fragmented_dns(src: str | Path, dst: str | Path) -> int:
    """Every DNS answer (UDP from port 53) split into two IPv4 fragments: the first holds the
    UDP header and 16 bytes, the second the rest (BPF `port 53` never sees it)."""
    def change(_: int, __: int, frame: bytes) -> list[bytes]:
        if frame[12:14] != _ET_IP4 or frame[23] != 17:
            return [frame]
        ihl = (frame[14] & 0x0F) * 4
        body = frame[14 + ihl:14 + struct.unpack_from("!H", frame, 16)[0]]
        if struct.unpack_from("!H", body)[0] != _DNS or len(body) <= 24:
            return [frame]
        parts = []
        for offset, piece, more in ((0, body[:24], True), (24, body[24:], False)):
            header = bytearray(frame[14:14 + ihl])
            struct.pack_into("!H", header, 2, ihl + len(piece))
            struct.pack_into("!H", header, 6, (0x2000 if more else 0) | offset // 8)
            struct.pack_into("!H", header, 10, 0)
            struct.pack_into("!H", header, 10, checksum(bytes(header)))
            parts.append(frame[:14] + bytes(header) + piece)
        return parts

    return _rewrite(src, dst, change)


def linux_cooked(src: str | Path, dst: str | Path) -> int:
    """Linux cooked capture (what `tcpdump -i any` writes): a 16-byte SLL header instead of
    Ethernet's 14, the sender's MAC kept, the destination's dropped."""
    def change(_: int, __: int, frame: bytes) -> list[bytes]:
        return [struct.pack("!HHH", 4, 1, 6) + frame[6:12] + b"\x00\x00" + frame[12:]]

    return _rewrite(src, dst, change, LINKTYPE_LINUX_SLL)


def gzipped(src: str | Path, dst: str | Path) -> int:
    """The capture gzip-compressed (`gzip -1`); returns its size."""
    with open(src, "rb") as plain, gzip.open(dst, "wb", compresslevel=1) as packed:
        shutil.copyfileobj(plain, packed, 1 << 20)
    return Path(dst).stat().st_size


def empty_pcap(path: str | Path) -> None:
    """A capture with no frames at all (a ring-buffer file closed before anything came)."""
    Path(path).write_bytes(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, 1))


def ring_buffer(src: str | Path, folder: str | Path, *, files: int = 4, prefix: str = "site") -> list[Path]:
    """The capture split as `dumpcap -b files:N` writes it (PREFIX_NNNNN_YYYYmmddHHMMSS.pcap),
    with sequence numbers that wrapped past 99999 partway, so name order is not time order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    frames = sum(1 for _ in read_frames(src))
    per_file = -(-frames // files)
    written: list[Path] = []
    writer: PcapWriter | None = None
    for index, (time_us, frame) in enumerate(read_frames(src)):
        if index % per_file == 0:
            if writer is not None:
                writer.close()
            number = (99_999 - files // 2 + len(written)) % 99_999 + 1      # 99998, 99999, 00001, ...
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime(time_us // 1_000_000))
            written.append(folder / f"{prefix}_{number:05d}_{stamp}.pcap")
            writer = PcapWriter(written[-1])
        assert writer is not None
        writer.write(time_us, frame)
    if writer is not None:
        writer.close()
    return written
