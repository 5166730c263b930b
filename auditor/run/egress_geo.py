"""The GeoLite2 data (geoip2fast) looked up in a child process that starts with tcpdump and tshark.

Loading the data is ~0.4 s of CPU (gunzip, unpickle, the address space in memory): in this process
it came after the store import and tshark, on the critical path. The child starts with them
instead and, once the capture is read, answers the external addresses in one round trip;
`geo.remember` hands the answers to `network_of` / `geo_data`, which give exactly what they would
have looked up here. A site's destinations change little from one capture to the next, so the
child keeps the answers it gave in a small JSON file per data file (`cache_dir()`): when that file
exists it loads the data only for an address it has never answered, and a repeated analysis costs
no load at all. The answers are the library's own, keyed by the data file's name, size and time,
so new data (a new geoip2fast) starts a new file. Any failure of the child (no package, killed,
garbage) leaves the look-ups to this process, as before.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import IO

ROOT = str(Path(__file__).resolve().parents[2])
CHILD = ("import sys; sys.path.insert(0, sys.argv.pop(1)); from auditor.run.egress_geo import serve; "
         "sys.exit(serve())")
CACHE_ENV = "CAMAUDIT_CACHE_DIR"
MAX_CACHED = 50_000            # answers kept per data file; beyond that the file starts again


class GeoLookups:
    """Started at construction; `resolve()` once, then `close()`."""

    def __init__(self) -> None:
        self.loaded: bool | None = None      # whether the child had to load the data (None: no answer)
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
            data, self.loaded = answer["data"], bool(answer["loaded"])
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


def cache_dir() -> Path | None:
    """$CAMAUDIT_CACHE_DIR, else $XDG_CACHE_HOME/camaudit, else ~/.cache/camaudit (None: no home)."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "camaudit"
    except (RuntimeError, KeyError):
        return None


def _data_key() -> str | None:
    """The data file's name, size and modification time (None: no geoip2fast installed)."""
    import importlib.util

    from auditor.judge.egress.geo import _DATA_FILE

    spec = importlib.util.find_spec("geoip2fast")
    if spec is None or spec.origin is None:
        return None
    try:
        info = (Path(spec.origin).parent / _DATA_FILE).stat()
    except OSError:
        return None
    return f"{_DATA_FILE}-{info.st_size}-{info.st_mtime_ns}"


def _read_cache(path: Path) -> dict | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return doc if isinstance(doc, dict) and isinstance(doc.get("networks"), dict) else None
    except (OSError, ValueError):
        return None


def _write_cache(path: Path, doc: dict) -> None:
    """Written whole and renamed into place, readable by this user only (it names the servers a
    site's devices talk to); a cache that cannot be written is simply not kept."""
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8") as out:
            json.dump(doc, out)
        os.replace(partial, path)
    except OSError:
        partial.unlink(missing_ok=True)


def serve(requests: IO[str] = sys.stdin) -> int:
    """The child: each line read is a JSON list of addresses; each answer one JSON line
    {"data": geo_data(), "networks": {address: [country, owner]}, "loaded": bool}. Loads the data
    at once unless this data file's answers are kept, then only for an address not among them."""
    from auditor.judge.egress.geo import _reader, geo_data, network_of

    key, folder = _data_key(), cache_dir()
    path = None if key is None or folder is None else folder / f"geo-{key}.json"
    kept = None if path is None else _read_cache(path)
    fresh = kept is None
    if kept is None:
        _reader()                         # no answers kept: load now, while the parent imports the store
        kept = {"data": geo_data(), "networks": {}}
    for line in requests:
        addresses = json.loads(line)
        missing = [a for a in addresses if a not in kept["networks"]]
        if missing:
            if len(kept["networks"]) + len(missing) > MAX_CACHED:
                kept["networks"] = {}
            kept["data"] = geo_data()
            kept["networks"].update({a: [n.country, n.owner] for a in missing for n in (network_of(a),)})
        if path is not None and (missing or fresh):
            _write_cache(path, kept)
        answer = {"data": kept["data"], "networks": {a: kept["networks"][a] for a in addresses},
                  "loaded": fresh or bool(missing)}
        print(json.dumps(answer), flush=True)
        fresh = False
    return 0
