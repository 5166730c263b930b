"""Errors raised by the store. Every error carries one full sentence for the user.

    StoreProblem                   anything the store raises on purpose
    ├── StoreUnavailable           the SQLite file cannot be opened, created, read or written
    ├── RecordNotFound             a write names a run that is not in the store
    └── RunClosed                  a device finished after its run was closed (Ctrl-C, SIGTERM)

SQLAlchemy, sqlite3 and OS errors are translated into these in one place, `models.db`.
`models` must not import `auditor`, so the orchestrator maps these onto its own tree
(`auditor.errors.StoreError`) at its boundary; `message` and `title` match that tree's shape.
"""

from __future__ import annotations

from pathlib import Path


class StoreProblem(Exception):
    """Base class: `message` is a full sentence a user can act on."""

    title = "Database"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StoreUnavailable(StoreProblem):
    """The database file cannot be used; `path` says which file."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class RecordNotFound(StoreProblem, LookupError):
    """A write referred to a run id the store does not hold (a caller bug, not a user error)."""


class RunClosed(StoreProblem):
    """A device audit arrived after its run was closed; it is dropped, never written."""
