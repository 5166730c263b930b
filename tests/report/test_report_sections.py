"""Every section of the report built from two real audits of simulated fleets (see site.py)."""

from __future__ import annotations

from device_simulators import bundled_profile
from models.features import BIOMETRIC_FEATURES, FEATURE_IDS, REMOTE_ACCESS_IDS
from models.store import list_run_devices

from .expect import biometric_states, expected, readable, remote_states
from .site import HOSTILE_NAME, NEW_FIRMWARE, WRONG_PASSWORD


def _section(report, address):
    return next(d for d in report.devices if d.audit.address == address)


# ---- scope and method -------------------------------------------------------------------------

def test_scope_names_the_run_its_targets_and_versions(report, site):
    s = report.scope
    assert (s.run_id, s.previous_run_id) == (site.run2, site.run1)
    assert s.complete and s.finished is not None and s.finished >= s.started
    assert set(s.targets) == set(site.addresses.values()) | {site.dead}
    assert s.camaudit_version == s.report_version == "0.1.0"
    assert (s.devices, s.reachable, s.targets_planned) == (9, 8, 9)
    assert s.options["intrusive"] is False


def test_unreachable_and_login_failed_devices_are_listed_with_reasons_not_dropped(report, site):
    listed = {n.address: n for n in report.scope.not_audited}
    assert set(listed) == {site.dead, site.addresses[WRONG_PASSWORD]}
    assert listed[site.dead].status == "unreachable"
    assert f"no answer from {site.dead}:80" in listed[site.dead].reasons
    failed = listed[site.addresses[WRONG_PASSWORD]]
    assert failed.status == "login failed" and any("auth-failed" in r for r in failed.reasons)
    assert report.scope.fully_read + len(report.scope.partial) + len(report.scope.not_audited) == 9
    # every device of the run has its own section, the unreadable ones included
    assert {d.audit.address for d in report.devices} == set(site.addresses.values()) | {site.dead}


def test_probe_tallies_count_every_probe_outcome(report, site_store, site):
    audits = list_run_devices(site_store, run_id=site.run2)
    tallies = {t.probe: t.outcomes for t in report.scope.probes}
    assert sum(tallies["fingerprint"].values()) == 9
    assert sum(sum(o.values()) for o in tallies.values()) == sum(len(a.probes) for a in audits)
    assert any(o.get("auth-failed") for o in tallies.values())      # the wrong password shows up
    assert report.scope.protocols["dahua_cgi"] == 4                 # wizmind, honeywell, depot NVR, amcrest


# ---- executive summary ------------------------------------------------------------------------

def test_summary_counts_and_percentages_follow_the_profiles(report, site):
    m = report.summary
    assert m.devices == 9
    assert m.reachable.text() == "8 of 9 (89%)"
    assert m.logged_in.text() == "7 of 9 (78%)"
    bio = biometric_states(site)
    # (3, 4): ISAPI capability silence no longer says "no" to emotion, masks and other flagless analytics.
    assert (m.biometric_active.count, m.biometric_unknown.count) == (bio.count(True), bio.count(None)) == (3, 4)
    assert m.biometric_active.text() == "3 of 9 (33%)"
    remote = remote_states(site)
    assert m.remote_enabled.count == remote.count(True)
    assert m.remote_unknown.count == remote.count(None) + 2          # + wrong password, + unreachable
    assert sum(m.findings_by_severity.values()) == sum(len(d.findings) for d in report.devices)


def test_makers_are_true_makers_with_rebadged_brands(report):
    makers = {r.manufacturer: r for r in report.summary.makers}
    assert makers["Dahua"].devices.text() == "4 of 9 (44%)"
    assert (makers["Dahua"].rebadged, makers["Dahua"].sold_as) == (2, ["Amcrest", "Honeywell"])
    assert (makers["Hikvision"].rebadged, makers["Hikvision"].sold_as) == (2, ["EZVIZ", "TruVision"])
    assert makers["unknown"].devices.count == 1                       # the address that never answered
    assert report.summary.rebadged.text() == "4 of 9 (44%)"


def test_each_analytics_class_and_feature_is_counted_from_the_matrices(report, site):
    classes = {c.group: c for c in report.summary.classes}
    assert classes["biometric"].enabled.count == report.summary.biometric_active.count
    perimeter = ("intrusion", "line_crossing", "region_entrance", "region_exiting")
    on = [p for p in readable(site) if any(expected(p, "features", f).get("enabled") for f in perimeter)]
    assert classes["perimeter"].enabled.count == len(on)
    features = {f.feature: f for f in report.summary.features}
    assert set(features) == set(FEATURE_IDS)
    for fid in ("face_recognition", "face_capture", "motion_detection"):
        truth = [expected(p, "features", fid).get("enabled") for p in readable(site)]
        assert features[fid].enabled.count == truth.count(True), fid
        assert features[fid].enabled_unknown.count == truth.count(None) + 2, fid


def test_egress_is_reported_as_absent_not_as_zero(report):
    assert report.egress.available is False
    assert "No egress analysis in this database" in report.egress.note
    assert report.summary.egress_unknown is None
    assert all(d.egress is None for d in report.devices)


# ---- per device -------------------------------------------------------------------------------

def test_each_device_matrix_has_27_features_matching_the_profile(report, site):
    for profile in readable(site):
        d = _section(report, site.addresses[profile.id])
        assert [c.feature for c in d.features] == list(FEATURE_IDS)
        for cell in d.features:
            truth = expected(profile, "features", cell.feature)
            assert (cell.supported, cell.enabled) == (truth.get("supported"), truth.get("enabled")), \
                (profile.id, cell.feature)


def test_unknowns_stay_unknown_for_a_device_that_refused_the_login(report, site):
    d = _section(report, site.addresses[WRONG_PASSWORD])
    assert d.status == "login failed"
    assert all(c.enabled is None for c in d.features)
    assert d.audit.manufacturer == "Hikvision" and d.audit.brand == "TruVision"   # read without logging in
    dead = _section(report, site.dead)
    assert dead.status == "unreachable" and all(c.supported is None and c.enabled is None for c in dead.features)


def test_nvr_channels_are_shown_per_channel(report, site):
    profile = site.profiles["hik-acusense-nvr"]
    d = _section(report, site.addresses[profile.id])
    rows = {r.channel: r for r in d.channels}
    assert set(rows) == {int(ch) for ch in profile.expect["channels"]}
    for ch, verdicts in profile.expect["channels"].items():
        on = sorted(f for f, v in verdicts.items() if v.get("enabled") is True)
        labels = {c.feature: c.label for c in d.features}
        assert sorted(rows[int(ch)].enabled) == sorted(labels[f] for f in on), ch
    assert rows[5].enabled == [] and "Motion detection" in rows[5].unknown   # camera offline: unknown, not off


def test_remote_access_and_findings_with_recommended_actions(report, site):
    for profile in readable(site):
        d = _section(report, site.addresses[profile.id])
        remote = {r.kind: r for r in d.remote}
        assert list(remote) == list(REMOTE_ACCESS_IDS)
        for rid in REMOTE_ACCESS_IDS:
            assert remote[rid].enabled == expected(profile, "remote_access", rid).get("enabled"), (profile.id, rid)
        ids = {f.id for f in d.findings}
        assert set(profile.expect.get("findings", [])) <= ids, profile.id
        assert all(f.recommendation for f in d.findings if f.severity != "info"), profile.id
    nvr = _section(report, site.addresses["hik-acusense-nvr"])
    recognition = next(f for f in nvr.findings if f.id == "face-recognition-enabled")
    assert recognition.severity == "critical" and "Article 9" in recognition.recommendation


def test_identity_and_oem_evidence_per_device(report, site):
    honeywell = _section(report, site.addresses["honeywell-dahua-oem"])
    assert (honeywell.audit.brand, honeywell.audit.manufacturer, honeywell.audit.oem) == ("Honeywell", "Dahua", True)
    assert honeywell.audit.firmware == NEW_FIRMWARE
    assert any(e.startswith("made by Dahua") for e in honeywell.audit.identity_evidence)
    assert _section(report, site.addresses["dahua-nvr"]).audit.name == HOSTILE_NAME


# ---- changes since the previous audit ---------------------------------------------------------

def _changes(report, kind):
    return [c for c in report.drift.changes if c.kind == kind]


def test_changes_since_the_previous_audit(report, site):
    d = report.drift
    assert (d.before_run, d.after_run, d.egress_compared) == (site.run1, site.run2, False)
    on = {(c.kind, c.subject) for c in d.relevant}
    assert on == {("feature-on", "face_capture"), ("remote-on", "dahua_p2p"), ("device-added", "device")}
    added = {c.device: c for c in _changes(report, "device-added")}
    assert [c.relevant for c in added.values()].count(True) == 1        # EZVIZ; the silent address is not
    assert any("Reception cam" in name for name, c in added.items() if c.relevant)
    removed = _changes(report, "device-removed")
    assert [(c.before, c.relevant) for c in removed] == [(bundled_profile("axis-onvif-line").identity.model, False)]
    firmware = {c.subject: (c.before, c.after) for c in _changes(report, "firmware")}
    assert firmware["firmware"] == ("2.622.0000000.31.R", NEW_FIRMWARE)
    renamed = next(c for c in _changes(report, "identity") if c.subject == "name")
    assert (renamed.before, renamed.after) == ("Depot NVR", HOSTILE_NAME)


def test_a_failed_login_makes_verdicts_unknown_not_switched_off(report, site):
    truvision = [c for c in report.drift.changes if "Outpatients" in c.device]
    kinds = {c.kind for c in truvision}
    assert "feature-off" not in kinds and "finding-resolved" not in kinds
    assert {c.subject for c in truvision if c.kind == "feature-unknown"} >= {"thermal_screening", "face_detection"}
    assert any(c.kind == "finding-not-checked" and c.subject == "cve-2021-36260" for c in truvision)
    assert not any(c.relevant for c in truvision)


def test_biometric_features_are_flagged_in_the_matrix(report):
    cells = report.devices[0].features
    assert {c.feature for c in cells if c.biometric} == BIOMETRIC_FEATURES


def test_appendix_explains_every_feature_and_the_guidance(report):
    a = report.appendix
    assert [f["id"] for f in a["features"]] == list(FEATURE_IDS)
    assert all(f["meaning"] and f["why"] for f in a["features"])
    recognition = next(f for f in a["features"] if f["id"] == "face_recognition")
    assert "Article 9" in recognition["why"] and "special-category" in recognition["why"]
    titles = " ".join(g["title"] for g in a["guidance"])
    assert "ICO" in titles and "Article 9" in titles and "Article 35" in titles
    assert any("ico.org.uk" in g["text"] for g in a["guidance"])
    assert [r["id"] for r in a["remote_access"]] == list(REMOTE_ACCESS_IDS)
