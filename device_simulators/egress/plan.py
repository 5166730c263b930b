"""Lay out a simulated CCTV site and schedule its traffic, before a single byte is written.

The packet budget fixes the capture's length: phone-home sessions run on their profiles'
``every`` schedule until they have used about 3% of the budget (every pattern runs at least
once), and RTP video fills the rest of the budget evenly over the same time span. Each
session gets its own seed here, so building it twice (once to count, once to write) gives
identical frames, and memory stays flat however many packets are asked for.

Deliberate scenarios the auditor must find, beyond the profiles' own ``phone_home``:
- ``AIRPORT``: filler cameras keep trying one hard-coded address that never answers
  (the airport case: a hundred cameras, millions of SYNs to one unknown host);
- ``UNUSED_LOOKUPS``: the first device resolves names it never connects to (one answered,
  one NXDOMAIN);
- undisclosed egress comes from the profiles (hik-acusense-nvr calls Hik-Connect with
  ``hik_connect.enabled: false``) and is marked through ``disabled_setting``.
"""

from __future__ import annotations

import datetime as dt
import heapq
import ipaddress
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from device_simulators.egress.flows import Frame, Hop
from device_simulators.egress.patterns import DNS_TTL, LOOKUP_ONLY, Edge, Session
from device_simulators.egress.video import Stream, rtsp_setup
from device_simulators.profile import PhoneHome, Profile

SITE_NETWORK = ipaddress.IPv4Network("10.20.0.0/24")
ROUTER = Hop("10.20.0.1", "0a:20:00:00:00:01")      # the site's gateway, also its DNS resolver
RECORDER = Hop("10.20.0.2", "0a:20:00:00:00:02")    # the VMS recorder every camera streams to
FIRST_DEVICE_HOST = 11                              # devices from 10.20.0.11 upward
FILLER_OUI = "0a:1c:c7"        # locally administered: no vendor lookup can claim the fillers
DEFAULT_FILLERS = 3            # cameras=None: the profiles plus this many fillers
PHONE_HOME_SHARE = 0.03
EPHEMERAL_PORTS = (50_000, 54_000)   # no tshark dissector is registered on these ports
DEFAULT_START = dt.datetime(2026, 1, 5, 8, 0, tzinfo=dt.UTC)

AIRPORT = PhoneHome(name=None, address="198.51.100.23", port=443, transport="tcp", kind="syn_only",
                    every=30, bytes_out=0, bytes_in=0)
UNUSED_LOOKUPS = (
    PhoneHome(name="upgrade.cctv-oem.example", address="198.51.100.80", port=0, transport="udp",
              kind="dns_only", every=300, bytes_out=0, bytes_in=0),
    PhoneHome(name="p2p-fallback.cctv-oem.example", address="0.0.0.0", port=0, transport="udp",
              kind="nxdomain", every=300, bytes_out=0, bytes_in=0),
)


@dataclass(frozen=True)
class SiteDevice:
    index: int
    id: str
    profile: Profile | None          # None for filler cameras
    hop: Hop
    device_type: str
    patterns: tuple[PhoneHome, ...]


@dataclass
class Plan:
    devices: list[SiteDevice]
    edge: Edge
    streams: list[Stream]
    rtsp_frames: list[Frame]
    sessions: list[Session] = field(default_factory=list)
    video_count: int = 0
    video_first_us: int = 0
    video_last_us: int = 0


def disabled_setting(profile: Profile | None, pattern: PhoneHome) -> str | None:
    """The remote_access id that is configured off yet names this pattern's server."""
    if profile is None or pattern.kind in LOOKUP_ONLY:
        return None
    for rid, config in profile.remote_access.items():
        server = config.get("server")
        if config.get("enabled") is False and server and server in (pattern.name, pattern.address):
            return rid
    return None


def site_devices(profiles: Sequence[Profile], cameras: int | None,
                 addresses: Mapping[str, str] | None = None) -> list[SiteDevice]:
    """The profiles' devices first, then synthetic filler cameras up to ``cameras`` in all."""
    total = len(profiles) + DEFAULT_FILLERS if cameras is None else cameras
    if total < len(profiles):
        raise ValueError(f"{total} cameras cannot hold the {len(profiles)} selected profiles; "
                         f"ask for at least {len(profiles)}")
    hosts = SITE_NETWORK.num_addresses - 1 - FIRST_DEVICE_HOST
    if total > hosts:
        raise ValueError(f"the simulated site {SITE_NETWORK} has room for {hosts} cameras, not {total}")
    overrides = dict(addresses or {})
    unknown = set(overrides) - {p.id for p in profiles}
    if unknown:
        raise ValueError(f"addresses names profiles that are not on the site: {', '.join(sorted(unknown))}")
    devices = []
    for i in range(total):
        address = str(SITE_NETWORK[FIRST_DEVICE_HOST + i])
        if i < len(profiles):
            p = profiles[i]
            extra = UNUSED_LOOKUPS if i == 0 else ()
            devices.append(SiteDevice(i, p.id, p, Hop(str(ipaddress.IPv4Address(overrides.get(p.id, address))),
                                                      p.identity.mac), p.identity.device_type,
                                      p.phone_home + extra))
        else:
            n = i - len(profiles) + 1
            mac = f"{FILLER_OUI}:{n >> 16 & 0xFF:02x}:{n >> 8 & 0xFF:02x}:{n & 0xFF:02x}"
            extra = UNUSED_LOOKUPS if i == 0 else ()
            devices.append(SiteDevice(i, f"filler-{n:02d}", None, Hop(address, mac), "camera",
                                      (AIRPORT,) + extra))
    taken = [d.hop.address for d in devices] + [ROUTER.address, RECORDER.address]
    if len(set(taken)) != len(taken):
        raise ValueError("two devices of the simulated site would share an address; check addresses")
    return devices


def _streams(devices: list[SiteDevice], rng: random.Random) -> list[Stream]:
    streams = []
    for d in devices:
        if d.device_type == "nvr":       # recorders themselves: nothing streams from them here
            continue
        rtsp = (d.profile.services.rtsp if d.profile else None) or 554
        n = len(streams)
        streams.append(Stream(d.index, d.hop, rtsp, 60_000 + 2 * n, 20_000 + 2 * n,
                              rng.randrange(1, 1 << 32), rng.randrange(1 << 62)))
    return streams


def plan_site(profiles: Sequence[Profile], *, packets: int, cameras: int | None, seed: int,
              start: dt.datetime, addresses: Mapping[str, str] | None = None) -> Plan:
    """Decide every session and the video share so the capture holds exactly ``packets``."""
    rng = random.Random(seed)
    devices = site_devices(profiles, cameras, addresses)
    t0 = int(start.timestamp()) * 1_000_000 + start.microsecond
    streams = _streams(devices, rng)
    if not streams:
        raise ValueError("the site has no camera to stream video; add a camera profile or filler cameras")
    rtsp: list[Frame] = []
    for n, stream in enumerate(streams):
        rtsp += rtsp_setup(stream, RECORDER, t0 + n * 5_000)
    rtsp.sort(key=lambda f: f[0])
    plan = Plan(devices, Edge(ROUTER, ROUTER.mac), streams, rtsp)
    phone_home, last_us = _schedule(plan, rng, t0, budget=round(packets * PHONE_HOME_SHARE))
    used = len(rtsp) + phone_home
    plan.video_count = packets - used
    if plan.video_count < len(streams):
        raise ValueError(f"{packets} packets cannot hold this site's RTSP set-up and one round of its "
                         f"phone-home traffic ({used} packets); ask for at least {used + 10 * len(streams)}")
    plan.video_first_us = rtsp[-1][0] + 10_000
    plan.video_last_us = max(last_us, plan.video_first_us + plan.video_count * 1_000)
    return plan


def _schedule(plan: Plan, rng: random.Random, t0: int, budget: int) -> tuple[int, int]:
    """Run every pattern on its schedule until the phone-home budget is spent.

    Fills ``plan.sessions``; returns their packet count and the time of their last frame.
    """
    heap: list[tuple[int, int, int]] = []
    for d in plan.devices:
        for j, p in enumerate(d.patterns):
            heap.append((t0 + rng.randrange(200_000, int(min(p.every, 10) * 1_000_000)), d.index, j))
    heapq.heapify(heap)
    first_pending = {(d, j) for _, d, j in heap}
    ports = {d.index: rng.randrange(*EPHEMERAL_PORTS, 2) for d in plan.devices}
    dns_expiry: dict[tuple[int, str], int] = {}
    rtts: dict[str, int] = {}
    used = last = 0
    while heap:
        time_us, index, j = heap[0]
        if used >= budget and not first_pending:
            break
        heapq.heappop(heap)
        first_pending.discard((index, j))
        device = plan.devices[index]
        p = device.patterns[j]
        lookup = bool(p.name) and (p.kind in LOOKUP_ONLY
                                   or time_us >= dns_expiry.get((index, p.name or ""), 0))
        if lookup:
            dns_expiry[(index, p.name or "")] = time_us + DNS_TTL * 1_000_000
        client_port, dns_port = ports[index], ports[index] + 1
        ports[index] = EPHEMERAL_PORTS[0] + (ports[index] + 2 - EPHEMERAL_PORTS[0]) % (
            EPHEMERAL_PORTS[1] - EPHEMERAL_PORTS[0])
        rtt = rtts.setdefault(p.address, rng.randrange(15_000, 180_000))
        session = Session(time_us, index, device.hop, p, client_port, lookup, dns_port,
                          rng.randrange(1 << 62), rtt)
        frames = session.frames(plan.edge)
        used += len(frames)
        last = max(last, frames[-1][0]) if frames else last
        plan.sessions.append(session)
        heapq.heappush(heap, (time_us + int(p.every * 1_000_000), index, j))
    return used, last
