"""The `camaudit` command: parses arguments, calls the orchestrator, prints one line on error."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import NoReturn

from rich.console import Console

from auditor import __version__
from models.errors import CamauditError, Interrupted, SimulatorError, as_user_error


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a bad option is one line on stderr (exit code 2), like every other camaudit error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"camaudit: {message[0].upper() + message[1:]}; see {self.prog} --help.\n")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole parser; given the arguments, only the command they name (when they name one)."""
    parser = OneLineParser(
        prog="camaudit",
        description="Audit CCTV cameras and NVRs on the local network: what each can do, what is "
                    "switched on, and where it sends data. Read-only towards devices.",
    )
    parser.add_argument("--version", action="version", version=f"camaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from auditor.commands import register_all

    words = list(argv or ())
    register_all(sub, only=words[0] if words and not words[0].startswith("-") else None)
    return parser


def _translate(exc: Exception) -> CamauditError:
    """The user's one line for `exc` (models.errors.as_user_error, shared with the TUI); the bundled
    simulators' errors are the CLI's own foreign family (only its commands start simulators)."""
    from device_simulators import FleetError, ProfileError

    error = as_user_error(exc, foreign=[((ProfileError, FleetError), SimulatorError)])
    if error is None:
        raise exc
    return error


def _stop_now(signum: int, _frame: object) -> None:
    """A second Ctrl-C or SIGTERM while the first is being handled: leave at once, no traceback."""
    os.write(2, b"camaudit: stopped at once.\n")
    os._exit(128 + signum)


def _interrupt(signum: int, _frame: object) -> None:
    """The first Ctrl-C or SIGTERM: raise Interrupted so the run is closed; the next one exits at once."""
    signal.signal(signal.SIGINT, _stop_now)
    signal.signal(signal.SIGTERM, _stop_now)
    raise Interrupted(signum)


def _interrupted_line(exc: KeyboardInterrupt) -> tuple[str, int]:
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    how = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    line = f"camaudit: stopped by {how}"
    if isinstance(exc, Interrupted) and exc.run_id is not None:
        line += f"; run {exc.run_id} closed as interrupted, {exc.kept} finished device(s) kept"
    return line + ".", 128 + signum


def main(argv: Sequence[str] | None = None) -> int:
    from auditor.commands.console import make_console  # light: the commands import what they need themselves

    console = make_console()   # full width when stdout is a file or pipe: tables are never cut there
    err = Console(stderr=True)
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    previous = {}
    if getattr(args, "handles_signals", True) and threading.current_thread() is threading.main_thread():
        # Restored on return, so a caller in the same process (the tests) keeps its own handlers.
        previous = {signum: signal.signal(signum, _interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            return int(args.func(args, console) or 0)
        except CamauditError:
            raise
        except Exception as exc:  # noqa: BLE001 - translated or re-raised in _translate
            raise _translate(exc) from exc
    except CamauditError as exc:
        err.print(f"[bold red]camaudit:[/] {exc.message}", highlight=False, soft_wrap=True)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        line, code = _interrupted_line(exc)
        err.print(line, markup=False, highlight=False, soft_wrap=True)
        return code
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
