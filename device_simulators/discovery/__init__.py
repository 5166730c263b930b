"""Discovery responders: WS-Discovery (3702), Hikvision SADP (37020), Dahua DHIP (37810).

Each module exports ``make_responder(device) -> DatagramHandler``; the runtime binds one UDP
socket per device and protocol on the device's own loopback address (see
``runtime.device.DISCOVERY_FAMILIES``). Discovery answers need no credentials on real
devices, which is why they matter to an audit: they leak model, serial, firmware and (SADP)
the Hik-Connect cloud state to anyone on the LAN.
"""

from __future__ import annotations

import random
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.udp import DatagramHandler


def lossy(device: SimDevice, protocol: str, respond: DatagramHandler) -> DatagramHandler:
    """`respond`, losing datagrams as the profile's `drop_discovery` quirk says.

    Real loss happens on the wire or in a full socket buffer, so the device never sees the probe;
    the simulator still logs it (action `lost`) so a test can count what was thrown away. With
    `first: N` the first N probes of each protocol are lost; with `rate: p` a share p of the rest,
    drawn from a generator seeded by the serial, so a run is repeatable.
    """
    quirk = device.profile.quirk("drop_discovery")
    if quirk is None or protocol not in quirk.params.get("protocols", [protocol]):
        return respond
    first, rate = int(quirk.params.get("first", 0)), float(quirk.params.get("rate", 0.0))
    rng = random.Random(f"{device.profile.identity.serial}:{protocol}")
    lock = threading.Lock()
    seen = [0]

    def lose(datagram: bytes, peer: tuple[str, int]) -> tuple[bytes | None, str | None]:
        with lock:
            seen[0] += 1
            lost = seen[0] <= first or rng.random() < rate
        if lost:
            return None, "lost"
        return respond(datagram, peer)

    return lose
