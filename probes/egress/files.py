"""Capture files: which path each takes, in which order, and the one result they make.

The fast path (`fastpass.py`): libpcap (tcpdump) drops intra-site frames before tshark
dissects any, one tshark reads every file of a run, and a header pass counts the totals.
tshark refuses a capture filter together with `-r`, so the BPF filter runs in tcpdump. The BPF
filter keeps a superset of what the display filter keeps, and tshark still applies the display
filter, so the frames `FlowTable` sees are those of the pyshark path (`reader.py`): the answer
is the same (tests/egress/test_fast_path.py compares both on every bundled capture).

Where the fast path cannot be sure, the file goes to the pyshark path and the result says so in
its notes: no tcpdump installed, a format other than pcap/pcapng (tshark reads more), a link
type other than Ethernet (Linux cooked capture, raw IP: the header pass reads Ethernet only).
A directory or glob (a `dumpcap -b` ring buffer) is its capture files in the order of their
first frame; gzip-compressed files are read through `gzip -dc`.
"""

from __future__ import annotations

import shutil
import threading
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from probes.egress.capfile import LINKTYPE_ETHERNET, declared_link_types, first_time_us, open_capture, sniff
from probes.egress.errors import CaptureFailed, CapturePermissionDenied, EgressCaptureError, NotACaptureFile
from probes.egress.fastpass import FastPass
from probes.egress.flows import FlowTable
from probes.egress.networks import SiteNetworks
from probes.egress.result import build_result
from probes.egress.stats import CaptureStats
from probes.egress.traffic import CaptureResult
from probes.egress.tsharkargs import find_tshark

STOPPED = "the analysis was stopped before every file was read"
_PROBE_BYTES = 1 << 16


def check_file(path: Path) -> None:
    """The file exists, is readable and is not empty.

    Raises:
        NotACaptureFile, CapturePermissionDenied: with the sentence the user reads.
    """
    if not path.is_file():
        raise NotACaptureFile(f"{path} does not exist or is not a file.")
    try:
        with open(path, "rb") as stream:
            empty = not stream.read(1)
    except PermissionError as exc:
        raise CapturePermissionDenied(f"Cannot read {path}: permission denied.") from exc
    if empty:
        raise NotACaptureFile(f"{path} is empty, not a packet capture.")


def expand_captures(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, in the order given; a directory (a `dumpcap -b` ring buffer) or a glob
    pattern becomes its capture files (pcap, pcapng, gzip) in the order of their first frame."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            members = [p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")]
        elif not path.exists() and any(c in str(given) for c in "*?["):
            members = [p for p in Path(path.anchor or ".").glob(str(path.relative_to(path.anchor or ".")))
                       if p.is_file()]
        else:
            found.append(path)
            continue
        captures = []
        for member in members:
            try:
                with open(member, "rb") as stream:
                    if sniff(stream.read(4)) == "unknown":
                        continue
            except OSError:
                pass                        # kept: check_file says what is wrong with it
            captures.append(member)
        found += sorted(captures, key=lambda p: (first_time_us(p) or 0, p.name))
    return found


def slow_reason(path: Path, tcpdump: str | None) -> str | None:
    """Why this file cannot take the fast path (None: it can)."""
    if tcpdump is None:
        return "tcpdump is not installed (apt-get install tcpdump), so tshark dissected every frame"
    with open(path, "rb") as stream:
        head = stream.read(_PROBE_BYTES)
    if sniff(head) == "gzip":
        if shutil.which("gzip") is None:
            return f"{path.name} is gzip-compressed and gzip is not installed, so tshark read it frame by frame"
        try:
            with open_capture(path) as stream:
                head = stream.read(_PROBE_BYTES)
        except (OSError, EOFError, zlib.error):
            return f"{path.name} is not a readable gzip file, so tshark read it frame by frame"
    link_types = declared_link_types(head)
    if link_types is None:
        return f"{path.name} is not a pcap or pcapng file, so tshark read it frame by frame"
    if link_types != {LINKTYPE_ETHERNET}:
        names = ", ".join(str(t) for t in sorted(link_types)) or "none found"
        return f"{path.name} has link type {names}, not Ethernet, so tshark dissected every frame"
    return None


class FileAnalysis:
    """Capture files analysed as one window, in the order given. `start()` launches the first
    run of fast-path files at once; `read_ahead()` also reads their rows on a thread (the CLI
    imports the store meanwhile); `result()` reads them all, or waits for that thread."""

    def __init__(self, paths: Sequence[str | Path], site: SiteNetworks, *, cancel: threading.Event | None = None,
                 fast: bool = True, progress: Callable[[int], None] | None = None) -> None:
        self.progress = progress        # told the packets read so far (fast path), from another thread
        self._done = 0                  # packets of the runs already finished
        self.sources = tuple(str(p) for p in paths)
        self.files = expand_captures(paths)
        self.site = site
        self.cancel = cancel
        self.fast = fast
        self.notes: list[str] = []
        self._plan: list[tuple[str, Any]] | None = None
        self._first: FastPass | None = None
        self._running: FastPass | None = None
        self._early: EgressCaptureError | None = None
        self._closed = threading.Event()
        self._ahead: threading.Thread | None = None
        self._read_done = threading.Event()
        self._outcome: CaptureResult | BaseException | None = None

    def _make_plan(self) -> list[tuple[str, Any]]:
        """Consecutive fast-path files become one run ("fast", [paths]); the others are
        ("slow", path) or ("bad", error), in the order of the files."""
        plan: list[tuple[str, Any]] = []
        tcpdump = shutil.which("tcpdump") if self.fast else None
        for path in self.files:
            try:
                check_file(path)
            except (NotACaptureFile, CapturePermissionDenied) as exc:
                plan.append(("bad", exc))
                continue
            reason = slow_reason(path, tcpdump) if self.fast else "the pyshark path was asked for"
            if reason is not None:
                if self.fast:
                    self.notes.append(reason)
                plan.append(("slow", path))
            elif plan and plan[-1][0] == "fast":
                plan[-1][1].append(path)
            else:
                plan.append(("fast", [path]))
        return plan

    def start(self) -> FileAnalysis:
        """Plan, and start the first fast run; errors wait for `result()` (the caller's boundary)."""
        self._plan = self._make_plan()
        if self._plan and self._plan[0][0] == "fast":
            try:
                self._first = self._fast_pass(self._plan[0][1])
            except EgressCaptureError as exc:
                self._early = exc
        return self

    def _fast_pass(self, paths: list[Path]) -> FastPass:
        done, report = self._done, self.progress
        progress = None if report is None else (lambda frames: report(done + frames))
        return FastPass(paths, self.site, tshark=find_tshark(), tcpdump=shutil.which("tcpdump") or "tcpdump",
                        progress=progress)

    def read_ahead(self) -> FileAnalysis:
        """Start, and read every file on a thread; `result()` waits for it. tshark's output
        must be read while the caller does other work, or its pipe fills and tshark waits."""
        if self._plan is None:
            self.start()
        self._ahead = threading.Thread(target=self._read_on_thread, name="egress-read", daemon=True)
        self._ahead.start()
        return self

    def _read_on_thread(self) -> None:
        try:
            self._outcome = self._read()
        except BaseException as exc:  # noqa: BLE001 - raised again by result() on the caller's thread
            self._outcome = exc
        finally:
            self._read_done.set()

    def close(self) -> None:
        """Stop whatever still runs (a Ctrl-C while the rows are read on a thread)."""
        self._closed.set()
        for run in (self._first, self._running):
            if run is not None:
                run.kill()
        if self._first is not None:
            self._first.close()
            self._first = None

    def result(self) -> CaptureResult:
        """Read every file. Raises like `read_files`."""
        try:
            if self._ahead is not None:
                # An Event, not Thread.join(): Python 3.11's join() interrupted by Ctrl-C marks
                # the still-running thread as stopped.
                self._read_done.wait()
                if isinstance(self._outcome, BaseException):
                    raise self._outcome
                assert self._outcome is not None
                return self._outcome
            if self._plan is None:
                self.start()
            return self._read()
        finally:
            self.close()

    def _read(self) -> CaptureResult:
        table = FlowTable(self.site)
        total, problems = self.read_into(table)
        return build_result("file", self.sources, table, total, problems, self.notes)

    def read_into(self, table: FlowTable) -> tuple[CaptureStats, list[str]]:
        """Every file's frames into `table` (which may hold earlier files: a long watch);
        returns the files' totals and why the result is partial. Raises like `read_files`."""
        if self._plan is None:
            self.start()
        if not self.files:
            raise NotACaptureFile(f"There is no capture file in {', '.join(self.sources)}.")
        assert self._plan is not None
        total = CaptureStats()
        problems: list[str] = []
        read = 0
        for index, (kind, item) in enumerate(self._plan):
            if self._closed.is_set() or (self.cancel is not None and self.cancel.is_set()):
                problems.append(STOPPED)
                break
            try:
                if kind == "bad":
                    raise item
                if kind == "slow":
                    from probes.egress.reader import read_one_slow  # pyshark: imported only when needed

                    outcomes = [(item, *read_one_slow(item, self.site, table, self.cancel))]
                else:
                    outcomes = self._fast(index, item, table, problems)
            except (NotACaptureFile, CapturePermissionDenied) as exc:
                if len(self.files) == 1:
                    raise
                problems.append(exc.message.rstrip("."))
                continue
            for _, stats, problem in outcomes:
                self._done += stats.frames
                read += 1
                total.merge(stats)
                if problem:
                    problems.append(problem)
        if not read and problems:
            raise NotACaptureFile(f"None of the files could be read: {'; '.join(problems)}.")
        return total, problems

    def _fast(self, index: int, paths: list[Path], table: FlowTable,
              problems: list[str]) -> list[tuple[Path, CaptureStats, str | None]]:
        if index == 0 and self._early is not None:
            raise self._early
        if index == 0 and self._first is not None:
            run, self._first = self._first, None
        else:
            run = self._fast_pass(paths)
        self._running = run
        try:
            if not run.rows(table, self.cancel):
                problems.append(STOPPED)
                return []
            outcomes, failed = run.finish()
        finally:
            self._running = None
            run.close()
        if failed:
            if not any(stats.frames for _, stats, _ in outcomes) and not table.frames:
                raise CaptureFailed(f"tshark could not read {', '.join(map(str, paths))}: {failed}.")
            problems.append(failed)
        return outcomes


def read_files(paths: Sequence[str | Path], site: SiteNetworks, *, cancel: threading.Event | None = None,
               fast: bool = True) -> CaptureResult:
    """Analyse capture files as one window (a capture split over files), in the order given.

    A damaged file gives a partial result with what was read before the damage; a file that
    is not a capture at all raises `NotACaptureFile` if it is the only one, and marks the
    result partial otherwise. `fast=False` takes the pyshark path for every file.

    Raises:
        EgressCaptureError: tshark missing, no file readable, or tshark failing outright.
    """
    return FileAnalysis(paths, site, cancel=cancel, fast=fast).start().result()
