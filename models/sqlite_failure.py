"""What an SQLite failure means for the user, in one sentence: shared by the store (models/db.py),
its read-only opener and the direct egress writer, without importing SQLAlchemy (its errors wrap the
sqlite3 error as `.orig`, which is all this looks at)."""

from __future__ import annotations

from pathlib import Path

BUSY_TIMEOUT_S = 10.0   # how long to wait for another process that is writing the same file

# Primary SQLite result codes (https://sqlite.org/rescode.html) that need their own advice.
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY = 3, 5, 6, 8
SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN = 10, 11, 13, 14
SQLITE_AUTH, SQLITE_NOTADB = 23, 26


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a (possibly SQLAlchemy-wrapped) sqlite3 error."""
    orig = getattr(exc, "orig", None) or exc           # SQLAlchemy's DBAPIError wraps the driver's error
    code = getattr(orig, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def describe_failure(path: Path, exc: BaseException) -> str:
    """One sentence that says what went wrong with the file at `path` and what to do."""
    code = sqlite_code(exc)
    detail = str(getattr(exc, "orig", None) or exc).strip().rstrip(".") or type(exc).__name__
    if isinstance(exc, OSError):
        detail = exc.strerror or detail
    if code in (SQLITE_READONLY, SQLITE_PERM, SQLITE_AUTH) or isinstance(exc, PermissionError):
        return (f"Cannot write the database {path} because it is read-only or permission is denied; "
                f"fix its permissions or choose another path with --db.")
    if code == SQLITE_FULL:
        return (f"Cannot write the database {path} because the disk is full; "
                f"free some space or choose another path with --db.")
    if code in (SQLITE_NOTADB, SQLITE_CORRUPT):
        return f"The file {path} is not a camaudit database or is damaged; choose another path with --db."
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return (f"The database {path} stayed locked by another program for {BUSY_TIMEOUT_S:g} seconds; "
                f"close the other camaudit and try again.")
    if code == SQLITE_CANTOPEN:
        return (f"Cannot open the database {path}; check that its folder exists and is writable, "
                f"or choose another path with --db.")
    if code == SQLITE_IOERR:
        return (f"Reading or writing the database {path} failed with a disk error ({detail}); "
                f"check the disk or choose another path with --db.")
    return f"Cannot use the database {path} ({detail}); choose another path with --db."
