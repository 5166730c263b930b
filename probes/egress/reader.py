"""The pyshark path for capture files, and what live watches share with it.

Files take this path only where the fast path (`files.py`) cannot be sure of the answer.

pyshark runs its own asyncio loop, so every capture runs on a worker thread with a loop of its
own: never on the caller's loop (the TUI's, or a test's). Callers block on `read_files` (a
thread is started and joined) or drive a `LiveWatch` (start / snapshot / stop / result).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pyshark.capture.capture import StopCapture, TSharkCrashException
from pyshark.tshark.tshark import TSharkNotFoundException, get_all_tshark_interfaces_names

from probes.egress.errors import (
    CaptureFailed,
    CapturePermissionDenied,
    EgressCaptureError,
    InterfaceMissing,
    NotACaptureFile,
    TsharkMissing,
)
from probes.egress.flows import FlowTable
from probes.egress.networks import SiteNetworks
from probes.egress.result import build_result
from probes.egress.stats import TAPS, CaptureStats, parse_stats
from probes.egress.traffic import CaptureResult
from probes.egress.tshark import INSTALL_HINT, SummaryFileCapture, tshark_path

_DAMAGE = ("cut short", "damaged or corrupt", "appears to be damaged", "bigger than maximum", "truncated")
_NOT_CAPTURE = ("isn't a capture file", "unknown format", "not a capture file", "in a format tshark understands")
_PERMISSION = ("permission", "not permitted", "operation not permitted")


def _in_worker(target: Callable[[], Any]) -> Any:
    """Run `target` on a new thread and return its result (or raise its exception)."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["result"] = target()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=run, name="egress-capture", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def _damage_sentence(path: Path, lines: list[str]) -> str:
    detail = " ".join(line.removeprefix("tshark: ") for line in lines).strip()
    return f"{path.name} is damaged part-way; the frames before the damage were analysed ({detail})"


def _read_one(path: Path, site: SiteNetworks, table: FlowTable, cancel: threading.Event | None,
              ) -> tuple[CaptureStats, str | None]:
    """One file into `table`; returns its statistics and why it is partial, if it is."""
    if not path.is_file():
        raise NotACaptureFile(f"{path} does not exist or is not a file.")
    if not os.access(path, os.R_OK):
        raise CapturePermissionDenied(f"Cannot read {path}: permission denied.")
    if path.stat().st_size == 0:
        raise NotACaptureFile(f"{path} is empty, not a packet capture.")
    loop = asyncio.new_event_loop()
    try:
        capture = SummaryFileCapture(str(path), display_filter=site.display_filter(), taps=TAPS, eventloop=loop)

        def on_row(row: list[str]) -> None:
            if cancel is not None and cancel.is_set():
                capture.stopping = True
                raise StopCapture()
            table.add(row)

        try:
            loop.run_until_complete(capture.packets_from_tshark(on_row))
        except TSharkCrashException:
            pass                               # judged from stderr below, like every other exit
        stats = parse_stats(capture.parser.trailer.decode("utf-8", "replace"))
    except TSharkNotFoundException as exc:
        raise TsharkMissing(INSTALL_HINT) from exc
    except PermissionError as exc:
        raise CapturePermissionDenied(f"Cannot read {path}: permission denied.") from exc
    finally:
        loop.close()
    lines = capture.stderr_lines
    text = " ".join(lines).lower()
    if any(s in text for s in _NOT_CAPTURE) and not stats.frames:
        raise NotACaptureFile(f"{path} is not a packet capture that tshark can read (pcap or pcapng).")
    if any(s in text for s in _DAMAGE):
        return stats, _damage_sentence(path, lines)
    failed = [code for code in capture.exit_codes if code not in (0, None)]
    if failed and not capture.stopping:
        if not stats.found:
            raise CaptureFailed(f"tshark could not read {path}: {' '.join(lines) or f'exit status {failed[0]}'}.")
        return stats, f"tshark stopped early on {path.name}: {' '.join(lines) or f'exit status {failed[0]}'}"
    return stats, None


def read_one_slow(path: Path, site: SiteNetworks, table: FlowTable, cancel: threading.Event | None,
                  ) -> tuple[CaptureStats, str | None]:
    """One file into `table` on the pyshark path (its own loop, on a worker thread)."""
    return _in_worker(lambda: _read_one(path, site, table, cancel))


def read_files_slow(paths: Sequence[str | Path], site: SiteNetworks, *, cancel: threading.Event | None = None,
                    ) -> CaptureResult:
    """The pyshark path for every file: tshark dissects every frame (`files.read_files` is the
    fast path). Analyse capture files as one window, in the order given.

    A damaged file gives a partial result with what was read before the damage; a file that
    is not a capture at all raises `NotACaptureFile` if it is the only one, and marks the
    result partial otherwise.

    Raises:
        EgressCaptureError: tshark missing, no file readable, or tshark failing outright.
    """
    files = [Path(p) for p in paths]

    def work() -> CaptureResult:
        table = FlowTable(site)
        total = CaptureStats()
        problems: list[str] = []
        read = 0
        for path in files:
            if cancel is not None and cancel.is_set():
                problems.append("the analysis was stopped before every file was read")
                break
            try:
                stats, problem = _read_one(path, site, table, cancel)
            except (NotACaptureFile, CapturePermissionDenied) as exc:
                if len(files) == 1:
                    raise
                problems.append(exc.message.rstrip("."))
                continue
            read += 1
            total.merge(stats)
            if problem:
                problems.append(problem)
        if not read and problems:
            raise NotACaptureFile(f"None of the files could be read: {'; '.join(problems)}.")
        return _result("file", tuple(str(p) for p in files), table, total, problems)

    return _in_worker(work)


def _result(kind: str, sources: tuple[str, ...], table: FlowTable, stats: CaptureStats | None,
            problems: list[str]) -> CaptureResult:
    return build_result(kind, sources, table, stats, problems)


def list_interfaces() -> tuple[str, ...]:
    """The interfaces tshark can capture on (names and aliases)."""
    try:
        return tuple(get_all_tshark_interfaces_names(tshark_path()))
    except (OSError, ValueError, RuntimeError, subprocess.CalledProcessError, TsharkMissing):
        return ()


def _live_problem(interface: str, lines: list[str]) -> EgressCaptureError:
    text = " ".join(lines)
    if any(s in text.lower() for s in _PERMISSION):
        return CapturePermissionDenied(
            f"No permission to capture on {interface}: run as root, or give dumpcap the CAP_NET_RAW and "
            f"CAP_NET_ADMIN capabilities (Debian: dpkg-reconfigure wireshark-common, then add your user "
            f"to the wireshark group).")
    if "no such device" in text.lower() or "doesn't exist" in text.lower():
        return InterfaceMissing(f"There is no interface {interface}.", list_interfaces())
    return CaptureFailed(f"The capture on {interface} stopped: {text or 'dumpcap exited'}.")
