"""The `camaudit` command: parses arguments, calls the orchestrator, prints one line on error."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.console import Console

from auditor import __version__
from auditor.errors import CamauditError, SimulatorError, StoreError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="camaudit",
        description="Audit CCTV cameras and NVRs on the local network: what each can do, what is "
                    "switched on, and where it sends data. Read-only towards devices.",
    )
    parser.add_argument("--version", action="version", version=f"camaudit {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    from auditor.commands import register_all

    register_all(sub)
    return parser


def _translate(exc: Exception) -> CamauditError:
    """Errors from the store and the simulators become project errors (one boundary)."""
    from device_simulators import FleetError, ProfileError
    from models.errors import StoreProblem

    if isinstance(exc, StoreProblem):
        return StoreError(exc.message)
    if isinstance(exc, ProfileError | FleetError):
        return SimulatorError(str(exc))
    raise exc


def main(argv: Sequence[str] | None = None) -> int:
    console = Console()
    err = Console(stderr=True)
    args = build_parser().parse_args(argv)
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
    except KeyboardInterrupt:
        err.print("camaudit: interrupted.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
