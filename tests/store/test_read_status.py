"""models.read_status: the one rule that tells "read and off" from "not read"."""

from __future__ import annotations

import pytest

from models.audit import DeviceAudit, ProbeRecord, ProtocolStatus
from models.read_status import NOT_READ, READ_STATUSES, read_status, was_read


def _audit(reachable=True, auth="ok", probes=(), protocol_status=None) -> DeviceAudit:
    return DeviceAudit(address="10.0.0.1", port=80, reachable=reachable, auth=auth,
                       probes=[ProbeRecord(p, o) for p, o in probes], protocol_status=protocol_status or {})


@pytest.mark.parametrize(("audit", "status"), [
    (_audit(reachable=False), "unreachable"),
    (_audit(probes=[("fingerprint", "ok"), ("isapi.smart-events", "ok"), ("isapi.thermal", "unsupported")]), "read"),
    (_audit(auth="not-required", probes=[("dahua.identity", "ok")]), "read"),
    (_audit(probes=[("isapi.smart-events", "ok"), ("isapi.thermal", "error")]), "partly read"),
    (_audit(probes=[("isapi.smart-events", "ok")],
            protocol_status={"onvif": ProtocolStatus("failed", "login refused")}), "partly read"),
    (_audit(auth="failed", probes=[("fingerprint", "ok"), ("isapi.identity", "auth-failed")]), "login failed"),
    (_audit(auth=None, probes=[("fingerprint", "ok"), ("onvif.identity", "auth-failed")]), "login failed"),
    (_audit(auth="locked", probes=[("isapi.identity", "locked"), ("isapi.smart-events", "skipped")]), "locked"),
    (_audit(auth=None, probes=[("fingerprint", "ok")]), "unreachable"),     # a connection, then nothing useful
    (_audit(auth="failed", probes=[("onvif.identity", "ok"), ("isapi.identity", "auth-failed")]), "partly read"),
])
def test_each_status_from_what_the_audit_recorded(audit, status):
    assert read_status(audit) == status
    assert status in READ_STATUSES and was_read(status) == (status not in NOT_READ)
