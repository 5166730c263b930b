"""Another collector, as a separate process: `python -m tests.tui.foreign_writer DB ADDRESS [SITE]`.

It starts an audit run in the store at DB, records one Hikvision camera at ADDRESS, says
`started RUN_ID` on stdout and then waits, alive and with its run unfinished (so readers see it
running), until a line arrives on stdin; then it closes the run and says `finished RUN_ID`.
The TUI tests drive it to prove an open app notices what other processes write.
"""

from __future__ import annotations

import sys

from models.db import open_store
from models.store import record_device_audit, record_run_finished, record_run_started
from models.tables import DEFAULT_SITE, RunOptions
from tests.store.builders import hik_face_camera

SERIAL = "DS-2CD7A46G0P-IZHS20220614AAWRG7777"   # a camera the school site has not seen
MAC = "44:19:b6:77:77:77"


def main(db: str, address: str, site: str = DEFAULT_SITE) -> None:
    with open_store(db) as store:
        run_id = record_run_started(store, targets=[address], site=site,
                                    options=RunOptions(concurrency=1, timeout_s=6.0, target_count=1))
        record_device_audit(store, run_id=run_id, audit=hik_face_camera(address=address, serial=SERIAL, mac=MAC))
        print(f"started {run_id}", flush=True)
        sys.stdin.readline()
        record_run_finished(store, run_id=run_id, complete=True)
        print(f"finished {run_id}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
