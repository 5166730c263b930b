"""Benchmark: `camaudit egress analyze` against a bare tshark fields pass over the same file,
side by side. Targets (issue 4), on the simulators' site capture (30 cameras, ~97% intra-site
RTP): camaudit's wall time <= 1.0x `tshark -r FILE -T fields -e ip.src -e ip.dst -e frame.len`
at 200,000 packets, and camaudit's peak memory at 200k <= 1.2x its peak at 20k.

Both sides run as child processes, timed with the same clock; peak memory is the child's
ru_maxrss from wait4, which covers the largest process of its tree (tshark, for both). Runs
alternate and each figure is the best of ROUNDS, so a burst of load on a shared machine
skews neither side. The camaudit side is the whole CLI: Python start-up, tshark, storing.

Run with `make bench`. Prints figures; asserts nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from device_simulators import bundled_profiles
from device_simulators.egress.site import write_site_pcap

SIZES = (20_000, 200_000)
CAMERAS = 30
ROUNDS = 5


# The analysis alone, in a child that has already imported camaudit: what the design costs
# without the interpreter's and the CLI's start-up (printed as seconds on stdout).
ANALYSIS_ONLY = """
import sys, time
from auditor.egress import EgressOptions, analyze_files
from models.db import open_store
with open_store(sys.argv[2]) as store:
    start = time.perf_counter()
    analyze_files(store, [sys.argv[1]], EgressOptions())
    print(time.perf_counter() - start)
"""


def run(cmd: list[str]) -> tuple[float, float, int, str]:
    """Wall and CPU seconds and peak RSS (KiB) of one child process and its descendants."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        raise SystemExit(f"{' '.join(cmd[:4])} ... failed ({code}): {stderr.strip()[-400:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out


def main() -> int:
    tshark = shutil.which("tshark")
    if tshark is None:
        print("tshark is not installed; install it with 'apt-get install tshark'.")
        return 1
    camaudit = [sys.executable, "-m", "auditor.cli", "egress", "analyze"]
    results: dict[int, dict[str, tuple[float, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="egress-bench-") as tmp:
        work = Path(tmp)
        for size in SIZES:
            pcap = work / f"site-{size}.pcap"
            start = time.perf_counter()
            write_site_pcap(pcap, bundled_profiles(), packets=size, cameras=CAMERAS, seed=1)
            print(f"generated {pcap.name}: {size} packets, {pcap.stat().st_size / 1e6:.0f} MB "
                  f"in {time.perf_counter() - start:.1f} s")
            bare_cmd = [tshark, "-r", str(pcap), "-T", "fields", "-e", "ip.src", "-e", "ip.dst", "-e", "frame.len"]
            run([*camaudit, str(pcap), "--db", str(work / "warm.db"), "--json"])   # warm caches, both sides
            run(bare_cmd)
            best: dict[str, tuple[float, float, int]] = {}
            for n in range(ROUNDS):
                cases = (("tshark", bare_cmd),
                         ("camaudit", [*camaudit, str(pcap), "--db", str(work / f"cli-{size}-{n}.db"), "--json"]),
                         ("analysis", [sys.executable, "-c", ANALYSIS_ONLY, str(pcap), str(work / f"a-{size}-{n}.db")]))
                for name, cmd in cases:
                    elapsed, cpu, rss, out = run(cmd)
                    if name == "analysis":
                        elapsed = float(out.strip().splitlines()[-1])
                    old = best.get(name, (elapsed, cpu, rss))
                    best[name] = (min(elapsed, old[0]), min(cpu, old[1]), min(rss, old[2]))
            results[size] = best
            pcap.unlink()
    print()
    print("best of", ROUNDS, "alternating runs; wall / CPU (user+sys of the process tree) / peak RSS")
    print(f"{'packets':>8}  {'bare tshark fields pass':>26}  {'camaudit egress analyze (CLI)':>30}  "
          f"{'analysis only':>14}")
    for size, best in results.items():
        (tw, tc, tm), (cw, cc, cm), (aw, _, _) = best["tshark"], best["camaudit"], best["analysis"]
        print(f"{size:>8}  {tw:>6.2f} s {tc:>6.2f} s {tm / 1024:>5.0f} MB  "
              f"{cw:>8.2f} s {cc:>6.2f} s {cm / 1024:>6.0f} MB  {aw:>11.2f} s")
    large, small = results[SIZES[-1]], results[SIZES[0]]
    print()
    print(f"wall time at {SIZES[-1]}: camaudit CLI / bare tshark = {large['camaudit'][0] / large['tshark'][0]:.2f}x, "
          f"analysis only / bare tshark = {large['analysis'][0] / large['tshark'][0]:.2f}x (target <= 1.0x)")
    print(f"peak memory: camaudit at {SIZES[-1]} / at {SIZES[0]} = "
          f"{large['camaudit'][2] / small['camaudit'][2]:.2f}x (target <= 1.2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
