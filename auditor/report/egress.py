"""The egress part of a report: external destinations per device, read from the store.

Egress results come from `camaudit egress analyze|watch` (issue 4) and are stored by
`models.egress`, which is being built in parallel. This module is the only place the report
reads them, so wiring that module in touches nothing else. Until egress results exist in the
database, every report says so plainly ("no egress analysis in this database") and the
summary's "unknown egress" figure is left out rather than shown as zero.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping

from auditor.report.model import DeviceEgress, EgressStatus
from models.audit import DeviceAudit
from models.db import Store
from models.tables import AuditRunPublic

NO_EGRESS = ("No egress analysis in this database: camaudit has not watched this site's traffic, so the "
             "report cannot say which external servers the devices talk to. Run camaudit egress analyze "
             "on a capture (or camaudit egress watch) and build the report again.")


def _egress_store() -> object | None:
    """The egress store module, or None while it does not exist in this camaudit."""
    try:
        return importlib.import_module("models.egress")
    except ModuleNotFoundError as exc:
        if exc.name != "models.egress":
            raise
        return None


def load_egress(store: Store, *, run: AuditRunPublic,
                devices: Mapping[int, DeviceAudit]) -> tuple[EgressStatus, dict[int, DeviceEgress]]:
    """Egress results for `devices` (by store device id) as of `run`, and what they cover.

    Returns an empty mapping and a status saying why when there is nothing to show.
    """
    module = _egress_store()
    if module is None:
        return EgressStatus(False, NO_EGRESS), {}
    # models.egress exists but its read functions are not wired here yet: say so, show no data.
    return EgressStatus(False, NO_EGRESS), {}
