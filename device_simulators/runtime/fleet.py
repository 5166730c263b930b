"""Start a set of simulated devices, each on its own loopback address."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from device_simulators.profile import Profile
from device_simulators.runtime.device import SimDevice, stop_all

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class FleetError(RuntimeError):
    """The fleet could not start (address not loopback, port already taken, ...)."""


def loopback_addresses(base: str, count: int) -> list[str]:
    """`count` consecutive loopback addresses from `base`; refuses anything outside 127.0.0.0/8."""
    try:
        first = ipaddress.ip_address(base)
    except ValueError as exc:
        raise FleetError(f"'{base}' is not an IPv4 address; use one like 127.0.20.1") from exc
    last = first + max(count - 1, 0)
    if first not in LOOPBACK or last not in LOOPBACK or first.packed[3] == 0:
        raise FleetError(f"simulators only bind loopback addresses (127.0.0.0/8); '{base}' with "
                         f"{count} devices leaves that range or starts at a network address")
    return [str(first + i) for i in range(count)]


class Fleet:
    """A running set of devices. Use as a context manager, or start()/stop()."""

    def __init__(self, profiles: Iterable[Profile], base_address: str = "127.0.20.1", *,
                 privileged: bool | None = None, log_dir: Path | None = None) -> None:
        self.profiles = list(profiles)
        addresses = loopback_addresses(base_address, len(self.profiles))
        if log_dir:
            log_dir.mkdir(parents=True, exist_ok=True)
        self.devices = [SimDevice(p, a, privileged=privileged, log_dir=log_dir)
                        for p, a in zip(self.profiles, addresses, strict=True)]

    def start(self) -> Fleet:
        started = []
        try:
            for device in self.devices:
                device.start()
                started.append(device)
        except OSError as exc:
            for device in started:
                device.stop()
            raise FleetError(f"cannot start {device.profile.id} on {device.address}: {exc.strerror or exc}. "
                             "Is another simulator already running there? Try --base-address.") from exc
        return self

    def stop(self) -> None:
        stop_all([device.stop for device in self.devices])

    def __enter__(self) -> Fleet:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def __getitem__(self, profile_id: str) -> SimDevice:
        for device in self.devices:
            if device.profile.id == profile_id:
                return device
        raise KeyError(profile_id)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.devices)

    def __len__(self) -> int:
        return len(self.devices)
