"""Organisation benchmark (issue 15): 20 sites x 500 devices x 12 monthly runs in PostgreSQL, one site
(500 x 12) in SQLite; what a user waits for, without and with the query indexes of migration 0004.

    python bench/org_bench.py [--sites 20] [--devices 500] [--months 12] [--site site-03]

What it does, all on this machine (PostgreSQL listens only on a Unix socket in a temp folder):
1. audits the bundled simulated site once with the real auditor (loopback) and keeps its stored rows;
2. starts a throw-away PostgreSQL cluster (tests/pgcluster.py), creates the store with camaudit's own
   open_store (migrations applied) and fills it in bulk with clones of those rows (bench/orgdata/fill.py);
   the same for one site in SQLite. Nothing is cached between runs;
3. drops the 0004 indexes and times, per engine and scope: the TUI fleet's first paint and a text filter
   (the real Textual app, headless, App.run_test), `camaudit report` (HTML) and `camaudit diff` between
   the site's last two runs, both run in-process through auditor.cli.main exactly as the CLI parses them;
   every SELECT these paths issue is caught and EXPLAINed (PostgreSQL: EXPLAIN ANALYZE; SQLite:
   EXPLAIN QUERY PLAN); whole-table scans of large tables are printed;
4. creates the indexes again and repeats; then times writing one site's run of 500 devices through the
   real write path (models/store.py record_run_started, record_device_audit per device,
   record_run_finished, as auditor/run/orchestrator.py calls them).
Times are wall seconds and this process's CPU seconds (the PostgreSQL server's CPU is not in it);
the machine's load average is printed with them. Asserts only that answers are sane (row counts).

Measured 2026-12-06 on the shared 2-core machine, load average 11-20 throughout (other helpers' test
runs), so wall times move 2x run to run; compare the CPU column. Without 0004 -> with 0004 (the code
changes below are in both columns), wall s / this process's CPU s:
    fill: simulated site audited 15-27 s; PostgreSQL bulk fill 390-422 s (5.7 M feature rows, then VACUUM
    ANALYZE); SQLite one site 11-21 s.
    PostgreSQL whole org (10,000 devices): TUI first paint 35.6/4.0 -> 42.8/3.9, filter 1.40 -> 0.24 s,
        report 83.7/6.5 -> 68.0/6.5, diff 42.3/3.3 -> 38.8/4.4
    PostgreSQL one site (500 devices): TUI first paint 9.0/0.70 -> 3.8/0.58, filter 0.45 -> 0.25,
        report 65.8/5.6 -> 66.8/6.5, diff 33.0/3.2 -> 31.5/3.9
    SQLite one site (500 x 12): TUI first paint 4.6/0.49 -> 3.2/0.46, filter 0.37 -> 0.29,
        report 62.9/5.4 -> 44.4/5.5, diff 37.6/3.6 -> 16.0/3.1
    writing one site's run of 500 devices: PostgreSQL 81.5/9.4 -> 98.2/9.8 (5-6 devices/s), SQLite
        34.9/6.8 -> 35.2/6.8 (14 devices/s); the plans of the write path were index scans both ways; the
        busiest statements per device are two UPDATEs of the run row, the advisory lock and the inserts
        (the "writer" helper's batched writer addresses those).
Where the time goes: the database executes each path's statements in well under a second (the bench
prints the busiest); report and diff spend ~5 s of client CPU building ORM objects for ~60,000 child
rows of two runs (models.store._load_audits) and rendering. First full run, before any change here
(load 9-15): PostgreSQL whole-org TUI 11.7/4.3, report 18.9/6.0, diff 12.7/3.6; SQLite report 14.7/5.0.

Indexes chosen from the plans (models/migrations/versions/0004_query_indexes.py says why, one line each):
with the 0001/0002 indexes no plan read a large table whole. (snapshot_id, id) replaces the one-column
snapshot_id index on remote_access_record and finding_record (rows come off the index in the order
read, no sort); on feature_record the same index was measured and rejected (PostgreSQL then chose a
BitmapAnd over ix_feature_feature_enabled, 5x slower). models.store.children reads per-snapshot rows
in (snapshot_id, id) order (PostgreSQL's sort by id alone spilled to disk; SQLite needed a temp B-tree).
The device list of one site (or one device) grouped every snapshot of every site to find the newest;
models.store._device_summaries now looks each device's newest snapshot up in ix_snapshot_device.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import importlib.util
import io
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from orgdata.fill import Org, clone_audit, fill  # noqa: E402
from orgdata.plans import Catcher, catching, explain_all  # noqa: E402
from orgdata.templates import Templates, load_templates  # noqa: E402
from sqlalchemy import text  # noqa: E402

from models.db import Store, open_store  # noqa: E402
from models.store import record_device_audit, record_run_finished, record_run_started  # noqa: E402
from models.tables import RunOptions  # noqa: E402

NOW = dt.datetime(2027, 1, 20, 12, 0, tzinfo=dt.UTC)
FILTER = "dahua"


Spec = tuple[str, str, tuple[str, ...]]


def migration_indexes() -> tuple[list[Spec], list[Spec]]:
    """What migration 0004 creates, and the 0001 indexes it replaces: (name, table, columns) each."""
    path = ROOT / "models" / "migrations" / "versions" / "0004_query_indexes.py"
    spec = importlib.util.spec_from_file_location("query_indexes", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return list(module.INDEXES), list(module.REPLACED)


@contextlib.contextmanager
def timed(label: str, figures: dict[str, tuple[float, float]]) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    figures[label] = (time.perf_counter() - wall, time.process_time() - cpu)


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


# ---- the paths a user waits for ---------------------------------------------------------------------

async def tui(location: str, site: str | None, rows: int, figures: dict[str, tuple[float, float]]) -> None:
    """The fleet screen: time to the frame with all `rows`, then to the frame after typing a filter."""
    from tui.app import make_app

    wall, cpu = time.perf_counter(), time.process_time()
    app = make_app(location, now=lambda: NOW, cursor_blink=False, site=site)
    async with app.run_test(size=(120, 40)) as pilot:
        table = None
        while table is None or len(table.records) != rows:
            await asyncio.sleep(0.02)
            tables = app.screen.query("#fleet-table")
            table = tables.first() if tables else None
        await pilot.pause()
        figures["TUI fleet first paint"] = (time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        app.screen.query_one("#filter").value = FILTER
        await pilot.pause()
        while len(table.records) == rows:
            await asyncio.sleep(0.01)
        figures[f"TUI filter '{FILTER}' ({len(table.records)} rows)"] = (time.perf_counter() - wall,
                                                                         time.process_time() - cpu)
        if not 0 < len(table.records) < rows:
            raise AssertionError(f"the filter left {len(table.records)} of {rows} rows")


def cli(*argv: str) -> int:
    from auditor.cli import main

    with contextlib.redirect_stdout(io.StringIO()):
        return main(list(argv))


def read_paths(location: str, site: str | None, rows: int, out: Path) -> dict[str, tuple[float, float]]:
    figures: dict[str, tuple[float, float]] = {}
    asyncio.run(tui(location, site, rows, figures))
    scope = ["--site", site] if site else []
    html = out / f"report-{site or 'org'}-{time.monotonic_ns()}.html"
    with timed("camaudit report (HTML)", figures):
        assert cli("report", "--db", location, "--out", str(html), *scope) == 0
    if html.stat().st_size < 100_000:
        raise AssertionError(f"the report is only {html.stat().st_size} bytes")
    with timed("camaudit diff (last two runs)", figures):
        assert cli("diff", "--db", location, *scope) in (0, 1)   # 1: relevant changes (EXIT_RELEVANT)
    return figures


def write_run(location: str, templates: Templates, org: Org, s: int) -> tuple[float, float]:
    """One site's run of `org.devices` audits through the store functions the orchestrator calls."""
    when = dt.datetime.now(dt.UTC)
    audits = [clone_audit(templates, s, d, when) for d in range(org.devices)]
    with open_store(location) as store:
        wall, cpu = time.perf_counter(), time.process_time()
        run_id = record_run_started(store, targets=[f"10.{s}.0.0/22"], site=org.site_name(s),
                                    options=RunOptions(concurrency=32, timeout_s=6.0, target_count=1024))
        for audit in audits:
            record_device_audit(store, run_id=run_id, audit=audit)
        record_run_finished(store, run_id=run_id, complete=True)
        figures = (time.perf_counter() - wall, time.process_time() - cpu)
        with store.engine.connect() as conn:
            devices = conn.execute(text("SELECT count(*) FROM device WHERE site = :s"), {"s": org.site_name(s)})
            if devices.scalar_one() != org.devices:
                raise AssertionError("the written run did not match every device of its site")
    return figures


# ---- phases --------------------------------------------------------------------------------------------

def print_figures(title: str, figures: dict[str, tuple[float, float]]) -> None:
    print(f"  {title}  ({load()})")
    for label, (wall, cpu) in figures.items():
        print(f"    {label:<44} {wall:7.2f} s wall  {cpu:7.2f} s CPU (this process)")


def measure(engine_name: str, location: str, scopes: list[tuple[str, str | None, int]], out: Path,
            dialect: str, engine: Any) -> None:
    for title, site, rows in scopes:
        with catching(dialect) as catcher:
            catcher.path = f"{engine_name} {title}"
            print_figures(f"{engine_name}, {title}", read_paths(location, site, rows, out))
            catcher.path = ""
        print_statements(catcher, engine)


def print_statements(catcher: Catcher, engine: Any) -> None:
    """The statements that took longest in all (N+1 shows as a count), and the plans that read a large
    table whole or drop most of what they read."""
    print(f"    {len(catcher.counts)} statement shapes, {sum(catcher.counts.values()):,} executions; busiest:")
    for shape, count, seconds in catcher.busiest(5):
        print(f"      {count:6,} x {seconds:6.2f} s  {shape}")
    plans = explain_all(engine, catcher)
    scanning = [p for p in plans if p.scans]
    print(f"    {len(plans)} distinct SELECT/UPDATE statements EXPLAINed; {len(scanning)} read a large table "
          f"whole or mostly drop what they read:")
    for plan in sorted(scanning, key=lambda p: -(p.ms or 0)):
        print(f"      {plan.summary}")
        print(f"        {'; '.join(plan.scans)}" + (f"  (execution {plan.ms:.1f} ms)" if plan.ms is not None else ""))
        for line in plan.lines[:8]:
            print(f"          {line}")


def set_indexes(store: Store, indexes: tuple[list[Spec], list[Spec]], present: bool) -> None:
    """The indexes as migration 0004 leaves them (`present`), or as revision 0003 had them."""
    created, replaced = indexes
    add, drop = (created, replaced) if present else (replaced, created)
    with store.engine.begin() as conn:
        for name, _table, _columns in drop:
            conn.execute(text(f"DROP INDEX IF EXISTS {name}"))
        for name, table, columns in add:
            conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})"))
        if store.dialect == "postgresql":
            conn.execute(text("ANALYZE"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--devices", type=int, default=500)
    parser.add_argument("--months", type=int, default=12)
    args = parser.parse_args()
    org, one = Org(args.sites, args.devices, args.months), Org(1, args.devices, args.months)
    site = org.site_name(min(3, org.sites - 1))
    from tests.pgcluster import Cluster

    indexes = migration_indexes()
    print(f"Organisation: {org.sites} sites x {org.devices} devices x {org.months} monthly runs "
          f"= {org.sites * org.devices * org.months:,} device audits ({load()})")
    with tempfile.TemporaryDirectory(prefix="camaudit-orgbench-") as folder:
        tmp = Path(folder)
        templates = load_templates(tmp)
        print(f"  real audit of the {len(templates.audits)} simulated devices: {templates.seconds:.1f} s")
        cluster = Cluster.start()
        try:
            url = cluster.url(cluster.create_database())
            sqlite = str(tmp / "site.db")
            stores = {"PostgreSQL": open_store(url), "SQLite": open_store(sqlite)}
            for (name, store), shape in zip(stores.items(), (org, one), strict=True):
                wall = time.perf_counter()
                counts = fill(store, shape, templates)
                print(f"  {name} bulk fill: {time.perf_counter() - wall:.1f} s, "
                      + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            scopes = {"PostgreSQL": [("whole org", None, org.sites * org.devices), (site, site, org.devices)],
                      "SQLite": [(one.site_name(0), one.site_name(0), one.devices)]}
            for present in (False, True):
                print(f"\n== {'with' if present else 'without'} the 0004 query indexes")
                for name, store in stores.items():
                    set_indexes(store, indexes, present)
                    measure(name, url if name == "PostgreSQL" else sqlite, scopes[name], tmp, store.dialect,
                            store.engine)
            print(f"\n== writing one site's run ({org.devices} devices) through models/store.py  ({load()})")
            for name, location, s in (("PostgreSQL", url, org.sites - 1), ("SQLite", sqlite, 0)):
                for present in (False, True):
                    set_indexes(stores[name], indexes, present)
                    with catching(stores[name].dialect) as catcher:
                        catcher.path = f"{name} write"
                        wall, cpu = write_run(location, templates, org if name == "PostgreSQL" else one, s)
                        catcher.path = ""
                    print(f"    {name:<11} {'with' if present else 'without'} indexes: {wall:6.2f} s wall "
                          f"{cpu:6.2f} s CPU ({org.devices / wall:.0f} devices/s)  ({load()})")
                    print_statements(catcher, stores[name].engine)
            for store in stores.values():
                store.close()
        finally:
            cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
