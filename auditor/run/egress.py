"""Run an egress analysis: capture (file or live) -> labels, countries, findings -> store.

The CLI and the TUI both call these. Only this module writes egress results, one
transaction per device; the report handed back is read back from the store, so what is
shown is exactly what was stored. Capture errors from `probes.egress` become
`models.errors.CaptureError` here (one boundary).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.judge.egress.allow import AllowList
from auditor.judge.egress.findings import egress_findings, mark_configured
from auditor.judge.egress.geo import geo_data, network_of
from auditor.judge.egress.labels import country_of, label_destination
from models.db import Store
from models.egress.reads import get_latest_settings
from models.egress.store import (
    get_egress_report,
    record_egress_run,
    record_egress_run_finished,
    record_egress_run_started,
    replace_egress_devices,
)
from models.egress.values import EgressCapture, EgressDestination, EgressDevice, EgressLookup, EgressReport
from models.errors import CaptureError, UsageError
from models.location import DEFAULT_SITE
from models.store import list_runs
from probes.egress import (
    CaptureResult,
    DestinationTraffic,
    DeviceTraffic,
    DnsLookup,
    EgressCaptureError,
    FileAnalysis,
    InterfaceMissing,
    SiteNetworks,
)
from probes.egress.networks import site_from_values

if TYPE_CHECKING:
    from auditor.run.egress_geo import GeoLookups
    from probes.egress import LiveWatch  # pyshark: imported by start_watch, not by file analysis

RING_POLL_S = 1.0


@dataclass(frozen=True)
class EgressOptions:
    site: SiteNetworks = field(default_factory=SiteNetworks.default)
    allow: AllowList = field(default_factory=AllowList)
    site_name: str = DEFAULT_SITE       # the named site (--site) whose audited devices the traffic is linked to


def site_networks(values: Sequence[str] | None) -> SiteNetworks:
    """--site-network values (they replace the private ranges), or the private ranges."""
    try:
        return site_from_values(values)
    except ValueError as exc:
        raise UsageError(f"Bad --site-network: {exc}.") from None


@contextmanager
def capture_errors() -> Iterator[None]:
    """The boundary: capture failures leave as CaptureError with the probe's own sentence."""
    try:
        yield
    except InterfaceMissing as exc:
        names = ", ".join(exc.interfaces) or "none visible (are you allowed to capture?)"
        raise CaptureError(f"{exc.message.rstrip('.')}; interfaces: {names}.") from exc
    except EgressCaptureError as exc:
        raise CaptureError(exc.message) from exc


def _window(result: CaptureResult) -> str:
    s = result.summary
    if s.started is None or s.ended is None:
        return ""
    return f" ({s.started:%Y-%m-%d %H:%M:%S} to {s.ended:%H:%M:%S} UTC)"


def to_destination(traffic: DestinationTraffic, allow: AllowList) -> EgressDestination:
    """The one conversion from the probe's traffic to the stored destination, with its label, the
    registry country and where its network is registered and who runs it (offline data)."""
    label = label_destination(traffic, allow)
    network = network_of(traffic.address)
    return EgressDestination(
        address=traffic.address, port=traffic.port, transport=traffic.transport, label=label.label,
        setting=label.setting, country=country_of(traffic.address), packets_out=traffic.packets_out,
        packets_in=traffic.packets_in, bytes_out=traffic.bytes_out, bytes_in=traffic.bytes_in,
        first_seen=traffic.first_seen, last_seen=traffic.last_seen, names=list(traffic.names), sni=list(traffic.sni),
        http_host=list(traffic.http_host), failed_attempts=traffic.failed_attempts, syn_packets=traffic.syn_packets,
        geo_country=network.country, network_owner=network.owner)


def to_lookup(lookup: DnsLookup) -> EgressLookup:
    return EgressLookup(name=lookup.name, queries=lookup.queries, responses=lookup.responses, rcode=lookup.rcode,
                        answers=list(lookup.answers), led_to_connection=lookup.led_to_connection,
                        first_seen=lookup.first_seen, last_seen=lookup.last_seen)


def classify_device(store: Store, traffic: DeviceTraffic, allow: AllowList, window: str = "", *,
                    audited: bool = True, site: str = DEFAULT_SITE) -> EgressDevice:
    """Labels, countries and findings for one device's traffic (reads the settings of its latest
    audit in `site`)."""
    destinations = [to_destination(d, allow) for d in traffic.destinations]
    audit = get_latest_settings(store, address=traffic.address, mac=traffic.mac, site=site) if audited else None
    mark_configured(destinations, audit)          # a push host / NAS its configuration names is not "unknown"
    return EgressDevice(address=traffic.address, mac=traffic.mac, destinations=destinations,
                        lookups=[to_lookup(q) for q in traffic.lookups],
                        findings=egress_findings(destinations, audit, window=window),
                        internal_packets=traffic.internal_packets, internal_bytes=traffic.internal_bytes)


def _capture_value(result: CaptureResult, options: EgressOptions) -> EgressCapture:
    s = result.summary
    return EgressCapture(kind=s.kind, source=", ".join(s.sources), packets=s.packets, bytes=s.bytes,
                         started=s.started, ended=s.ended, partial=s.partial, problems=list(s.problems),
                         site_networks=options.site.as_text(), geo_data=geo_data(), site=options.site_name)


def store_result(store: Store, result: CaptureResult, options: EgressOptions, *,
                 started: dt.datetime | None = None, complete: bool = True) -> EgressReport:
    """Classify every device of a capture and record it as one egress run (one transaction);
    returns what was stored."""
    window = _window(result)
    audited = bool(list_runs(store, limit=1))       # no audit in the store: no per-device look-ups
    devices = [classify_device(store, traffic, options.allow, window, audited=audited, site=options.site_name)
               for traffic in result.devices]
    run_id = record_egress_run(store, capture=_capture_value(result, options), devices=devices,
                               complete=complete and not result.summary.partial, allow_list=options.allow.path,
                               started=started)
    report = get_egress_report(store, run_id=run_id)
    assert report is not None
    return report


def check_capture_files(paths: Sequence[str | Path]) -> None:
    """Raises UsageError for the first file that does not exist."""
    for path in paths:
        if not Path(path).exists():
            raise UsageError(f"The capture file {path} does not exist.")


def analyze_files(store: Store, paths: Sequence[str | Path], options: EgressOptions, *,
                  cancel: threading.Event | None = None, analysis: FileAnalysis | None = None,
                  geo: GeoLookups | None = None, on_note: Callable[[str], None] | None = None) -> EgressReport:
    """Analyse capture files (one window, in the order given) into the store.

    Args:
        analysis: the same files already started (`FileAnalysis(...).start()`, as the CLI does
            before it imports the store), or None to start them here.
        geo: the geolocation data already loading in a child process (`GeoLookups()`, as the CLI
            starts it with the files), or None to load it in this process when first needed.
        on_note: told how the files were read when that matters (e.g. a file that had to be
            dissected frame by frame, and why).
    Raises:
        UsageError: a file does not exist.
        CaptureError: tshark missing, or no file is a readable capture.
    """
    check_capture_files(paths)
    started = dt.datetime.now(dt.UTC)
    with capture_errors():
        if analysis is None:
            analysis = FileAnalysis(paths, options.site, cancel=cancel).start()
        result = analysis.result()
    if geo is not None:
        geo.resolve(d.address for traffic in result.devices for d in traffic.destinations)
    for note in result.summary.notes:
        if on_note is not None:
            on_note(note)
    return store_result(store, result, options, started=started,
                        complete=not (cancel is not None and cancel.is_set()))


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
    window = _window(result)
    audited = bool(list_runs(store, limit=1))
    replace_egress_devices(store, run_id=run_id, devices=[
        classify_device(store, traffic, options.allow, window, audited=audited, site=options.site_name)
        for traffic in result.devices])
    record_egress_run_finished(store, run_id=run_id, capture=_capture_value(result, options),
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
