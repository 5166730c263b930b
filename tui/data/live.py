"""Noticing what other processes wrote: how often to look, and what to tell the user when the store changed.

The app checks `models.store_version.get_store_version` every STORE_POLL_S seconds in a worker thread
(never while its own audit or egress analysis writes, so what it finds came from elsewhere).
"""

from __future__ import annotations

from models.store_version import StoreVersion

STORE_POLL_S = 5.0   # a few index look-ups per check; another collector's run shows within this


def _runs(count: int) -> str:
    return f"{count} new run" if count == 1 else f"{count} new runs"


def change_notice(before: StoreVersion, after: StoreVersion) -> str | None:
    """One short line for a change another process made; None for one not worth a toast
    (devices added to a run still in progress: the lists update quietly)."""
    added = after.runs - before.runs
    if added > 0:
        return f"{_runs(added)} from another collector."
    finished = before.unfinished - after.unfinished
    if finished > 0 and after.runs == before.runs:
        return ("A run from another collector finished." if finished == 1
                else f"{finished} runs from another collector finished.")
    if added < 0:
        return f"{-added} run(s) were removed by another process."
    return None
