"""An egress analysis from capture to stored report, written against a small recorder interface so
the CLI's file analysis can record through `models.egress.direct` (sqlite3 only, no SQLAlchemy on its
critical path) and everything else through the store (`auditor.run.egress.StoreRecorder`).

Capture errors from `probes.egress` become `models.errors.CaptureError` here (one boundary). This
module imports nothing of SQLAlchemy or SQLModel: `camaudit egress analyze` imports it while tshark
runs (tests/egress/test_direct_cli.py checks that the direct path never loads them).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from auditor.judge.egress.allow import AllowList
from auditor.judge.egress.findings import egress_findings, mark_configured
from auditor.judge.egress.geo import geo_data, network_of
from auditor.judge.egress.labels import country_of, label_destination
from models.egress.values import (
    DeviceSettings,
    EgressCapture,
    EgressDestination,
    EgressDevice,
    EgressLookup,
    EgressReport,
)
from models.errors import CaptureError, UsageError
from models.location import DEFAULT_SITE
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

if TYPE_CHECKING:
    from auditor.run.egress_geo import GeoLookups


class EgressRecorder(Protocol):
    """Where an analysis reads the audits it is judged against and records its run."""

    def audited(self) -> bool:
        """Whether any audit run is stored (none: no per-device look-ups)."""
        ...

    def latest_settings(self, *, address: str, mac: str | None, site: str) -> DeviceSettings | None: ...

    def record_run(self, *, capture: EgressCapture, devices: list[EgressDevice], complete: bool,
                   allow_list: str | None = None, started: dt.datetime | None = None) -> EgressReport:
        """One finished analysis as one egress run, in one transaction; returns it as stored."""
        ...


@dataclass(frozen=True)
class EgressOptions:
    site: SiteNetworks = field(default_factory=SiteNetworks.default)
    allow: AllowList = field(default_factory=AllowList)
    site_name: str = DEFAULT_SITE       # the named site (--site) whose audited devices the traffic is linked to


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


def capture_window(result: CaptureResult) -> str:
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


def classify_device(traffic: DeviceTraffic, allow: AllowList, settings: DeviceSettings | None,
                    window: str = "") -> EgressDevice:
    """Labels, countries and findings for one device's traffic, judged against the settings of its
    latest audit (None: not audited)."""
    destinations = [to_destination(d, allow) for d in traffic.destinations]
    mark_configured(destinations, settings)      # a push host / NAS its configuration names is not "unknown"
    return EgressDevice(address=traffic.address, mac=traffic.mac, destinations=destinations,
                        lookups=[to_lookup(q) for q in traffic.lookups],
                        findings=egress_findings(destinations, settings, window=window),
                        internal_packets=traffic.internal_packets, internal_bytes=traffic.internal_bytes)


def classify_devices(recorder: EgressRecorder, result: CaptureResult, options: EgressOptions) -> list[EgressDevice]:
    """Every device of a capture classified against its site's audits."""
    window = capture_window(result)
    audited = recorder.audited()             # no audit in the store: no per-device look-ups
    return [classify_device(traffic, options.allow, recorder.latest_settings(
                address=traffic.address, mac=traffic.mac, site=options.site_name) if audited else None, window)
            for traffic in result.devices]


def capture_value(result: CaptureResult, options: EgressOptions) -> EgressCapture:
    s = result.summary
    return EgressCapture(kind=s.kind, source=", ".join(s.sources), packets=s.packets, bytes=s.bytes,
                         started=s.started, ended=s.ended, partial=s.partial, problems=list(s.problems),
                         site_networks=options.site.as_text(), geo_data=geo_data(), site=options.site_name)


def record_result(recorder: EgressRecorder, result: CaptureResult, options: EgressOptions, *,
                  started: dt.datetime | None = None, complete: bool = True) -> EgressReport:
    """Classify every device of a capture and record it as one egress run; returns what was stored."""
    return recorder.record_run(capture=capture_value(result, options),
                               devices=classify_devices(recorder, result, options),
                               complete=complete and not result.summary.partial, allow_list=options.allow.path,
                               started=started)


def check_capture_files(paths: Sequence[str | Path]) -> None:
    """Raises UsageError for the first file that does not exist."""
    for path in paths:
        if not Path(path).exists():
            raise UsageError(f"The capture file {path} does not exist.")


def analyze_into(recorder: EgressRecorder, paths: Sequence[str | Path], options: EgressOptions, *,
                 cancel: threading.Event | None = None, analysis: FileAnalysis | None = None,
                 geo: GeoLookups | None = None, on_note: Callable[[str], None] | None = None) -> EgressReport:
    """Analyse capture files (one window, in the order given) and record them with `recorder`.

    Args:
        analysis: the same files already started (`FileAnalysis(...).start()`, as the CLI does
            before it opens the store), or None to start them here.
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
    return record_result(recorder, result, options, started=started,
                         complete=not (cancel is not None and cancel.is_set()))
