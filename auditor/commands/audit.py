"""`camaudit audit TARGET…`: discover, fingerprint and probe every device; store the run."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.commands.argtypes import positive_int, seconds
from auditor.commands.dbarg import add_db_argument, add_site_argument
from auditor.commands.machine_output import add_output_options
from auditor.run import DEFAULT_CONCURRENCY
from auditor.run.target_lists import add_target_arguments
from models.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from auditor.run.credentials import CredentialBook
    from models.audit import DeviceAudit
    from models.db import Store
    from models.last_read import LastRead

ORDER = 20

CREDENTIALS_HELP = """\
credentials file (TOML), one or more entries:
  [[account]]
  targets = ["192.168.10.0/24"]     # addresses or CIDRs, "*" for all
  user = "auditor"
  password_env = "CAMAUDIT_PASSWORD" # or password = "..." (exactly one of the two)
Only these keys; targets is required. Each user gets at most one failed login per device.

output: tables on stdout, notes and warnings on stderr; --json prints only the JSON document on stdout;
  -o FILE --format json|jsonl|csv also writes the devices to FILE (jsonl: one device per line; csv: one
  row per device with its read status). Piped or redirected, tables are printed at full width.

exit codes:
  0    every device in scope was read (fully or partly)
  1    incomplete: the run stopped early (finished devices are kept)
  2    invalid input (targets, options, credentials file)
  3    complete, but some device could not be read: login failed, account locked or unreachable
  130  stopped by Ctrl-C, 143 stopped by SIGTERM (the run is closed as interrupted)
"""
EXIT_INCOMPLETE = 1
EXIT_NOT_READ = 3


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "audit", help="audit cameras and NVRs: identity, analytics, remote access (read-only)",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=CREDENTIALS_HELP,
        description="Find the devices in TARGET (addresses, host:port, host names, CIDRs or URLs), "
                    "read what each can do and what is switched on, and store the run. Only reads: "
                    "HTTP GET, ONVIF Get* and discovery probes; at most one failed login per account "
                    "per device per run.")
    add_target_arguments(p)
    p.add_argument("--credentials", type=Path, metavar="FILE", help="credentials file (TOML, see below)")
    p.add_argument("--user", help="one account for every device (password from --password-env or the prompt)")
    p.add_argument("--password-env", metavar="VAR", help="environment variable holding --user's password")
    p.add_argument("--password-prompt", action="store_true",
                   help="type --user's password at a prompt (not echoed; needs a terminal)")
    add_db_argument(p)
    add_site_argument(p, recording=True)
    p.add_argument("--no-discover", action="store_true",
                   help="audit exactly the addresses given, without discovery probes or a port sweep")
    p.add_argument("--multicast", action="store_true",
                   help="also send multicast discovery on the local network (never for loopback scopes)")
    p.add_argument("--concurrency", type=positive_int, default=DEFAULT_CONCURRENCY, help="devices audited at once")
    p.add_argument("--workers", type=positive_int, default=None, metavar="N",
                   help="worker processes auditing devices (default: 1 below 200 devices, else one per CPU, "
                        "at most 8 and at least 100 devices each); --concurrency is shared among them")
    p.add_argument("--timeout", type=seconds, default=6.0, help="per-request read timeout in seconds")
    p.add_argument("--allow-basic", action="store_true",
                   help="allow HTTP Basic login, which sends the password in clear (off by default)")
    p.add_argument("--intrusive", action="append", default=[], metavar="CHECK",
                   help="also run the named intrusive check (it makes login attempts that count towards a "
                        "lockout); repeat for several; 'list' lists them. Off by default")
    add_output_options(p, what="device")
    p.set_defaults(func=cmd_audit)


def credentials_from_args(args: argparse.Namespace) -> CredentialBook:
    from auditor.run.credentials import load_credentials, merge, single_account

    books = []
    if args.credentials:
        books.append(load_credentials(args.credentials))
    if args.user or args.password_env or args.password_prompt:
        books.append(single_account(args.user or "", args.password_env, prompt=args.password_prompt))
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


def intrusive_from_args(args: argparse.Namespace, console: Console) -> tuple[str, ...] | None:
    """The named intrusive checks, checked against the registry; None when `list` was asked (and printed)."""
    from probes.registry import intrusive_checks

    known = intrusive_checks()
    asked = tuple(dict.fromkeys(getattr(args, "intrusive", None) or []))
    if "list" in asked:
        for name, probe_ids in known.items():
            console.print(f"{name}: {', '.join(probe_ids)}", markup=False, highlight=False)
        return None
    unknown = [name for name in asked if name not in known]
    if unknown:
        raise UsageError(f"unknown intrusive check '{unknown[0]}'; choose from {', '.join(known)} "
                         "(camaudit audit --intrusive list)")
    return asked


def announce_intrusive(checks: tuple[str, ...], notes: Console) -> None:
    """Say, before any device is touched, which login attempts an intrusive check will make."""
    from probes import default_credentials

    if default_credentials.CHECK in checks:
        for line in default_credentials.announcement():
            notes.print(line, markup=False, highlight=False, soft_wrap=True)


def cmd_audit(args: argparse.Namespace, console: Console) -> int:
    # Imported here, not at module level: `camaudit --help` should not load the whole auditor.
    from auditor.commands import machine_output as out
    from auditor.commands.summary import audit_progress, audit_table, device_rows, findings_table, make_console
    from auditor.run.orchestrator import AuditOptions, run_audit
    from auditor.run.scope import plan
    from auditor.run.target_lists import recorded_scope, scope_from_args, target_texts
    from models.db import open_store
    from models.read_status import read_status, was_read
    from probes.context import ProbeSettings
    from probes.http import HttpSettings

    # Every user input is checked before the database is opened: a typo never creates a file.
    checks = intrusive_from_args(args, console)
    if checks is None:
        return 0
    texts = target_texts(args)
    scope = scope_from_args(args, texts)
    credentials = credentials_from_args(args)
    fmt = out.output_format(args)
    out.set_verbosity(args)
    warn = Console(stderr=True)
    for warning in credentials.warnings:
        warn.print(f"[yellow]camaudit: {warning}[/]", highlight=False, soft_wrap=True)
    # stdout carries only the result: the tables, or with --json (or -o -) the document alone.
    # Notes and progress go to stderr; -q silences both (warnings and errors still show).
    notes = make_console(stderr=True, quiet=args.quiet)
    view = make_console(stderr=True, quiet=args.quiet) if args.json or args.output == "-" else (
        make_console(quiet=True) if args.quiet else console)
    store = open_store(args.db)
    try:
        shown = ", ".join(entry.text for entry in scope.entries[:5])    # validated: holds no user:password@
        shown += f" and {len(scope.entries) - 5} more" if len(scope.entries) > 5 else ""
        notes.print(f"Discovering devices in {shown} ({len(scope.addresses):,} address(es)) ..." if not args.no_discover
                    else f"Auditing {len(scope.addresses):,} address(es) ...", markup=False, highlight=False)
        planned = plan(scope, discover=not args.no_discover, multicast=args.multicast)
        targets = planned.targets
        for line in planned.notes:    # bad targets, lost discovery replies: one line each, on stderr
            warn.print(f"[yellow]camaudit: {line}[/]", highlight=False, soft_wrap=True)
        if not targets:
            notes.print("No cameras or recorders answered in that scope. Check the addresses, or use "
                        "--no-discover to audit addresses that ignore discovery probes.")
        if not credentials:
            notes.print("[yellow]No credentials given: only what devices say without a login will be read.[/]")
        options = AuditOptions(concurrency=args.concurrency, site=args.site, probe=ProbeSettings(
            http=HttpSettings(read_timeout=args.timeout, allow_basic=args.allow_basic)), intrusive_checks=checks,
            workers=args.workers)
        announce_intrusive(checks, warn)     # said even with -q: these attempts can lock an account
        with audit_progress(notes, len(targets)) as progress:
            outcome = run_audit(store, targets, credentials, scope=recorded_scope(args, texts), options=options,
                                progress=progress)
        for line in outcome.notes:    # a worker process that died: what it cost, one line each
            warn.print(f"[yellow]camaudit: {line}[/]", highlight=False, soft_wrap=True)
        last_read = last_reads(store, outcome.run_id, outcome.devices)
    finally:
        store.close()
    if outcome.devices:
        view.print(audit_table(outcome.devices, last_read))
        if any(a.findings for a in outcome.devices):
            view.print(findings_table(outcome.devices))
    statuses = [read_status(a) for a in outcome.devices]
    unread = sum(not was_read(s) for s in statuses)
    state = "complete" if outcome.complete else "[bold red]incomplete[/] (stopped early; finished devices kept)"
    notes.print(f"Run {outcome.run_id} {state}: {len(outcome.devices)} device(s) stored in {args.db}"
                + (f"; [bold red]{unread} could not be read[/] (exit code {EXIT_NOT_READ})." if unread else "."))
    document = {"run_id": outcome.run_id, "started": outcome.started.isoformat(),
                "complete": outcome.complete, "intrusive_checks": list(checks), "devices": [a.to_json() | {"status": s}
                                                          for a, s in zip(outcome.devices, statuses, strict=True)]}
    if args.json:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    if args.output is not None:
        lines = [{"run_id": outcome.run_id} | d for d in document["devices"]]
        flat = [{"run_id": outcome.run_id} | row for row in device_rows(outcome.devices, last_read)]
        where = out.write(args, out.render(document, lines, fmt, flat))
        if where:
            notes.print(f"Wrote {len(lines)} device(s) as {fmt} to {where}", markup=False, highlight=False,
                        soft_wrap=True)
    if not outcome.complete:
        return EXIT_INCOMPLETE
    return EXIT_NOT_READ if unread else 0
