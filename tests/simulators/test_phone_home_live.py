"""Live phone-home emulation on loopback, from the simulated devices' own addresses.

Bundled profiles are started with ``start_fleet``; the simulated internet and resolver take
addresses in the same per-test /24 above the devices, so parallel workers never collide.
One test also captures on ``lo`` with tshark: what the auditor's live egress test will see.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import subprocess
import threading
import time
from collections import defaultdict
from pathlib import Path

import pytest

from device_simulators import Fleet, bundled_profile
from device_simulators.egress.live import EmulatorError, PhoneHomeEmulator
from device_simulators.profile import Profile, parse_profile

LOOPBACK = ipaddress.ip_network("127.0.0.0/8")
PROFILES = ("hik-school-bullet", "dahua-wizmind-face", "hik-acusense-nvr", "dahua-nvr")
UNKNOWN = "198.51.100.23"


def syn_only_camera() -> Profile:
    """An Axis camera that keeps calling a hard-coded address nobody answers (the airport case)."""
    base = bundled_profile("axis-onvif-line")
    entry = {"name": None, "address": UNKNOWN, "port": 8443, "transport": "tcp", "kind": "syn_only", "every": 30}
    return parse_profile(dict(base.raw, phone_home=[entry]), base.path)


def emulator_for(fleet: Fleet, **kwargs: object) -> PhoneHomeEmulator:
    """Internet hosts from .200 and the resolver on .253 of the fleet's own /24."""
    net = ipaddress.ip_network(f"{fleet.devices[0].address}/24", strict=False)
    return PhoneHomeEmulator(fleet.devices, internet_base=str(net[200]), resolver_address=str(net[253]),
                             **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def fleet(start_fleet) -> Fleet:
    return start_fleet(*PROFILES, syn_only_camera())


def run_until(emulator: PhoneHomeEmulator, done, timeout: float = 8.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done():
        time.sleep(0.05)


def every_pattern_arrived(fleet: Fleet, emulator: PhoneHomeEmulator, times: int = 1):
    def done() -> bool:
        arrived: dict[tuple[str, str, int], int] = defaultdict(int)
        for a in emulator.arrivals():
            arrived[(a.source, a.host, a.port)] += 1
        return all(arrived[(d.address, emulator.internet[p.name or p.address], p.port)] >= times
                   for d in fleet for p in d.profile.phone_home if p.kind != "syn_only")
    return done


def test_devices_resolve_and_call_their_hosts_from_their_own_addresses(fleet):
    with emulator_for(fleet, speedup=600) as emulator:
        run_until(emulator, every_pattern_arrived(fleet, emulator))
    assert set(emulator.internet.values()) == set(emulator.hosts)
    assert all(ipaddress.ip_address(a) in LOOPBACK for a in emulator.internet.values())
    lookups = {(q.source, q.name): q.answers for q in emulator.lookups}
    arrivals = defaultdict(list)
    for arrival in emulator.arrivals():
        assert ipaddress.ip_address(arrival.source) in LOOPBACK
        arrivals[(arrival.source, arrival.host, arrival.port)].append(arrival)
    for device in fleet:
        for p in device.profile.phone_home:
            host = emulator.internet[p.name or p.address]
            if p.name:
                assert lookups[(device.address, p.name)] == (host,)
            got = arrivals[(device.address, host, p.port)]
            if p.kind == "syn_only":
                assert got == []
                continue
            assert got, (device.profile.id, p)
            assert {a.kind for a in got} == {p.kind}
            assert all(a.received > 0 and a.sent > 0 for a in got)
            if p.kind == "tls":
                assert {a.sni for a in got} == {p.name}
            if p.kind == "http":
                assert {a.http_host for a in got} == {p.name}
            if p.kind == "ntp":
                assert {(a.received, a.sent) for a in got} == {(48, 48)}
    nvr = fleet["hik-acusense-nvr"]
    assert any(a.source == nvr.address and a.sni == "litedev.hik-connect.com"
               for a in emulator.arrivals("litedev.hik-connect.com"))


def test_unanswered_destinations_are_refused_on_loopback_and_repeat(fleet):
    with emulator_for(fleet, speedup=600) as emulator:
        run_until(emulator, lambda: sum(a.kind == "syn_only" for a in emulator.attempts) >= 3)
    camera = fleet["axis-onvif-line"]
    tries = [a for a in emulator.attempts if a.device == camera.profile.id]
    assert len(tries) >= 3 and {a.outcome for a in tries} == {"refused"}
    assert {a.address for a in tries} == {emulator.internet[UNKNOWN]}
    assert emulator.arrivals(UNKNOWN) == []
    assert {a.outcome for a in emulator.attempts if a.kind != "syn_only"} == {"ok"}


def test_stop_joins_every_thread_and_frees_the_addresses(fleet):
    emulator = emulator_for(fleet, speedup=600).start()
    run_until(emulator, lambda: len(emulator.arrivals()) >= 5)
    emulator.stop()
    names = {t.name for t in threading.enumerate()}
    assert not any(n.startswith(("phone-home-", "internet-")) for n in names), names
    with emulator_for(fleet, speedup=600) as again:      # same addresses and ports bind again
        run_until(again, lambda: len(again.arrivals()) >= 1)
    assert again.arrivals()


def test_only_loopback_addresses_are_accepted():
    devices = Fleet([bundled_profile(p) for p in PROFILES], "127.0.99.1").devices   # never started
    with pytest.raises(EmulatorError, match="only uses loopback"):
        PhoneHomeEmulator(devices, internet_base="10.0.0.1")
    with pytest.raises(EmulatorError, match="only uses loopback"):
        PhoneHomeEmulator(devices, resolver_address="192.168.1.53")
    emulator = PhoneHomeEmulator(devices, internet_base="127.0.99.200")
    assert "34.246.62.109" in emulator.internet and "10.0.0.1" not in emulator.internet.values()


@pytest.mark.needs_tshark
@pytest.mark.skipif(shutil.which("tshark") is None or os.geteuid() != 0,
                    reason="capturing on lo needs tshark and root")
def test_a_capture_on_lo_shows_each_device_flows(fleet, tmp_path: Path):
    net = ipaddress.ip_network(f"{fleet.devices[0].address}/24", strict=False)
    pcap = tmp_path / "lo.pcap"
    capture = subprocess.Popen(["tshark", "-n", "-i", "lo", "-f", f"net {net}", "-w", str(pcap)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert capture.stderr is not None
        for line in capture.stderr:          # tshark says so once the capture really runs
            if "Capturing on" in line:
                break
        time.sleep(0.3)                      # the filter is attached a moment after the message
        with emulator_for(fleet, speedup=600) as emulator:
            run_until(emulator, every_pattern_arrived(fleet, emulator, times=2))
        time.sleep(0.3)
    finally:
        capture.terminate()
        capture.wait(timeout=10)
    fields = ("ip.src", "ip.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.reset",
              "tls.handshake.extensions_server_name", "http.host", "dns.qry.name", "dns.a")
    out = subprocess.run(["tshark", "-n", "-r", str(pcap), "-T", "fields", "-E", "separator=|",
                          *[a for f in fields for a in ("-e", f)]],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    rows = [dict(zip(fields, line.split("|"), strict=True)) for line in out.splitlines()]
    sni = {(r["ip.src"], r["ip.dst"], r["tls.handshake.extensions_server_name"]) for r in rows}
    internet = emulator.internet
    bullet, nvr, dahua_nvr = fleet["hik-school-bullet"], fleet["hik-acusense-nvr"], fleet["dahua-nvr"]
    assert (bullet.address, internet["litedev.hik-connect.com"], "litedev.hik-connect.com") in sni
    assert (nvr.address, internet["litedev.hik-connect.com"], "litedev.hik-connect.com") in sni
    assert (nvr.address, internet["smtp.office365.com"], "smtp.office365.com") in sni      # after STARTTLS
    assert (dahua_nvr.address, internet["smtp.gmail.com"], "smtp.gmail.com") in sni
    assert any(r["http.host"] == "www.dahuaddns.com" and r["ip.src"] == dahua_nvr.address for r in rows)
    assert any(r["dns.qry.name"] == "pool.ntp.org" and r["dns.a"] == internet["pool.ntp.org"] for r in rows)
    unknown, camera = internet[UNKNOWN], fleet["axis-onvif-line"].address
    syns = [r for r in rows if (r["ip.src"], r["ip.dst"]) == (camera, unknown) and r["tcp.flags.syn"] == "1"]
    answers = [r for r in rows if r["ip.src"] == unknown]
    assert syns and answers and all(r["tcp.flags.reset"] == "1" for r in answers)   # RST, never SYN-ACK
    assert all(ipaddress.ip_address(r["ip.src"]) in LOOPBACK for r in rows)
