"""A device keeps one identity across runs: serial, then MAC, then address and port."""

from __future__ import annotations

import pytest

from models.db import Store
from models.store import get_device, list_devices, list_run_snapshots, record_device_audit, record_run_started
from models.tables import normalise_mac, normalise_serial

from .builders import OPTIONS, hik_face_camera, unknown_device


def device_ids(store: Store, *audits) -> list[int]:
    """Record each audit in a run of its own (as successive audits would) and return the device ids."""
    ids = []
    for audit in audits:
        run_id = record_run_started(store, targets=[], options=OPTIONS)
        snapshot_id = record_device_audit(store, run_id=run_id, audit=audit)
        ids.append(next(s.device_id for s in list_run_snapshots(store, run_id=run_id) if s.id == snapshot_id))
    return ids


def test_same_serial_is_the_same_device_after_dhcp_moved_it(store):
    first, second = device_ids(store, hik_face_camera(address="10.20.0.11"),
                               hik_face_camera(address="10.20.0.77", mac=None))
    assert first == second
    device = get_device(store, device_id=first)
    assert device is not None and device.address == "10.20.0.77" and device.mac == "44:19:b6:12:34:56"


def test_same_mac_is_the_same_device_when_no_serial_is_reported(store):
    first, second = device_ids(store, hik_face_camera(address="10.20.0.11", serial=None, mac="44:19:B6:00:00:01"),
                               hik_face_camera(address="10.20.0.12", serial="", mac="44-19-b6-00-00-01"))
    assert first == second
    assert len(list_devices(store)) == 1


def test_address_and_port_are_the_last_resort(store):
    first, second, other_port = device_ids(store, unknown_device(address="10.20.0.99", port=8080),
                                           unknown_device(address="10.20.0.99", port=8080),
                                           unknown_device(address="10.20.0.99", port=8443))
    assert first == second
    assert other_port != first


def test_a_serial_that_appears_later_joins_the_address_only_device_and_follows_it(store):
    blind = hik_face_camera(address="10.20.0.11", serial=None, mac=None)   # first audit without credentials
    first, second, moved = device_ids(store, blind, hik_face_camera(address="10.20.0.11"),
                                      hik_face_camera(address="10.20.0.200", mac=None))
    assert first == second == moved
    device = get_device(store, device_id=first)
    assert device is not None and device.serial == "DS-2CD7A46G0P-IZHS20220614AAWRG1234"


def test_a_replaced_camera_at_the_same_address_is_a_new_device(store):
    old, new = device_ids(store, hik_face_camera(serial="SERIAL-OLD", mac="44:19:b6:00:00:0a"),
                          hik_face_camera(serial="SERIAL-NEW", mac="44:19:b6:00:00:0b"))
    assert old != new
    assert len(list_devices(store)) == 2


def test_placeholder_serials_do_not_merge_different_cameras(store):
    # White-label firmware often reports an all-zero serial; the MACs tell the units apart.
    a, b = device_ids(store, hik_face_camera(address="10.20.0.31", serial="00000000", mac="44:19:b6:00:00:31"),
                      hik_face_camera(address="10.20.0.32", serial="00000000", mac="44:19:b6:00:00:32"))
    assert a != b


def test_same_serial_with_a_different_mac_is_not_merged(store):
    a, b = device_ids(store, hik_face_camera(address="10.20.0.31", serial="CLONED-1", mac="44:19:b6:00:00:31"),
                      hik_face_camera(address="10.20.0.32", serial="CLONED-1", mac="44:19:b6:00:00:32"))
    assert a != b


def test_an_audit_that_could_not_log_in_keeps_the_labels_it_could_not_read(store):
    first, second = device_ids(store, hik_face_camera(address="10.20.0.11"),
                               unknown_device(address="10.20.0.11", port=80))
    assert first == second
    device = get_device(store, device_id=first)
    assert device is not None and device.model == "iDS-2CD7A46G0/P-IZHS" and device.brand == "Annke"


@pytest.mark.parametrize(("raw", "want"), [
    ("44:19:B6:12:34:56", "44:19:b6:12:34:56"), ("44-19-b6-12-34-56", "44:19:b6:12:34:56"),
    ("4419.b612.3456", "44:19:b6:12:34:56"), ("4419B6123456", "44:19:b6:12:34:56"),
    ("00:00:00:00:00:00", None), ("ff:ff:ff:ff:ff:ff", None), ("not-a-mac", None), ("", None), (None, None)])
def test_mac_normalisation(raw, want):
    assert normalise_mac(raw) == want


@pytest.mark.parametrize(("raw", "want"), [
    (" DS-2CD2143G2 ", "DS-2CD2143G2"), ("0000000000", None), ("", None), ("unknown", None), ("N/A", None),
    (None, None)])
def test_serial_normalisation(raw, want):
    assert normalise_serial(raw) == want
