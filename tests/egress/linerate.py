"""A live watch at line rate, away from the host's network: a throw-away network namespace
holding a veth pair (both ends inside it), tcpreplay sending a site capture into one end and
`camaudit egress watch --ring` capturing on the other, both run with `ip netns exec`.

The site capture's addresses are not loopback (10.20.0.0/24 and public servers), so it is never
replayed on the host's interfaces nor on the host's `lo`, which might route them: inside the
namespace nothing leads anywhere (no route, forwarding off, the other veth end is the only
peer), and the namespace is deleted at the end, also when a test fails. Used by
tests/egress/test_line_rate.py and bench/egress_bench.py.
"""

from __future__ import annotations

import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SEND, CAPTURE = "cam-send", "cam-capture"          # the veth pair's two ends
MTU = 9000                                          # any frame of the capture fits
READY_TIMEOUT_S = 60
# tcpreplay returns once it has handed the last frame to the kernel; on a busy machine the
# receiving side may deliver the last few hundred a moment later (seen: up to 2% of them when
# the watch was stopped at once), so the watch is stopped only after this pause.
SETTLE_S = 3.0


class NamespaceRefused(RuntimeError):
    """The kernel refused `ip netns add` (no CAP_SYS_ADMIN, namespaces disabled)."""


@dataclass(frozen=True)
class Replay:
    packets: int
    mbps: float
    failed: int
    seconds: float


@contextmanager
def namespace() -> Iterator[str]:
    """A fresh namespace `camaudit-test-<random>` with the veth pair up; deleted on the way out.

    Raises:
        NamespaceRefused: `ip netns add` failed (the words of `ip` in the message).
    """
    name = f"camaudit-test-{secrets.token_hex(4)}"
    if shutil.which("ip") is None:
        raise NamespaceRefused("the ip command (iproute2) is not installed")
    added = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True, timeout=30, check=False)
    if added.returncode != 0:
        raise NamespaceRefused(f"'ip netns add {name}' was refused: {added.stderr.strip()}")
    try:
        # No IPv6 on the pair: the interfaces' own router solicitations and MLD reports would
        # pass the filter and be counted with the replay (per-namespace setting).
        inside(name, ["sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                      "net.ipv6.conf.default.disable_ipv6=1"])
        for command in (["ip", "link", "add", SEND, "mtu", str(MTU), "type", "veth", "peer", "name", CAPTURE,
                         "mtu", str(MTU)],
                        ["ip", "link", "set", SEND, "up"], ["ip", "link", "set", CAPTURE, "up"],
                        ["ip", "link", "set", "lo", "up"]):
            inside(name, command)
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], capture_output=True, timeout=30, check=False)


def inside(name: str, command: list[str], timeout: float = 30) -> str:
    """Run a command in the namespace; its stdout (raises CalledProcessError with stderr)."""
    done = subprocess.run(["ip", "netns", "exec", name, *command], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    return done.stdout


def start_watch(name: str, ring: Path, db: Path, *extra: str) -> subprocess.Popen[str]:
    """`camaudit egress watch --ring` on the capture end; returns once dumpcap has opened it
    (the first ring file exists)."""
    proc = subprocess.Popen(["ip", "netns", "exec", name, sys.executable, "-m", "auditor.cli", "egress", "watch",
                             "--interface", CAPTURE, "--ring", str(ring), "--keep", "20", "--file-seconds", "3600",
                             "--db", str(db), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + READY_TIMEOUT_S
    while not any(ring.glob("camaudit-watch_*")):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out, err = proc.communicate(timeout=30)
            raise AssertionError(f"the watch did not start capturing: {err.strip() or out.strip()}")
        time.sleep(0.1)
    return proc


def stop_watch(proc: subprocess.Popen[str], *, settle: float = SETTLE_S) -> tuple[int, str, str]:
    """Ctrl-C after `settle` seconds, as a user stops a watch; exit status, stdout, stderr."""
    time.sleep(settle)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=180)
    return proc.returncode, out, err


_ACTUAL = re.compile(r"Actual: (\d+) packets \((\d+) bytes\) sent in ([\d.]+) seconds")
_RATED = re.compile(r"Rated: [\d.]+ Bps, ([\d.]+) Mbps")
_FAILED = re.compile(r"Failed packets:\s+(\d+)")


def replay(name: str, pcap: Path, *, mbps: float | None, loops: int) -> Replay:
    """tcpreplay the capture into the send end, at `mbps` (None: as fast as it can), `loops`
    times; what it says it sent."""
    speed = [f"--mbps={mbps}"] if mbps else ["--topspeed"]
    out = inside(name, ["tcpreplay", "--intf1", SEND, *speed, f"--loop={loops}", "--preload-pcap", str(pcap)],
                 timeout=600)
    actual, rated, failed = _ACTUAL.search(out), _RATED.search(out), _FAILED.search(out)
    if actual is None or rated is None:
        raise AssertionError(f"tcpreplay said something unexpected: {out.strip()[-400:]}")
    return Replay(packets=int(actual.group(1)), mbps=float(rated.group(1)), seconds=float(actual.group(3)),
                  failed=int(failed.group(1)) if failed else 0)


def kept_per_pass(pcap: Path, work: Path) -> int:
    """How many frames of the capture the watch's kernel filter keeps (tcpdump reading the
    file with the same filter, counted by the header pass)."""
    from probes.egress.headers import read_headers
    from probes.egress.networks import SiteNetworks

    kept = work / "kept.pcap"
    subprocess.run(["tcpdump", "-r", str(pcap), "-w", str(kept), SiteNetworks.default().capture_filter()],
                   capture_output=True, timeout=120, check=True)
    return read_headers(kept).stats.frames


_COUNTS = re.compile(r"dumpcap received (\d+) packets through the capture filter on \S+ and dropped (\d+)")


def dumpcap_counts(stderr: str) -> tuple[int, int] | None:
    """(passed the filter, dropped) from the watch's note; None if it gave none."""
    found = _COUNTS.search(stderr)
    return None if found is None else (int(found.group(1)), int(found.group(2)))
