"""camaudit's error tree, shared by every room (CLI, TUI, report, run, judge, store). Every error
carries one full sentence for the user.

    CamauditError                  anything the user should read as one line (CLI) or a modal (TUI)
    ├── UsageError                 bad input from the user: target, CIDR, file, option
    │   ├── TargetError            a target that is not an address, host, CIDR or URL
    │   └── CredentialsError       credentials file missing, unreadable or malformed
    ├── StoreError                 the store cannot be opened or written
    │   └── StoreProblem           raised by `models` itself
    │       ├── StoreUnavailable   the database cannot be opened, created, read or written
    │       ├── RecordNotFound     a write names a run that is not in the store
    │       └── RunClosed          a device finished after its run was closed (Ctrl-C, SIGTERM)
    ├── CaptureError               tshark missing, no capture permission, bad interface or file
    └── SimulatorError             the bundled simulators could not start

`as_user_error` is the one mapping from an exception to what the user reads, used by the CLI
(one line on stderr) and the TUI (a modal). It lives in `models` (the bottom layer) so the TUI,
the report and the store raise and catch the same classes without importing `auditor`
(see ARCHITECTURE.md). SQLAlchemy, sqlite3 and OS errors
are translated into the store's errors in one place, `models.db`.

Ctrl-C and SIGTERM are not errors: they raise `Interrupted` (a KeyboardInterrupt), the
orchestrator closes the run as interrupted, and the CLI exits with 128 + the signal number.

Per-device failures (timeouts, hostile XML, auth failures) are never raised to the user:
the orchestrator records them as outcomes for that device and the run goes on.
Foreign exceptions are translated into these at one boundary per family.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class CamauditError(Exception):
    """Base class: `message` is a full sentence a user can act on."""

    exit_code = 1
    title = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(CamauditError):
    exit_code = 2
    title = "Invalid input"


class TargetError(UsageError):
    title = "Invalid target"


class CredentialsError(UsageError):
    title = "Credentials file"


class StoreError(CamauditError):
    title = "Database"


class CaptureError(CamauditError):
    title = "Capture"


class SimulatorError(CamauditError):
    title = "Simulators"


class Interrupted(KeyboardInterrupt):
    """Ctrl-C (SIGINT) or SIGTERM. The orchestrator fills in the run it closed and the devices kept."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.run_id: int | None = None
        self.kept = 0

    @property
    def exit_code(self) -> int:
        return 128 + self.signum     # the shell's convention: 130 for Ctrl-C, 143 for SIGTERM


class StoreProblem(StoreError):
    """What `models` raises on purpose; callers may catch StoreError for every store failure."""


class StoreUnavailable(StoreProblem):
    """The database file cannot be used; `path` says which file."""

    def __init__(self, message: str, *, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class RecordNotFound(StoreProblem, LookupError):
    """A write referred to a run id the store does not hold (a caller bug, not a user error)."""


class RunClosed(StoreProblem):
    """A device audit arrived after its run was closed; it is dropped, never written."""


# A foreign error family and the project error it becomes, for a boundary that owns the family
# (the CLI passes the bundled simulators' errors; `models` imports nothing of ours to name them).
Foreign = tuple[type[BaseException] | tuple[type[BaseException], ...], type[CamauditError]]


def as_user_error(exc: BaseException, foreign: Sequence[Foreign] = ()) -> CamauditError | None:
    """The error a user reads for `exc`: a CamauditError as it is (StoreProblem is a StoreError, so
    store failures need no translation), a `foreign` family's error as its project error with the same
    sentence, and None for anything else: a bug, which the caller re-raises with its traceback."""
    if isinstance(exc, CamauditError):
        return exc
    for family, error in foreign:
        if isinstance(exc, family):
            return error(str(exc))
    return None
