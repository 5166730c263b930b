"""Collect every problem met while auditing one device, even those a probe recovers from.

A probe that cannot read one endpoint keeps going with the others, so its ProbeError never
reaches the orchestrator. The audit must still say what went wrong on that device ("the
triggers document was over the size cap"), so every ProbeError created while a collector is
active for the current thread is recorded here. Expected answers (NotSupported) are not
problems. Collectors are per thread: devices audited in parallel never mix.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from probes.errors import ProbeError

_sink: contextvars.ContextVar[list[ProbeError] | None] = contextvars.ContextVar("camaudit_problems", default=None)


def record(error: ProbeError) -> None:
    sink = _sink.get()
    if sink is not None and error.outcome != "unsupported":
        sink.append(error)


@contextmanager
def collecting() -> Iterator[list[ProbeError]]:
    """Within the block, every ProbeError created in this thread is appended to the yielded list."""
    problems: list[ProbeError] = []
    token = _sink.set(problems)
    try:
        yield problems
    finally:
        _sink.reset(token)


@contextmanager
def expected() -> Iterator[None]:
    """Errors inside this block are an expected step (e.g. asking without a login to learn
    whether the device needs one), not problems of the device."""
    token = _sink.set(None)
    try:
        yield
    finally:
        _sink.reset(token)
