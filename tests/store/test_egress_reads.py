"""The shared egress reads (models.egress.reads): one rule for "a device's egress" used by the
report and the TUI, and the narrow settings read egress judgement uses instead of whole audits."""

from __future__ import annotations

import dataclasses
import datetime as dt

from models.audit import DataFlow
from models.egress.reads import get_device_egress, get_latest_settings, list_latest_egress
from models.egress.store import (
    record_egress_device,
    record_egress_run_finished,
    record_egress_run_started,
    replace_egress_devices,
)
from models.egress.values import EgressCapture, EgressDestination, EgressDevice
from models.store import get_latest_audit, list_devices, record_device_audit, record_run_started

from .builders import OPTIONS, dahua_nvr, hik_face_camera

T = dt.datetime(2026, 11, 21, 8, 0, tzinfo=dt.UTC)


def _dest(address: str, label: str = "unknown") -> EgressDestination:
    return EgressDestination(address=address, port=443, transport="tcp", label=label, country=None, packets_out=3,
                             packets_in=2, bytes_out=300, bytes_in=200, first_seen=T, last_seen=T, names=["x.example"])


def _egress_run(store, devices: list[EgressDevice], started: dt.datetime) -> int:
    run_id = record_egress_run_started(store, kind="file", source="c.pcap", site_networks=["10.0.0.0/8"],
                                       started=started)
    for device in devices:
        record_egress_device(store, run_id=run_id, device=device)
    record_egress_run_finished(store, run_id=run_id, capture=EgressCapture("file", "c.pcap", 1, 1, T, T),
                               complete=True, finished=started)
    return run_id


def test_a_device_keeps_its_latest_capture_however_many_runs_ago_it_was(store):
    camera = hik_face_camera()
    record_device_audit(store, run_id=record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS),
                        audit=camera)
    [device] = list_devices(store)
    seen = _egress_run(store, [EgressDevice(camera.address, camera.mac, [_dest("203.0.113.7")])], T)
    for n in range(25):    # the TUI used to look back 20 egress runs only
        _egress_run(store, [EgressDevice("10.20.0.200", None, [_dest("198.51.100.9", "allowed")])],
                    T + dt.timedelta(minutes=n + 1))
    found = get_device_egress(store, device_id=device.id)
    assert found is not None and found.run.id == seen
    assert [d.address for d in found.device.destinations] == ["203.0.113.7"]
    latest = list_latest_egress(store)
    assert [(c.device.device_id, c.device.address) for c in latest] == [(None, "10.20.0.200"),
                                                                        (device.id, camera.address)]
    assert latest[-1].run.id == seen and latest[0].run.id == seen + 25


def test_the_report_bound_keeps_an_older_audit_to_the_captures_of_its_time(store):
    camera = hik_face_camera()
    record_device_audit(store, run_id=record_run_started(store, targets=["x"], options=OPTIONS), audit=camera)
    [device] = list_devices(store)
    first = _egress_run(store, [EgressDevice(camera.address, camera.mac, [_dest("203.0.113.7")])], T)
    _egress_run(store, [EgressDevice(camera.address, camera.mac, [_dest("203.0.113.8")])], T + dt.timedelta(days=1))
    bounded = get_device_egress(store, device_id=device.id, before=T + dt.timedelta(hours=1))
    assert bounded is not None and bounded.run.id == first
    assert get_device_egress(store, device_id=device.id, before=T) is None
    assert get_device_egress(store, device_id=device.id + 1) is None


def test_the_latest_run_wins_even_when_an_older_growing_run_rewrote_its_rows_later(store):
    camera = hik_face_camera()
    record_device_audit(store, run_id=record_run_started(store, targets=["x"], options=OPTIONS), audit=camera)
    [device] = list_devices(store)
    watch = record_egress_run_started(store, kind="live", source="eth0", site_networks=["10.0.0.0/8"], started=T)
    later = _egress_run(store, [EgressDevice(camera.address, camera.mac, [_dest("203.0.113.8")])],
                        T + dt.timedelta(hours=1))
    replace_egress_devices(store, run_id=watch, devices=[EgressDevice(camera.address, camera.mac,
                                                                      [_dest("203.0.113.7")])])   # rows newer now
    found = get_device_egress(store, device_id=device.id)
    assert found is not None and found.run.id == later and found.device.destinations[0].address == "203.0.113.8"
    assert [c.run.id for c in list_latest_egress(store)] == [later]


def test_settings_come_from_the_latest_audit_of_that_mac_else_of_that_address(store):
    run_id = record_run_started(store, targets=["x"], options=OPTIONS)
    camera = dataclasses.replace(hik_face_camera(), data_flows=[DataFlow("nas", True, "10.60.0.30", "SMB")])
    record_device_audit(store, run_id=run_id, audit=camera)
    record_device_audit(store, run_id=run_id, audit=dahua_nvr())
    by_mac = get_latest_settings(store, address="10.99.0.1", mac=camera.mac.upper())   # moved: DHCP
    full = get_latest_audit(store, mac=camera.mac)
    assert by_mac is not None and full is not None
    assert by_mac.remote_access == full.remote_access and by_mac.data_flows == full.data_flows
    assert by_mac.data_flows[0].destination == "10.60.0.30"
    by_address = get_latest_settings(store, address="10.20.0.50", mac="00:11:22:33:44:55")   # MAC never audited
    assert by_address is not None and by_address.remote_access == get_latest_audit(
        store, address="10.20.0.50").remote_access
    assert get_latest_settings(store, address="10.20.0.77") is None
