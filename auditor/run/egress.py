"""Run an egress analysis into the store: files (through `auditor.run.egress_analysis`), live
watches and long ring-buffer watches. The CLI and the TUI both call these. Only this module and
`models.egress.direct` (the CLI's file analysis into an SQLite store at the head revision) write
egress results; the report handed back is read back from the store, so what is shown is exactly
what was stored.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.run.egress_analysis import (  # noqa: F401 - EgressOptions: this module's API too
    EgressOptions,
    analyze_into,
    capture_errors,
    capture_value,
    classify_devices,
    record_result,
)
from models.db import Store
from models.egress.reads import get_latest_settings
from models.egress.store import (
    get_egress_report,
    record_egress_run,
    record_egress_run_finished,
    record_egress_run_started,
    replace_egress_devices,
)
from models.egress.values import DeviceSettings, EgressCapture, EgressDevice, EgressReport
from models.errors import UsageError
from models.store import list_runs
from probes.egress import CaptureResult, FileAnalysis

if TYPE_CHECKING:
    from auditor.run.egress_geo import GeoLookups
    from probes.egress import LiveWatch  # pyshark: imported by start_watch, not by file analysis

RING_POLL_S = 1.0


class StoreRecorder:
    """The store (SQLite or PostgreSQL) as an `EgressRecorder`."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def audited(self) -> bool:
        return bool(list_runs(self.store, limit=1))

    def latest_settings(self, *, address: str, mac: str | None, site: str) -> DeviceSettings | None:
        return get_latest_settings(self.store, address=address, mac=mac, site=site)

    def record_run(self, *, capture: EgressCapture, devices: list[EgressDevice], complete: bool,
                   allow_list: str | None = None, started: dt.datetime | None = None) -> EgressReport:
        run_id = record_egress_run(self.store, capture=capture, devices=devices, complete=complete,
                                   allow_list=allow_list, started=started)
        report = get_egress_report(self.store, run_id=run_id)
        assert report is not None
        return report


def store_result(store: Store, result: CaptureResult, options: EgressOptions, *,
                 started: dt.datetime | None = None, complete: bool = True) -> EgressReport:
    """Classify every device of a capture and record it as one egress run (one transaction);
    returns what was stored."""
    return record_result(StoreRecorder(store), result, options, started=started, complete=complete)


def analyze_files(store: Store, paths: Sequence[str | Path], options: EgressOptions, *,
                  cancel: threading.Event | None = None, analysis: FileAnalysis | None = None,
                  geo: GeoLookups | None = None, on_note: Callable[[str], None] | None = None) -> EgressReport:
    """Analyse capture files into the store (`egress_analysis.analyze_into`, which says what each argument is)."""
    return analyze_into(StoreRecorder(store), paths, options, cancel=cancel, analysis=analysis, geo=geo,
                        on_note=on_note)


def start_watch(interface: str, options: EgressOptions, *, duration: float | None = None) -> LiveWatch:
    """Start a live capture on a worker thread (raises CaptureError at once if it cannot start).

    Raises:
        UsageError: a duration that is not more than zero.
    """
    if duration is not None and not 0 < duration < float("inf"):
        raise UsageError(f"A watch lasts more than zero seconds, not {duration}; leave the duration out to watch "
                         f"until stopped.")
    from probes.egress import LiveWatch

    with capture_errors():
        return LiveWatch(interface, options.site, duration=duration).start()


def finish_watch(store: Store, watch: LiveWatch, options: EgressOptions, *,
                 stopped_early: bool = False) -> EgressReport:
    """Wait for a live capture to end and store what it saw (also after Ctrl-C)."""
    with capture_errors():
        result = watch.wait()
    return store_result(store, result, options, started=watch.started, complete=not stopped_early)


def store_growing(store: Store, run_id: int, result: CaptureResult, options: EgressOptions, *,
                  complete: bool) -> None:
    """A long watch's cumulative result so far, replacing what the run held (the run grows)."""
    replace_egress_devices(store, run_id=run_id, devices=classify_devices(StoreRecorder(store), result, options))
    record_egress_run_finished(store, run_id=run_id, capture=capture_value(result, options),
                               complete=complete and not result.summary.partial)


def watch_ring(store: Store, interface: str, folder: Path, options: EgressOptions, *, keep: int,
               file_seconds: int, duration: float | None, stop: threading.Event,
               on_file: Callable[[str, EgressReport], None] | None = None,
               on_note: Callable[[str], None] | None = None) -> EgressReport:
    """A long watch through a dumpcap ring buffer in `folder`, each finished file analysed into
    one egress run that grows in the store; started again on the same folder after a crash or
    a kill, it carries on with the same run and counts no file twice (`probes.egress.ring`).

    Raises:
        UsageError: bad duration, keep or file length.
        CaptureError: dumpcap missing or failing before it captured anything, a bad journal.
    """
    if duration is not None and not 0 < duration < float("inf"):
        raise UsageError(f"A watch lasts more than zero seconds, not {duration}; leave the duration out to watch "
                         f"until stopped.")
    if keep < 2 or file_seconds < 1:
        raise UsageError("A ring buffer needs --keep 2 or more files of at least one second (--file-seconds).")
    from probes.egress.ring import RingAnalyser, RingCapture

    folder.mkdir(parents=True, exist_ok=True)
    started = dt.datetime.now(dt.UTC)
    with capture_errors():
        analyser = RingAnalyser(folder, options.site)
        run_id = analyser.keep.get("run_id")
        resumed = None if run_id is None else get_egress_report(store, run_id=run_id)
        if resumed is not None and resumed.capture.site != options.site_name:
            raise UsageError(f"The ring buffer in {folder} belongs to egress run {run_id} of site "
                             f"'{resumed.capture.site}'; give --site '{resumed.capture.site}' to carry on with it, "
                             f"or another folder.")
        if resumed is None:
            run_id = record_egress_run_started(store, kind="live", source=interface,
                                               site_networks=options.site.as_text(),
                                               allow_list=options.allow.path, started=started,
                                               site=options.site_name)
            analyser.keep["run_id"] = run_id
            analyser.save()
        leftover = analyser.pending(include_newest=True) if analyser.resumed else []   # a killed watch's files
        capture = RingCapture(interface, options.site, folder, keep=keep, file_seconds=file_seconds).start()

    def catch_up(paths: list[Path]) -> None:
        for path in paths:
            analyser.analyse([path])
            analyser.prune(keep)
            store_growing(store, run_id, analyser.result(interface, settle=False), options, complete=False)
            if on_file is not None:
                on_file(path.name, get_egress_report(store, run_id=run_id))   # type: ignore[arg-type]

    deadline = None if duration is None else time.monotonic() + duration
    try:
        catch_up(leftover)
        while capture.running and not stop.is_set() and (deadline is None or time.monotonic() < deadline):
            catch_up(analyser.pending(include_newest=False))
            stop.wait(RING_POLL_S)
    finally:
        capture.stop()
    failure = capture.failure()
    if failure is not None and not analyser.analysed and not analyser.pending(include_newest=True):
        with capture_errors():
            raise failure
    catch_up(analyser.pending(include_newest=True))
    counts = capture.counts()
    if counts is not None and counts[1]:
        analyser.problems.append(f"dumpcap reports {counts[1]} packets dropped on {interface}")
    if on_note is not None:
        on_note(f"dumpcap did not say how many packets it dropped on {interface}" if counts is None else
                f"dumpcap received {counts[0]} packets through the capture filter on {interface} and dropped "
                f"{counts[1]}")
    stopped_early = stop.is_set() or (failure is not None)
    store_growing(store, run_id, analyser.result(interface, settle=True), options, complete=not stopped_early)
    if not stopped_early:
        analyser.finish()
    report = get_egress_report(store, run_id=run_id)
    assert report is not None
    return report
