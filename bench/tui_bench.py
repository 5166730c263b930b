"""TUI benchmark: 10,000 devices in a store; time to first paint of the fleet and to filter it.

    python bench/tui_bench.py [--devices N] [--rebuild]

Recording 10,000 audits through `models.store.record_device_audit` (one transaction and one
identity match per device, as a real audit does) takes one to two minutes, so the database is
kept in the system temp folder and reused by later runs; --rebuild records it again.
Figures are printed, not asserted: this is not a test. The findings screen (switch to it, `/` filter)
is measured too. 2026-12-06, 2 cores at load ~10 (other jobs running): fleet first paint 9.4 s,
fleet filters 0.13-0.21 s, findings screen first paint 2.5 s for 5,001 rows, its text filter 0.20 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.audit import DeviceAudit, FeatureVerdict, Finding, RemoteAccessVerdict, empty_features, empty_remote_access
from models.db import open_store
from models.identity import DeviceIdentity
from models.store import list_devices, record_device_audit, record_run_finished, record_run_started
from models.tables import RunOptions
from tui.app import make_app
from tui.data.fleet import load_fleet

NOW = dt.datetime(2026, 11, 21, 12, 0, tzinfo=dt.UTC)
KINDS = ("hik-face", "dahua-nvr", "oem", "axis", "locked", "down")


def device(i: int) -> DeviceAudit:
    """Device number i: six kinds in turn, each with its own address, serial and MAC."""
    kind = KINDS[i % len(KINDS)]
    address = f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}"
    mac = f"02:00:{(i >> 24) & 255:02x}:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
    if kind == "down":
        return DeviceAudit(address=address, port=80, reachable=False, errors=["no answer"])
    if kind == "locked":
        return DeviceAudit(address=address, port=80, reachable=True, auth="failed",
                           identity=DeviceIdentity(brand="Annke", mac=mac), errors=["401 after one attempt"])
    features, remote = empty_features(), empty_remote_access()
    maker, brand, model = {"hik-face": ("Hikvision", "Hikvision", "iDS-2CD7A46G0/P-IZHS"),
                           "dahua-nvr": ("Dahua", "Dahua", "DHI-NVR5216-16P-I"),
                           "oem": ("Dahua", "Honeywell", "HC30WB5R1"), "axis": ("Axis", "Axis", "P1455-LE")}[kind]
    findings = []
    if kind != "axis":
        face = ("face_capture", "face_recognition", "face_detection")[i % 3]
        features[face] = FeatureVerdict(True, True, [f"evidence for {face} on device {i}"])
        findings.append(Finding(f"{face.replace('_', '-')}-enabled", "high", f"{face} is switched on.",
                                ["GET /some/endpoint 200"], "Switch it off unless a DPIA covers it."))
    features["motion_detection"] = FeatureVerdict(True, True, ["motion on"])
    features["people_counting"] = FeatureVerdict(True, kind == "axis", ["counting"])
    cloud = {"hik-face": "hik_connect", "dahua-nvr": "dahua_p2p"}.get(kind)
    if cloud and i % 2:
        remote[cloud] = RemoteAccessVerdict(True, "cloud.example", ["enabled=true"])
    remote["ntp"] = RemoteAccessVerdict(True, "pool.ntp.org", [])
    identity = DeviceIdentity(brand=brand, manufacturer=maker, oem=brand != maker, model=model,
                              device_type="nvr" if kind == "dahua-nvr" else "camera", firmware=f"V5.{i % 9}.{i % 7}",
                              serial=f"SN{i:08d}", mac=mac, name=f"Camera {i}", evidence=(f"deviceInfo of {i}",))
    return DeviceAudit(address=address, port=80, reachable=True, auth="ok", identity=identity,
                       protocols=["onvif"], features=features,
                       remote_access=remote, findings=findings)


def build(path: Path, count: int) -> float:
    for stale in path.parent.glob(path.name + "*"):
        stale.unlink()
    started = time.perf_counter()
    with open_store(path) as store:
        run_id = record_run_started(store, targets=["10.0.0.0/16"],
                                    options=RunOptions(concurrency=16, timeout_s=6.0, target_count=count))
        for i in range(count):
            record_device_audit(store, run_id=run_id, audit=device(i))
            if i and i % 1000 == 0:
                print(f"   recorded {i} devices ({time.perf_counter() - started:.0f} s)", flush=True)
        record_run_finished(store, run_id=run_id, complete=True)
    return time.perf_counter() - started


async def measure_app(path: Path, count: int) -> dict[str, float]:
    """Time from building the app to the first frame with rows, and from a filter change to the next frame."""
    figures: dict[str, float] = {}
    started = time.perf_counter()
    app = make_app(path, now=lambda: NOW, cursor_blink=False)
    async with app.run_test(size=(120, 40)) as pilot:
        table = None
        while table is None or len(table.records) != count:
            await asyncio.sleep(0.02)           # not pilot.pause: its idle checks would compete with the load
            tables = app.screen.query("#fleet-table")
            table = tables.first() if tables else None
        await pilot.pause()                     # the frame with the rows
        figures["first paint of the fleet"] = time.perf_counter() - started
        screen = app.screen

        def text_filter(value: str) -> None:
            screen.query_one("#filter").value = value

        async def timed(action: Callable[[], object]) -> float:
            t0 = time.perf_counter()
            action()
            await pilot.pause()                 # handle the messages and paint the next frame
            return time.perf_counter() - t0

        steps = (("quick filter 'biometric on'", lambda: screen.action_quick("biometric"),
                  lambda: screen.action_quick("biometric")),
                 ("text filter 'honeywell'", lambda: text_filter("honeywell"), lambda: text_filter("")),
                 ("sort by worst finding", lambda: table.sort_by("worst"), lambda: table.sort_by("biometric")))
        for label, apply, undo in steps:
            on, off = [], []
            for _ in range(3):
                on.append(await timed(apply))
                filtered = len(table.records)
                off.append(await timed(undo))
                if len(table.records) != count:
                    raise AssertionError(f"{label}: {len(table.records)} rows after undoing, expected {count}")
            figures[f"{label} ({filtered} rows)"] = statistics.median(on)
            figures[f"  undo {label.split(' (')[0]}"] = statistics.median(off)
        figures.update(await measure_findings(app, pilot, timed))
    return figures


async def measure_findings(app: Any, pilot: Any, timed: Callable[[Callable[[], object]], Any]) -> dict[str, float]:
    """The findings list (one row per finding, ~0.8 per device here): switching to it, and its `/` filter."""
    t0 = time.perf_counter()
    await app.run_action("switch_mode('findings')")
    table = None
    while table is None or not table.records:
        await asyncio.sleep(0.02)
        tables = app.screen.query("#findings-table")
        table = tables.first() if tables else None
    await pilot.pause()
    figures = {f"findings screen first paint ({len(table.records)} rows)": time.perf_counter() - t0}
    total, screen = len(table.records), app.screen

    def text_filter(value: str) -> None:
        screen.query_one("#filter").value = value

    on, off = [], []
    for _ in range(3):
        on.append(await timed(lambda: text_filter("face_recognition")))
        filtered = len(table.records)
        off.append(await timed(lambda: text_filter("")))
        if len(table.records) != total:
            raise AssertionError(f"findings filter: {len(table.records)} rows after clearing, expected {total}")
    figures[f"findings text filter ({filtered} rows)"] = statistics.median(on)
    figures["  undo findings text filter"] = statistics.median(off)
    return figures


async def first_paint_empty() -> float:
    """The same start-up with no devices: what Textual itself costs, for comparison."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        app = make_app(Path(folder) / "empty.db", now=lambda: NOW, cursor_blink=False)
        async with app.run_test(size=(120, 40)) as pilot:
            while app.fleet is None:
                await asyncio.sleep(0.02)
            await pilot.pause()
            return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    path = Path(tempfile.gettempdir()) / "camaudit-bench" / f"tui-{args.devices}-v1.db"
    path.parent.mkdir(exist_ok=True)
    if args.rebuild or not path.exists():
        print(f"Recording {args.devices} device audits into {path} ...", flush=True)
        print(f"   recorded in {build(path, args.devices):.1f} s")
    else:
        print(f"Reusing {path} (--rebuild to record it again)")
    with open_store(path) as store:
        devices = len(list_devices(store))
        timings = []
        for _ in range(3):
            t0 = time.perf_counter()
            list_devices(store)
            timings.append(time.perf_counter() - t0)
        print(f"store.list_devices ({devices} devices): {statistics.median(timings) * 1000:.0f} ms (median of 3)")
        t0 = time.perf_counter()
        index = load_fleet(store)
        print(f"tui load_fleet (devices + flags + findings): {(time.perf_counter() - t0) * 1000:.0f} ms, "
              f"{len(index.findings)} findings")
    figures = asyncio.run(measure_app(path, devices))
    print(f"{'Textual start-up, empty database':<42} {asyncio.run(first_paint_empty()) * 1000:7.0f} ms")
    for label, seconds in figures.items():
        print(f"{label:<42} {seconds * 1000:7.0f} ms" + ("  (median of 3)" if "first paint" not in label else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
