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


RULE_WIDTH = 100   # a heading rule in a file or pipe: as wide as a page, not UNLIMITED dashes


def heading(console: Console, title: str) -> None:
    """A section heading rule: the terminal's width, or RULE_WIDTH when the console writes to a file."""
    from rich.rule import Rule

    console.print(Rule(title), width=min(console.width, RULE_WIDTH) if console.width >= UNLIMITED else None)
