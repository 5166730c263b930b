"""Write a deterministic capture of a simulated CCTV site, and its ground truth.

The capture is what a SPAN port at the site's edge switch would record: ~97% RTSP/RTP video
from cameras to the recorder, the rest each device's phone-home traffic (DNS through the
site resolver, then TLS, HTTP, NTP, P2P, raw sessions and unanswered SYNs) as the profiles'
``phone_home`` lists describe it. The same arguments always give the same bytes.

Frames are merged in time order from the video stream and from sessions that are only
built when the capture clock reaches them, so memory stays flat for any packet count.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from device_simulators.egress.flows import Frame
from device_simulators.egress.patterns import LOOKUP_ONLY
from device_simulators.egress.pcap import PcapWriter
from device_simulators.egress.plan import (
    AIRPORT,
    DEFAULT_START,
    RECORDER,
    ROUTER,
    SITE_NETWORK,
    Plan,
    disabled_setting,
    plan_site,
)
from device_simulators.egress.truth import DeviceTruth, SiteTruth
from device_simulators.egress.video import rtp_packets
from device_simulators.profile import Profile


def truth_path(out: str | Path) -> Path:
    """Where the ground truth of capture ``out`` goes: ``OUT.truth.json`` next to it."""
    out = Path(out)
    return out.with_name(out.name + ".truth.json")


def write_site_pcap(path: str | Path, profiles: Sequence[Profile], *, packets: int = 20_000,
                    cameras: int | None = None, seed: int = 1, start: dt.datetime = DEFAULT_START,
                    addresses: Mapping[str, str] | None = None) -> SiteTruth:
    """Write a site capture of exactly ``packets`` frames to ``path``; return its ground truth.

    Args:
        profiles: the site's devices, placed on 10.20.0.11 upward in this order.
        cameras: devices on the site in all; synthetic filler cameras are added after the
            profiles. None: the profiles plus three fillers (they carry the airport case).
        seed: same seed and arguments, same bytes.
        start: capture time of the first frame's schedule (timezone-aware).
        addresses: optional profile id -> IPv4 address overrides (e.g. the loopback
            addresses of a running fleet, to link devices by address instead of MAC).
    Raises:
        ValueError: too few packets or cameras for the selection, or too many cameras.
    """
    if start.tzinfo is None:
        raise ValueError("start must be timezone-aware (UTC)")
    plan = plan_site(profiles, packets=packets, cameras=cameras, seed=seed, start=start, addresses=addresses)
    truth = new_truth(plan, seed)
    truth.file = Path(path).name
    count = truth.count
    with PcapWriter(path) as writer:
        write = writer.write
        for time_us, frame, tag in site_frames(plan):
            write(time_us, frame)
            count(time_us, len(frame), tag)
    return truth


def write_site_capture(out: str | Path, profiles: Sequence[Profile], *, packets: int = 20_000,
                       cameras: int | None = None, seed: int = 1) -> tuple[SiteTruth, Path]:
    """What ``camaudit sim pcap OUT`` does: the capture and ``OUT.truth.json`` beside it."""
    truth = write_site_pcap(out, profiles, packets=packets, cameras=cameras, seed=seed)
    return truth, truth.write(truth_path(out))


def new_truth(plan: Plan, seed: int) -> SiteTruth:
    """An empty truth with the plan's devices, the site layout and the deliberate scenarios."""
    devices = []
    for d in plan.devices:
        patterns = {(p.address, p.port, p.transport): (p.kind, disabled_setting(d.profile, p))
                    for p in d.patterns if p.kind not in LOOKUP_ONLY}
        devices.append(DeviceTruth(d.id, d.profile.id if d.profile else None, d.hop.address, d.hop.mac,
                                   d.device_type, patterns))
    undisclosed = [{"device": d.id, "name": p.name, "address": p.address, "port": p.port,
                    "transport": p.transport, "setting": disabled_setting(d.profile, p)}
                   for d in plan.devices for p in d.patterns if disabled_setting(d.profile, p)]
    scenarios = {
        "undisclosed_egress": undisclosed,
        "unanswered_syn": {"address": AIRPORT.address, "port": AIRPORT.port, "transport": AIRPORT.transport,
                           "devices": [d.id for d in plan.devices if AIRPORT in d.patterns]},
        "unused_dns": [{"device": d.id, "name": p.name, "answers": [p.address] if p.kind == "dns_only" else []}
                       for d in plan.devices for p in d.patterns if p.kind in LOOKUP_ONLY],
    }
    site = {"network": str(SITE_NETWORK),
            "gateway": {"address": ROUTER.address, "mac": ROUTER.mac},
            "resolver": {"address": ROUTER.address, "mac": ROUTER.mac, "port": 53},
            "recorder": {"address": RECORDER.address, "mac": RECORDER.mac}}
    return SiteTruth(seed=seed, site=site, devices=devices, scenarios=scenarios)


def site_frames(plan: Plan) -> Iterator[Frame]:
    """Every frame of the capture in time order; sessions are built only when reached."""
    heap: list[tuple[int, int, Frame, Iterator[Frame]]] = []
    order = itertools.count()

    def push(frames: Iterator[Frame]) -> None:
        item = next(frames, None)
        if item is not None:
            heapq.heappush(heap, (item[0], next(order), item, frames))

    push(iter(plan.rtsp_frames))
    push(rtp_packets(plan.streams, RECORDER, plan.video_count, plan.video_first_us, plan.video_last_us))
    sessions, i = plan.sessions, 0
    while heap or i < len(sessions):
        while i < len(sessions) and (not heap or sessions[i].start_us <= heap[0][0]):
            push(iter(sessions[i].frames(plan.edge)))
            i += 1
        _, _, item, frames = heapq.heappop(heap)
        yield item
        push(frames)
