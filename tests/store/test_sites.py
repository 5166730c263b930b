"""Sites: runs belong to a site and devices are identified within it, so two schools may both use
10.20.0.x; report, diff and the fleet filter by site. On both engines."""

from __future__ import annotations

import json

from models.db import open_store
from models.store import list_devices, list_runs, list_sites, record_device_audit, record_run_started
from tests.audit.test_cli import camaudit, write_credentials
from tui.data.fleet import load_fleet

from .builders import OPTIONS, unknown_device


def test_the_same_address_at_two_sites_is_two_devices(store):
    north = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, site="Northgate School")
    south = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, site="Southgate School")
    again = record_run_started(store, targets=["10.20.0.0/24"], options=OPTIONS, site="Northgate School")
    for run_id in (north, south, again):          # no serial, no MAC: only the address identifies it
        record_device_audit(store, run_id=run_id, audit=unknown_device())
    assert len(list_devices(store)) == 2
    (northgate,) = list_devices(store, site="Northgate School")
    assert northgate.site == "Northgate School" and northgate.latest.run_id == again
    assert [d.site for d in list_devices(store, site="Southgate School")] == ["Southgate School"]
    assert list_sites(store) == ["Northgate School", "Southgate School"]
    assert [r.id for r in list_runs(store, site="Northgate School")] == [again, north]
    assert [row.run_id for row in load_fleet(store, site="Southgate School").rows] == [south]   # the TUI's fleet
    assert len(load_fleet(store).rows) == 2


def test_a_run_without_a_site_belongs_to_default(store):
    record_run_started(store, targets=[], options=OPTIONS)
    assert [r.site for r in list_runs(store)] == ["default"]


def test_audit_report_and_diff_by_site(start_fleet, tmp_path, store_url):
    fleet = start_fleet("hik-school-bullet", "axis-onvif-line")
    creds = tmp_path / "creds.toml"
    env = write_credentials(creds, fleet)
    addresses = [d.address for d in fleet]
    for site in ("Northgate School", "Southgate School", "Northgate School"):
        done = camaudit("audit", *addresses, "--no-discover", "--credentials", str(creds), "--db", store_url,
                        "--site", site, "--json", env=env)
        assert done.returncode == 0, done.stderr
    with open_store(store_url, read_only=True) as store:
        assert len(list_devices(store)) == 4                   # the same two cameras, once per site
        assert {r.site for r in list_runs(store)} == {"Northgate School", "Southgate School"}

    south = camaudit("report", "--db", store_url, "--site", "Southgate School", "--format", "json", "--out", "-")
    assert south.returncode == 0, south.stderr
    doc = json.loads(south.stdout)
    assert doc["site"] == "Southgate School" and len(doc["devices"]) == 2
    assert doc["changes_since_previous"] is None               # Northgate's runs are not Southgate's history
    assert [(s["site"], s["run_id"]) for s in doc["sites"]] == [("Northgate School", 3), ("Southgate School", 2)]
    markdown = camaudit("report", "--db", store_url, "--format", "md", "--out", "-").stdout
    assert "### Sites" in markdown and "| Southgate School | 2 |" in markdown

    north = camaudit("diff", "--db", store_url, "--site", "Northgate School", "--json")
    assert json.loads(north.stdout)["before_run"] == 1 and json.loads(north.stdout)["after_run"] == 3
    lonely = camaudit("diff", "--db", store_url, "--site", "Southgate School")
    assert lonely.returncode == 2 and "1 complete audit run(s) of site 'Southgate School'" in lonely.stderr
    crossed = camaudit("report", "--db", store_url, "--site", "Southgate School", "--run", "1")
    assert crossed.returncode == 2 and "belongs to site 'Northgate School'" in crossed.stderr
