"""`camaudit discover TARGET…`: which addresses are cameras or recorders, and how we know."""

from __future__ import annotations

import argparse
import json
import sys
import time

from rich.console import Console
from rich.table import Table

from auditor.commands.machine_output import add_output_options
from auditor.run.target_lists import add_target_arguments

ORDER = 10


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "discover", help="find cameras and NVRs (WS-Discovery, SADP, DHIP, port sweep)",
        description="Find cameras and recorders in TARGET (addresses, host:port, host names, CIDRs or "
                    "URLs) without logging in: unicast WS-Discovery, Hikvision SADP and Dahua DHIP probes "
                    "and a TCP sweep of camera ports, merged into one row per device.")
    add_target_arguments(p)
    p.add_argument("--multicast", action="store_true",
                   help="also send multicast discovery on the local network (never for loopback scopes)")
    add_output_options(p, what="device")
    p.set_defaults(func=cmd_discover)


def cmd_discover(args: argparse.Namespace, console: Console) -> int:
    from auditor.commands import machine_output as out
    from auditor.commands.summary import make_console
    from auditor.judge.identity import resolve_identity
    from auditor.run.scope import discover_scope
    from auditor.run.target_lists import scope_from_args
    from probes.oui import maker_signals

    scope = scope_from_args(args)
    fmt = out.output_format(args)
    out.set_verbosity(args)
    # stdout carries only the result (the table, or the JSON document); notes go to stderr.
    notes = make_console(stderr=True, quiet=args.quiet)
    view = make_console(stderr=True, quiet=args.quiet) if args.json or args.output == "-" else (
        make_console(quiet=True) if args.quiet else console)
    for note in scope.notes:
        Console(stderr=True).print(f"[yellow]{note}[/]")
    started = time.monotonic()
    with notes.status(f"Probing {len(scope.addresses)} address(es) ..."):
        report = discover_scope(scope, multicast=args.multicast)
    elapsed = time.monotonic() - started
    rows = []
    for found in report.devices:
        t = found.target
        who = resolve_identity(t.hints, oui=maker_signals)
        rows.append({"address": t.address, "port": t.port, "found_by": list(t.found_by),
                     "open_ports": list(t.open_ports), "brand": who.brand, "manufacturer": who.manufacturer,
                     "model": who.model, "serial": who.serial, "mac": who.mac, "onvif_xaddr": t.onvif_xaddr})
    document = {"devices": rows, "notes": report.notes, "outside_scope": report.outside_scope}
    if args.json:
        json.dump(document, sys.stdout, indent=2)
        sys.stdout.write("\n")
    if args.output is not None:
        where = out.write(args, out.render(document, rows, fmt))
        if where:
            notes.print(f"Wrote {len(rows)} device(s) as {fmt} to {where}", markup=False, highlight=False,
                        soft_wrap=True)
    table = Table(title=f"{len(rows)} device(s) in {elapsed:.1f} s", title_justify="left")
    for column in ("address", "found by", "open ports", "brand", "maker", "model"):
        table.add_column(column)
    for r in rows:
        table.add_row(f"{r['address']}:{r['port']}", ", ".join(r["found_by"]),
                      " ".join(map(str, r["open_ports"])), r["brand"] or "?", r["manufacturer"] or "?",
                      r["model"] or "?")
    view.print(table)
    for note in report.notes:
        notes.print(f"[dim]{note}[/]")
    return 0
