"""Benchmark: camaudit's whole audit of a simulated fleet, with the auditor's own cost per device,
and (with --nmap) nmap -sV over the same addresses and ports side by side.

    python bench/audit_bench.py --size 100 --size 1000 [--base 127.0.60.1] [--concurrency 32]
                                [--workers 1 --workers 2] [--separate-process | --simulators-in-process]
                                [--sim-processes 2] [--nmap]

Prints, per size and per --workers value (default: 1 and the CLI's default, at least 2): wall time,
devices per second, auditor CPU-seconds per device and requests per device (from the simulators'
request logs), then a side-by-side table with the load average. Auditor CPU is time.process_time of
this process plus resource.getrusage(RUSAGE_CHILDREN) of the worker processes, which the run reaps
before it returns; the simulators run in their own processes, still running (not reaped) while the
audit is measured, so their CPU is not counted. Asserts nothing. Loopback addresses only.

Issue 3 target: camaudit <= 0.5x nmap's fingerprinting. Measured on the 2-core machine (2026-11-22):
camaudit 11.8 s, nmap -sV 858 s (nmap waits out its probe timeouts on the SDK and discovery ports),
ratio ~0.014; --nmap therefore takes about 15 minutes.

Issue 15 target: <= 0.03 auditor CPU-s per device: NOT met yet. Measured 2026-12-06 on the 2-core machine
shared with other jobs (load average 7 to 80 while measuring, so figures move by +-15% run to run),
simulators in one separate process, concurrency 32:

                   before (simulators scaled, auditor as on main)   after (OUI lock, one deadline thread)
    100 devices    0.091 CPU-s/device, 5.5 devices/s, 46 req/device  0.072-0.089 CPU-s/device, 3.4-5.3 devices/s
    1,000 devices  0.086 CPU-s/device, 6.2 devices/s, 46 req/device  0.076-0.089 CPU-s/device, 4.4-6.3 devices/s
    (before, the /24 scope missed the fleet's .0/.255 addresses: 994 of 1,000 audited; now 1,000)

The run's one batching writer and worker processes (issue 15, measured 2026-12-06 22:10-22:35 UTC on
the same 2-core machine, load average 15 to 27 from other jobs: +-10% run to run), concurrency 32 unless said:

    store alone (300 audits of 46 rows, SQLite)  ORM one device per transaction 8.9 ms CPU/device;
                                                 Core, one device per transaction 3.6; Core, batches of 50: 0.78
    store share of the profiled CPU (100 dev.)   15.5% (7.3 of 47 s) before -> 2.9% (1.5 of 49 s) after
    100 devices, --concurrency 32, workers 1     before 0.077 / 0.094 CPU-s/device -> after 0.076 / 0.085
    100 devices, --concurrency 1,  workers 1     before 0.090 / 0.099 CPU-s/device -> after 0.090 / 0.087
                                                 (two alternate rounds each; the store's ~8 ms is within the noise)
                      --workers 1             --workers 2
    100 devices       0.077-0.086 (6.4/s)     0.125-0.129 (3.2-3.6/s)   each child pays ~1-2 CPU-s to start
    1,000 devices     0.0725 (7.2/s)          0.0732 (9.0/s)            (imports, zeep and other warm-up caches)
At 1,000 devices two workers cost the same CPU per device and audit 25% more devices per second on a machine
whose two cores were shared with ~20 runnable jobs; at 100 devices the children's start-up dominates, which is
why `--workers` defaults to 1 below 200 devices (auditor/run/workers.py default_workers).

Simulators: 1,000 devices start in 3.6-5.1 s in process (was: not up after 8 minutes with ~5 polling
threads per device) and idle at 0.000 CPU-s over 5 s on 2 threads; `sim up` with 1,000 profile files
takes ~20 s on a quiet machine (YAML parsing and the printed port map).
All of this round together (lean HTTP on urllib3 keep-alive pools, ONVIF from fixed envelopes without zeep,
the batching writer), measured 2026-12-06 23:32 UTC on the idle 2-core machine (load 1.2), side by side with
the session's starting commit measured the same way at 21:40 UTC (load 1.1), 100 devices:

                        start of the round                  now
    --concurrency 1     0.069 CPU-s/device, 8.0 devices/s   0.035 CPU-s/device, 11.8 devices/s
    --concurrency 32    0.139 CPU-s/device, 5.7 devices/s   0.053 CPU-s/device, 11.6 devices/s
    1,000 devices, --concurrency 8: --workers 1 0.0585 CPU-s/device, 14.5 devices/s; --workers 2 0.0748,
    13.5 devices/s (the simulators share the same two cores here, so a second worker buys nothing)
    (49.1 requests per device before and after; 32 threads cost ~50% more CPU than one: the GIL)

Where the auditor's CPU went before this round (--profile, thread CPU time, 100 devices): HTTP through requests
~55% (~0.75 ms of client CPU per GET, 46 requests per device), the store ~16%, zeep outside its HTTP
~8%, fingerprint ~7%, XML parsing ~5%. Before, ~25% of the profiled CPU was the OUI table parsed by
every worker at once, and each request started a timer thread.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import ipaddress
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from auditor.commands.demo import site_credentials
from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from auditor.run.workers import default_workers
from device_simulators import Fleet, bundled_profiles
from device_simulators.profile import Profile, parse_profile
from device_simulators.runtime.fleet import loopback_addresses
from models.db import open_store

BASE = "127.0.60.1"


def fleet_profiles(count: int) -> list[Profile]:
    """`count` devices cycling through the bundled profiles, each with its own serial and MAC."""
    result = []
    bundled = bundled_profiles()
    for n in range(count):
        base = bundled[n % len(bundled)]
        raw = copy.deepcopy(base.raw)
        raw["id"] = f"{base.id}-{n:04d}"
        raw["identity"]["serial"] = f"{base.identity.serial}{n:04d}"
        raw["identity"]["mac"] = base.identity.mac[:-5] + f"{n >> 8 & 0xff:02x}:{n & 0xff:02x}"
        raw["quirks"] = [q for q in raw.get("quirks") or [] if (q if isinstance(q, str) else q["name"])
                         not in ("slow_endpoints",)]
        result.append(parse_profile(raw, base.path))
    return result


@dataclass
class SimulatedFleet:
    fleet: Fleet                  # addresses, ports and credentials (started only when in process)
    log_dir: Path

    def request_count(self) -> int:
        """Every request the devices logged (the JSON-lines logs, so it works across processes)."""
        return sum(sum(1 for _ in path.open(encoding="utf-8")) for path in self.log_dir.glob("*.jsonl"))


def _sim_process(profiles: list[Profile], base: str, tmp: Path, log_dir: Path) -> subprocess.Popen[str]:
    args = []
    for profile in profiles:
        path = tmp / f"{profile.id}.yaml"
        path.write_text(yaml.safe_dump(profile.raw))
        args += ["--profile", str(path)]
    process = subprocess.Popen([sys.executable, "-m", "auditor.cli", "sim", "up", "--base-address", base,
                                "--log-dir", str(log_dir), *args],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:        # wait until the fleet says it is running
        if line.startswith("Running"):
            return process
    raise RuntimeError("the simulator process stopped before its fleet was running")


@contextlib.contextmanager
def simulated_fleet(profiles: list[Profile], base: str, *, separate: bool = True,
                    sim_processes: int = 1) -> Iterator[SimulatedFleet]:
    """The fleet runs in its own process(es) (`camaudit sim up`) by default, so the auditor's CPU is
    measured alone; the in-process Fleet object then only gives addresses and credentials."""
    with tempfile.TemporaryDirectory() as tmp:
        log_dir = Path(tmp) / "logs"
        log_dir.mkdir()
        fleet = Fleet(profiles, base, log_dir=None if separate else log_dir)
        if not separate:
            with fleet:
                yield SimulatedFleet(fleet, log_dir)
            return
        processes = []
        started = time.perf_counter()
        try:
            chunk = -(-len(profiles) // sim_processes)
            first = ipaddress.ip_address(base)
            for i in range(0, len(profiles), chunk):
                processes.append(_sim_process(profiles[i:i + chunk], str(first + i), Path(tmp), log_dir))
            print(f"  simulators up in {time.perf_counter() - started:.1f} s ({len(processes)} process(es))")
            for device, address in zip(fleet.devices, loopback_addresses(base, len(profiles)), strict=True):
                s = device.profile.services
                device.ports = {k: v for k, v in (("http", s.http), ("https", s.https), ("rtsp", s.rtsp),
                                                  ("sdk", s.sdk)) if v}
                assert device.address == address
            yield SimulatedFleet(fleet, log_dir)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                process.wait(timeout=60)


def scope_of(fleet: Fleet) -> list[str]:
    """The fleet's addresses as nmap-style ranges, one per /24 (a /24 network would leave out the
    fleet's addresses ending in .0 and .255: 6 of 1,000 devices were never audited)."""
    by_net: dict[str, list[int]] = {}
    for device in fleet:
        net, last = device.address.rsplit(".", 1)
        by_net.setdefault(net, []).append(int(last))
    return [f"{net}.{min(lasts)}-{max(lasts)}" for net, lasts in by_net.items()]


@dataclass
class Figures:
    wall_s: float
    cpu_s: float                 # this process (the orchestrator, the writer, in-process audit threads)
    children_cpu_s: float        # worker processes (reaped at the end of the run; the simulators are not yet)
    devices: int

    @property
    def total_cpu_s(self) -> float:
        return self.cpu_s + self.children_cpu_s


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_camaudit(fleet: Fleet, concurrency: int, profile_to: Path | None = None, workers: int = 1) -> Figures:
    scope = scope_of(fleet)
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "bench.db") as store:
        profilers = _profile_every_thread() if profile_to is not None else None
        started, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        targets = plan_targets(scope)
        outcome = run_audit(store, targets, site_credentials(fleet), scope=scope,
                            options=AuditOptions(concurrency=concurrency, workers=workers))
        figures = Figures(time.perf_counter() - started, time.process_time() - cpu, _children_cpu() - children,
                          len(outcome.devices))
        if profilers is not None:
            import pstats
            threading.setprofile(None)   # type: ignore[arg-type]
            for profiler in profilers:
                profiler.create_stats()
            pstats.Stats(*profilers).dump_stats(profile_to)  # type: ignore[arg-type]
        return figures


def _profile_every_thread() -> list[Any]:
    """cProfile sees one thread; the audit's work happens in its workers, so give each its own,
    timed by thread CPU time (wall time would charge GIL waits to whatever C call was waiting)."""
    import cProfile
    profilers: list[cProfile.Profile] = []

    def start(*_: object) -> None:
        sys.setprofile(None)
        profiler = cProfile.Profile(time.thread_time)
        profilers.append(profiler)
        profiler.enable()

    threading.setprofile(start)
    main = cProfile.Profile(time.thread_time)
    profilers.append(main)
    main.enable()
    return profilers


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


def bench_one(size: int, args: argparse.Namespace) -> list[tuple[int, int, Figures]]:
    """Audit one fleet of `size` devices once per --workers value; the figures, in that order."""
    print(f"{size} devices from {args.base}, concurrency {args.concurrency}, simulators "
          + (f"in {args.sim_processes} separate process(es)" if args.separate else "in this process"))
    results = []
    with simulated_fleet(fleet_profiles(size), args.base, separate=args.separate,
                         sim_processes=args.sim_processes) as sim:
        for workers in args.workers or [1, max(2, default_workers(size))]:
            before = sim.request_count()
            profile_to = Path(f"{args.profile}.{size}.w{workers}") if args.profile else None
            f = run_camaudit(sim.fleet, args.concurrency, profile_to, workers)
            time.sleep(0.5)                    # let the simulators' logs catch up
            requests = sim.request_count() - before
            per = max(f.devices, 1)
            print(f"  --workers {workers}: {f.devices} devices in {f.wall_s:6.1f} s, "
                  f"{f.devices / f.wall_s:5.1f} devices/s, {requests / per:.1f} requests/device")
            note = "" if args.separate else " (includes the simulators' CPU: use --separate-process)"
            print(f"    auditor CPU {f.total_cpu_s:6.1f} s = {f.total_cpu_s / per:.4f} CPU-s per device "
                  f"(parent {f.cpu_s / per:.4f}, worker processes {f.children_cpu_s / per:.4f}){note}")
            if profile_to is not None:
                print(f"    cProfile of the parent written to {profile_to}")
            results.append((size, workers, f))
        if args.nmap:
            theirs = time_nmap(sim.fleet)
            if theirs is not None:
                print(f"  nmap -sV (service fingerprinting only), same addresses and ports: {theirs:6.1f} s")
                ratio = results[0][2].wall_s / theirs
                verdict = "met" if ratio <= 0.5 else "NOT met"
                print(f"  ratio camaudit / nmap = {ratio:.2f}  (target <= 0.50: {verdict})")
    return results


def side_by_side(results: list[tuple[int, int, Figures]], concurrency: int) -> None:
    """CPU-s per device by size (rows) and --workers (columns), with the load average at the end."""
    workers = sorted({w for _, w, _ in results})
    print(f"\nauditor CPU-s per device (parent + worker processes), concurrency {concurrency}; devices/s in brackets")
    print("  size   " + "".join(f"{f'--workers {w}':>22}" for w in workers))
    for size in sorted({s for s, _, _ in results}):
        cells = {w: f for s, w, f in results if s == size}
        text = {w: f"{f.total_cpu_s / max(f.devices, 1):.4f} ({f.devices / f.wall_s:.1f}/s)" for w, f in cells.items()}
        print(f"  {size:<6} " + "".join(f"{text.get(w, '-'):>22}" for w in workers))
    print("  load average (1, 5, 15 min): " + ", ".join(f"{x:.2f}" for x in os.getloadavg()))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, action="append", help="devices to simulate (repeat; default 100)")
    parser.add_argument("--base", default=BASE, help=f"first loopback address (default {BASE})")
    parser.add_argument("--concurrency", type=int, default=32, help="devices audited at once (default 32)")
    parser.add_argument("--workers", type=int, action="append",
                        help="worker processes (repeat to compare; default: 1 and the CLI's default, at least 2)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--separate-process", dest="separate", action="store_true", default=True,
                       help="simulators in their own processes (default: the auditor's CPU is measured alone)")
    where.add_argument("--simulators-in-process", dest="separate", action="store_false",
                       help="simulators in this process (quicker to start; CPU figures include them)")
    parser.add_argument("--sim-processes", type=int, default=1, help="simulator processes (default 1)")
    parser.add_argument("--nmap", action="store_true", help="also time nmap -sV on the same fleet (~15 min)")
    parser.add_argument("--profile", metavar="PATH", help="write a cProfile of the audit to PATH.<size>")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    results = []
    for size in args.size or [100]:
        results += bench_one(size, args)
    side_by_side(results, args.concurrency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
