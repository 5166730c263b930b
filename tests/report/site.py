"""Two real audits of simulated fleets into one SQLite file, with a change between them.

Run 1: eight bundled devices; the school bullet camera has face capture switched off.
Run 2 (a month of changes later):
- school bullet: face capture switched on (the bundled profile)                 -> relevant
- Honeywell (Dahua OEM): firmware updated and Dahua P2P cloud switched on        -> relevant
- EZVIZ consumer camera: new on the site, Hik-Connect and UPnP on                 -> relevant
- Axis: gone
- TruVision thermal: the audit account's password no longer works (login failed: everything unknown)
- Dahua depot NVR: an operator typed a hostile name (script tag, spreadsheet formula)
- one address in scope answers nothing (unreachable, must still be listed)
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.run.orchestrator import AuditOptions, run_audit
from auditor.run.scope import plan_targets
from device_simulators import Profile, bundled_profile
from device_simulators.profile import parse_profile
from models.db import open_store
from tests.audit.helpers import credentials_for
from tests.conftest import start_on_free_subnet

HOSTILE_NAME = '=HYPERLINK("http://evil.invalid")<script>alert("pwned")</script>'
WRONG_PASSWORD = "truvision-thermal-oem"
NEW_FIRMWARE = "2.800.0000000.8.R"


def variant(profile_id: str, change: Callable[[dict[str, Any]], None]) -> Profile:
    """A bundled profile with its YAML data changed, as a site's real device changes."""
    base = bundled_profile(profile_id)
    raw = copy.deepcopy(base.raw)
    change(raw)
    return parse_profile(raw, base.path)


# Each change updates the profile's `expect` block too, so the tests' ground truth stays the profile.
def _face_capture_off(raw: dict[str, Any]) -> None:
    raw["isapi"]["channels"][0]["events"]["faceSnap"]["enabled"] = False
    raw["expect"]["features"]["face_capture"] = {"supported": True, "enabled": False}
    raw["expect"]["findings"] = [f for f in raw["expect"]["findings"] if f != "face-images-leave-device"]


def _firmware_and_p2p(raw: dict[str, Any]) -> None:
    raw["identity"]["firmware"] = raw["expect"]["firmware"] = NEW_FIRMWARE
    raw["identity"]["build_date"] = "2023-05-10"     # after Dahua's CVE-2021-33044 fix
    raw["remote_access"]["dahua_p2p"]["enabled"] = True
    raw["expect"]["remote_access"]["dahua_p2p"] = {"enabled": True, "destination": None}
    raw["expect"]["findings"] = ["oem-rebadged", "dahua-p2p-enabled"]


def _hostile_name(raw: dict[str, Any]) -> None:
    raw["identity"]["name"] = HOSTILE_NAME


def run1_profiles() -> list[Profile]:
    return [variant("hik-school-bullet", _face_capture_off), bundled_profile("hik-acusense-nvr"),
            bundled_profile("dahua-wizmind-face"), bundled_profile("honeywell-dahua-oem"),
            bundled_profile("truvision-thermal-oem"), bundled_profile("axis-onvif-line"),
            bundled_profile("dahua-nvr"), bundled_profile("amcrest-no-password")]


def run2_profiles() -> list[Profile]:
    return [bundled_profile("hik-school-bullet"), bundled_profile("hik-acusense-nvr"),
            bundled_profile("dahua-wizmind-face"), variant("honeywell-dahua-oem", _firmware_and_p2p),
            bundled_profile("truvision-thermal-oem"), variant("dahua-nvr", _hostile_name),
            bundled_profile("amcrest-no-password"), bundled_profile("ezviz-consumer")]


@dataclass
class AuditedSite:
    db: Path
    run1: int
    run2: int
    profiles: dict[str, Profile] = field(repr=False)              # run 2's profiles by id
    addresses: dict[str, str] = field(default_factory=dict)       # run 2: profile id -> address
    dead: str = ""                                                # run 2's address that answers nothing


def audit_profiles(profiles: list[Profile], db: Path, *, wrong: set[str] = frozenset(),
                   dead_address: bool = False) -> tuple[int, dict[str, str], str]:
    """Start the fleet, audit it into `db` as `camaudit audit` does, stop it; (run id, addresses, dead)."""
    fleet = start_on_free_subnet(profiles)
    try:
        scope = [d.address for d in fleet]
        targets = plan_targets(scope)
        dead = ""
        if dead_address:   # given explicitly, as a DPO lists a camera that is switched off
            dead = scope[0].rsplit(".", 1)[0] + ".200"
            targets += plan_targets([dead], discover=False)
            scope.append(dead)
        with open_store(db) as store:
            outcome = run_audit(store, targets, credentials_for(fleet, wrong=set(wrong)), scope=scope,
                                options=AuditOptions(concurrency=8))
        assert outcome.complete
        return outcome.run_id, {d.profile.id: d.address for d in fleet}, dead
    finally:
        fleet.stop()


def audit_site(db: Path) -> AuditedSite:
    run1, _, _ = audit_profiles(run1_profiles(), db)
    profiles = run2_profiles()
    run2, addresses, dead = audit_profiles(profiles, db, wrong={WRONG_PASSWORD}, dead_address=True)
    return AuditedSite(db, run1, run2, {p.id: p for p in profiles}, addresses, dead)
