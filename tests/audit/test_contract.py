"""Contract: audit every bundled simulator profile and compare with its `expect` block,
feature by feature and setting by setting; prove from the request logs that the audit only
read and never risked a lockout."""

from __future__ import annotations

from collections import Counter

import pytest

from device_simulators import Fleet, Profile, bundled_profiles
from models.audit import DeviceAudit
from models.features import FEATURE_IDS, REMOTE_ACCESS_IDS
from tests.audit.helpers import audit_fleet

PROFILES = bundled_profiles()


@pytest.fixture(scope="module")
def audited(audit_site) -> dict[str, DeviceAudit]:
    return audit_site[1]


@pytest.fixture(scope="module")
def audit_site(tmp_path_factory) -> tuple[Fleet, dict[str, DeviceAudit]]:
    from tests.conftest import start_on_free_subnet

    fleet = start_on_free_subnet(PROFILES)
    try:
        audits = audit_fleet(fleet, tmp_path_factory.mktemp("contract") / "camaudit.db")
        yield fleet, {d.profile.id: audits[d.address] for d in fleet}
    finally:
        fleet.stop()


def _expected(profile: Profile, section: str, key: str) -> dict:
    block = profile.expect.get(section) or {}
    return block.get(key, block.get("default", {}))


IDENTITY_FIELDS = ("reachable", "auth", "brand", "manufacturer", "oem", "model", "device_type",
                   "firmware", "serial", "mac")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_identity_matches_expect(profile: Profile, audited):
    audit = audited[profile.id]
    got = {name: getattr(audit, name) for name in IDENTITY_FIELDS}
    want = {name: profile.expect[name] for name in IDENTITY_FIELDS if name in profile.expect}
    assert {k: got[k] for k in want} == want, audit.identity_evidence
    assert set(audit.protocols) == set(profile.expect["protocols"])


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_every_feature_matches_expect(profile: Profile, audited):
    audit = audited[profile.id]
    mismatches = {}
    for fid in FEATURE_IDS:
        want = _expected(profile, "features", fid)
        got = audit.features[fid]
        if (got.supported, got.enabled) != (want.get("supported"), want.get("enabled")):
            mismatches[fid] = {"want": want, "got": (got.supported, got.enabled), "evidence": got.evidence}
    assert not mismatches, mismatches


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_every_remote_access_setting_matches_expect(profile: Profile, audited):
    audit = audited[profile.id]
    mismatches = {}
    for rid in REMOTE_ACCESS_IDS:
        want = _expected(profile, "remote_access", rid)
        got = audit.remote_access[rid]
        if (got.enabled != want.get("enabled") or ("destination" in want and got.destination != want["destination"])
                or ("supported" in want and got.supported != want["supported"])):
            mismatches[rid] = {"want": want, "got": (got.supported, got.enabled, got.destination),
                               "evidence": got.evidence}
    assert not mismatches, mismatches


def _flow_key(flow: dict) -> tuple:
    return (flow["kind"], flow.get("destination"), flow.get("enabled"), flow.get("channel"))


@pytest.mark.parametrize("profile", [p for p in PROFILES if "data_flows" in p.expect], ids=lambda p: p.id)
def test_data_flows_match_expect(profile: Profile, audited):
    """Every flow the expect block lists, and no other (kind, destination, enabled, channel)."""
    got = sorted((_flow_key(f.to_json()) for f in audited[profile.id].data_flows), key=repr)
    want = sorted((_flow_key(f) for f in profile.expect["data_flows"]), key=repr)
    assert got == want, [f.to_json() for f in audited[profile.id].data_flows]


@pytest.mark.parametrize("profile", [p for p in PROFILES if p.expect.get("channels")], ids=lambda p: p.id)
def test_nvr_channels_match_expect(profile: Profile, audited):
    audit = audited[profile.id]
    for channel, features in profile.expect["channels"].items():
        verdicts = audit.channels.get(int(channel), {})
        for fid, want in features.items():
            got = verdicts.get(fid)
            assert got is not None, f"channel {channel} has no verdict for {fid}"
            assert (got.supported, got.enabled) == (want["supported"], want["enabled"]), (channel, fid, got.evidence)


@pytest.mark.parametrize("profile", [p for p in PROFILES if "services" in p.expect], ids=lambda p: p.id)
def test_exposure_readings_match_expect(profile: Profile, audited):
    """UPnP mappings, accounts, lockout, open RTSP, certificate, clock: as the profile's expect says,
    null (the device did not say) kept apart from false."""
    services = audited[profile.id].services
    want = profile.expect["services"]
    assert {key: services.get(key, "<not read>") for key in want} == want


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_evidence_backs_every_known_answer(profile: Profile, audited):
    audit = audited[profile.id]
    for fid, verdict in audit.features.items():
        if verdict.supported is not None:
            assert verdict.evidence, f"{fid} is {verdict.supported} without evidence"


def test_audit_only_reads(audit_site):
    fleet, _ = audit_site
    for device in fleet:
        assert device.log.writes() == [], device.profile.id
        methods = Counter(e.method for e in device.log)
        # DESCRIBE: rtsp.describe asks the stream's description, as a player does first (no media, no SETUP).
        assert set(methods) <= {"GET", "POST", "UDP", "TCP", "DESCRIBE"}, (device.profile.id, methods)
        assert {e.protocol for e in device.log.entries(lambda e: e.method == "DESCRIBE")} <= {"rtsp"}
        for entry in device.log.entries(lambda e: e.method == "POST"):
            assert entry.action and entry.action.startswith("Get"), (device.profile.id, entry)


def test_no_account_gets_more_than_one_failed_login(audit_site):
    fleet, _ = audit_site
    for device in fleet:
        per_user = Counter(e.user for e in device.log.failed_logins())
        assert all(n <= 1 for n in per_user.values()), (device.profile.id, per_user)


def test_no_intrusive_check_runs_unless_asked(audit_site):
    _, audits = audit_site
    for pid, audit in audits.items():
        assert "default_credentials" not in audit.services, pid
        assert not [r for r in audit.probes if r.probe.endswith("default-credentials")], pid


def test_no_password_reaches_the_audit(audit_site):
    fleet, audits = audit_site
    for device in fleet:
        text = repr(audits[device.profile.id].to_json())
        secrets = [a.password for a in device.profile.accounts]
        secrets += [str(s.get("password")) for s in device.profile.remote_access.values() if s.get("password")]
        secrets += [str(f["password"]) for flows in device.profile.data_flows.values() if isinstance(flows, list)
                    for f in flows if f.get("password")]
        for secret in secrets:
            assert secret not in text, (device.profile.id, "leaks a password")


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_expected_findings_are_raised(profile: Profile, audited):
    got = {f.id for f in audited[profile.id].findings}
    assert set(profile.expect.get("findings") or []) <= got, got
    assert not set(profile.expect.get("findings_absent") or []) & got, got


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_protocols_that_answered_without_a_login_are_listed(profile: Profile, audited):
    answered = set(audited[profile.id].services["answered_without_login"])
    discovery = {"ws_discovery", "sadp", "dhip"} & set(profile.protocols)
    assert discovery <= answered
    apis = {"isapi", "dahua_cgi", "onvif"} & set(profile.protocols)
    if profile.auth_scheme == "none":
        assert apis <= answered            # a device with no password answers every API it has
    else:
        assert not (apis & answered)       # protected APIs never answered without a login


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.id)
def test_protocol_status_says_for_every_family_whether_it_was_probed(profile: Profile, audited):
    status = audited[profile.id].protocol_status
    assert set(status) == {"isapi", "dahua_cgi", "onvif"}
    assert all(st.state in ("probed", "not-tried", "failed") and st.reason for st in status.values()), status
    for family in {"isapi", "dahua_cgi", "onvif"} & set(profile.protocols):
        assert status[family].state == "probed", (family, status[family])     # a family it speaks is probed
    want = profile.expect.get("protocol_status") or {}
    assert {f: status[f].state for f in want} == want, status
