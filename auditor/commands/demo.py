"""`camaudit demo`: the main job on the bundled simulated site, for a first look.

Starts every bundled simulated device on loopback, then runs exactly what a user would run on
a real site, into a real SQLite store: discovery of the site's /24, an audit with the credentials
file it writes (site.toml, passwords by password_env; the simulated passwords are exported from
site.env beside it), an egress analysis of a capture of the site (written by the simulators, with
its ground truth), and the DPIA evidence report. It ends by pointing at the TUI and at the
commands that repeat the audit by hand.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.commands.console import heading
from auditor.commands.dbarg import add_db_argument

if TYPE_CHECKING:
    from auditor.run.credentials import CredentialBook
    from device_simulators.runtime.fleet import Fleet

DEMO_BASE = "127.0.30.1"
ORDER = 90
ENV_PREFIX = "CAMAUDIT_DEMO_PW_"


def loopback_base(text: str) -> str:
    """--base-address: an IPv4 loopback address (the simulators bind only 127.0.0.0/8)."""
    try:
        address = ipaddress.IPv4Address(text.strip())
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise argparse.ArgumentTypeError(f"'{text}' is not an IPv4 loopback address such as 127.0.40.1 "
                                         "(the simulators bind only 127.0.0.0/8)")
    return str(address)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run camaudit against the bundled simulated site")
    demo.add_argument("--base-address", type=loopback_base, default=DEMO_BASE,
                      help=f"first loopback address for the simulated site (default {DEMO_BASE})")
    add_db_argument(demo)
    demo.add_argument("--out", type=Path, default=Path("camaudit-report.html"),
                      help="where to write the HTML report (default ./camaudit-report.html)")
    demo.add_argument("--workdir", type=Path, default=Path("camaudit-demo"),
                      help="folder for the site's credentials file and capture (default ./camaudit-demo)")
    demo.set_defaults(func=cmd_demo)


def site_credentials(fleet: Fleet) -> CredentialBook:
    """What the site's credentials file would hold: each device's admin account."""
    from auditor.run.credentials import AccountRule, CredentialBook
    from probes.login import Credentials

    rules = [AccountRule((ipaddress.ip_network(d.address),), Credentials(a.user, a.password))
             for d in fleet for a in d.profile.accounts[:1]]
    return CredentialBook(tuple(rules))


def write_site_credentials(fleet: Fleet, folder: Path) -> tuple[Path, Path, dict[str, str]]:
    """site.toml (one [[account]] per device, passwords by password_env) and site.env (the exports).

    The credentials file is the one a user runs with; it holds no password. The simulated passwords
    (public: they are in the bundled profiles) go to site.env, readable only by its owner.
    Returns both paths and the environment the file needs.
    """
    variables: dict[str, str] = {}        # password -> variable, one per distinct password
    lines = [f"# camaudit demo: the simulated site from {fleet.devices[0].address}. No password is in this file;",
             f"# load them first with:  . {folder / 'site.env'}", ""]
    for device in fleet:
        for account in device.profile.accounts[:1]:
            name = variables.setdefault(account.password, f"{ENV_PREFIX}{len(variables) + 1}")
            lines += [f"# {device.profile.id}", "[[account]]", f"targets = [{json.dumps(device.address)}]",
                      f"user = {json.dumps(account.user)}", f"password_env = {json.dumps(name)}", ""]
    toml, env_file = folder / "site.toml", folder / "site.env"
    toml.write_text("\n".join(lines), encoding="utf-8")
    env_file.touch(mode=0o600)
    env_file.chmod(0o600)
    env_file.write_text("# The simulated devices' passwords, for camaudit audit --credentials site.toml\n" + "".join(
        f"export {name}={shlex.quote(password)}\n" for password, name in variables.items()), encoding="utf-8")
    return toml, env_file, {name: password for password, name in variables.items()}


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from auditor.commands.egress import demo_egress
    from auditor.commands.report import write_report
    from auditor.commands.summary import audit_progress, audit_table, findings_table
    from auditor.run.credentials import load_credentials
    from auditor.run.orchestrator import AuditOptions, run_audit
    from auditor.run.scope import plan_targets
    from device_simulators.cli import port_map_table
    from device_simulators.profile import load_fleet
    from device_simulators.runtime.fleet import Fleet
    from models.db import open_store

    spec = load_fleet("site")
    heading(console, "camaudit demo: the bundled simulated site")
    console.print(spec.description)
    args.workdir.mkdir(parents=True, exist_ok=True)
    with Fleet(spec.profiles, args.base_address) as fleet:
        console.print(port_map_table(fleet))
        network = str(ipaddress.ip_network(f"{args.base_address}/24", strict=False))
        toml, env_file, env = write_site_credentials(fleet, args.workdir)
        console.print(f"Credentials file for the site: [bold]{toml}[/] (passwords by password_env; "
                      f"the simulated passwords are exported by {env_file})", highlight=False)
        heading(console, f"1. Discover: camaudit discover {network}")
        targets = plan_targets([network])
        console.print(f"{len(targets)} cameras and recorders answered in {network}.")
        heading(console, f"2. Audit: camaudit audit {network} --credentials {toml} --db {args.db}")
        os.environ.update(env)            # this process only, as `. site.env` does for the shell
        credentials = load_credentials(toml)
        with open_store(args.db) as store, audit_progress(console, len(targets)) as progress:
            outcome = run_audit(store, targets, credentials, scope=[network],
                                options=AuditOptions(), progress=progress)
        console.print(audit_table(outcome.devices))
        console.print(findings_table(outcome.devices, limit=15))
        console.print(f"Run {outcome.run_id} stored in {args.db}. Nothing was written to any device: "
                      f"{sum(len(d.log.writes()) for d in fleet)} write requests in the simulators' logs.")
    heading(console, "3. Egress")
    demo_egress(console, args.db, args.workdir)
    heading(console, f"4. Report: camaudit report --db {args.db} --out {args.out}")
    path = write_report(args.db, args.out)
    console.print(f"DPIA evidence report written to [bold]{path or args.out}[/]")
    heading(console, "Next")
    console.print(f"Browse the results: [bold]camaudit tui --db {args.db}[/]   "
                  f"(or .venv/bin/camaudit tui --db {args.db} from the project folder)")
    console.print("Audit the simulated site yourself (the simulators in one terminal, the audit in another):\n"
                  f"  camaudit sim up --base-address {args.base_address}\n"
                  f"  . {env_file} && camaudit audit {network} --credentials {toml} --db {args.db}",
                  markup=False, highlight=False)
    return 0
