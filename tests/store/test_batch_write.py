"""The batched Core writer (models/batch_write.py) writes exactly the rows the one-device ORM writer
wrote (tests/store/orm_reference.py): the same audits, both ways, every row of every table compared,
whatever the batch size; and a batch is all or nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from sqlalchemy import select

from models.audit import DeviceAudit
from models.db import open_store
from models.errors import RunClosed
from models.identity import DeviceIdentity
from models.store import list_run_devices, record_device_audits, record_run_finished, record_run_started
from models.tables import TABLES
from tests.store.builders import OPTIONS, T0, dahua_nvr, hik_face_camera, unknown_device
from tests.store.orm_reference import orm_record_device_audit


def _moved(audit: DeviceAudit, address: str, **identity: object) -> DeviceAudit:
    return dataclasses.replace(audit, address=address, identity=dataclasses.replace(audit.identity, **identity))


def scenario() -> list[tuple[str, dt.datetime, list[DeviceAudit]]]:
    """Runs (site, time, audits) that walk every branch of the identity rule, several inside one batch."""
    hik = hik_face_camera()
    no_ids = _moved(hik, "10.20.0.12", serial=None, mac=None)
    return [
        ("Northgate", T0, [hik, dahua_nvr(), unknown_device(), no_ids]),
        ("Northgate", T0 + dt.timedelta(days=1), [
            _moved(hik, "10.20.0.13"),                                  # moved: matched by serial
            _moved(hik, "10.20.0.11", serial=None),                     # matched by MAC
            DeviceAudit(address="10.20.0.99", port=8080, started=T0, finished=T0),   # unreachable: keeps labels
            _moved(no_ids, "10.20.0.12", serial="SERIAL-2"),            # address match, gains a serial
            _moved(no_ids, "10.20.0.14", serial="SERIAL-2"),            # ...seen by the next audit in the batch
            _moved(hik, "10.20.0.15", serial="SERIAL-3"),               # MAC contradicted by serial: a new device
            _moved(hik, "10.20.0.16", serial="0000", mac="ff:ff:ff:ff:ff:ff"),   # placeholders: by address
            _moved(hik, "10.20.0.16", serial="0000", mac="ff:ff:ff:ff:ff:ff"),   # twice in one batch
        ]),
        ("Southgate", T0 + dt.timedelta(days=2), [hik, dataclasses.replace(dahua_nvr(), identity=DeviceIdentity())]),
    ]


def every_row(store) -> dict[str, list[dict]]:
    with store.engine.connect() as conn:
        tables = [t.__table__ for t in TABLES]
        return {t.name: [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.id))] for t in tables}


@pytest.mark.parametrize("batch", [1, 3, 100])
def test_batched_rows_equal_the_orm_writers_rows(store_url, tmp_path, monkeypatch, batch):
    expected_db = tmp_path / "orm.db"
    with open_store(expected_db) as reference, open_store(store_url) as store:
        for site, now, audits in scenario():
            ref_run = record_run_started(reference, targets=["10.20.0.0/24"], options=OPTIONS, started=now,
                                         site=site, pid=1, host="h", camaudit_version="t")
            run = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, started=now,
                                     site=site, pid=1, host="h", camaudit_version="t")
            assert ref_run == run
            ref_ids = [orm_record_device_audit(reference, run_id=ref_run, audit=a, now=now) for a in audits]
            monkeypatch.setattr("models.store._now", lambda now=now: now)
            ids = [sid for start in range(0, len(audits), batch)
                   for sid in record_device_audits(store, run_id=run, audits=audits[start:start + batch])]
            assert ids == ref_ids
        expected, got = every_row(reference), every_row(store)
    for table, rows in expected.items():
        assert got[table] == rows, table
    assert sum(len(rows) for rows in got.values()) > 150
    assert len(got["device"]) == 8          # 14 audits, 8 devices: the identity rule matched, not just inserted


def test_a_batch_is_all_or_nothing_and_refused_for_a_closed_run(store_url):
    with open_store(store_url) as store:
        run = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, site="Northgate")
        naive = dataclasses.replace(dahua_nvr(), started=dt.datetime(2026, 1, 1))    # refused before any write
        with pytest.raises(ValueError, match="naive"):
            record_device_audits(store, run_id=run, audits=[hik_face_camera(), naive])
        assert list_run_devices(store, run_id=run) == []
        record_device_audits(store, run_id=run, audits=[hik_face_camera(), dahua_nvr()])
        record_run_finished(store, run_id=run, complete=False)
        with pytest.raises(RunClosed):
            record_device_audits(store, run_id=run, audits=[unknown_device()])
        assert [a.address for a in list_run_devices(store, run_id=run)] == ["10.20.0.11", "10.20.0.50"]
