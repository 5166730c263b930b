"""camaudit's subcommands. Each module here defines `ORDER` (position in --help) and
`add_parser(subparsers)`, which sets `func(args, console) -> exit code` on its parser.
Adding a command is adding a module; auditor/cli.py never changes. The modules in `SHARED` are
what the commands share, not commands; they are not imported here, so `camaudit egress ...` does
not pay for the audit summary's imports (the orchestrator, every probe, SQLAlchemy) before it starts.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil

SHARED = frozenset({"argtypes", "console", "dbarg", "machine_output", "outfile", "summary"})


def register_all(subparsers: argparse._SubParsersAction) -> None:
    from device_simulators import cli as sim_cli

    modules = [importlib.import_module(f"{__name__}.{info.name}") for info in pkgutil.iter_modules(__path__)
               if info.name not in SHARED]
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        module.add_parser(subparsers)
    sim_cli.add_parser(subparsers)
