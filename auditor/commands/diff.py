"""`camaudit diff [RUN_A] [RUN_B]`: what changed between two audit runs.

By default the last two COMPLETE runs; an interrupted run is compared only when named, and the
output says so. A device RUN_A could not read is compared as it was when last read.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from auditor.commands.dbarg import add_db_argument, add_site_argument
from models.errors import UsageError

if TYPE_CHECKING:
    from models.db import Store
    from models.drift import Drift
    from models.tables import AuditRunPublic

ORDER = 45
EXIT_RELEVANT = 1
EXIT_CODES = """\
exit codes (so a scheduled job can gate on it):
  0  nothing relevant switched on (also when a device could not be read this time)
  1  something relevant switched on: an analytics feature, a remote-access setting (NTP excepted),
     a data flow, or a new unknown egress destination (see models/drift.py)
  2  usage error: no such run, fewer than two runs, no database
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "diff", help="what changed between two audit runs (exit 1 when something relevant switched on)",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXIT_CODES,
        description="Compare two audit runs (default: the last two complete runs): devices added or removed, "
                    "identity and firmware changes, analytics and remote access switched on or off, new egress "
                    "destinations. A device the earlier run could not read (login failed, unreachable) is "
                    "compared as it was when last read: unknown is never taken for off.")
    p.add_argument("run_a", type=int, nargs="?", metavar="RUN_A",
                   help="the earlier run (default: the second latest complete run)")
    p.add_argument("run_b", type=int, nargs="?", metavar="RUN_B",
                   help="the later run (default: the latest complete run)")
    add_db_argument(p)
    add_site_argument(p)
    p.add_argument("--json", action="store_true", help="print the changes as JSON on stdout")
    p.set_defaults(func=cmd_diff)


def pick_pair(store: Store, run_a: int | None, run_b: int | None,
              site: str | None = None) -> tuple[AuditRunPublic, AuditRunPublic]:
    """The runs to compare: the last two (of `site`, else of the latest run's site), or RUN_A and RUN_B
    (default: the latest of RUN_A's site).

    Raises:
        UsageError: fewer than two runs, no such run, the same run twice, or runs of two sites.
    """
    from auditor.report.load import complete_runs, pick_run
    from models.location import DEFAULT_SITE

    if run_a is None:
        if run_b is not None:
            raise UsageError("Give RUN_A as well as RUN_B, or neither to compare the last two complete runs.")
        if site is None:   # the site of the latest complete run
            site = next((r.site for r in complete_runs(store, limit=1)), None)
        latest = complete_runs(store, limit=2, site=site)
        if len(latest) < 2:
            of_site = f" of site {site!r}" if site and site != DEFAULT_SITE else ""
            raise UsageError(f"The database {store.path} holds {len(latest)} complete audit run(s){of_site} "
                             f"and camaudit diff needs two; run camaudit audit again first, or name two runs "
                             f"(camaudit diff RUN_A RUN_B).")
        return latest[1], latest[0]
    before = pick_run(store, run_a, site)
    after = pick_run(store, run_b, site or before.site)
    if before.id == after.id:
        raise UsageError(f"Run {before.id} cannot be compared with itself; name two different runs "
                         f"(camaudit diff RUN_A RUN_B).")
    return before, after


def print_drift(console: Console, drift: Drift, states: dict[int, str] | None = None) -> None:
    """The changes grouped as in the report: what switched on first, then the rest, by device."""
    from auditor.report.views import drift_tables, when
    from models.drift import KINDS

    console.print(Text(f"Changes from run {drift.before_run} ({when(drift.before_started)}) "
                       f"to run {drift.after_run} ({when(drift.after_started)})", style="bold"))
    for run_id, state in (states or {}).items():
        if state != "complete":
            console.print(Text(f"Run {run_id} is {state}: it did not audit every planned target, so devices it "
                               f"did not reach are missing from it.", style="bold yellow"), soft_wrap=True)
    for title, changes in drift_tables(drift):
        console.print()
        console.print(Text(title, style="bold red" if changes[0].relevant else "bold"))
        device = None
        for change in changes:
            if change.device != device:
                device = change.device
                console.print(Text(f"  {device}", style="cyan"), soft_wrap=True)   # Text: never read as markup
            console.print(Text(f"    {KINDS.get(change.kind, change.kind)}: ", style="dim") + Text(change.text),
                          soft_wrap=True)
    relevant = len(drift.relevant)
    console.print()
    summary = (f"{len(drift.changes)} changes, {relevant} relevant (switched on)." if drift.changes
               else "Nothing changed.")
    if not drift.egress_compared:
        summary += " Egress not compared: one of the runs has no egress analysis."
    console.print(Text(summary, style="bold red" if relevant else "bold"), soft_wrap=True)


def cmd_diff(args: argparse.Namespace, console: Console) -> int:
    from auditor.report.load import load_run, open_existing_store
    from models.last_read import compare_with_last_known

    with open_existing_store(args.db) as store:
        before, after = pick_pair(store, args.run_a, args.run_b, args.site)
        drift = compare_with_last_known(store, load_run(store, before).state(), load_run(store, after).state())
    states = {before.id: before.state, after.id: after.state}
    if args.json:
        document = drift.to_json() | {"before_state": before.state, "after_state": after.state}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print_drift(console, drift, states)
    return EXIT_RELEVANT if drift.relevant else 0
