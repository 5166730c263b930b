"""camaudit's error tree. Every error carries one full sentence for the user.

    CamauditError                  anything the user should read as one line (CLI) or a modal (TUI)
    ├── UsageError                 bad input from the user: target, CIDR, file, option
    │   ├── TargetError            a target that is not an address, host, CIDR or URL
    │   └── CredentialsError       credentials file missing, unreadable or malformed
    ├── StoreError                 the SQLite store cannot be opened or written
    ├── CaptureError               tshark missing, no capture permission, bad interface or file
    └── SimulatorError             the bundled simulators could not start

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
