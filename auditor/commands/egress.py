"""`camaudit egress analyze FILE…` and `camaudit egress watch --interface IF`: which external
servers each device talks to, stored as an egress run. The work is in `auditor.run.egress`.

`egress analyze` starts tcpdump, tshark and the header pass before it imports anything heavy,
then imports the store (SQLModel/SQLAlchemy, ~0.4 s of CPU) while a thread reads tshark's rows;
rich's tables, live display and progress bar are imported only by the paths that draw them.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.commands.argtypes import duration
from auditor.commands.console import heading
from auditor.commands.dbarg import add_db_argument, add_site_argument

if TYPE_CHECKING:
    from rich.console import Group
    from rich.progress import Progress
    from rich.table import Table

    from models.egress.values import EgressReport


ORDER = 30
REFRESH_S = 0.5
READY_TIMEOUT_S = 30


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site-network", action="append", metavar="CIDR",
                   help="a network on the site (repeatable); replaces the default private ranges "
                        "10/8, 172.16/12, 192.168/16 and fc00::/7")
    p.add_argument("--allow", type=Path, metavar="FILE",
                   help="allow-list (TOML): expected destinations by address, CIDR or DNS name")
    add_db_argument(p)
    add_site_argument(p, recording=True)      # traffic is linked to this site's audited devices only


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    egress = subparsers.add_parser(
        "egress", help="which external servers each camera talks to, from a capture file or live traffic")
    sub = egress.add_subparsers(dest="egress_command", metavar="{analyze,watch,filter}", required=True)
    analyze = sub.add_parser(
        "analyze", help="analyse pcap/pcapng files (one capture window, in the order given)",
        description="Read capture files with tshark and list, per site device, every external destination "
                    "(bytes each way, DNS names, TLS SNI, HTTP Host, country, label), DNS lookups that led "
                    "nowhere and failed connection attempts; findings are checked against each device's "
                    "latest audit in the store.")
    analyze.add_argument("files", nargs="+", type=Path, metavar="FILE",
                         help="pcap or pcapng file, gzip-compressed or not, or a folder of them (a dumpcap "
                              "ring buffer: read as one capture in time order)")
    _common(analyze)
    analyze.add_argument("--json", action="store_true",
                         help="print the result as JSON (devices with external traffic or DNS look-ups; "
                              "dns_queries lists every name looked up, dns_unused those that never led to a "
                              "connection)")
    analyze.set_defaults(func=cmd_analyze)
    watch = sub.add_parser("watch", help="watch an interface live (Ctrl-C stops; results are stored either way)")
    watch.add_argument("--interface", "-i", required=True, metavar="IF", help="interface to capture on, e.g. eth0")
    watch.add_argument("--duration", type=duration, metavar="LENGTH",
                       help="stop after this long: seconds, or with a unit (90, 30m, 12h, 7d); default: Ctrl-C")
    watch.add_argument("--ring", type=Path, metavar="FOLDER",
                       help="long watches: dumpcap writes a ring buffer here (kernel-filtered, no video) and each "
                            "finished file is analysed into one run that grows in the store; started again on the "
                            "same folder, a killed watch carries on without counting anything twice")
    watch.add_argument("--keep", type=int, default=168, metavar="N",
                       help="with --ring: at most N files on disk, dumpcap deletes the oldest (default 168)")
    watch.add_argument("--file-seconds", type=int, default=3600, metavar="S",
                       help="with --ring: start a new file every S seconds (default 3600)")
    _common(watch)
    watch.set_defaults(func=cmd_watch)
    bpf = sub.add_parser(
        "filter", help="print the capture filter (BPF) that keeps only traffic leaving or entering the site",
        description="Print the libpcap capture filter camaudit uses: every frame whose source and destination "
                    "are not both on the site, all DNS, and what the filter cannot look into, also inside 802.1Q "
                    "tags. Give it to dumpcap -f or tcpdump on a mirror port so video never reaches the disk.")
    bpf.add_argument("--site-network", action="append", metavar="CIDR",
                     help="a network on the site (repeatable); default: the private ranges")
    bpf.set_defaults(func=cmd_filter)


def _site_networks(values: list[str] | None):  # noqa: ANN202 - probes.egress imported lazily
    """--site-network values (they replace the private ranges), or the private ranges."""
    from models.errors import UsageError
    from probes.egress.networks import site_from_values

    try:
        return site_from_values(values)
    except ValueError as exc:
        raise UsageError(f"Bad --site-network: {exc}.") from None


def _options(args: argparse.Namespace):  # noqa: ANN202 - auditor.run.egress imported lazily
    from auditor.judge.egress.allow import load_allow_list
    from auditor.run.egress import EgressOptions

    return EgressOptions(site=_site_networks(args.site_network), allow=load_allow_list(args.allow),
                         site_name=args.site)


def _size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000  # type: ignore[assignment]
    return str(n)


LINKED_BY = {"mac": "MAC", "address": "address"}   # how a capture source was linked to an audited device


def destinations_table(report: EgressReport) -> Table:
    from rich.table import Table

    from models.features import EGRESS_LABEL_STYLE as LABEL_STYLE

    table = Table(title=f"Egress run {report.run_id}: {report.capture.source}", title_justify="left")
    for column in ("device", "destination", "names / SNI / Host", "label", "located in", "registered in", "network",
                   "out", "in", "failed"):
        table.add_column(column, no_wrap=column in ("device", "destination"))
    if report.capture.geo_data:
        table.caption = (f"located in / network: where the server is and who runs its network "
                         f"({report.capture.geo_data}); registered in: the registry allocation")
    for device in report.devices:
        source = device.address + (f" = {device.device_label or device.device_id} by {LINKED_BY[device.linked_by]}"
                                   if device.device_id is not None and device.linked_by in LINKED_BY else "")
        for d in device.destinations:
            names = ", ".join(sorted({*d.names, *d.sni, *d.http_host})) or "-"
            style = LABEL_STYLE.get(d.label, "")
            table.add_row(source, f"{d.address}:{d.port}/{d.transport}", names,
                          f"[{style}]{d.label}[/]" if style else d.label, d.located_in or "-", d.registered_in or "-",
                          d.network_owner or "-",
                          _size(d.bytes_out), _size(d.bytes_in), str(d.failed_attempts or ""))
        for name in device.unused_lookups:
            table.add_row(source, "[dim](lookup only)[/]", name, "dns", "-", "-", "-", "", "", "")
    return table


def print_report(console: Console, report: EgressReport) -> None:
    c = report.capture
    console.print(destinations_table(report))
    internal = [d for d in report.devices if not d.external]
    if internal:
        console.print(f"{len(internal)} site devices talked only inside the site: "
                      + ", ".join(d.address for d in internal[:20]) + (" ..." if len(internal) > 20 else ""))
    findings = [(d, f) for d in report.devices for f in d.findings]
    for device, finding in findings:
        console.print(f"[bold]{finding.severity}[/] {device.address}: {finding.title}", highlight=False)
    window = f"{c.started:%Y-%m-%d %H:%M:%S} to {c.ended:%H:%M:%S} UTC" if c.started and c.ended else "no frames"
    console.print(f"{c.packets} packets ({window}); {sum(d.external for d in report.devices)} devices with "
                  f"external traffic, {len(findings)} findings; stored as egress run {report.run_id}.")
    if c.partial:
        console.print(f"[bold yellow]Partial:[/] {'; '.join(c.problems)}.", highlight=False)


def _progress(err: Console) -> tuple[Progress | None, Callable[[int], None] | None]:
    """A transient "N packets read, R packets/s" line on a terminal's stderr; nothing otherwise."""
    if not err.is_terminal:
        return None, None
    from rich.progress import Progress, SpinnerColumn, TextColumn

    progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err, transient=True)
    task = progress.add_task("starting tcpdump and tshark")
    started = time.monotonic()

    def update(packets: int) -> None:
        rate = packets / max(time.monotonic() - started, 1e-3)
        progress.update(task, description=f"{packets:,} packets read, {rate:,.0f} packets/s")

    return progress, update


def _start_analysis(args: argparse.Namespace,  # noqa: ANN202 - probes.egress imported lazily
                    progress: Callable[[int], None] | None = None):
    """Check the arguments and start tcpdump, tshark and the header pass, before anything
    imports the store (SQLModel and SQLAlchemy take a good part of a run to import)."""
    from models.errors import UsageError
    from probes.egress import FileAnalysis

    for path in args.files:
        if not path.exists():
            raise UsageError(f"The capture file {path} does not exist.")
    return FileAnalysis(args.files, _site_networks(args.site_network), progress=progress).read_ahead()


@contextmanager
def _no_gc() -> Iterator[None]:
    """Importing SQLAlchemy and SQLModel allocates hundreds of thousands of objects that all
    live until the process ends: the collector's passes over them during the import, and its
    last pass at exit, are ~0.14 s of CPU (a quarter of the import). So no collection while
    importing, and what was imported is frozen out of every later collection (gc.freeze)."""
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def cmd_filter(args: argparse.Namespace, console: Console) -> int:
    print(_site_networks(args.site_network).capture_filter())
    return 0


def cmd_analyze(args: argparse.Namespace, console: Console) -> int:
    err = Console(stderr=True)
    bar, update = _progress(err)
    analysis = _start_analysis(args, update)     # the processes run, a thread reads their rows
    from auditor.run.egress_geo import GeoLookups

    geo = GeoLookups()                           # loads the GeoLite2 data on another core meanwhile
    try:
        from auditor.judge.egress.allow import load_allow_list
        from auditor.run.egress_analysis import EgressOptions, analyze_into
        from models.egress.direct import open_direct

        options = EgressOptions(site=analysis.site, allow=load_allow_list(args.allow), site_name=args.site)

        def on_note(note: str) -> None:
            err.print(f"camaudit: note: {note}.", highlight=False, soft_wrap=True)

        direct = open_direct(args.db)            # an SQLite store at the head revision: no SQLAlchemy at all
        if direct is not None:
            with bar or nullcontext(), direct:
                report = analyze_into(direct, args.files, options, analysis=analysis, geo=geo, on_note=on_note)
        else:
            with _no_gc():
                from auditor.run.egress import analyze_files
                from models.db import open_store
            with bar or nullcontext(), open_store(args.db) as store:
                report = analyze_files(store, args.files, options, analysis=analysis, geo=geo, on_note=on_note)
    finally:
        analysis.close()
        geo.close()
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print_report(console, report)
    if report.capture.partial:
        Console(stderr=True).print(f"camaudit: partial analysis: {'; '.join(report.capture.problems)}.",
                                   highlight=False, soft_wrap=True)
        return 1
    return 0


def _live_table(watch, interface: str, started: float) -> Group:  # noqa: ANN001 - LiveWatch
    from rich.console import Group
    from rich.table import Table

    table = Table(title_justify="left", title=f"Watching {interface}: {time.monotonic() - started:.0f} s, "
                                              f"{watch.frames} frames crossing the site edge")
    for column in ("device", "destination", "names / SNI", "out", "in", "failed"):
        table.add_column(column)
    for device in watch.snapshot():
        for d in device.destinations:
            table.add_row(device.address, f"{d.address}:{d.port}/{d.transport}",
                          ", ".join(sorted({*d.names, *d.sni, *d.http_host})) or "-",
                          _size(d.bytes_out), _size(d.bytes_in), str(d.failed_attempts or ""))
    return Group(table, "[dim]Ctrl-C stops; what was seen is stored.[/]")


def cmd_watch(args: argparse.Namespace, console: Console) -> int:
    from rich.live import Live

    from auditor.run.egress import finish_watch, start_watch
    from models.db import open_store

    options = _options(args)
    if args.ring is not None:
        return _watch_ring(args, console, args.duration, options)
    watch = start_watch(args.interface, options, duration=args.duration)   # a bad interface creates no database
    try:
        store = open_store(args.db)
    except BaseException:
        watch.stop()
        raise
    with store:
        started = time.monotonic()
        stopped = False
        try:
            watch.ready.wait(READY_TIMEOUT_S)
            Console(stderr=True).print(f"camaudit: capturing on {args.interface}; Ctrl-C stops and stores "
                                       f"what was seen.", highlight=False)
            with Live(_live_table(watch, args.interface, started), console=console, refresh_per_second=4,
                      transient=not console.is_terminal) as live:
                while watch.running:
                    time.sleep(REFRESH_S)
                    live.update(_live_table(watch, args.interface, started))
        except KeyboardInterrupt:
            stopped = True
            watch.stop()
        report = finish_watch(store, watch, options, stopped_early=stopped)
    print_report(console, report)
    return 0


def _watch_ring(args: argparse.Namespace, console: Console, duration: float | None, options) -> int:  # noqa: ANN001
    """`egress watch --ring`: the watch runs on a worker thread; Ctrl-C asks it to stop."""
    import threading

    from auditor.run.egress import watch_ring
    from models.db import open_store

    err = Console(stderr=True)
    stop = threading.Event()
    box: dict = {}

    def on_file(name: str, report: EgressReport) -> None:
        err.print(f"camaudit: analysed {name}; {report.capture.packets} frames so far, "
                  f"{sum(d.external for d in report.devices)} devices with external traffic "
                  f"(egress run {report.run_id}).", highlight=False, soft_wrap=True)

    with open_store(args.db) as store:
        done = threading.Event()

        def work() -> None:
            try:
                box["report"] = watch_ring(store, args.interface, args.ring, options, keep=args.keep,
                                           file_seconds=args.file_seconds, duration=duration, stop=stop,
                                           on_file=on_file, on_note=lambda note: err.print(
                                               f"camaudit: note: {note}.", highlight=False, soft_wrap=True))
            except BaseException as exc:  # noqa: BLE001 - raised again on the main thread
                box["error"] = exc
            finally:
                done.set()

        worker = threading.Thread(target=work, name="egress-ring-watch", daemon=True)
        worker.start()
        err.print(f"camaudit: capturing on {args.interface} into {args.ring} (at most {args.keep} files); "
                  f"Ctrl-C stops and stores what was seen.", highlight=False, soft_wrap=True)
        # Waited on with an Event, not Thread.join(timeout): in Python 3.11 a Ctrl-C that lands
        # inside join() releases the running thread's state lock, so is_alive() turns False while
        # the watch is still storing its last file (and the report was never there to print).
        while not done.is_set():
            try:
                done.wait(REFRESH_S)
            except KeyboardInterrupt:
                stop.set()
        worker.join()
        if "error" in box:
            raise box["error"]
    print_report(console, box["report"])
    return 0


def demo_egress(console: Console, db: Path, folder: Path, *, packets: int = 20_000) -> EgressReport:
    """The egress step of `camaudit demo`: write the simulated site's capture (with its ground
    truth) into `folder`, analyse it into `db` and print the result. Devices link to the
    demo's audit by MAC, so hik-acusense-nvr's Hik-Connect traffic shows as undisclosed egress."""
    from auditor.run.egress import EgressOptions, analyze_files
    from device_simulators.egress.site import write_site_capture
    from device_simulators.profile import load_fleet
    from models.db import open_store

    pcap = folder / "site.pcap"
    write_site_capture(pcap, list(load_fleet("site").profiles), packets=packets)
    heading(console, f"Egress: camaudit egress analyze {pcap} --db {db}")
    with open_store(db) as store:
        report = analyze_files(store, [pcap], EgressOptions())
    print_report(console, report)
    return report
