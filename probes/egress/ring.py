"""A long watch (days, a week): dumpcap writes a ring buffer through the kernel filter, and each
file it finishes is analysed into one growing `FlowTable`.

    dumpcap -i IF -f 'BPF' -b duration:S -b files:KEEP -w FOLDER/camaudit-watch.pcapng
    every finished file -> the fast path (`files.py`) into the table -> journal -> the caller

The kernel drops intra-site video, so the disk holds only traffic that crosses the site edge,
and dumpcap itself deletes the oldest file once KEEP are there. The journal
(FOLDER/.camaudit-watch.json) holds the table, the files already analysed and whatever the
caller keeps with it (the store's run id); it is replaced atomically after every file, so a
watch killed at any moment and started again on the same folder carries on where it was and
counts no file twice. Like the live watch, totals are of the frames that passed the filter.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

from probes.egress.errors import CaptureFailed, EgressCaptureError, TsharkMissing
from probes.egress.files import FileAnalysis
from probes.egress.flows import FlowTable, from_state, to_state
from probes.egress.networks import SiteNetworks
from probes.egress.result import build_result
from probes.egress.traffic import CaptureResult
from probes.egress.tsharkargs import INSTALL_HINT

PREFIX = "camaudit-watch"
JOURNAL = ".camaudit-watch.json"
VERSION = 1
_RING_NAME = re.compile(r"_\d{5,}_(\d{14})\.")
_DROPPED = re.compile(r"received/dropped on interface .*?: (\d+)/(\d+)")


class RingAnalyser:
    """The analysis side: which ring files are finished, and the table they add up to."""

    def __init__(self, folder: Path, site: SiteNetworks) -> None:
        self.folder = folder
        self.site = site
        self.table = FlowTable(site)
        self.analysed: list[str] = []
        self.ignored: set[str] = set()
        self.problems: list[str] = []
        self.keep: dict[str, Any] = {}           # the caller's own values (the store's run id)
        self.resumed = self._load()

    @property
    def journal(self) -> Path:
        return self.folder / JOURNAL

    def _load(self) -> bool:
        if not self.journal.is_file():
            self.ignored = {p.name for p in self._ring_files()}     # an earlier watch's files
            return False
        try:
            doc = json.loads(self.journal.read_text(encoding="utf-8"))
            if doc.get("version") != VERSION:
                raise ValueError("another version")
            if doc["site"] != self.site.as_text():
                raise CaptureFailed(f"{self.folder} holds a watch of the site networks {', '.join(doc['site'])}; "
                                    f"give the same --site-network values to carry on, or use another folder.")
            self.table = from_state(self.site, doc["table"])
            self.analysed, self.ignored = list(doc["analysed"]), set(doc["ignored"])
            self.problems, self.keep = list(doc["problems"]), dict(doc["keep"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CaptureFailed(f"The watch journal {self.journal} cannot be read ({exc}); move it away to start "
                                f"a new watch in {self.folder}.") from exc
        return True

    def save(self) -> None:
        """Replace the journal atomically (write a temporary file, then rename it)."""
        doc = {"version": VERSION, "site": self.site.as_text(), "analysed": self.analysed,
               "ignored": sorted(self.ignored), "problems": self.problems, "keep": self.keep,
               "table": to_state(self.table)}
        fd, tmp = tempfile.mkstemp(prefix=".camaudit-watch-", dir=self.folder)
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(doc, stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, self.journal)

    def finish(self) -> None:
        """The watch is over: the next one in this folder starts a new run."""
        self.journal.unlink(missing_ok=True)

    def _ring_files(self) -> list[Path]:
        """dumpcap's files in the order it wrote them: by the start time in the name
        (PREFIX_NNNNN_YYYYmmddHHMMSS), then by modification time. Not by first frame: the file
        dumpcap has just opened may hold no frame yet, and it is the newest."""
        files = [p for p in self.folder.glob(f"{PREFIX}_*") if p.is_file()]

        def order(path: Path) -> tuple[str, int]:
            found = _RING_NAME.search(path.name)
            return (found.group(1) if found else "", path.stat().st_mtime_ns)

        return sorted(files, key=order)

    def pending(self, *, include_newest: bool) -> list[Path]:
        """Finished files not analysed yet, oldest first; the newest is dumpcap's open file
        while it runs."""
        files = self._ring_files()
        if not include_newest:
            files = files[:-1]
        done = set(self.analysed) | self.ignored
        return [p for p in files if p.name not in done]

    def prune(self, keep: int) -> None:
        """At most `keep` ring files on disk: dumpcap counts only its own, so files a killed
        watch left behind are deleted here, oldest first, and only once analysed."""
        files = self._ring_files()
        done = set(self.analysed) | self.ignored
        for path in files[:max(len(files) - keep, 0)]:
            if path.name in done:
                path.unlink(missing_ok=True)

    def analyse(self, paths: list[Path]) -> None:
        """Each file into the table, the journal saved after each one."""
        for path in paths:
            try:
                _, problems = FileAnalysis([path], self.site).read_into(self.table)
            except EgressCaptureError as exc:
                problems = [exc.message.rstrip(".")]
            self.problems += problems
            self.analysed.append(path.name)
            self.save()

    def result(self, interface: str, *, settle: bool) -> CaptureResult:
        return build_result("live", (interface,), self.table, None, list(self.problems), settle=settle)


def _die_with_parent() -> None:
    """In dumpcap's child before exec: SIGTERM when the watch dies, even by SIGKILL, so a killed
    watch leaves no orphan writing into the ring that the next watch would read half-written
    (prctl PR_SET_PDEATHSIG, Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    except (OSError, AttributeError):
        pass


class RingCapture:
    """The capture side: dumpcap writing the ring buffer."""

    def __init__(self, interface: str, site: SiteNetworks, folder: Path, *, keep: int, file_seconds: int) -> None:
        self.interface = interface
        self.command = ["-i", interface, "-f", site.capture_filter(), "-q", "-b", f"duration:{file_seconds}",
                        "-b", f"files:{keep}", "-w", str(folder / f"{PREFIX}.pcapng")]
        self._err: IO[bytes] = tempfile.TemporaryFile()
        self.process: subprocess.Popen | None = None

    def start(self) -> RingCapture:
        dumpcap = shutil.which("dumpcap")
        if dumpcap is None:
            raise TsharkMissing(INSTALL_HINT.replace("tshark is", "dumpcap (part of tshark) is"))
        self.process = subprocess.Popen([dumpcap, *self.command], stdout=subprocess.DEVNULL, stderr=self._err,
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.running:
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def words(self) -> list[str]:
        self._err.seek(0)
        return [line.strip() for line in self._err.read().decode("utf-8", "replace").splitlines() if line.strip()]

    def failure(self) -> EgressCaptureError | None:
        """Why dumpcap stopped by itself (no permission, no interface), if it did."""
        if self.process is None or self.process.returncode in (None, 0, -15):
            return None
        from probes.egress.reader import _live_problem  # shares the live watch's sentences

        return _live_problem(self.interface, self.words())

    def counts(self) -> tuple[int, int] | None:
        """Packets that passed the capture filter, and those the kernel or dumpcap dropped, as
        dumpcap reports when it stops; None if it said nothing (unknown, not zero)."""
        for line in self.words():
            found = _DROPPED.search(line)
            if found:
                return int(found.group(1)), int(found.group(2))
        return None

    def dropped(self) -> int | None:
        """Packets the kernel or dumpcap dropped (None: dumpcap did not say)."""
        counts = self.counts()
        return None if counts is None else counts[1]
