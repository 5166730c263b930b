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


def register_all(subparsers: argparse._SubParsersAction, *, only: str | None = None) -> None:
    """Every command's parser; with `only` (the command the user typed), just that one when it is a
    command module that registers a command of its own name. Importing every command module costs
    ~0.15 s of CPU, which `camaudit egress analyze` would pay before it can start tcpdump and tshark."""
    names = [info.name for info in pkgutil.iter_modules(__path__) if info.name not in SHARED]
    if only in names:
        importlib.import_module(f"{__name__}.{only}").add_parser(subparsers)
        if only in subparsers.choices:
            return
    from device_simulators import cli as sim_cli

    modules = [importlib.import_module(f"{__name__}.{name}") for name in names if name != only]
    for module in sorted(modules, key=lambda m: getattr(m, "ORDER", 50)):
        module.add_parser(subparsers)
    sim_cli.add_parser(subparsers)
