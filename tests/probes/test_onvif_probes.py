"""Contract: the ONVIF probes against every bundled ONVIF profile, over loopback.

Expectations come from each profile's `onvif:` section and identity; the device's request log
shows what went over the wire (only Get*, never CreatePullPointSubscription, one failed login).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from device_simulators import Profile, bundled_profile, bundled_profiles
from device_simulators.profile import Quirk
from probes.base import (
    Coverage,
    FeatureObservation,
    IdentitySignal,
    Observation,
    RemoteAccessObservation,
    ServiceObservation,
    Target,
)
from probes.context import ProbeContext, ProbeSettings
from probes.errors import CredentialsRejected, NotSupported
from probes.login import Credentials, LoginState
from probes.onvif import PROBES
from probes.onvif._operations import OPERATIONS, NotARead
from probes.onvif.client import client_for

ONVIF_PROFILES = [p for p in bundled_profiles() if p.speaks("onvif")]


def onvif_only(profile: Profile | str) -> Profile:
    """Only the ONVIF server listens (other families have their own tests; fewer listeners start faster)."""
    profile = bundled_profile(profile) if isinstance(profile, str) else profile
    return replace(profile, protocols=frozenset({"onvif"}))


def context(device, accounts: list[Credentials] | None = None, login: LoginState | None = None,
            **target: object) -> ProbeContext:
    if login is None:
        if accounts is None:
            accounts = [Credentials(a.user, a.password) for a in device.profile.accounts]
        login = LoginState(accounts)
    return ProbeContext(Target(device.address, device.ports["http"], **target), login, ProbeSettings())


def run_all(ctx: ProbeContext) -> tuple[list[Observation], dict[str, Exception]]:
    found: list[Observation] = []
    errors: dict[str, Exception] = {}
    for probe in PROBES:
        assert probe.protocol == "onvif" and probe.intrusive is False
        try:
            found.extend(probe.run(ctx))
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            errors[probe.id] = exc
    return found, errors


def signals(found: list[Observation]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for s in found:
        if isinstance(s, IdentitySignal):
            assert s.source == "onvif"
            out.setdefault(s.field, []).append(s.value)
    return out


def local(qname: str) -> str:
    return qname.split(":")[-1]


def expected_analytics(profile: Profile) -> dict[str, tuple[bool, bool | None]]:
    """Type local name -> (supported, enabled), written from the profile's onvif.analytics section.

    Rules run when configured; modules are engines, which say nothing about what runs (None).
    """
    section = profile.onvif.get("analytics")
    if section is None or "analytics" not in profile.onvif.get("services", []):
        return {}
    engines = {local(t) for t in section.get("supported_modules", [])} | \
        {local(c["type"]) for c in section.get("modules", [])}
    rules = {local(t) for t in section.get("supported_rules", [])}
    # A configured rule runs unless its Armed parameter says false; on when any instance is on.
    configured_rules: dict[str, bool] = {}
    for rule in section.get("rules", []):
        name = local(rule["type"])
        configured_rules[name] = configured_rules.get(name, False) or rule.get("armed", True)
    expected: dict[str, tuple[bool, bool | None]] = {name: (True, None) for name in engines}
    expected.update({name: (True, configured_rules.get(name, False)) for name in rules | set(configured_rules)})
    return expected


def test_probes_are_registered_identity_first():
    assert [p.id for p in PROBES] == ["onvif.identity", "onvif.analytics", "onvif.events", "onvif.network"]


@pytest.mark.parametrize("profile", ONVIF_PROFILES, ids=lambda p: p.id)
def test_probes_report_what_the_profile_holds(start_fleet, profile):
    device = start_fleet(onvif_only(profile)).devices[0]
    ctx = context(device)
    try:
        found, errors = run_all(ctx)
    finally:
        ctx.close()
    onvif, identity = profile.onvif, profile.identity

    # identity: Manufacturer both as maker statement and as presented brand
    got = signals(found)
    model = onvif.get("model") or identity.model
    # A factory name/ scope "<brand> <model>" (with hardware/<model>) also names the brand.
    factory = [onvif["scope_name"][: -len(model)].strip()] if onvif["scope_name"].endswith(" " + model) else []
    assert got["manufacturer"] == [onvif["manufacturer"]] and got["vendor"] == [onvif["manufacturer"], *factory]
    assert got["model"] == [model, model]                 # GetDeviceInformation, hardware/ scope
    assert got["firmware"] == [identity.firmware]          # " build YYMMDD" split off Hikvision's
    assert got["serial"] == [identity.serial]
    assert got["mac"] == [identity.mac]
    assert got["name"] == [onvif["scope_name"]]
    assert got.get("location") == ([onvif["scope_location"]] if onvif.get("scope_location") else None)
    if identity.manufacturer == "Hikvision":          # Hikvision firmware (and its OEMs) adds the build
        assert got["firmware_date"] == [identity.build_date.isoformat()]

    # analytics: types -> supported / enabled, coverage only with an analytics service
    features = {o.name: o for o in found if isinstance(o, FeatureObservation)}
    analytics = {n: (o.supported, o.enabled) for n, o in features.items() if not n.startswith("topic:")}
    coverage = [o for o in found if isinstance(o, Coverage)]
    assert analytics == expected_analytics(profile)
    if analytics:
        assert [(c.protocol, c.scope) for c in coverage] == [("onvif", "onvif-analytics")]
        assert "GetSupportedRules" in coverage[0].evidence.source
        assert "onvif.analytics" not in errors
    else:
        assert coverage == []
        assert isinstance(errors.pop("onvif.analytics"), NotSupported)
    assert errors == {}

    # events: every topic, without its namespace prefix; supported, on/off unknown
    topics = {n: (o.supported, o.enabled) for n, o in features.items() if n.startswith("topic:")}
    assert topics == {"topic:" + t.split(":", 1)[1]: (True, None) for t in onvif["topics"]}

    # network: NTP server and state, HTTP port
    ntp = [o for o in found if isinstance(o, RemoteAccessObservation)]
    expected_ntp = profile.remote_access["ntp"]
    assert [(o.setting, o.enabled, o.destination) for o in ntp] == [
        ("ntp", expected_ntp["enabled"], expected_ntp["server"])]
    services = {o.service: o.state for o in found if isinstance(o, ServiceObservation)}
    assert services["http"] == str(device.ports["http"])

    # the wire: reads only, no subscription, every answer a success, the login settled
    log = device.log.entries()
    assert log and all(e.action and e.action.startswith("Get") for e in log)
    assert "CreatePullPointSubscription" not in {e.action for e in log}
    assert device.log.writes() == []
    refused = [(e.action, e.user, e.auth) for e in log if e.status != 200]
    if profile.auth_scheme == "none":
        assert refused == [] and ctx.login.outcome == "not-required"
        assert {e.user for e in log} == {None}
    else:
        # one anonymous GetDeviceInformation (does it need a login at all?), everything else answered
        assert refused == [("GetDeviceInformation", None, "challenge")] and ctx.login.outcome == "ok"
        # PRE_AUTH reads a device answers without checking credentials prove nothing about them
        unchecked = set(profile.quirk("onvif_pre_auth").params["operations"]) if profile.quirk("onvif_pre_auth") \
            else set()
        assert {e.auth for e in log if e.status == 200 and e.action in unchecked} <= {"not-required"}

    # no password anywhere in what the probes report
    secrets = {a.password for a in profile.accounts if a.password}
    for obs in found:
        assert not any(secret in repr(obs) for secret in secrets)


def test_honeywell_oem_presents_dahua_as_onvif_manufacturer(start_fleet):
    device = start_fleet(onvif_only("honeywell-dahua-oem")).devices[0]
    ctx = context(device)
    found = PROBES[0].run(ctx)
    ctx.close()
    got = signals(found)
    assert got["manufacturer"] == ["Dahua"] and got["vendor"] == ["Dahua"]
    assert got["name"] == ["Honeywell"]      # the OEM rewrote only the name/ scope


def test_a_device_without_login_is_found_even_when_credentials_are_given(start_fleet):
    device = start_fleet(onvif_only("amcrest-no-password")).devices[0]
    login = LoginState([Credentials("admin", "given-anyway")])
    ctx = context(device, login=login)
    found, errors = run_all(ctx)
    ctx.close()
    assert signals(found)["serial"] == [device.profile.identity.serial] and set(errors) == {"onvif.analytics"}
    assert login.no_auth is True and login.outcome == "not-required"
    assert {e.user for e in device.log.entries()} == {None}         # the account was never sent


def test_pre_auth_answers_are_not_mistaken_for_a_device_without_login(start_fleet):
    # ONVIF Core lets GetServices/GetCapabilities answer without a login (Hikvision and Dahua ask
    # for one, a conformant device need not): that is no sign the device has no password.
    quirk = Quirk("onvif_pre_auth", {"operations": ["GetServices", "GetCapabilities"]})
    device = start_fleet(replace(onvif_only("axis-onvif-line"), quirks=(quirk,))).devices[0]
    ctx = context(device)
    assert signals(PROBES[0].run(ctx))["serial"] == [device.profile.identity.serial]
    ctx.close()
    assert ctx.login.no_auth is False and ctx.login.outcome == "ok"
    assert ("GetDeviceInformation", "root", "ok") in {(e.action, e.user, e.auth) for e in device.log.entries()}


def test_skewed_clock_works_because_of_the_offset(start_fleet):
    device = start_fleet(onvif_only("truvision-thermal-oem")).devices[0]     # clock +3600 s
    ctx = context(device)
    client = client_for(ctx)
    assert abs(client.offset - dt.timedelta(hours=1)) <= dt.timedelta(seconds=2)
    assert PROBES[0].run(ctx) and ctx.login.outcome == "ok"
    ctx.close()
    first = device.log.entries()[0]
    assert (first.action, first.user) == ("GetSystemDateAndTime", None)      # asked without credentials

    # An offset from the fingerprint is used as given (no clock call of its own). Told "no skew",
    # the tokens are an hour off and the device refuses them: the offset is what made it work.
    before = len(device.log)
    wrong = context(device)
    wrong.fingerprint.clock_offset = dt.timedelta(0)
    with pytest.raises(CredentialsRejected):
        PROBES[0].run(wrong)
    sent = [(e.action, e.user, e.auth) for e in device.log.entries()[before:]]
    assert sent == [("GetDeviceInformation", None, "challenge"), ("GetServices", "admin", "failed")]


def test_wrong_password_is_one_failed_login_and_never_retried(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    login = LoginState([Credentials("admin", "not-the-password")])
    ctx = context(device, login=login)
    _, errors = run_all(ctx)
    ctx.close()
    assert set(errors) == {p.id for p in PROBES}
    assert all(isinstance(e, CredentialsRejected) for e in errors.values())
    assert "not-the-password" not in " ".join(str(e) for e in errors.values())
    failed = device.log.entries(lambda e: e.auth == "failed")
    assert [(e.action, e.user) for e in failed] == [("GetServices", "admin")]
    assert login.outcome == "failed"

    # A second run on the same LoginState sends nothing at all, credentials least of all.
    before = len(device.log)
    again = context(device, login=login)
    _, errors = run_all(again)
    again.close()
    assert all(isinstance(e, CredentialsRejected) for e in errors.values())
    assert len(device.log) == before


def test_a_rejected_account_gives_way_to_the_next_one(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    viewer = next(a for a in device.profile.accounts if a.user == "viewer")
    login = LoginState([Credentials("admin", "wrong"), Credentials("viewer", viewer.password)])
    ctx = context(device, login=login)
    assert signals(PROBES[0].run(ctx))["serial"] == [device.profile.identity.serial]
    ctx.close()
    assert [e.user for e in device.log.entries(lambda e: e.auth == "failed")] == ["admin"]
    assert login.confirmed.user == "viewer" and login.rejected == {"admin"}


def test_no_analytics_service_means_no_coverage_and_no_analytics(start_fleet):
    device = start_fleet(onvif_only("dahua-nvr")).devices[0]
    ctx = context(device)
    found, errors = run_all(ctx)
    ctx.close()
    refusal = errors.pop("onvif.analytics")
    assert isinstance(refusal, NotSupported) and "no ONVIF analytics service" in refusal.reason
    assert errors == {}
    assert not any(isinstance(o, Coverage) for o in found)
    assert all(o.name.startswith("topic:") for o in found if isinstance(o, FeatureObservation))
    # The analytics service was never asked (nothing is guessed at a path it did not advertise).
    assert not {"GetSupportedRules", "GetSupportedAnalyticsModules"} & {e.action for e in device.log.entries()}


def test_only_get_operations_can_be_sent(start_fleet):
    device = start_fleet(onvif_only("hik-school-bullet")).devices[0]
    ctx = context(device)
    client = client_for(ctx)
    before = len(device.log)
    with pytest.raises(NotARead):
        client.call("events", "CreatePullPointSubscription")
    with pytest.raises(NotARead):
        client.call("devicemgmt", "SetHostname", Name="pwned")
    # A Get* that is not in the table of reads is refused too: nothing but the table goes out.
    with pytest.raises(NotARead):
        client.call("devicemgmt", "GetUsers")
    ctx.close()
    assert len(device.log) == before
    assert OPERATIONS and all(name.startswith("Get") for name in OPERATIONS)


def test_xaddr_on_another_host_is_not_followed(start_fleet):
    device = start_fleet(onvif_only("axis-onvif-line")).devices[0]
    ctx = context(device, onvif_xaddr="http://192.0.2.10:8899/onvif/device_service")
    found = PROBES[0].run(ctx)
    ctx.close()
    assert signals(found)["serial"] == [device.profile.identity.serial]
    evidence = next(s.evidence for s in found if isinstance(s, IdentitySignal))
    assert "192.0.2.10:8899" in evidence.result and "not on the device's address" in evidence.result
    assert {e.path for e in device.log.entries()} == {"/onvif/device_service"}
