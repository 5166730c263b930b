"""Classic pcap writing and Ethernet/IPv4/TCP/UDP framing, in pure Python.

The site generator writes hundreds of thousands of frames, so everything here is struct
packing over pre-built parts: no packet objects, no per-packet allocation beyond the frame.
Classic pcap (not pcapng) with linktype Ethernet because every tool reads it, tshark and
pyshark included. IPv4 and TCP checksums are valid; UDP carries a valid checksum for small
datagrams and zero ("not computed", legal in IPv4) for RTP, where a real camera's hardware
offload would fill it in and where summing 1400-byte payloads would dominate the run time.
"""

from __future__ import annotations

import ipaddress
import struct
import sys
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

PCAP_MAGIC = 0xA1B2C3D4        # microsecond timestamps, written little-endian
LINKTYPE_ETHERNET = 1
SNAPLEN = 65535

# TCP flag bits
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

_ETH_IPV4 = b"\x08\x00"
_IP_HEADER = struct.Struct("!BBHHHBBH4s4s")
_TCP_HEADER = struct.Struct("!HHIIBBHHH")
_UDP_HEADER = struct.Struct("!HHHH")
_RECORD = struct.Struct("<IIII")
_MSS_OPTION = b"\x02\x04\x05\xb4"   # MSS 1460, sent on SYN and SYN-ACK like every real stack


def mac_bytes(mac: str) -> bytes:
    return bytes.fromhex(mac.replace(":", "").replace("-", ""))


def ip_bytes(address: str) -> bytes:
    return ipaddress.IPv4Address(address).packed


def checksum(data: bytes) -> int:
    """RFC 1071 Internet checksum. Summing native-order 16-bit words and swapping at the end
    gives the same result as big-endian words (RFC 1071 section 2(B)) and is much faster."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(memoryview(data).cast("H"))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    total = ~total & 0xFFFF
    return total if sys.byteorder == "big" else int.from_bytes(total.to_bytes(2, "little"), "big")


class Link:
    """One direction of one conversation: the fixed Ethernet and address parts of its frames.

    ``src_mac``/``dst_mac`` are the MACs on the capture's segment: for traffic to the
    internet the destination MAC is the site gateway's, as a SPAN port would show it.
    """

    __slots__ = ("_eth", "_src", "_dst", "_pseudo", "ident")

    def __init__(self, src_mac: str, dst_mac: str, src: str, dst: str, ident: int = 0) -> None:
        self._eth = mac_bytes(dst_mac) + mac_bytes(src_mac) + _ETH_IPV4
        self._src, self._dst = ip_bytes(src), ip_bytes(dst)
        self._pseudo = self._src + self._dst
        self.ident = ident          # IPv4 identification, incremented per packet

    def _ip(self, proto: int, payload_len: int, ttl: int = 64) -> bytes:
        self.ident = (self.ident + 1) & 0xFFFF
        total = 20 + payload_len
        header = _IP_HEADER.pack(0x45, 0, total, self.ident, 0x4000, ttl, proto, 0, self._src, self._dst)
        return header[:10] + checksum(header).to_bytes(2, "big") + header[12:]

    def udp(self, sport: int, dport: int, payload: bytes, *, with_checksum: bool = True) -> bytes:
        length = 8 + len(payload)
        csum = 0
        if with_checksum:
            pseudo = self._pseudo + struct.pack("!BBH", 0, 17, length)
            csum = checksum(pseudo + _UDP_HEADER.pack(sport, dport, length, 0) + payload) or 0xFFFF
        return self._eth + self._ip(17, length) + _UDP_HEADER.pack(sport, dport, length, csum) + payload

    def tcp(self, sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes = b"",
            window: int = 64240) -> bytes:
        options = _MSS_OPTION if flags & SYN else b""
        offset = (20 + len(options)) // 4 << 4
        header = _TCP_HEADER.pack(sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF if flags & ACK else 0,
                                  offset, flags, window, 0, 0) + options
        segment = header + payload
        pseudo = self._pseudo + struct.pack("!BBH", 0, 6, len(segment))
        csum = checksum(pseudo + segment).to_bytes(2, "big")
        return self._eth + self._ip(6, len(segment)) + segment[:16] + csum + segment[18:]


class PcapWriter:
    """Streams frames to a classic pcap file through a large buffer; memory stays flat."""

    def __init__(self, path: str | Path, *, linktype: int = LINKTYPE_ETHERNET) -> None:
        self.path = Path(path)
        self.packets = 0
        self._file: BinaryIO = open(self.path, "wb", buffering=1 << 20)  # noqa: SIM115 - closed in close()
        self._file.write(struct.pack("<IHHiIII", PCAP_MAGIC, 2, 4, 0, 0, SNAPLEN, linktype))

    def write(self, time_us: int, frame: bytes) -> None:
        """Write one frame captured at ``time_us`` microseconds since the Unix epoch."""
        sec, usec = divmod(time_us, 1_000_000)
        self._file.write(_RECORD.pack(sec, usec, len(frame), len(frame)))
        self._file.write(frame)
        self.packets += 1

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
