"""`camaudit egress watch --interface lo`: simulated devices phone home to simulated internet
hosts on loopback (another /24, outside --site-network) and the real CLI, run as a
subprocess, catches and stores them; Ctrl-C stops it cleanly and still stores what it saw.
Everything stays on 127.0.0.0/8."""

from __future__ import annotations

import ipaddress
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from device_simulators import Fleet, bundled_profile
from device_simulators.egress.live import PhoneHomeEmulator
from device_simulators.profile import Profile, parse_profile
from models.db import open_store
from models.egress.store import get_egress_report, list_egress_runs
from models.egress.values import EgressReport
from tests.conftest import next_base_address
from tests.egress.conftest import needs_tshark

pytestmark = [*needs_tshark, pytest.mark.skipif(os.geteuid() != 0, reason="capturing on lo needs root")]

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
UNKNOWN = "198.51.100.23"


def syn_only_camera() -> Profile:
    """An Axis camera that keeps calling a hard-coded address nobody answers (the airport case)."""
    base = bundled_profile("axis-onvif-line")
    entry = {"name": None, "address": UNKNOWN, "port": 8443, "transport": "tcp", "kind": "syn_only", "every": 30}
    return parse_profile(dict(base.raw, phone_home=[entry]), base.path)


@pytest.fixture
def fleet(start_fleet) -> Fleet:
    return start_fleet("hik-school-bullet", "hik-acusense-nvr", "dahua-wizmind-face", syn_only_camera())


def site_and_emulator(fleet: Fleet) -> tuple[ipaddress.IPv4Network, PhoneHomeEmulator]:
    """The fleet's /24 is the site (its resolver on .253); the simulated internet is another /24."""
    site = ipaddress.ip_network(f"{fleet.devices[0].address}/24", strict=False)
    internet = ipaddress.ip_network(f"{next_base_address()}/24", strict=False)
    emulator = PhoneHomeEmulator(fleet.devices, internet_base=str(internet[200]), resolver_address=str(site[253]),
                                 resolver_port=53, speedup=600)
    return site, emulator


def watch(site: ipaddress.IPv4Network, db: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "auditor.cli", "egress", "watch", "--interface", "lo",
                             "--site-network", str(site), "--db", str(db), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stored(db: Path) -> EgressReport:
    with open_store(db) as store:
        [run] = list_egress_runs(store)
        report = get_egress_report(store, run_id=run.id)
    assert report is not None and report.capture.kind == "live" and report.capture.source == "lo"
    return report


def test_watch_on_lo_catches_phone_home_traffic_and_stores_it(fleet: Fleet, tmp_path: Path):
    site, emulator = site_and_emulator(fleet)
    with emulator:
        proc = watch(site, tmp_path / "live.db", "--duration", "6")
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    assert "stored as egress run" in out
    report = stored(tmp_path / "live.db")
    with open_store(tmp_path / "live.db") as store:
        [run] = list_egress_runs(store)
    assert run.complete and run.site_networks == [str(site)]
    devices = {d.address: d for d in report.devices}
    internet = emulator.internet

    def destination(profile: str, name: str):
        dests = [x for x in devices[fleet[profile].address].destinations if x.address == internet[name]]
        assert dests, (profile, name, [x.address for x in devices[fleet[profile].address].destinations])
        return dests[0]

    for profile in ("hik-school-bullet", "hik-acusense-nvr"):
        hik = destination(profile, "litedev.hik-connect.com")
        assert hik.sni == ["litedev.hik-connect.com"] and "litedev.hik-connect.com" in hik.names
        assert hik.label == "vendor-cloud" and hik.packets_out > 0 and hik.bytes_in > 0
    mail = destination("hik-acusense-nvr", "smtp.office365.com")          # SNI after STARTTLS
    assert mail.sni == ["smtp.office365.com"] and mail.label == "unknown"
    p2p = destination("dahua-wizmind-face", "www.easy4ipcloud.com")
    assert (p2p.transport, p2p.label) == ("udp", "vendor-cloud") and p2p.names == ["www.easy4ipcloud.com"]
    airport = destination("axis-onvif-line", UNKNOWN)
    assert airport.failed_attempts >= 1 and airport.label == "unknown"    # refused (RST) on loopback
    assert any(f.id == "egress-failed-attempts" for f in devices[fleet["axis-onvif-line"].address].findings) \
        or airport.failed_attempts < 3
    everything = [d.address for d in report.devices] + [x.address for d in report.devices for x in d.destinations]
    assert all(ipaddress.ip_address(a) in LOOPBACK for a in everything)
    assert all(ipaddress.ip_address(x.address) not in site for d in report.devices for x in d.destinations)


def test_ctrl_c_stops_the_watch_cleanly_and_keeps_what_it_saw(fleet: Fleet, tmp_path: Path):
    site, emulator = site_and_emulator(fleet)
    with emulator:
        proc = watch(site, tmp_path / "stopped.db")
        assert proc.stderr is not None
        assert "capturing on lo" in proc.stderr.readline()    # dumpcap and tshark are running
        time.sleep(3)                        # let the capture see a few rounds of sessions
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    report = stored(tmp_path / "stopped.db")
    with open_store(tmp_path / "stopped.db") as store:
        [run] = list_egress_runs(store)
    assert not run.complete                  # stopped early, and says so
    nvr = next(d for d in report.devices if d.address == fleet["hik-acusense-nvr"].address)
    assert any(x.address == emulator.internet["litedev.hik-connect.com"] for x in nvr.destinations)


def test_a_ring_buffer_watch_grows_one_run_and_a_killed_one_carries_on(fleet: Fleet, tmp_path: Path):
    site, emulator = site_and_emulator(fleet)
    ring, db = tmp_path / "ring", tmp_path / "ring.db"
    args = ("--ring", str(ring), "--keep", "3", "--file-seconds", "2")
    with emulator:
        proc = watch(site, db, *args)
        assert proc.stderr is not None
        assert "capturing on lo" in proc.stderr.readline()
        assert "camaudit: analysed camaudit-watch_" in proc.stderr.readline()    # a finished file, stored
        proc.kill()                                                               # no clean stop at all
        proc.communicate(timeout=30)
        assert (ring / ".camaudit-watch.json").exists()
        proc = watch(site, db, *args, "--duration", "5")
        out, err = proc.communicate(timeout=90)
    assert proc.returncode == 0, err
    with open_store(db) as store:
        [run] = list_egress_runs(store)                                           # the same run, carried on
    assert run.complete and not (ring / ".camaudit-watch.json").exists(), run.problems
    assert len(list(ring.glob("camaudit-watch_*"))) <= 3                          # dumpcap keeps at most 3
    nvr = next(d for d in stored(db).devices if d.address == fleet["hik-acusense-nvr"].address)
    hik = [x for x in nvr.destinations if x.address == emulator.internet["litedev.hik-connect.com"]]
    assert hik and hik[0].sni == ["litedev.hik-connect.com"]
