"""The reads and rows the report and the TUI share (models/views.py), and identity's one conversion
to and from snapshot columns (models/tables.py)."""

from __future__ import annotations

import dataclasses

from models.audit import FeatureVerdict, RemoteAccessVerdict
from models.features import FEATURE_IDS, REMOTE_ACCESS_IDS
from models.store import list_run_snapshots, record_device_audit, record_run_started
from models.tables import DeviceSnapshot, identity_columns, snapshot_identity
from models.views import (
    NO,
    ON,
    SUPPORTED,
    UNKNOWN,
    channel_states,
    data_flow_rows,
    feature_matrix,
    feature_state,
    get_run_state,
    remote_access_rows,
)

from .builders import OPTIONS, T0, dahua_nvr, hik_face_camera, unknown_device


def test_identity_survives_the_snapshot_columns_field_for_field():
    identity = hik_face_camera().identity
    row = DeviceSnapshot(run_id=1, device_id=1, recorded=T0,
                         address="10.20.0.11", port=80, **identity_columns(identity))
    assert snapshot_identity(row, row.identity_evidence) == identity
    assert snapshot_identity(row).evidence == ()            # a summary row has no evidence column


def test_feature_state_keeps_unknown_apart_from_no_and_off():
    assert feature_state(FeatureVerdict(True, True)) == ON
    assert feature_state(FeatureVerdict(None, True)) == ON                 # on is on, whatever the flags said
    assert feature_state(FeatureVerdict(False, None)) == NO
    assert feature_state(FeatureVerdict(True, False)) == SUPPORTED         # the firmware has it, switched off
    assert feature_state(FeatureVerdict(None, False)) == UNKNOWN           # off, but not known to exist
    assert feature_state(FeatureVerdict(True, None)) == UNKNOWN
    assert feature_state(None) == UNKNOWN


def test_the_matrix_lists_every_feature_and_the_channels_where_it_is_on():
    nvr = dahua_nvr()
    del nvr.features["face_recognition"]                                    # a verdict the audit lacks
    rows = feature_matrix(nvr)
    assert [r.info.id for r in rows] == list(FEATURE_IDS)
    face = next(r for r in rows if r.info.id == "face_recognition")
    assert face.verdict == FeatureVerdict() and face.state == UNKNOWN and face.channels_on == (1,)
    assert [(info.id, state) for info, state in channel_states(nvr.channels[2])] == [
        ("intrusion", UNKNOWN), ("line_crossing", SUPPORTED)]              # taxonomy order, not the device's
    assert channel_states(nvr.channels[16]) == []


def test_remote_rows_cover_every_kind_and_say_supported_unknown_apart_from_off():
    cam = hik_face_camera()
    cam.remote_access["isup"] = RemoteAccessVerdict(False, None, [], False)
    del cam.remote_access["email"]
    rows = {r.kind: r for r in remote_access_rows(cam)}
    assert list(rows) == list(REMOTE_ACCESS_IDS)
    assert rows["hik_connect"].state == "on" and rows["hik_connect"].destination == "litedev.hik-connect.com"
    assert rows["upnp"].state == "off"
    assert rows["ddns"].state == "supported, state unknown"
    assert rows["isup"].state == "not supported"
    assert rows["email"].state == "unknown" and rows["email"].evidence == ()


def test_data_flows_come_on_first_then_unknown_then_off():
    cam = hik_face_camera()
    cam.data_flows.append(dataclasses.replace(cam.data_flows[0], kind="nas", enabled=False))
    rows = data_flow_rows(cam)
    assert [r.enabled for r in rows] == [True, None, False]
    assert rows[1].detail == "stream 101 (channel 1)"


def test_get_run_state_pairs_each_audit_with_its_own_device(store):
    run_id = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS)
    for audit in (hik_face_camera(), unknown_device(), dahua_nvr()):
        record_device_audit(store, run_id=run_id, audit=audit)
    state = get_run_state(store, run_id=run_id)
    assert state is not None and state.run_id == run_id
    by_device = {s.device_id: s.address for s in list_run_snapshots(store, run_id=run_id)}
    assert {did: a.address for did, a in state.devices.items()} == by_device
    assert get_run_state(store, run_id=run_id + 1) is None
