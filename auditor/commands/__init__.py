"""camaudit's subcommands. Each module here defines `ORDER` (position in --help) and
`add_parser(subparsers)`, which sets `func(args, console) -> exit code` on its parser.
Adding a command is adding a module; auditor/cli.py never changes. Modules without `add_parser`
are what the commands share: argument types (`argtypes`), safe output files (`outfile`),
`-o/--format` output (`machine_output`) and the console summary (`summary`).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil


def register_all(subparsers: argparse._SubParsersAction) -> None:
    from device_simulators import cli as sim_cli

    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)]
    commands = [m for m in modules if hasattr(m, "add_parser")]
    for module in sorted(commands, key=lambda m: getattr(m, "ORDER", 50)):
        module.add_parser(subparsers)
    sim_cli.add_parser(subparsers)
