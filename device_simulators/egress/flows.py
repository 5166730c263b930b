"""One conversation as a capture point at the site edge sees it: frames, times and tags.

A ``Flow`` turns a script of messages ("client sends these bytes, server answers those")
into timed Ethernet frames with consistent TCP sequence numbers, handshakes, delayed ACKs
(one per two segments, as Linux and most camera stacks do) and a FIN exchange. Time model
at the capture point: a packet from the device is seen, the peer's answer is seen one round
trip later, the device's own reaction a few hundred microseconds after what it reacts to.

Every frame carries a *tag* that the ground truth counts as the frame is written:
``(category, device, key, direction, note)`` with category ``ext`` (to/from the internet),
``dns`` (to/from the site resolver) or ``intra`` (video), direction 0 = from the device,
1 = to it, and an optional note (``("sni", name)``, ``("host", name)``, ``("attempt",)``,
``("query", name)``, ``("answer", name, rcode, addresses)``).
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from device_simulators.egress.pcap import ACK, FIN, PSH, SYN, Link

MSS = 1460
LOCAL_US = 200            # a host reacting to what it just received
THINK_US = 1_000          # a server preparing its answer
SEGMENT_GAP_US = 120      # back-to-back 1500-byte frames on 100 Mbit/s
SYN_RETRIES_US = (1_000_000, 3_000_000)   # retransmissions 1 s and 3 s after the first SYN

OUT, IN = 0, 1
Tag = tuple[Any, ...]
Frame = tuple[int, bytes, Tag]      # (time in microseconds since the epoch, frame, tag)
# (direction, payload, note for its first segment); a list payload is pre-cut into segments
Message = tuple[int, bytes | list[bytes], Any]


@dataclass(frozen=True)
class Hop:
    """An endpoint as seen on the capture's segment: its address and the MAC frames carry."""

    address: str
    mac: str


def _gap(direction: int, last_dir: int, rtt_us: int) -> int:
    """Time between the previous message and this one, seen from the capture point."""
    if direction == last_dir:
        return LOCAL_US                     # the same side goes on
    return rtt_us + THINK_US if direction == IN else 2 * LOCAL_US


def _segments(payload: bytes) -> list[bytes]:
    return [payload[i:i + MSS] for i in range(0, len(payload), MSS)] or [b""]


def tag(category: str, device: int, key: Any, direction: int, note: Any = None) -> Tag:
    return (category, device, key, direction, note)


class Flow:
    """Frames of one conversation between a site device (client) and a peer (server)."""

    def __init__(self, client: Hop, server: Hop, client_port: int, server_port: int, *,
                 rng: random.Random, rtt_us: int, category: str, device: int, key: Any) -> None:
        self.cport, self.sport = client_port, server_port
        self.links = (Link(client.mac, server.mac, client.address, server.address, rng.randrange(65536)),
                      Link(server.mac, client.mac, server.address, client.address, rng.randrange(65536)))
        self.rng, self.rtt = rng, rtt_us
        self.category, self.device, self.key = category, device, key
        self.frames: list[Frame] = []

    def _tag(self, direction: int, note: Any = None) -> Tag:
        return (self.category, self.device, self.key, direction, note)

    def _emit(self, time_us: int, direction: int, frame: bytes, note: Any = None) -> None:
        self.frames.append((time_us, frame, self._tag(direction, note)))

    def _tcp(self, time_us: int, direction: int, seq: int, ack: int, flags: int,
             payload: bytes = b"", note: Any = None) -> None:
        ports = (self.cport, self.sport) if direction == OUT else (self.sport, self.cport)
        self._emit(time_us, direction, self.links[direction].tcp(*ports, seq, ack, flags, payload), note)

    def tcp(self, start_us: int, messages: Iterable[Message], *, close: bool = True) -> int:
        """Handshake, the scripted messages, FIN exchange (unless ``close`` is false: a session
        that outlives the capture); returns the time of the last frame."""
        seq = [self.rng.randrange(1 << 32), self.rng.randrange(1 << 32)]
        self._tcp(start_us, OUT, seq[OUT], 0, SYN)
        self._tcp(start_us + self.rtt, IN, seq[IN], seq[OUT] + 1, SYN | ACK)
        seq = [seq[OUT] + 1, seq[IN] + 1]
        now = start_us + self.rtt + LOCAL_US
        self._tcp(now, OUT, seq[OUT], seq[IN], ACK)
        last_dir = OUT
        for direction, payload, note in messages:
            now += _gap(direction, last_dir, self.rtt)
            other = 1 - direction
            chunks = payload if isinstance(payload, list) else _segments(payload)
            for index, chunk in enumerate(chunks):
                flags = ACK | PSH if index == len(chunks) - 1 else ACK
                self._tcp(now, direction, seq[direction], seq[other], flags, chunk, note if index == 0 else None)
                seq[direction] += len(chunk)
                if index % 2 == 1 or index == len(chunks) - 1:   # delayed ACK: every second segment
                    delay = self.rtt if direction == OUT else LOCAL_US
                    self._tcp(now + delay, other, seq[other], seq[direction], ACK)
                if index < len(chunks) - 1:
                    now += SEGMENT_GAP_US
            last_dir = direction
        if not close:
            return now
        now += 2 * LOCAL_US
        self._tcp(now, OUT, seq[OUT], seq[IN], FIN | ACK)
        self._tcp(now + self.rtt, IN, seq[IN], seq[OUT] + 1, FIN | ACK)
        self._tcp(now + self.rtt + LOCAL_US, OUT, seq[OUT] + 1, seq[IN] + 1, ACK)
        return now + self.rtt + LOCAL_US

    def syn_attempt(self, start_us: int) -> int:
        """A connection attempt nobody answers: the SYN and its retransmissions (same port, seq)."""
        seq = self.rng.randrange(1 << 32)
        self._tcp(start_us, OUT, seq, 0, SYN, note=("attempt",))
        for retry in SYN_RETRIES_US:
            self._tcp(start_us + retry, OUT, seq, 0, SYN)
        return start_us + SYN_RETRIES_US[-1]

    def udp(self, start_us: int, messages: Iterable[Message]) -> int:
        """Datagrams in script order with the same time model; returns the last frame's time."""
        now, last_dir = start_us, None
        for direction, payload, note in messages:
            if last_dir is not None:
                now += _gap(direction, last_dir, self.rtt)
            ports = (self.cport, self.sport) if direction == OUT else (self.sport, self.cport)
            self._emit(now, direction, self.links[direction].udp(*ports, payload), note)
            last_dir = direction
        return now

    def sorted_frames(self) -> list[Frame]:
        """The frames in capture order (ACKs of a burst interleave with its later segments)."""
        return sorted(self.frames, key=lambda f: f[0])
