"""The GeoLite2 data (geoip2fast) loaded in a child process that starts with tcpdump and tshark.

Loading the data is ~0.3 s of CPU; `egress analyze` spends that long importing the store while
tshark runs, so loading it in this process put it on the critical path after both. The child
loads it on the other core meanwhile and, once the capture is read, answers the few external
addresses in one round trip; `geo.remember` hands the answers to `network_of` / `geo_data`, which
give exactly what they would have looked up here. Any failure of the child (no package, killed,
garbage) leaves the look-ups to this process, as before.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
CHILD = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from auditor.judge.egress.geo import serve; "
         "sys.exit(serve())")


class GeoLookups:
    """Started at construction; `resolve()` once, then `close()`."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None
        try:
            self.process = subprocess.Popen([sys.executable, "-c", CHILD, ROOT], stdin=subprocess.PIPE,
                                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        except OSError:
            self.process = None

    def resolve(self, addresses: Iterable[str]) -> bool:
        """Look the addresses up in the child and remember the answers here; False if it failed."""
        from auditor.judge.egress.geo import Network, remember

        process, self.process = self.process, None
        if process is None or process.stdin is None or process.stdout is None:
            return False
        try:
            with process.stdin:
                process.stdin.write(json.dumps(sorted(set(addresses))).encode() + b"\n")
            answer = json.loads(process.stdout.readline())
            networks = {address: Network(*pair) for address, pair in answer["networks"].items()}
            data = answer["data"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        finally:
            _end(process)
        remember(data, networks)
        return True

    def close(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            _end(process)


def _end(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait()
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()
