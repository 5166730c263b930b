"""`camaudit demo`: the main job on the bundled simulated site, for a first look."""

from __future__ import annotations

import argparse

from rich.console import Console

from device_simulators.cli import port_map_table
from device_simulators.profile import load_fleet
from device_simulators.runtime.fleet import Fleet

DEMO_BASE = "127.0.30.1"
ORDER = 90


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    demo = subparsers.add_parser("demo", help="run camaudit against the bundled simulated site")
    demo.add_argument("--base-address", default=DEMO_BASE,
                      help=f"first loopback address for the simulated site (default {DEMO_BASE})")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    spec = load_fleet("site")
    console.rule("camaudit demo: the bundled simulated site")
    console.print(spec.description)
    with Fleet(spec.profiles, args.base_address) as fleet:
        console.print(port_map_table(fleet))
        answered = sum(1 for d in fleet if d.ports)
        console.print(f"{answered} simulated devices are up on loopback. "
                      "Run [bold]camaudit sim up[/] to keep them running for your own tests.")
    return 0
