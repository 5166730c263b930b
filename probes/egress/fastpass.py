"""The fast path's processes for a run of capture files analysed as one capture.

    tcpdump -r FILE1 'BPF' -w -  ┐
    tcpdump -r FILE2 'BPF' -w -  ├─ relay ─> tshark -r - -Y 'DISPLAY' -T fields ... ─> rows
    ... (gzip -dc FILE | tcpdump -r - ...)                     (one tshark for every file)
    python -c 'headers.main' FILE1 FILE2 ...  ─> one JSON line per file (totals)

tcpdump runs one file at a time; a relay thread copies its output (the ~2-3% of frames that
pass the pre-filter) into tshark's stdin, dropping the pcap file header of every file after
the first, so a ring buffer of a thousand files costs one tshark start-up, not a thousand.
Every tcpdump writes nanosecond pcap (`--time-stamp-precision=nano`) so the records of all
files share one header; `files.py` only puts Ethernet files in one run.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from probes.egress.capfile import sniff
from probes.egress.errors import CaptureFailed
from probes.egress.fields import field_parameters, parse_row
from probes.egress.flows import FlowTable
from probes.egress.headers import HeaderPass
from probes.egress.networks import SiteNetworks
from probes.egress.stats import CaptureStats
from probes.egress.tsharkargs import dissector_parameters, preference_parameters

# `python -S` (no site-packages: ~20 ms less start-up) with the project's root on the path;
# `-m probes.egress.headers` would import the module twice (the package imports it first).
ROOT = str(Path(__file__).resolve().parents[2])
HEADER_PASS = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from probes.egress.headers import main; "
               "sys.exit(main(sys.argv[1:]))")
PCAP_HEADER = 24
RELAY_CHUNK = 1 << 20
_QUIET = ("reading from file", "Running as user")


def _text(stream: IO[bytes]) -> str:
    stream.seek(0)
    lines = stream.read().decode("utf-8", "replace").splitlines()
    return " ".join(line.strip() for line in lines if line.strip() and not line.startswith(_QUIET))


class _FileFeed:
    """tcpdump over one file (behind `gzip -dc` if it is compressed)."""

    def __init__(self, path: Path, expression: str, tcpdump: str) -> None:
        self.path = path
        self.err: IO[bytes] = tempfile.TemporaryFile()
        self.gunzip: subprocess.Popen | None = None
        source = str(path)
        with open(path, "rb") as probe:
            if sniff(probe.read(4)) == "gzip":     # libpcap reads no gzip
                self.gunzip = subprocess.Popen([shutil.which("gzip") or "gzip", "-dc", str(path)],
                                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                source = "-"
        self.tcpdump = subprocess.Popen(
            [tcpdump, "-r", source, "-w", "-", "-n", "--time-stamp-precision=nano", expression],
            stdin=self.gunzip.stdout if self.gunzip else subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=self.err)
        if self.gunzip is not None and self.gunzip.stdout is not None:
            self.gunzip.stdout.close()

    def finish(self) -> tuple[int, str]:
        code = self.tcpdump.wait()
        if self.gunzip is not None:
            self.gunzip.wait()
        text = _text(self.err)
        self.err.close()
        return code, text

    def kill(self) -> None:
        for process in (self.tcpdump, self.gunzip):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()


class FastPass:
    """Started at construction (the first tcpdump, tshark and the header pass run at once)."""

    def __init__(self, paths: list[Path], site: SiteNetworks, *, tshark: str, tcpdump: str,
                 progress: Callable[[int], None] | None = None) -> None:
        self.paths = paths
        self._progress = progress
        self._expression = site.capture_filter()
        self._tcpdump = tcpdump
        self._tshark_err: IO[bytes] = tempfile.TemporaryFile()
        self._stop = threading.Event()
        self.outcomes: list[tuple[int, str]] = []          # per file: tcpdump's exit status and words
        self._feed: _FileFeed | None = _FileFeed(paths[0], self._expression, tcpdump)
        self.headers = subprocess.Popen([sys.executable, "-S", "-c", HEADER_PASS, ROOT, *map(str, paths)],
                                        stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE if progress else subprocess.DEVNULL)
        if progress is not None:
            threading.Thread(target=self._watch_progress, name="egress-progress", daemon=True).start()
        try:
            self.tshark = subprocess.Popen(
                [tshark, "-r", "-", "-n", "-Y", site.display_filter(), *preference_parameters(),
                 *dissector_parameters(tshark), *field_parameters()],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._tshark_err)
        except OSError:
            self.kill()
            raise
        self._relay = threading.Thread(target=self._run_relay, name="egress-relay", daemon=True)
        self._relay.start()

    def _watch_progress(self) -> None:
        """The header pass's "INDEX FRAMES" lines -> frames counted in this run so far."""
        assert self.headers.stderr is not None and self._progress is not None
        done: dict[int, int] = {}
        for line in self.headers.stderr:
            try:
                index, frames = map(int, line.split())
            except ValueError:
                continue
            done[index] = frames
            self._progress(sum(done.values()))

    def _run_relay(self) -> None:
        """Each file's tcpdump output into tshark, one file after another."""
        sink = self.tshark.stdin
        assert sink is not None
        header_sent = False
        try:
            for index, path in enumerate(self.paths):
                feed = self._feed if index == 0 else _FileFeed(path, self._expression, self._tcpdump)
                self._feed = feed
                assert feed is not None and feed.tcpdump.stdout is not None
                pending = b""
                with feed.tcpdump.stdout as source:
                    while chunk := source.read(RELAY_CHUNK):
                        if len(pending) < PCAP_HEADER:           # this file's pcap header
                            pending += chunk
                            if len(pending) < PCAP_HEADER:
                                continue
                            chunk = pending if not header_sent else pending[PCAP_HEADER:]
                            header_sent = True
                        sink.write(chunk)
                self.outcomes.append(feed.finish())
                if self._stop.is_set():
                    break
        except (BrokenPipeError, OSError, ValueError):
            pass                       # tshark has gone (judged from its exit status) or we were stopped
        finally:
            self._feed = None
            try:
                sink.close()
            except OSError:
                pass

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

    def finish(self) -> tuple[list[tuple[Path, CaptureStats, str | None]], str | None]:
        """Per file: totals and why it is partial; and why the whole run is, if tshark failed."""
        assert self.headers.stdout is not None
        out = self.headers.stdout.read()       # stderr, if piped, is drained by the progress thread
        self.headers.wait()
        code = self.tshark.wait()
        self._relay.join()
        results = []
        lines = out.decode("utf-8", "replace").splitlines()
        for index, path in enumerate(self.paths):
            doc = json.loads(lines[index]) if index < len(lines) else {"error": "no answer"}
            if "frames" not in doc:
                raise CaptureFailed(f"The header pass over {path} failed: {doc.get('error')}.")
            found = HeaderPass.from_json(doc)
            problem = None
            tcpdump_code, words = self.outcomes[index] if index < len(self.outcomes) else (0, "")
            if found.damage:
                problem = (f"{path.name} is damaged part-way; the frames before the damage were analysed "
                           f"({found.damage})")
            elif tcpdump_code != 0:
                problem = f"tcpdump stopped early on {path.name}: {words or f'exit status {tcpdump_code}'}"
            results.append((path, found.stats, problem))
        failed = None
        if code != 0:
            failed = f"tshark stopped early: {_text(self._tshark_err) or f'exit status {code}'}"
        return results, failed

    def kill(self) -> None:
        self._stop.set()
        feed = self._feed
        if feed is not None:
            feed.kill()
        for process in (getattr(self, "tshark", None), self.headers):
            if process is not None and process.poll() is None:
                process.kill()
                process.wait()

    def close(self) -> None:
        self.kill()
        if hasattr(self, "_relay"):
            self._relay.join(5)
        for stream in (self.tshark.stdout if hasattr(self, "tshark") else None, self.headers.stdout,
                       self.headers.stderr, self._tshark_err):
            if stream is not None:
                stream.close()
