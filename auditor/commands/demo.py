"""`camaudit demo`: the main job on the bundled simulated site, for a first look.

Starts every bundled simulated device on loopback, then runs exactly what a user would run on
a real site, into a real SQLite store: discovery of the site's /24, an audit with a credentials
file, an egress analysis of a capture of the site (written by the simulators, with its ground
truth), and the DPIA evidence report. It ends by pointing at the TUI.
"""

from __future__ import annotations

import argparse
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

if TYPE_CHECKING:
    from auditor.credentials import CredentialBook
    from device_simulators.runtime.fleet import Fleet

DEMO_BASE = "127.0.30.1"
ORDER = 90


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run camaudit against the bundled simulated site")
    demo.add_argument("--base-address", default=DEMO_BASE,
                      help=f"first loopback address for the simulated site (default {DEMO_BASE})")
    demo.add_argument("--db", type=Path, default=Path("camaudit.db"), help="SQLite store (default ./camaudit.db)")
    demo.add_argument("--out", type=Path, default=Path("camaudit-report.html"),
                      help="where to write the HTML report (default ./camaudit-report.html)")
    demo.add_argument("--workdir", type=Path, default=Path("camaudit-demo"),
                      help="folder for the simulated site capture (default ./camaudit-demo)")
    demo.set_defaults(func=cmd_demo)


def site_credentials(fleet: Fleet) -> CredentialBook:
    """What the site's credentials file would hold: each device's admin account."""
    from auditor.credentials import AccountRule, CredentialBook
    from probes.login import Credentials

    rules = [AccountRule((ipaddress.ip_network(d.address),), Credentials(a.user, a.password))
             for d in fleet for a in d.profile.accounts[:1]]
    return CredentialBook(tuple(rules))


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from auditor.commands.egress import demo_egress
    from auditor.commands.report import write_report
    from auditor.orchestrator import AuditOptions, run_audit
    from auditor.scope import plan_targets
    from auditor.summary import audit_progress, audit_table, findings_table
    from device_simulators.cli import port_map_table
    from device_simulators.profile import load_fleet
    from device_simulators.runtime.fleet import Fleet
    from models.db import open_store

    spec = load_fleet("site")
    console.rule("camaudit demo: the bundled simulated site")
    console.print(spec.description)
    with Fleet(spec.profiles, args.base_address) as fleet:
        console.print(port_map_table(fleet))
        network = str(ipaddress.ip_network(f"{args.base_address}/24", strict=False))
        console.rule(f"1. Discover: camaudit discover {network}")
        targets = plan_targets([network])
        console.print(f"{len(targets)} cameras and recorders answered in {network}.")
        console.rule(f"2. Audit: camaudit audit {network} --credentials site.toml --db {args.db}")
        with open_store(args.db) as store, audit_progress(console, len(targets)) as progress:
            outcome = run_audit(store, targets, site_credentials(fleet), scope=[network],
                                options=AuditOptions(), progress=progress)
        console.print(audit_table(outcome.devices))
        console.print(findings_table(outcome.devices, limit=15))
        console.print(f"Run {outcome.run_id} stored in {args.db}. Nothing was written to any device: "
                      f"{sum(len(d.log.writes()) for d in fleet)} write requests in the simulators' logs.")
    args.workdir.mkdir(parents=True, exist_ok=True)
    console.rule("3. Egress")
    demo_egress(console, args.db, args.workdir)
    console.rule(f"4. Report: camaudit report --db {args.db} --out {args.out}")
    path = write_report(args.db, args.out)
    console.print(f"DPIA evidence report written to [bold]{path or args.out}[/]")
    console.rule("Next")
    console.print(f"Browse the results: [bold]camaudit tui --db {args.db}[/]   "
                  f"(or .venv/bin/camaudit tui --db {args.db} from the project folder)")
    return 0
