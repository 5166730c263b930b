"""Benchmark: what hostile devices cost an audit (issue 10.3). Sixteen hostile devices (flat XML,
deep nesting, slow drip, stall after headers) are audited at the default concurrency next to
sixteen clean simulated devices, and compared with the sixteen clean devices alone: wall time and
peak RSS of the auditor process (`camaudit audit` run as a child), and the ratios.

Run with `make bench`. Prints figures; asserts nothing. Only loopback addresses are used. Before
the bounds, sixteen flat-XML devices alone took the auditor to 4.5 GB.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from device_simulators import Fleet, bundled_profile, bundled_profiles
from device_simulators.profile import Profile, parse_profile
from device_simulators.runtime.hostile import RawHostileServer

CLEAN = 16
BASE = "127.0.64.1"
STALL_BASE = "127.0.65.{}"
HOSTILE_QUIRKS = {
    "flat": [{"name": "flat_xml", "paths": ["/ISAPI/", "/onvif/", "/cgi-bin/"]}],
    "deep": [{"name": "deep_xml", "paths": ["/ISAPI/", "/onvif/", "/cgi-bin/"]}],
    "drip": [{"name": "slow_drip", "paths": ["/ISAPI/", "/onvif/"], "interval": 0.5}],
}


def _variant(base: Profile, n: int, new_id: str, quirks: list | None = None) -> Profile:
    raw = copy.deepcopy(base.raw)
    raw["id"] = new_id
    raw["identity"]["serial"] = f"{base.identity.serial}{n:03d}"
    raw["identity"]["mac"] = base.identity.mac[:-2] + f"{n:02x}"[-2:]
    kept = [q for q in raw.get("quirks") or [] if (q if isinstance(q, str) else q["name"]) != "slow_endpoints"]
    raw["quirks"] = kept + (quirks or [])
    return parse_profile(raw, base.path)


def profiles() -> tuple[list[Profile], list[Profile]]:
    bundled = bundled_profiles()
    clean = [_variant(bundled[n % len(bundled)], n, f"clean-{n:02d}") for n in range(CLEAN)]
    hik = bundled_profile("hik-school-bullet")
    hostile = [_variant(hik, 100 + n, f"{kind}-{n}", quirks)
               for kind, quirks in HOSTILE_QUIRKS.items() for n in range(4)]
    return clean, hostile


def credentials_file(fleet: Fleet, folder: Path) -> tuple[Path, dict[str, str]]:
    lines, env = [], {}
    for i, device in enumerate(fleet):
        for account in device.profile.accounts[:1]:
            env[f"BENCH_PW_{i}"] = account.password
            lines += ["[[account]]", f'targets = ["{device.address}"]', f'user = "{account.user}"',
                      f'password_env = "BENCH_PW_{i}"', ""]
    path = folder / "credentials.toml"
    path.write_text("\n".join(lines))
    return path, env


def audit(targets: list[str], credentials: Path, env: dict[str, str], db: Path) -> tuple[float, int, int]:
    """(wall seconds, peak RSS in MiB, exit code) of one `camaudit audit` child process."""
    started = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "auditor.cli", "audit", *targets, "--no-discover",
                              "--credentials", str(credentials), "--db", str(db)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, usage.ru_maxrss >> 10, child.returncode


def main() -> int:
    clean, hostile = profiles()
    fleet = Fleet(clean + hostile, BASE).start()
    stalls = [RawHostileServer(STALL_BASE.format(n + 1), "stall", seconds=600).start() for n in range(4)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            credentials, env = credentials_file(fleet, folder)
            clean_targets = [f"{d.address}:{d.ports['http']}" for d in fleet if d.profile.id.startswith("clean-")]
            hostile_targets = [f"{d.address}:{d.ports['http']}" for d in fleet
                               if not d.profile.id.startswith("clean-")] + [f"{s.address}:{s.port}" for s in stalls]
            alone = audit(clean_targets, credentials, env, folder / "clean.db")
            mixed = audit(clean_targets + hostile_targets, credentials, env, folder / "mixed.db")
    finally:
        for server in stalls:
            server.stop()
        fleet.stop()
    print(f"16 clean devices alone:                       {alone[0]:6.1f} s, peak RSS {alone[1]:5d} MiB "
          f"(exit {alone[2]})")
    print(f"16 clean + 16 hostile (flat, deep, drip, stall): {mixed[0]:6.1f} s, peak RSS {mixed[1]:5d} MiB "
          f"(exit {mixed[2]})")
    print(f"ratio hostile run / clean run: wall {mixed[0] / alone[0]:.1f}x, peak RSS {mixed[1] / alone[1]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
