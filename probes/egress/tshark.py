"""pyshark captures tuned so that tshark does the heavy lifting and Python sees only what matters.

- PSML summaries with custom columns (`columns.py`): tshark primes only those fields instead
  of building a full tree for every frame (what JSON/EK/PDML output needs).
- A display filter drops intra-site frames inside tshark (`networks.py`); live captures also
  get the same cut as a BPF filter, so the kernel drops them before dumpcap copies them.
- Video and unneeded heuristic dissectors are disabled (`tsharkargs.py`).

This is the slow path for files (kept for captures the fast path cannot be sure of, see
`files.py`) and the path of live watches.

pyshark 0.6's own PSML reader is broken (it looks for the <structure> header again before
every packet and so swallows the stream: KimiNewt/pyshark#604), so `_SummaryParser` replaces
it; it also keeps the text after the last packet, where tshark prints the tap statistics.
The capture subclasses keep every stderr line (pyshark keeps only the last one) and wait for
tshark to exit on its own at the end of a file so its exit status is known, instead of
pyshark's kill-then-maybe-raise.
"""

from __future__ import annotations

import asyncio
import functools
import html
import os
import re
import subprocess
from typing import Any

import pyshark
import pyshark.capture.capture
from packaging import version
from pyshark.tshark.output_parser.base_parser import BaseTsharkOutputParser
from pyshark.tshark.tshark import TSharkNotFoundException, get_process_path, get_tshark_version

from probes.egress.columns import column_format
from probes.egress.errors import TsharkMissing
from probes.egress.tsharkargs import INSTALL_HINT, cached, dissector_parameters
from probes.egress.tsharkargs import PREFERENCES as BASE_PREFERENCES

PREFERENCES = {"gui.column.format": column_format(), **BASE_PREFERENCES}
_SECTION = re.compile(rb"<section(?:/>|>(.*?)</section>)", re.S)


def tshark_path() -> str:
    """Where tshark is, as pyshark finds it (its config file, then PATH)."""
    try:
        return get_process_path()
    except TSharkNotFoundException as exc:
        raise TsharkMissing(INSTALL_HINT) from exc


@functools.lru_cache(maxsize=4)
def tshark_version(path: str) -> Any:
    """pyshark's version check (`tshark -v`), asked once per binary."""
    return version.parse(cached(path, "version.txt", lambda: str(get_tshark_version(path))))


class _SummaryParser(BaseTsharkOutputParser):
    """PSML <packet> elements as lists of column texts; keeps what follows the last packet."""

    def __init__(self) -> None:
        super().__init__()
        self.trailer = b""

    async def get_packets_from_stream(self, stream: Any, existing_data: bytes,
                                      got_first_packet: bool = True) -> tuple[Any, bytes]:
        packet, rest = self._extract_packet_from_data(existing_data)
        if packet:
            return self._parse_single_packet(packet), rest
        new_data = await stream.read(self.DEFAULT_BATCH_SIZE)
        if not new_data:
            self.trailer = existing_data     # </psml> and the tap statistics
            raise EOFError()
        return None, existing_data + new_data

    def _extract_packet_from_data(self, data: bytes, got_first_packet: bool = True) -> tuple[bytes | None, bytes]:
        end = data.find(b"</packet>")
        if end == -1:
            return None, data
        start = data.find(b"<packet>")
        return data[start:end], data[end + 9:]

    def _parse_single_packet(self, packet: bytes) -> list[str]:
        values = []
        for match in _SECTION.finditer(packet):
            raw = match.group(1)
            text = raw.decode("utf-8", "replace") if raw else ""
            values.append(html.unescape(text) if "&" in text else text)
        return values


class _CaptureMixin:
    """stderr lines kept in full; tshark left to exit by itself at the end of a file; the
    tshark version from the per-binary cache instead of a `tshark -v` per capture."""

    tshark_path: str

    def _get_tshark_version(self) -> Any:
        return tshark_version(self.tshark_path)

    stderr_lines: list[str]
    exit_codes: list[int | None]
    parser: _SummaryParser
    stopping: bool

    def _setup_tshark_output_parser(self) -> _SummaryParser:
        self.parser = _SummaryParser()
        return self.parser

    async def _handle_process_stderr_forever(self, stderr: Any) -> None:
        while True:
            line = await stderr.readline()
            if not line:
                break
            text = line.decode("utf-8", "replace").strip()
            if text and not text.startswith("Running as user"):
                self.stderr_lines.append(text)

    async def _cleanup_subprocess(self, process: Any) -> None:
        if process.returncode is None and not self.stopping:
            try:   # at the end of a file tshark exits on its own; its status says if the file was whole
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                pass
        if process.returncode is None:
            try:
                process.kill()
                await asyncio.wait_for(process.wait(), 5)
            except (TimeoutError, ProcessLookupError):
                pass
        self.exit_codes.append(process.returncode)


class SummaryFileCapture(_CaptureMixin, pyshark.FileCapture):
    """A capture file read as PSML summaries of the frames that cross the site edge."""

    def __init__(self, path: str, *, display_filter: str, taps: tuple[str, ...],
                 eventloop: asyncio.AbstractEventLoop) -> None:
        self._running_processes: set[Any] = set()   # pyshark's __del__ reads it even if __init__ fails
        tshark = tshark_path()
        params = dissector_parameters(tshark)
        for tap in taps:
            params += ["-z", tap]
        self.stderr_lines, self.exit_codes, self.stopping = [], [], False
        super().__init__(path, keep_packets=False, display_filter=display_filter, only_summaries=True,
                         override_prefs=PREFERENCES, custom_parameters=params, eventloop=eventloop,
                         tshark_path=tshark)


class SummaryLiveCapture(_CaptureMixin, pyshark.LiveCapture):
    """A live capture: dumpcap with a BPF filter, tshark with the same display filter."""

    def __init__(self, interface: str, *, bpf_filter: str, display_filter: str,
                 eventloop: asyncio.AbstractEventLoop) -> None:
        self._running_processes: set[Any] = set()   # pyshark's __del__ reads it even if __init__ fails
        tshark = tshark_path()
        self.stderr_lines, self.exit_codes, self.stopping = [], [], True
        super().__init__(interface=interface, bpf_filter=bpf_filter, display_filter=display_filter,
                         only_summaries=True, override_prefs=PREFERENCES,
                         custom_parameters=dissector_parameters(tshark), eventloop=eventloop,
                         tshark_path=tshark)

    async def _get_tshark_process(self, packet_count: int | None = None, stdin: Any = None) -> Any:
        """pyshark's own start-up, except that the parent closes its copies of the pipe between
        dumpcap and tshark: pyshark leaves both ends open, so tshark never sees the end of the
        stream and a stop has to kill it with frames still in the pipe. Closed, stopping dumpcap
        lets tshark drain what was captured and exit by itself."""
        read, write = os.pipe()
        try:
            params = [get_process_path(process_name="dumpcap", tshark_path=self.tshark_path),
                      *self._get_dumpcap_parameters()]
            self.dumpcap = await asyncio.create_subprocess_exec(*params, stdout=write, stderr=subprocess.PIPE)
        finally:
            os.close(write)
        try:
            self._create_stderr_handling_task(self.dumpcap.stderr)
            self._created_new_process(params, self.dumpcap, process_name="Dumpcap")
            return await pyshark.capture.capture.Capture._get_tshark_process(self, packet_count=packet_count,
                                                                             stdin=read)
        finally:
            os.close(read)

    def stop_capturing(self) -> None:
        """Stop dumpcap; tshark then reads what is left in the pipe and ends the stream."""
        dumpcap = getattr(self, "dumpcap", None)
        if dumpcap is not None and dumpcap.returncode is None:
            try:
                dumpcap.terminate()
            except ProcessLookupError:
                pass

    def exited_early(self) -> bool:
        """dumpcap or tshark has stopped by itself (no permission, interface gone)."""
        return any(p.returncode is not None for p in list(self._running_processes))
