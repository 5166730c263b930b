"""Shared fixtures: simulated devices on loopback addresses unique to each test worker."""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Callable, Iterator

import pytest

from device_simulators import Fleet, FleetError, Profile, bundled_profile, bundled_profiles

# Each pytest process (xdist worker, or a second session on the same machine) draws loopback
# /24s from its own random sequence; a clash with another process is retried on a new /24.
# Advisory data a user installed (`camaudit advisories update`) lives under $XDG_DATA_HOME and takes
# precedence over the bundled data: tests, and the CLIs they start, never see this machine's.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="camaudit-tests-data-")

_rng = random.Random(f"{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', '')}")
_used: set[str] = set()


def next_base_address() -> str:
    """A loopback /24 this process has not used yet: 127.<100-250>.<0-255>.1."""
    while True:
        base = f"127.{_rng.randint(100, 250)}.{_rng.randint(0, 255)}.1"
        if base not in _used:
            _used.add(base)
            return base


def start_on_free_subnet(profiles: list[Profile], attempts: int = 5) -> Fleet:
    for attempt in range(attempts):
        try:
            return Fleet(profiles, next_base_address()).start()
        except FleetError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


FleetFactory = Callable[..., Fleet]


@pytest.fixture
def start_fleet() -> Iterator[FleetFactory]:
    """Start devices for one test: start_fleet("hik-school-bullet", ...) or start_fleet(profile, ...)."""
    fleets: list[Fleet] = []

    def factory(*profiles: str | Profile) -> Fleet:
        resolved = [bundled_profile(p) if isinstance(p, str) else p for p in profiles]
        fleet = start_on_free_subnet(resolved)
        fleets.append(fleet)
        return fleet

    yield factory
    for fleet in fleets:
        fleet.stop()


@pytest.fixture(scope="session")
def site_fleet() -> Iterator[Fleet]:
    """Every bundled profile, started once per worker. Tests must not change device state
    (lockout tests start their own device with start_fleet)."""
    fleet = start_on_free_subnet(bundled_profiles())
    yield fleet
    fleet.stop()


# ---- the store on both engines ------------------------------------------------------------------
# A throw-away PostgreSQL cluster per pytest process (tests/pgcluster.py). If it cannot start, every
# PostgreSQL-parametrised test fails with the reason: CI proves both engines, so never a silent skip.

ENGINES = ("sqlite", "postgresql")


@pytest.fixture(scope="session", autouse=True)
def _geo_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The geolocation answers `egress analyze` keeps go to one folder per test session, never to the
    tester's ~/.cache (report, audit and TUI tests run egress analyses too, some in subprocesses)."""
    before = os.environ.get("CAMAUDIT_CACHE_DIR")
    os.environ["CAMAUDIT_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "camaudit-cache")
    yield
    if before is None:
        os.environ.pop("CAMAUDIT_CACHE_DIR", None)
    else:
        os.environ["CAMAUDIT_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    from tests.pgcluster import Cluster, ClusterFailed

    try:
        cluster = Cluster.start()
    except ClusterFailed as exc:
        pytest.fail(f"PostgreSQL for the tests did not start: {exc}", pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> Iterator[str]:
    """A fresh PostgreSQL database holding the current schema, dropped after the test."""
    name = pg_cluster.create_database()
    yield pg_cluster.url(name)
    pg_cluster.drop_database(name)


@pytest.fixture(params=ENGINES)
def store_url(request, tmp_path) -> str:
    """Where a test's store lives: an SQLite file in tmp_path, or a PostgreSQL database (URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "camaudit.db")
    return request.getfixturevalue("pg_url")
