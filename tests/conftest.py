"""Shared fixtures: simulated devices on loopback addresses unique to each test worker."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator

import pytest

from device_simulators import Fleet, Profile, bundled_profile, bundled_profiles

_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
_WORKER_NUM = int(_WORKER[2:]) if _WORKER.startswith("gw") and _WORKER[2:].isdigit() else 0
_subnets = itertools.count(1)


def next_base_address() -> str:
    """A loopback /24 no other fixture or worker uses: 127.<100+worker>.<n>.1."""
    return f"127.{100 + _WORKER_NUM}.{next(_subnets)}.1"


FleetFactory = Callable[..., Fleet]


@pytest.fixture
def start_fleet() -> Iterator[FleetFactory]:
    """Start devices for one test: start_fleet("hik-school-bullet", ...) or start_fleet(profile, ...)."""
    fleets: list[Fleet] = []

    def factory(*profiles: str | Profile) -> Fleet:
        resolved = [bundled_profile(p) if isinstance(p, str) else p for p in profiles]
        fleet = Fleet(resolved, next_base_address()).start()
        fleets.append(fleet)
        return fleet

    yield factory
    for fleet in fleets:
        fleet.stop()


@pytest.fixture(scope="session")
def site_fleet() -> Iterator[Fleet]:
    """Every bundled profile, started once per worker. Tests must not change device state
    (lockout tests start their own device with start_fleet)."""
    with Fleet(bundled_profiles(), next_base_address()) as fleet:
        yield fleet
