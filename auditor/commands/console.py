"""The rich Console every command prints to. Its own light module: `camaudit` builds it before
it dispatches, so whatever this imports is paid by every command (`egress analyze` starts its
capture processes before it imports the store; `auditor.commands.summary` would import the orchestrator,
SQLAlchemy and every probe first)."""

from __future__ import annotations

from rich.console import Console

UNLIMITED = 100_000   # columns when writing to a file or pipe: a table is never cut or wrapped there


def make_console(*, stderr: bool = False, quiet: bool = False) -> Console:
    """A console that never cuts a table when it does not write to a terminal: `camaudit discover … > file`
    keeps every address whole (rich otherwise assumes 80 columns and ellipsises cells)."""
    console = Console(stderr=stderr, quiet=quiet)
    if not console.is_terminal:
        console = Console(stderr=stderr, quiet=quiet, width=UNLIMITED)
    return console
