"""The Device screen's identity panel lists each API family with its status and reason."""

from __future__ import annotations

from models.db import open_store
from models.store import list_devices
from tui.data.device import load_device
from tui.widgets.device_panels import identity_text


def test_identity_panel_has_one_line_per_family(school_db):
    with open_store(school_db) as store:
        views = [load_device(store, d.id) for d in list_devices(store)]
    view = next(v for v in views if v is not None and v.audit.protocol_status)
    shown = identity_text(view).plain
    for family, st in view.audit.protocol_status.items():
        assert f"{family}" in shown and f"{st.state} ({st.reason})" in shown
    assert 'probed (realm "IP Camera(12345678)")' in shown
