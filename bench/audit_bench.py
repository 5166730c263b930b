"""Benchmark: camaudit's whole audit of 100 simulated devices against nmap -sV over the same
addresses and ports, side by side. Target (issue 3): camaudit <= 0.5x nmap's fingerprinting.

Run with `make bench` (installs nmap when missing). Prints figures; asserts nothing.
Only loopback addresses are used. Measured on the 2-core machine (2026-11-22): camaudit 11.8 s,
nmap -sV 858 s (nmap waits out its probe timeouts on the SDK and discovery ports), ratio ~0.014;
the whole script therefore takes about 15 minutes.
"""

from __future__ import annotations

import contextlib
import copy
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import yaml

from auditor.commands.demo import site_credentials
from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from device_simulators import Fleet, bundled_profiles
from device_simulators.profile import Profile, parse_profile
from device_simulators.runtime.fleet import loopback_addresses
from models.db import open_store

DEVICES = 100
BASE = "127.0.60.1"


def fleet_profiles(count: int) -> list[Profile]:
    """`count` devices cycling through the bundled profiles, each with its own serial and MAC."""
    result = []
    bundled = bundled_profiles()
    for n in range(count):
        base = bundled[n % len(bundled)]
        raw = copy.deepcopy(base.raw)
        raw["id"] = f"{base.id}-{n:03d}"
        raw["identity"]["serial"] = f"{base.identity.serial}{n:03d}"
        raw["identity"]["mac"] = base.identity.mac[:-2] + f"{n:02x}"[-2:]
        raw["quirks"] = [q for q in raw.get("quirks") or [] if (q if isinstance(q, str) else q["name"])
                         not in ("slow_endpoints",)]
        result.append(parse_profile(raw, base.path))
    return result


@contextlib.contextmanager
def simulated_fleet(profiles: list[Profile]) -> Iterator[Fleet]:
    """The fleet runs in its own process (`camaudit sim up`), so neither tool shares a GIL with
    100 simulated devices; the in-process Fleet object is only used for addresses and credentials."""
    with tempfile.TemporaryDirectory() as tmp:
        args = []
        for profile in profiles:
            path = Path(tmp) / f"{profile.id}.yaml"
            path.write_text(yaml.safe_dump(profile.raw))
            args += ["--profile", str(path)]
        process = subprocess.Popen([sys.executable, "-m", "auditor.cli", "sim", "up", "--base-address", BASE, *args],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            for line in process.stdout:        # wait until the fleet says it is running
                if line.startswith("Running"):
                    break
            fleet = Fleet(profiles, BASE)      # not started: same addresses and ports as the subprocess
            for device, address in zip(fleet.devices, loopback_addresses(BASE, len(profiles)), strict=True):
                s = device.profile.services
                device.ports = {k: v for k, v in (("http", s.http), ("https", s.https), ("rtsp", s.rtsp),
                                                  ("sdk", s.sdk)) if v}
                assert device.address == address
            yield fleet
        finally:
            process.terminate()
            process.wait(timeout=30)


def time_camaudit(fleet: Fleet) -> tuple[float, int]:
    network = BASE.rsplit(".", 1)[0] + ".0/24"
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db") as store:
        started = time.perf_counter()
        targets = plan_targets([network])
        outcome = run_audit(store, targets, site_credentials(fleet), scope=[network],
                            options=AuditOptions(concurrency=32))
        return time.perf_counter() - started, len(outcome.devices)


def time_nmap(fleet: Fleet) -> float | None:
    nmap = shutil.which("nmap")
    if nmap is None:
        print("nmap is not installed (make bench installs it: apt-get install nmap)")
        return None
    ports = sorted({p for d in fleet for name, p in d.ports.items() if name in ("http", "https", "rtsp", "sdk")})
    addresses = [d.address for d in fleet]
    started = time.perf_counter()
    subprocess.run([nmap, "-sV", "-Pn", "-n", "--open", "-p", ",".join(map(str, ports)), *addresses],
                   check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> int:
    with simulated_fleet(fleet_profiles(DEVICES)) as fleet:
        ours, audited = time_camaudit(fleet)
        print(f"camaudit audit (discovery + fingerprint + every probe + store), {audited} devices: {ours:6.1f} s")
        theirs = time_nmap(fleet)
        if theirs is None:
            return 1
        print(f"nmap -sV (service fingerprinting only), same addresses and ports:     {theirs:6.1f} s")
        ratio = ours / theirs
        print(f"ratio camaudit / nmap = {ratio:.2f}  (target <= 0.50: {'met' if ratio <= 0.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
