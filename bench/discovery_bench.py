"""Benchmark: how many discovery replies come back from a fleet of simulated devices.

Issue 10.4: on a first run against 200 devices, 66-83 % of the WS-Discovery/SADP/DHIP replies
were lost, silently. This starts DEVICES simulated devices (bundled profiles, cycled) in their own
process (`camaudit sim up`, so the devices do not share our GIL), runs discovery over their /24
twice (the first run is the one that lost replies) and prints, per run, the replies received
against the replies expected (one per device and discovery protocol it speaks), the time taken,
and discovery's own retry figures.

    .venv/bin/python bench/discovery_bench.py [DEVICES] [--drop N] [--loss P] [--no-retry] [--in-process]

`--drop N` / `--loss P` give every device the `drop_discovery` quirk (its first N probes per
protocol are lost, and a share P of the rest at random), so the retries have something to
recover; `--no-retry` runs discovery as it was before issue 10.4 (no retries, no re-probe, no
pacing) for the comparison. Only loopback addresses are used. Prints figures; asserts nothing.

Measured 2026-12-06 on the shared 2-core machine (replies received / expected, first run):
  100 devices, 30 % random loss:   before 74.7 % (1.6 s)   after 98.9 % (3.7 s, with a warning line)
  100 devices, 70 % random loss:   before 31.5 % (1.6 s)   after 79.8 % (3.5 s)
  100 devices, first probe lost:   before  0.0 % (1.5 s)   after 100 % (2.0 s); first 3 lost: 100 % (3.6 s)
  100 devices, no loss:            before 100 % (1.6 s)    after 100 % (1.9-2.6 s, varies with host load)
  200 devices, no quirk, host load average 65-130 (other jobs): before 32.3 % and 52.5 % (1.6 s),
                                   after 89.9 % (11.2 s) and 100 % (9.2 s); at load ~20: 93.5 % vs 100 % (2.0 s)
"Before" is commit fc3d72b's discovery with this branch's simulators (for the loss quirk).
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from device_simulators import bundled_profiles
from device_simulators.profile import Profile, parse_profile
from device_simulators.runtime.fleet import Fleet, loopback_addresses
from probes.discovery import DISCOVERY_PROTOCOLS, DiscoverySettings, discover_devices

BASE = "127.63.9.1"


def fleet_profiles(count: int, drop: int, loss: float) -> list[Profile]:
    """`count` devices cycling through the bundled profiles, each with its own serial and MAC."""
    result = []
    bundled = bundled_profiles()
    for n in range(count):
        base = bundled[n % len(bundled)]
        raw = copy.deepcopy(base.raw)
        raw["id"] = f"{base.id}-{n:03d}"
        raw["identity"]["serial"] = f"{base.identity.serial}{n:03d}"
        raw["identity"]["mac"] = base.identity.mac[:-2] + f"{n:02x}"[-2:]
        quirks = [q for q in raw.get("quirks") or [] if (q if isinstance(q, str) else q["name"]) != "slow_endpoints"]
        if drop or loss:
            quirks.append({"name": "drop_discovery", "first": drop, "rate": loss})
        raw["quirks"] = quirks
        result.append(parse_profile(raw, base.path))
    return result


@contextlib.contextmanager
def simulated_fleet(profiles: list[Profile], *, in_process: bool = False) -> Iterator[None]:
    if in_process:
        # The devices' responder threads share our GIL: the load that lost replies in issue 10.4.
        with Fleet(profiles, BASE):
            yield
        return
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for profile in profiles:
            path = Path(tmp) / f"{profile.id}.yaml"
            path.write_text(yaml.safe_dump(profile.raw))
            args += ["--profile", str(path)]
        process = subprocess.Popen([sys.executable, "-m", "auditor.cli", "sim", "up", "--base-address", BASE, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            assert process.stdout is not None
            for line in process.stdout:        # wait until the fleet says it is running
                if line.startswith("Running"):
                    break
            yield
        finally:
            process.terminate()
            process.wait(timeout=60)


def measure(profiles: list[Profile], settings: DiscoverySettings) -> tuple[int, int, float, list[str]]:
    addresses = loopback_addresses(BASE, len(profiles))
    network = BASE.rsplit(".", 1)[0]
    scope = [f"{network}.{i}" for i in range(1, 255)]
    started = time.perf_counter()
    report = discover_devices(scope, settings=settings)
    elapsed = time.perf_counter() - started
    got = {(r.protocol, r.address) for d in report.devices for r in d.replies}
    wanted = {(p, a) for profile, a in zip(profiles, addresses, strict=True)
              for p in DISCOVERY_PROTOCOLS if profile.speaks(p)}
    warnings = [n for n in report.notes if "retried" in n or "unanswered" in n or "re-probed" in n]
    return len(got & wanted), len(wanted), elapsed, warnings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("devices", type=int, nargs="?", default=100)
    parser.add_argument("--drop", type=int, default=0, help="every device loses its first N probes per protocol")
    parser.add_argument("--loss", type=float, default=0.0, help="every device loses this share of probes at random")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--in-process", action="store_true", help="run the devices in this process (GIL load)")
    parser.add_argument("--no-retry", action="store_true",
                        help="discovery as before issue 10.4: no retries, no re-probe, no pacing")
    args = parser.parse_args()
    profiles = fleet_profiles(args.devices, args.drop, args.loss)
    settings = DiscoverySettings()
    if args.no_retry:
        settings = dataclasses.replace(settings, retries=0, reprobe=False, send_rate=0.0)
    where = " in-process" if args.in_process else ""
    mode = "no retries" if args.no_retry else "retries"
    with simulated_fleet(profiles, in_process=args.in_process):
        for run in range(1, args.runs + 1):
            got, wanted, elapsed, warnings = measure(profiles, settings)
            print(f"run {run}: {args.devices} devices{where}, drop={args.drop} loss={args.loss}, {mode}: "
                  f"{got}/{wanted} discovery replies ({100 * got / max(wanted, 1):.1f} %) in {elapsed:.1f} s")
            for line in warnings:
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
