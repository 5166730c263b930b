"""camaudit's error tree. Every error carries one full sentence for the user.

    CamauditError                  anything the user should read as one line (CLI) or a modal (TUI)
    ├── UsageError                 bad input from the user: target, CIDR, file, option
    │   ├── TargetError            a target that is not an address, host, CIDR or URL
    │   └── CredentialsError       credentials file missing, unreadable or malformed
    ├── StoreError                 the SQLite store cannot be opened or written
    ├── CaptureError               tshark missing, no capture permission, bad interface or file
    └── SimulatorError             the bundled simulators could not start

Ctrl-C and SIGTERM are not errors: they raise `Interrupted` (a KeyboardInterrupt), the
orchestrator closes the run as interrupted, and the CLI exits with 128 + the signal number.

Per-device failures (timeouts, hostile XML, auth failures) are never raised to the user:
the orchestrator records them as outcomes for that device and the run goes on.
Foreign exceptions are translated into these at one boundary per family.
"""

from __future__ import annotations


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
