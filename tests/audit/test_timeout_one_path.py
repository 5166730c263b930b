"""Timeouts under load never turn into changed results (issue 15).

For every bundled simulator profile, paths its clean audit asks for are failed one at a time (answering
after the read deadline; with CAMAUDIT_ONE_PATH=all also resetting the connection) and the device audited
again. Every value must stay the same or become unknown: no "no" from a timeout, no fewer channels, no other
identity; `camaudit diff` says "now unknown" one way and nothing relevant the other (tests/audit/one_path.py).

The default run fails each distinct read once: every (path shape, device type) pair is owned by one
profile that asks for it (per-channel reads of one resource are one shape), so the suite stays near a
minute on two busy cores. CAMAUDIT_ONE_PATH=all fails every path of every profile, slow and reset.
"""

from __future__ import annotations

import os
from collections import defaultdict

import pytest

from device_simulators import bundled_profile, bundled_profiles
from models.read_status import read_nothing
from tests.audit.one_path import (
    CLEAN,
    FAILURES,
    Pool,
    audit,
    drift_problems,
    moved_values,
    quirk_target,
    requested,
    shape,
)
from tests.conftest import start_on_free_subnet

POOL = 6      # copies of the device audited at once
FULL = os.environ.get("CAMAUDIT_ONE_PATH") == "all"


@pytest.fixture(scope="session")
def one_path_plan(site_fleet) -> dict[str, list[str]]:
    """Profile id -> the targets its test fails: each (shape, device type) pair once across all profiles,
    owned by the profile with the fewest owned so far (deterministic)."""
    asked: dict[str, list[str]] = {}
    kinds: dict[str, str | None] = {}
    for device in site_fleet:
        start = len(device.log)
        kinds[device.profile.id] = audit(device, CLEAN).device_type
        asked[device.profile.id] = list(dict.fromkeys(quirk_target(t) for t in requested(device, start)))
    if FULL:
        return asked
    holders: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for pid in sorted(asked):
        for target in asked[pid]:
            key = (shape(target), kinds[pid])
            if pid not in holders[key]:
                holders[key].append(pid)
    load: dict[str, int] = defaultdict(int)
    owned: dict[str, set[tuple[str, str | None]]] = defaultdict(set)
    for key in sorted(holders, key=lambda k: (len(holders[k]), k[0], str(k[1]))):
        owner = min(holders[key], key=lambda pid: (load[pid], pid))
        load[owner] += 1
        owned[owner].add(key)
    plan: dict[str, list[str]] = {}
    for pid, targets in asked.items():
        first: dict[tuple[str, str | None], str] = {}
        for target in targets:
            first.setdefault((shape(target), kinds[pid]), target)
        plan[pid] = [t for key, t in first.items() if key in owned[pid]]
    return plan


@pytest.mark.parametrize("profile_id", sorted(p.id for p in bundled_profiles()))
def test_one_failing_path_only_makes_values_unknown(profile_id, one_path_plan):
    base = bundled_profile(profile_id)
    paths = one_path_plan[profile_id]
    failures = FAILURES if FULL else ("slow",)
    fleet = start_on_free_subnet([base] * POOL)
    try:
        clean = audit(fleet.devices[0], CLEAN)
        again = audit(fleet.devices[1], CLEAN)
        assert moved_values(clean, again) == [], "the simulator answers differently without a failure"
        runs = Pool(fleet, base).run([(p, f) for f in failures for p in paths], workers=POOL)
    finally:
        fleet.stop()
    wrong = {f"{r.failure} {r.path}": problems for r in runs
             if (problems := moved_values(clean, r.audit) + drift_problems(clean, r.audit))}
    assert not wrong, "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in wrong.items())
    # The failures happened and were recorded: each asked-for path left an error on the device.
    asked = [r for r in runs if r.asked]
    assert asked or not paths or read_nothing(clean), "no failed path was asked for with a login"
    assert all(r.audit.errors for r in asked), [r.path for r in asked if not r.audit.errors]
