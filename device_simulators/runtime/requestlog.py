"""Per-device request log: every request a simulated device receives, queryable from tests.

Tests use it to prove the auditor only reads (no PUT/POST/DELETE, no ONVIF Set*/Create*),
and to count failed logins for lockout safety. `camaudit sim up --log-dir` also writes it
as JSON lines so a tester can inspect a run from outside the process.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO


@dataclass(frozen=True)
class LoggedRequest:
    time: dt.datetime
    device: str           # profile id
    protocol: str         # http | https | onvif | isapi | dahua_cgi | ws_discovery | sadp | dhip | rtsp | sdk | telnet
    source: str           # client address
    method: str           # HTTP method, "UDP" for discovery datagrams, "TCP" for raw connections
    path: str             # path with query string, or "-" for datagrams
    action: str | None    # SOAP action / operation name for ONVIF, probe type for discovery
    auth: str             # ok | failed | challenge | not-required | locked | stale | none
    status: int | None    # HTTP status sent (None for UDP / raw TCP)
    user: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["time"] = self.time.isoformat()
        return json.dumps(data)

    @property
    def is_read(self) -> bool:
        """True when the request cannot change device state."""
        if self.method in ("UDP", "TCP"):
            return True
        if self.protocol == "rtsp":          # a player's first questions; SETUP/PLAY would start a stream
            return self.method in ("OPTIONS", "DESCRIBE")
        if self.method not in ("GET", "HEAD", "POST"):
            return False
        if self.method == "POST":
            # ONVIF is SOAP over POST; only Get* and the discovery-style reads are reads.
            return bool(self.action) and self.action.startswith("Get")
        return True


class RequestLog:
    """Thread-safe, append-only list of LoggedRequest with an optional JSON-lines sink."""

    def __init__(self, sink: Path | None = None) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._sink: IO[str] | None = sink.open("a", encoding="utf-8") if sink else None

    def record(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._items.append(entry)
            if self._sink:
                self._sink.write(entry.to_json() + "\n")
                self._sink.flush()

    def entries(self, predicate: Callable[[LoggedRequest], bool] | None = None) -> list[LoggedRequest]:
        with self._lock:
            items = list(self._items)
        return [e for e in items if predicate is None or predicate(e)]

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.entries())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def writes(self) -> list[LoggedRequest]:
        """Requests that could have changed the device."""
        return self.entries(lambda e: not e.is_read)

    def failed_logins(self, user: str | None = None) -> list[LoggedRequest]:
        return self.entries(lambda e: e.auth == "failed" and (user is None or e.user == user))

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def close(self) -> None:
        if self._sink:
            self._sink.close()
            self._sink = None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
