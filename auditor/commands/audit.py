"""`camaudit audit TARGET…`: discover, fingerprint and probe every device; store the run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor import DEFAULT_CONCURRENCY
from auditor.argtypes import positive_int, seconds

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditor.credentials import CredentialBook
    from models.audit import DeviceAudit
    from models.db import Store
    from models.last_read import LastRead

ORDER = 20
DEFAULT_DB = Path("camaudit.db")

CREDENTIALS_HELP = """\
credentials file (TOML), one or more entries:
  [[account]]
  targets = ["192.168.10.0/24"]     # addresses or CIDRs, "*" for all
  user = "auditor"
  password_env = "CAMAUDIT_PASSWORD" # or password = "..." (exactly one of the two)
Only these keys; targets is required. Each user gets at most one failed login per device.

exit codes: 0 complete, 1 incomplete, 2 invalid input, 130 Ctrl-C, 143 SIGTERM
"""


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "audit", help="audit cameras and NVRs: identity, analytics, remote access (read-only)",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=CREDENTIALS_HELP,
        description="Find the devices in TARGET (addresses, host:port, host names, CIDRs or URLs), "
                    "read what each can do and what is switched on, and store the run. Only reads: "
                    "HTTP GET, ONVIF Get* and discovery probes; at most one failed login per account "
                    "per device per run.")
    p.add_argument("targets", nargs="+", metavar="TARGET")
    p.add_argument("--credentials", type=Path, metavar="FILE", help="credentials file (TOML, see below)")
    p.add_argument("--user", help="one account for every device (password from --password-env)")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding --user's password")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite store (default ./{DEFAULT_DB})")
    p.add_argument("--json", action="store_true", help="print the run as JSON on stdout")
    p.add_argument("--no-discover", action="store_true",
                   help="audit exactly the addresses given, without discovery probes or a port sweep")
    p.add_argument("--multicast", action="store_true",
                   help="also send multicast discovery on the local network (never for loopback scopes)")
    p.add_argument("--concurrency", type=positive_int, default=DEFAULT_CONCURRENCY, help="devices audited at once")
    p.add_argument("--timeout", type=seconds, default=6.0, help="per-request read timeout in seconds")
    p.add_argument("--allow-basic", action="store_true",
                   help="allow HTTP Basic login, which sends the password in clear (off by default)")
    p.set_defaults(func=cmd_audit)


def credentials_from_args(args: argparse.Namespace) -> CredentialBook:
    from auditor.credentials import load_credentials, merge, single_account

    books = []
    if args.credentials:
        books.append(load_credentials(args.credentials))
    if args.user or args.password_env:
        books.append(single_account(args.user or "", args.password_env))
    return merge(*books)


def last_reads(store: Store, run_id: int, devices: Sequence[DeviceAudit]) -> dict[tuple[str, int], LastRead]:
    """For each device this run could not read: its last readable audit, by address and port."""
    from models.last_read import get_last_read_audit
    from models.read_status import read_status, was_read
    from models.store import list_run_snapshots

    unread = {(a.address, a.port) for a in devices if not was_read(read_status(a))}
    found: dict[tuple[str, int], LastRead] = {}
    for snap in list_run_snapshots(store, run_id=run_id) if unread else []:
        key = (snap.address, snap.port)
        if key in unread and (last := get_last_read_audit(store, device_id=snap.device_id, before_run=run_id)):
            found[key] = last
    return found


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    # Imported here, not at module level: `camaudit --help` should not load the whole auditor.
    from auditor.orchestrator import AuditOptions, run_audit
    from auditor.scope import plan
    from auditor.summary import audit_progress, audit_table, findings_table
    from auditor.targets import parse_targets
    from models.db import open_store
    from probes.context import ProbeSettings
    from probes.http import HttpSettings

    # Every user input is checked before the database is opened: a typo never creates a file.
    scope = parse_targets(args.targets)
    credentials = credentials_from_args(args)
    warn = Console(stderr=True)
    for warning in credentials.warnings:
        warn.print(f"[yellow]camaudit: {warning}[/]", highlight=False, soft_wrap=True)
    # With --json, stdout carries only the document; the human view goes to stderr.
    view = Console(stderr=True) if args.json else console
    store = open_store(args.db)
    try:
        shown = ", ".join(entry.text for entry in scope.entries)    # validated: holds no user:password@
        view.print(f"Discovering devices in {shown} ..." if not args.no_discover
                   else f"Auditing {len(args.targets)} given target(s) ...", markup=False, highlight=False)
        planned = plan(args.targets, discover=not args.no_discover, multicast=args.multicast)
        targets = planned.targets
        for note in planned.notes:   # bad targets, lost discovery replies: one line each, on stderr
            warn.print(f"[yellow]camaudit: {note}[/]", highlight=False, soft_wrap=True)
        if not targets:
            view.print("No cameras or recorders answered in that scope. Check the addresses, or use "
                       "--no-discover to audit addresses that ignore discovery probes.")
        if not credentials:
            view.print("[yellow]No credentials given: only what devices say without a login will be read.[/]")
        options = AuditOptions(concurrency=args.concurrency, probe=ProbeSettings(
            http=HttpSettings(read_timeout=args.timeout, allow_basic=args.allow_basic)))
        with audit_progress(view, len(targets)) as progress:
            outcome = run_audit(store, targets, credentials, scope=args.targets, options=options, progress=progress)
        last_read = last_reads(store, outcome.run_id, outcome.devices)
    finally:
        store.close()
    if outcome.devices:
        view.print(audit_table(outcome.devices, last_read))
        if any(a.findings for a in outcome.devices):
            view.print(findings_table(outcome.devices))
    state = "complete" if outcome.complete else "[bold red]incomplete[/] (stopped early; finished devices kept)"
    view.print(f"Run {outcome.run_id} {state}: {len(outcome.devices)} device(s) stored in {args.db}.")
    if args.json:
        document = {"run_id": outcome.run_id, "started": outcome.started.isoformat(),
                    "complete": outcome.complete, "devices": [a.to_json() for a in outcome.devices]}
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0 if outcome.complete else 1
