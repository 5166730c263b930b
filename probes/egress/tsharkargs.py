"""tshark's command line for the egress analysis, without importing pyshark.

Video dissectors (RTP, RTCP, RTSP, SDP) and every TCP/UDP heuristic dissector except the ones
we read (TLS, HTTP, DNS, SMTP for STARTTLS, QUIC) are disabled: on intra-site RTP they only
cost time, and RTP and UDP timestamps keep per-frame state that grows tshark's memory with the
capture's length. Per-frame TCP analysis and timestamps are off for the same reason; TCP
reassembly stays on (SNI after STARTTLS needs it). Both the fast path (`files.py`) and the
pyshark path (`tshark.py`) use these, so both dissect alike.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from probes.egress.errors import TsharkMissing

VIDEO_PROTOCOLS = ("rtp", "rtcp", "rtsp", "sdp", "rtp-events")
KEEP_HEURISTICS = frozenset({"tls", "http", "dns", "smtp", "quic"})
PREFERENCES = {
    "udp.calculate_timestamps": "FALSE",
    "tcp.calculate_timestamps": "FALSE",
    "tcp.analyze_sequence_numbers": "FALSE",
}
INSTALL_HINT = ("tshark is not installed; install it with 'apt-get install tshark' (Debian/Ubuntu), "
                "'dnf install wireshark-cli' (Fedora) or from https://www.wireshark.org/download.html.")


def find_tshark() -> str:
    """tshark on PATH (the fast path does not read pyshark's config file)."""
    found = shutil.which("tshark")
    if found is None:
        raise TsharkMissing(INSTALL_HINT)
    return found


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "camaudit"


def _cache_file(path: str, name: str) -> Path | None:
    """Where facts about this tshark binary are kept: asking tshark costs a full start-up
    (0.3-0.4 s each time), so each is asked once per binary (path, size and mtime)."""
    try:
        resolved = Path(path).resolve()
        info = resolved.stat()
        key = hashlib.sha256(f"{resolved}:{info.st_size}:{info.st_mtime_ns}".encode()).hexdigest()[:16]
        folder = cache_dir() / f"tshark-{key}"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name
    except OSError:
        return None


def cached(path: str, name: str, ask: Callable[[], str]) -> str:
    cache = _cache_file(path, name)
    try:
        if cache is not None and cache.is_file():
            return cache.read_text(encoding="utf-8")
    except OSError:
        pass
    value = ask()
    if cache is not None and value:
        try:
            cache.write_text(value, encoding="utf-8")
        except OSError:
            pass               # a read-only home: ask tshark again next time
    return value


@functools.lru_cache(maxsize=4)
def heuristic_protocols(path: str) -> tuple[str, ...]:
    """Protocols with a TCP/UDP heuristic dissector enabled by default, in this tshark."""
    def ask() -> str:
        try:
            out = subprocess.run([path, "-G", "heuristic-decodes"], capture_output=True, text=True,
                                 timeout=30, check=False).stdout
        except (OSError, subprocess.TimeoutExpired):
            return ""
        found = set()
        for line in out.splitlines():
            parts = line.split("\t")
            if len(parts) == 3 and parts[0] in ("tcp", "udp") and parts[2] == "T":
                found.add(parts[1])
        return "\n".join(sorted(found - KEEP_HEURISTICS))

    return tuple(cached(path, "heuristic-protocols.txt", ask).split())


def dissector_parameters(path: str) -> list[str]:
    params: list[str] = []
    for protocol in (*VIDEO_PROTOCOLS, *heuristic_protocols(path)):
        params += ["--disable-protocol", protocol]
    return params


def preference_parameters() -> list[str]:
    params: list[str] = []
    for name, value in PREFERENCES.items():
        params += ["-o", f"{name}:{value}"]
    return params
