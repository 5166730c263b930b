"""What one device may cost the auditor: bytes read, parse time and timeouts across all its probes.

The per-answer size cap (2 MiB) bounds one answer, not a device that answers every request
with 2 MiB of flat XML: sixteen such devices once pushed an audit to 4.5 GB. A DeviceBudget is
kept per device (ProbeContext builds it); every read (probes/_transport.py) and every parse
(probes/_xml.py, probes/dahua/_kv.py) charges it, and once it is spent the device's remaining
reads fail fast with one recorded reason instead of costing more.

Readers and parsers find the budget of the device being audited through a context variable that
ProbeContext installs in the worker thread, so probes need not pass it along; they may also be
given one explicitly.
"""

from __future__ import annotations

import contextvars
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from probes.errors import BudgetExhausted

# Generous for real devices: a 64-channel NVR audit reads a few MiB (per-channel Smart/Event
# documents of a few KiB each, the ~110 KiB capability document, ONVIF profiles), parsed in
# well under a second. A device past these is hostile or broken, not large.
DEVICE_BYTES = 32 << 20
DEVICE_PARSE_SECONDS = 20.0
# A device that drips or stalls costs a whole deadline per request; after this many timeouts
# its other reads would most likely cost the same, so they are skipped.
DEVICE_TIMEOUTS = 4


@dataclass
class DeviceBudget:
    max_bytes: int = DEVICE_BYTES
    max_parse_seconds: float = DEVICE_PARSE_SECONDS
    max_timeouts: int = DEVICE_TIMEOUTS
    bytes_read: int = 0
    parse_seconds: float = 0.0
    timeouts: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def spent(self) -> str | None:
        """Why the budget is spent, or None while it is not."""
        if self.bytes_read > self.max_bytes:
            return f"{self.max_bytes >> 20} MiB read"
        if self.parse_seconds > self.max_parse_seconds:
            return f"{self.max_parse_seconds:g} s of parsing"
        if self.timeouts >= self.max_timeouts:
            return f"{self.timeouts} requests timed out"
        return None

    def check(self) -> None:
        """Raise BudgetExhausted when the device already used up its budget (before any traffic)."""
        why = self.spent
        if why is not None:
            # One sentence for every refused read, so the device's error list shows it once.
            raise BudgetExhausted(f"the device's answers used up camaudit's per-device budget ({why}); "
                                  "its remaining reads were skipped")

    def charge_bytes(self, count: int) -> None:
        with self._lock:
            self.bytes_read += count

    def charge_timeout(self) -> None:
        with self._lock:
            self.timeouts += 1

    @contextmanager
    def parsing(self) -> Iterator[None]:
        """Charge the time spent inside the block to parse time."""
        started = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                self.parse_seconds += time.monotonic() - started

    def remaining_parse_seconds(self) -> float:
        return max(0.0, self.max_parse_seconds - self.parse_seconds)


# A weak reference: a ProbeContext that is dropped without close() must not leave its (maybe
# spent) budget charging whatever this thread does next.
_current: contextvars.ContextVar[weakref.ref[DeviceBudget] | None] = contextvars.ContextVar(
    "camaudit_budget", default=None)


def current() -> DeviceBudget | None:
    """The budget of the device audited in this thread, if any."""
    ref = _current.get()
    return ref() if ref is not None else None


def install(budget: DeviceBudget) -> contextvars.Token[weakref.ref[DeviceBudget] | None]:
    return _current.set(weakref.ref(budget))


def uninstall(token: contextvars.Token[weakref.ref[DeviceBudget] | None]) -> None:
    try:
        _current.reset(token)
    except ValueError:          # closed from another thread or context: nothing of ours to undo there
        pass


@contextmanager
def active(budget: DeviceBudget) -> Iterator[DeviceBudget]:
    token = install(budget)
    try:
        yield budget
    finally:
        uninstall(token)
