"""`camaudit sim ...`: list bundled profiles, run a simulated fleet, write a site capture.

Lives with the simulators so testers can use them without the auditor; `auditor.cli`
mounts these subcommands under `camaudit sim`.
"""

from __future__ import annotations

import argparse
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from device_simulators.profile import Profile, bundled_fleets, bundled_profiles, load_fleet, load_profile

if TYPE_CHECKING:
    from device_simulators.runtime.fleet import Fleet

DEFAULT_BASE = "127.0.20.1"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `sim` and its subcommands on the camaudit parser."""
    sim = subparsers.add_parser("sim", help="run simulated cameras and NVRs for testing")
    sub = sim.add_subparsers(dest="sim_command", metavar="{list,up,pcap}", required=True)

    sub.add_parser("list", help="list bundled device profiles and fleets").set_defaults(func=cmd_list)

    up = sub.add_parser("up", help="start a simulated fleet in the foreground (Ctrl-C stops it)")
    _add_selection(up)
    up.add_argument("--base-address", default=DEFAULT_BASE,
                    help=f"first loopback address; devices take consecutive ones (default {DEFAULT_BASE})")
    up.add_argument("--log-dir", type=Path, help="also write each device's request log as JSON lines here")
    up.add_argument("--phone-home", action="store_true",
                    help="emit each device's phone-home traffic to simulated internet hosts on loopback")
    up.add_argument("--duration", type=float, help="stop after this many seconds (default: until Ctrl-C)")
    up.set_defaults(func=cmd_up)

    pcap = sub.add_parser("pcap", help="write a deterministic capture of a simulated site, with ground truth")
    pcap.add_argument("out", type=Path, help="pcap file to write (ground truth goes to OUT.truth.json)")
    _add_selection(pcap)
    pcap.add_argument("--packets", type=int, default=20_000, help="total packets (default 20000)")
    pcap.add_argument("--cameras", type=int,
                      help="cameras on the site; filler cameras (intra-site video, unanswered SYNs) "
                           "are added up to this (default: fleet + 3)")
    pcap.add_argument("--seed", type=int, default=1)
    pcap.set_defaults(func=cmd_pcap)


def _add_selection(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--fleet", default=None, help="bundled fleet name (default: site, every bundled profile)")
    group.add_argument("--profile", type=Path, action="append", help="profile YAML file (repeatable)")


def selected_profiles(args: argparse.Namespace) -> list[Profile]:
    if args.profile:
        return [load_profile(p) for p in args.profile]
    return list(load_fleet(args.fleet or "site").profiles)


def cmd_list(args: argparse.Namespace, console: Console) -> int:
    table = Table(title="Bundled device profiles", title_justify="left")
    table.add_column("id", no_wrap=True)
    for column in ("sold as", "made by", "model", "type", "protocols"):
        table.add_column(column)
    for p in bundled_profiles():
        maker = p.identity.manufacturer
        table.add_row(p.id, p.identity.brand, maker if maker == p.identity.brand else f"[bold]{maker}[/]",
                      p.identity.model, p.identity.device_type, " ".join(sorted(p.protocols)))
    console.print(table)
    console.print("Fleets: " + ", ".join(bundled_fleets()))
    return 0


def port_map_table(fleet: Fleet) -> Table:
    table = Table(title="Simulated devices", title_justify="left")
    for column in ("address", "profile", "sold as", "model", "services"):
        table.add_column(column)
    for d in fleet:
        services = " ".join(f"{name}:{port}" for name, port in d.ports.items())
        table.add_row(d.address, d.profile.id, d.profile.identity.brand, d.profile.identity.model, services)
    return table


def cmd_up(args: argparse.Namespace, console: Console) -> int:
    from device_simulators.runtime.device import is_privileged
    from device_simulators.runtime.fleet import Fleet

    fleet = Fleet(selected_profiles(args), args.base_address, log_dir=args.log_dir)
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    emulator = None
    with fleet:
        console.print(port_map_table(fleet))
        if not is_privileged():
            console.print("[yellow]Not root: ports below 1024 were replaced by the free ports shown above.[/]")
        if args.phone_home:
            from device_simulators.egress.live import PhoneHomeEmulator
            emulator = PhoneHomeEmulator(fleet.devices).start()
            console.print("Phone-home emulation on: simulated internet hosts "
                          + ", ".join(sorted(set(emulator.internet.values()))))
        console.print("Running. Press Ctrl-C to stop." if args.duration is None
                      else f"Running for {args.duration:g} s.")
        try:
            stop.wait(args.duration)
        except KeyboardInterrupt:
            pass
        finally:
            if emulator is not None:
                emulator.stop()
            signal.signal(signal.SIGTERM, previous)
        total = sum(len(d.log) for d in fleet)
        console.print(f"Stopped {len(fleet)} devices after {total} requests.")
    return 0


def cmd_pcap(args: argparse.Namespace, console: Console) -> int:
    from device_simulators.egress.site import write_site_pcap

    truth = write_site_pcap(args.out, selected_profiles(args), packets=args.packets, cameras=args.cameras,
                            seed=args.seed)
    truth_path = args.out.with_name(args.out.name + ".truth.json")
    truth.write(truth_path)
    console.print(f"Wrote {args.out} and its ground truth {truth_path}.")
    return 0

