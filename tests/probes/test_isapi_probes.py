"""Contract: every ISAPI probe against every bundled profile that speaks isapi.

Expectations come from each profile's `identity:`, `isapi:` and `remote_access:` sections, so a
new profile is a new case. Devices run with only their isapi family (ONVIF and discovery have
their own tests). The small tables below (notification method -> route, event key ->
capability-only) restate the contract independently of probes/isapi.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pytest

from device_simulators import Profile, SimDevice, bundled_profile, bundled_profiles
from device_simulators.profile import Quirk
from probes.base import (
    ChannelObservation,
    Coverage,
    FeatureObservation,
    IdentitySignal,
    Observation,
    RemoteAccessObservation,
    ServiceObservation,
    Target,
)
from probes.context import ProbeContext, ProbeSettings
from probes.errors import CredentialsRejected, ProbeError
from probes.isapi import PROBES
from probes.login import Credentials, LoginState

ISAPI = [p for p in bundled_profiles() if p.speaks("isapi")]
# What a trigger's notificationMethod means for where data goes (the brief's contract).
ROUTES = {"center": "platform", "FTP": "ftp", "email": "email", "record": "record"}
# Event keys with no known configuration resource: only their capability flag can be read.
CAPABILITY_ONLY = {"violentMotion", "thermometry", "StudentsStoodUp", "TeacherBehaviorDetect", "faceSnapModeling",
                   "whiteListFaceContrast", "objectsThrownDetection", "rapidMove", "parking", "PIR", "DefocusDetection"}
TRIGGERS = "/ISAPI/Event/triggers"


def ids(profiles: list[Profile]) -> list[str]:
    return [p.id for p in profiles]


@dataclass
class Run:
    profile: Profile
    device: SimDevice
    observations: list[Observation]
    errors: dict[str, ProbeError]

    def of(self, kind: type) -> list:
        return [o for o in self.observations if isinstance(o, kind)]

    def config(self, channel: int) -> dict[str, FeatureObservation]:
        """What the configuration probes said per name on one channel (not trigger re-emissions)."""
        return {o.name: o for o in self.of(FeatureObservation)
                if o.channel == channel and not o.evidence.source.startswith(TRIGGERS)}

    def routes(self, name: str, channel: int) -> set[str]:
        return {r for o in self.of(FeatureObservation) if (o.name, o.channel) == (name, channel) for r in o.sends_to}


def audit(start_fleet, profile: Profile, *, user: str | None = None, password: str | None = None,
          settings: ProbeSettings | None = None) -> Run:
    fleet = start_fleet(dataclasses.replace(profile, protocols=frozenset({"isapi"})))
    device = fleet.devices[0]
    account = next(a for a in profile.accounts if user in (None, a.user))
    login = LoginState([Credentials(account.user, password if password is not None else account.password)])
    ctx = ProbeContext(Target(device.address, device.ports["http"]), login, settings or ProbeSettings())
    observations: list[Observation] = []
    errors: dict[str, ProbeError] = {}
    try:
        for probe in PROBES:
            try:
                observations += probe.run(ctx)
            except ProbeError as exc:       # recorded per probe, as the orchestrator does
                errors[probe.id] = exc
    finally:
        ctx.close()
    return Run(profile, device, observations, errors)


def channels(profile: Profile) -> list[dict]:
    return list(profile.isapi.get("channels") or [])


def failing_paths(profile: Profile) -> list[str]:
    return [p for q in profile.quirks if q.name == "claims_then_fails" for p in q.params.get("paths", [])]


# -- identity and coverage ---------------------------------------------------------------------
@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_identity_signals_and_coverage(start_fleet, profile):
    run = audit(start_fleet, profile)
    assert run.errors == {}, run.errors
    signals: dict[str, set[str]] = {}
    for s in run.of(IdentitySignal):
        assert s.source == "isapi" and s.evidence.protocol == "isapi"
        signals.setdefault(s.field, set()).add(s.value)
    ident = profile.identity
    assert signals["manufacturer"] == {"Hikvision"}
    assert signals["model"] == {ident.model} and signals["serial"] == {ident.serial}
    assert signals["firmware"] == {ident.firmware} and signals["mac"] == {ident.mac}
    assert signals["firmware_date"] == {ident.build_date.isoformat()}
    assert signals["name"] == {ident.name}
    assert signals.get("vendor", set()) == ({profile.isapi["manufacturer_field"]}
                                            if profile.isapi.get("manufacturer_field") else set())
    assert ident.device_type in signals["device_type"]
    assert ("thermal" in signals["device_type"]) == (ident.device_type == "thermal")
    coverage = run.of(Coverage)
    assert len(coverage) == 1 and coverage[0].scope.startswith("isapi-capabilities:")
    read = set(coverage[0].scope.split(":", 1)[1].split("+"))
    assert {"DeviceCap", "EventCap", "SmartCap", "VideoCap"} <= read      # what every simulated DeviceCap has
    assert ("ThermalCap" in read) == (ident.device_type == "thermal")
    assert coverage[0].evidence.source == "/ISAPI/System/capabilities"


# -- analytics per channel ---------------------------------------------------------------------
@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_every_channel_event_is_reported_with_its_state(start_fleet, profile):
    run = audit(start_fleet, profile)
    failing = failing_paths(profile)
    for ch in channels(profile):
        number, online, events = int(ch["id"]), ch.get("online", True), ch.get("events") or {}
        said = run.config(number)
        for key, event in events.items():
            if key in CAPABILITY_ONLY:
                continue
            obs = said.get(key)
            assert obs is not None, (number, key, sorted(said))
            state = (obs.supported, obs.enabled)
            if not online:
                assert state == (None, None) and "offline" in obs.evidence.excerpt, (number, key, obs)
            elif any(obs.evidence.source.startswith(p) for p in failing):
                # The capability document claims it; the endpoint fails: keep supported, enabled unknown.
                assert state == (True, None) and obs.evidence.result.startswith("HTTP 5"), obs
            else:
                assert state == (True, bool(event.get("enabled"))), (number, key, obs)
        if online:
            reported = {n for n, o in said.items() if o.supported and n != "detectionTarget" and "." not in n}
            assert reported <= set(events), (number, reported - set(events))
            for name, obs in said.items():
                if obs.supported is False and name != "detectionTarget":
                    assert "notSupport" in obs.evidence.result, (number, name, obs)


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_face_attributes_and_human_vehicle_filter(start_fleet, profile):
    run = audit(start_fleet, profile)
    for ch in channels(profile):
        number, events = int(ch["id"]), ch.get("events") or {}
        if not ch.get("online", True):
            continue
        said = run.config(number)
        snap = events.get("faceSnap") or {}
        for attribute, on in (snap.get("attributes") or {}).items():
            obs = said[f"faceSnap.{attribute}"]
            assert (obs.supported, obs.enabled) == (True, bool(on and snap.get("enabled"))), obs
        filtering = [k for k, e in events.items() if e.get("targets")]
        target = said.get("detectionTarget")
        if filtering:
            assert target is not None and target.supported is True, (number, target)
            assert target.enabled == any(events[k].get("enabled") for k in filtering), (number, target)
        else:
            assert target is None or target.supported is False, (number, target)


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_triggers_say_where_events_go(start_fleet, profile):
    run = audit(start_fleet, profile)
    for ch in channels(profile):
        number = int(ch["id"])
        if not ch.get("online", True):
            continue
        for key, event in (ch.get("events") or {}).items():
            if key in CAPABILITY_ONLY:
                continue
            notify = event.get("notify") or []
            assert run.routes(key, number) == {ROUTES[n] for n in notify if n in ROUTES}, (number, key)
            decorated = [o for o in run.of(FeatureObservation)
                         if (o.name, o.channel) == (key, number) and o.evidence.source.startswith(TRIGGERS)]
            assert decorated, (number, key, "no trigger read for this event")
            if event.get("enabled") and not notify:
                assert any("reports nowhere" in o.evidence.excerpt for o in decorated), decorated


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_face_libraries_with_counts(start_fleet, profile):
    run = audit(start_fleet, profile)
    libraries = profile.isapi.get("face_libraries")
    found = [o for o in run.of(FeatureObservation)
             if o.name == "FDLib" and o.evidence.source == "/ISAPI/Intelligent/FDLib"]
    assert len(found) == 1
    obs = found[0]
    if libraries is None:
        assert (obs.supported, obs.enabled) == (False, False) and "notSupport" in obs.evidence.result
        return
    assert (obs.supported, obs.enabled) == (True, any(lib.get("faces", 0) for lib in libraries))
    for lib in libraries:
        assert f"'{lib['name']}' ({lib.get('type', 'ordinary')}, {lib.get('faces', 0)} faces)" in obs.evidence.excerpt
    assert run.device.log.entries(lambda e: "FDSearch" in e.path) == []


@pytest.mark.parametrize("profile", [p for p in ISAPI if p.isapi.get("device_type") == "NVR"],
                         ids=ids([p for p in ISAPI if p.isapi.get("device_type") == "NVR"]))
def test_nvr_channels_name_their_cameras(start_fleet, profile):
    run = audit(start_fleet, profile)
    got = {c.channel: c for c in run.of(ChannelObservation)}
    assert sorted(got) == [int(ch["id"]) for ch in channels(profile)]
    for ch in channels(profile):
        obs, online, source = got[int(ch["id"])], ch.get("online", True), ch.get("source") or {}
        assert (obs.online, obs.source_address) == (online, source.get("address"))
        assert obs.source_model == (source.get("model") if online else None)


def test_ip_cameras_have_no_proxied_channels_and_the_walk_is_capped(start_fleet):
    camera = next(p for p in ISAPI if p.isapi.get("device_type") != "NVR")
    assert audit(start_fleet, camera).of(ChannelObservation) == []
    nvr = next(p for p in ISAPI if p.isapi.get("device_type") == "NVR")
    run = audit(start_fleet, nvr, settings=ProbeSettings(max_channels=2))
    assert {o.channel for o in run.of(FeatureObservation) if o.channel is not None} == {1, 2}
    assert run.device.log.entries(lambda e: "/channels/3/" in e.path or e.path.endswith("/3")) == []


# -- remote access and services ------------------------------------------------------------
def _expected_remote(profile: Profile, setting: str) -> tuple[bool, str | None]:
    data = profile.remote_access[setting]
    server = str(data.get("server") or "")
    host = server if server not in ("", "0.0.0.0") else None
    if setting == "upnp":
        return bool(data.get("enabled")), None
    if setting == "isup" and host:
        return bool(data.get("enabled")), f"{host}:{data.get('port', 7660)}"
    if setting == "email":
        mails = any("email" in (e.get("notify") or []) for ch in channels(profile)
                    for e in (ch.get("events") or {}).values())
        return bool(host) and mails, host
    return bool(data.get("enabled")), host


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_remote_access_settings(start_fleet, profile):
    run = audit(start_fleet, profile)
    got = {o.setting: o for o in run.of(RemoteAccessObservation)}
    assert set(got) == {"hik_connect", "isup", "ddns", "upnp", "ntp", "email", "ftp"}
    for setting, obs in got.items():
        if setting not in profile.remote_access:
            # The firmware has no such setting: its resource answers notSupport, which means off.
            assert (obs.enabled, obs.destination) == (False, None), (setting, obs)
            assert "notSupport" in obs.evidence.result, (setting, obs)
            continue
        assert (obs.enabled, obs.destination) == _expected_remote(profile, setting), (setting, obs)


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_shell_services(start_fleet, profile):
    run = audit(start_fleet, profile)
    states = {o.service: o.state for o in run.of(ServiceObservation)}
    assert states["telnet"] is (profile.services.telnet is not None)
    assert states["ssh"] is (profile.services.ssh is not None)
    assert states["https"] is (profile.services.https is not None)
    assert states["port:http"] == str(run.device.ports["http"])


def test_a_viewer_account_leaves_network_settings_unknown_not_off(start_fleet):
    profile = next(p for p in ISAPI if any(a.role == "viewer" for a in p.accounts))
    viewer = next(a for a in profile.accounts if a.role == "viewer")
    run = audit(start_fleet, profile, user=viewer.user)
    remote = {o.setting: o for o in run.of(RemoteAccessObservation)}
    for setting in ("hik_connect", "isup", "ddns", "upnp", "email", "ftp"):
        assert remote[setting].enabled is None, remote[setting]
        assert "lowPrivilege" in remote[setting].evidence.result
    assert any(o.supported for o in run.of(FeatureObservation) if o.channel)   # analytics still read


def test_hostile_and_broken_resources_are_recorded_and_the_rest_is_read(start_fleet):
    base = bundled_profile("hik-school-bullet")
    broken = {"/ISAPI/Smart/LineDetection": "xxe", "/ISAPI/Smart/FieldDetection": "reset",
              "/ISAPI/Smart/regionEntrance": "malformed_xml"}
    quirks = tuple(Quirk(name, {"paths": [path]}) for path, name in broken.items())
    run = audit(start_fleet, dataclasses.replace(base, quirks=base.quirks + quirks))
    assert run.errors == {}
    said = run.config(1)
    results = {path: said[path.rsplit("/", 1)[1]] for path in broken}
    assert "HostileResponse" in results["/ISAPI/Smart/LineDetection"].evidence.result
    assert "ConnectionDropped" in results["/ISAPI/Smart/FieldDetection"].evidence.result
    assert "MalformedResponse" in results["/ISAPI/Smart/regionEntrance"].evidence.result
    for path, obs in results.items():   # capability kept, state unknown; a read that got no answer (the
        # reset) keeps no claim for the channel: another channel may answer notSupport (issue 15)
        assert (obs.supported, obs.enabled) == (None if broken[path] == "reset" else True, None), obs
    assert "root:x:0:0" not in repr(run.observations)
    assert (said["FaceDetect"].supported, said["FaceDetect"].enabled) == (True, True)
    assert any(o.setting == "hik_connect" and o.enabled for o in run.of(RemoteAccessObservation))


# -- safety: read-only, lockout, secrets -------------------------------------------------------
@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_audit_only_reads_never_fails_a_login_and_leaks_no_password(start_fleet, profile):
    run = audit(start_fleet, profile)
    log = run.device.log
    assert log.writes() == []
    assert {e.method for e in log} == {"GET"}
    assert log.failed_logins() == []
    assert not any(run.device.gate.is_locked(a.user) for a in profile.accounts)
    text = repr(run.observations)
    secrets = [a.password for a in profile.accounts]
    secrets += [str(s["password"]) for s in profile.remote_access.values() if s.get("password")]
    for secret in secrets:
        assert secret not in text, f"{profile.id} leaks a password"


@pytest.mark.parametrize("profile", ISAPI, ids=ids(ISAPI))
def test_a_wrong_password_is_tried_once_and_never_locks(start_fleet, profile):
    run = audit(start_fleet, profile, password="not-the-password")
    assert set(run.errors) == {p.id for p in PROBES}
    assert all(isinstance(e, CredentialsRejected) for e in run.errors.values()), run.errors
    assert run.observations == []
    assert len(run.device.log.failed_logins()) == 1
    assert not any(run.device.gate.is_locked(a.user) for a in profile.accounts)
