"""Capture files on the fast path: libpcap drops intra-site frames before tshark dissects any.

For each file three processes run side by side, started before the caller imports the store:

    tcpdump -r FILE -w - 'BPF'  |  tshark -r - -Y 'DISPLAY' -T fields ...   the ~2-3% of frames
                                                                         that cross the site edge,
                                                                         plus DNS (`bpf.py`)
    python -c '...headers.main' FILE                                     totals and per-address
                                                                         totals (`headers.py`)

tshark refuses a capture filter together with `-r`, so the BPF filter runs in tcpdump. The BPF
filter keeps a superset of what the display filter keeps, and tshark still applies the display
filter, so the frames `FlowTable` sees are those of the pyshark path (`reader.py`): the answer
is the same (tests/egress/test_fast_path.py compares both on every bundled capture).

Where the fast path cannot be sure, the file goes to the pyshark path and the result says so in
its notes: no tcpdump installed, a format other than pcap/pcapng (tshark reads more), a link
type other than Ethernet (Linux cooked capture, raw IP: the header pass reads Ethernet only).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from probes.egress.errors import CaptureFailed, CapturePermissionDenied, EgressCaptureError, NotACaptureFile
from probes.egress.fields import field_parameters, parse_row
from probes.egress.flows import FlowTable
from probes.egress.headers import LINKTYPE_ETHERNET, PCAPNG_SHB, HeaderPass, sniff
from probes.egress.networks import SiteNetworks
from probes.egress.result import build_result
from probes.egress.stats import CaptureStats
from probes.egress.traffic import CaptureResult
from probes.egress.tsharkargs import dissector_parameters, find_tshark, preference_parameters

STOPPED = "the analysis was stopped before every file was read"
_PROBE_BYTES = 1 << 16
# `-m probes.egress.headers` would import the module twice (the package imports it first).
HEADER_PASS = "import sys; from probes.egress.headers import main; sys.exit(main(sys.argv[1:]))"


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


def _pcapng_link_types(head: bytes) -> set[int]:
    """Link types of the interface descriptions near the start of a pcapng file."""
    order, off, found = "<", 0, set()
    while off + 12 <= len(head):
        if int.from_bytes(head[off:off + 4], "little") == PCAPNG_SHB:
            order = "<" if head[off + 8:off + 12] == b"\x4d\x3c\x2b\x1a" else ">"
        byteorder = "little" if order == "<" else "big"
        kind = int.from_bytes(head[off:off + 4], byteorder)
        size = int.from_bytes(head[off + 4:off + 8], byteorder)
        if size < 12 or kind in (2, 3, 6):
            break                              # packets begin: the descriptions come before them
        if kind == 1 and off + 10 <= len(head):
            found.add(int.from_bytes(head[off + 8:off + 10], byteorder))
        off += size
    return found


def slow_reason(path: Path, tcpdump: str | None) -> str | None:
    """Why this file cannot take the fast path (None: it can)."""
    if tcpdump is None:
        return "tcpdump is not installed (apt-get install tcpdump), so tshark dissected every frame"
    with open(path, "rb") as stream:
        head = stream.read(_PROBE_BYTES)
    kind = sniff(head)
    if kind == "pcap":
        link_types = {int.from_bytes(head[20:24], "little" if head[:2] == b"\xd4\xc3" or head[:2] == b"\x4d\x3c"
                                     else "big") & 0x0FFFFFFF} if len(head) >= 24 else set()
    elif kind == "pcapng":
        link_types = _pcapng_link_types(head)
    else:
        return f"{path.name} is not a pcap or pcapng file, so tshark read it frame by frame"
    if link_types != {LINKTYPE_ETHERNET}:
        names = ", ".join(str(t) for t in sorted(link_types)) or "none found"
        return f"{path.name} has link type {names}, not Ethernet, so tshark dissected every frame"
    return None


class FilePass:
    """The fast path's processes for one file: started at construction, read by `rows()`."""

    def __init__(self, path: Path, site: SiteNetworks, *, tshark: str, tcpdump: str) -> None:
        self.path = path
        self._tcpdump_err: IO[bytes] = tempfile.TemporaryFile()
        self._tshark_err: IO[bytes] = tempfile.TemporaryFile()
        self.headers = subprocess.Popen([sys.executable, "-c", HEADER_PASS, str(path)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.tcpdump = subprocess.Popen(
            [tcpdump, "-r", str(path), "-w", "-", "-n", "--time-stamp-precision=nano", site.capture_filter()],
            stdout=subprocess.PIPE, stderr=self._tcpdump_err)
        try:
            self.tshark = subprocess.Popen(
                [tshark, "-r", "-", "-n", "-Y", site.display_filter(), *preference_parameters(),
                 *dissector_parameters(tshark), *field_parameters()],
                stdin=self.tcpdump.stdout, stdout=subprocess.PIPE, stderr=self._tshark_err)
        except OSError:
            self.kill()
            raise
        finally:
            if self.tcpdump.stdout is not None:
                self.tcpdump.stdout.close()     # tshark holds the read end; tcpdump sees tshark go

    def rows(self, table: FlowTable, cancel: threading.Event | None) -> bool:
        """Feed every frame into `table`; False if cancelled part-way."""
        assert self.tshark.stdout is not None
        for line in io.TextIOWrapper(self.tshark.stdout, encoding="utf-8", errors="replace"):
            if cancel is not None and cancel.is_set():
                self.kill()
                return False
            row = parse_row(line)
            if row is not None:
                table.add(row)
        return True

    def finish(self) -> tuple[CaptureStats, str | None]:
        """Wait for the three processes; the file's totals and why it is partial, if it is."""
        out, _ = self.headers.communicate()
        tshark_code, tcpdump_code = self.tshark.wait(), self.tcpdump.wait()
        try:
            doc = json.loads(out or b"{}")
        except ValueError:
            doc = {}
        if "frames" not in doc:
            raise CaptureFailed(f"The header pass over {self.path} failed: {doc.get('error', 'no answer')}.")
        found = HeaderPass.from_json(doc)
        if found.damage:
            return found.stats, (f"{self.path.name} is damaged part-way; the frames before the damage were "
                                 f"analysed ({found.damage})")
        for code, tool, err in ((tcpdump_code, "tcpdump", self._tcpdump_err),
                                (tshark_code, "tshark", self._tshark_err)):
            if code != 0:
                return found.stats, f"{tool} stopped early on {self.path.name}: {_text(err) or f'exit status {code}'}"
        return found.stats, None

    def kill(self) -> None:
        for process in (getattr(self, "tshark", None), self.tcpdump, self.headers):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    def close(self) -> None:
        self.kill()
        for stream in (self.tshark.stdout if hasattr(self, "tshark") else None, self.headers.stdout,
                       self._tcpdump_err, self._tshark_err):
            if stream is not None:
                stream.close()


def _text(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode("utf-8", "replace").splitlines()
    return " ".join(line.strip() for line in lines
                    if line.strip() and not line.startswith(("reading from file", "Running as user")))


class FileAnalysis:
    """Capture files analysed as one window, in the order given. `start()` launches the first
    file's processes at once (the CLI then imports the store while they run); `result()`
    reads them all."""

    def __init__(self, paths: Sequence[str | Path], site: SiteNetworks, *, cancel: threading.Event | None = None,
                 fast: bool = True) -> None:
        self.files = [Path(p) for p in paths]
        self.site = site
        self.cancel = cancel
        self.fast = fast
        self.notes: list[str] = []
        self._first: FilePass | None = None
        self._early: EgressCaptureError | None = None
        self._started = False           # the first file was looked at by start()

    def start(self) -> FileAnalysis:
        """Start the first file's fast pass; errors wait for `result()` (the caller's boundary)."""
        if self.fast and self.files:
            self._started = True
            try:
                self._first = self._open(self.files[0])
            except EgressCaptureError as exc:
                self._early = exc
        return self

    def _open(self, path: Path) -> FilePass | None:
        """The fast pass for `path`, or None (noted) when it must take the pyshark path."""
        check_file(path)
        tcpdump = shutil.which("tcpdump")
        reason = slow_reason(path, tcpdump)
        if reason is not None:
            self.notes.append(reason)
            return None
        assert tcpdump is not None
        return FilePass(path, self.site, tshark=find_tshark(), tcpdump=tcpdump)

    def close(self) -> None:
        if self._first is not None:
            self._first.close()
            self._first = None

    def result(self) -> CaptureResult:
        """Read every file. Raises like `read_files`."""
        try:
            return self._read()
        finally:
            self.close()

    def _read(self) -> CaptureResult:
        table = FlowTable(self.site)
        total = CaptureStats()
        problems: list[str] = []
        read = 0
        for index, path in enumerate(self.files):
            if self.cancel is not None and self.cancel.is_set():
                problems.append(STOPPED)
                break
            try:
                stats, problem = self._one(index, path, table)
            except (NotACaptureFile, CapturePermissionDenied) as exc:
                if len(self.files) == 1:
                    raise
                problems.append(exc.message.rstrip("."))
                continue
            read += 1
            total.merge(stats)
            if problem:
                problems.append(problem)
        if not read and problems:
            raise NotACaptureFile(f"None of the files could be read: {'; '.join(problems)}.")
        return build_result("file", tuple(str(p) for p in self.files), table, total, problems, self.notes)

    def _one(self, index: int, path: Path, table: FlowTable) -> tuple[CaptureStats, str | None]:
        if index == 0 and self._started:
            if self._early is not None:
                raise self._early
            opened, self._first = self._first, None
        elif self.fast:
            opened = self._open(path)
        else:
            opened = None
        if opened is None:
            from probes.egress.reader import read_one_slow  # pyshark: imported only when needed

            return read_one_slow(path, self.site, table, self.cancel)
        try:
            if not opened.rows(table, self.cancel):
                return CaptureStats(), STOPPED
            return opened.finish()
        finally:
            opened.close()


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
