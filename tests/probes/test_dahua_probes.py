"""Contract: every Dahua CGI probe against every bundled profile that speaks dahua_cgi.

Expectations come from each profile's `dahua:`, `remote_access:`, `services:` and `expect:`
sections, so a new profile is a new case. Devices run with only their dahua_cgi family (ONVIF
and discovery have their own tests). Each profile is audited once per test session and its
observations and request log are shared by the checks below; lockout, hostile and refusal
cases start their own devices.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.judge.classify import classify_features, classify_remote_access
from auditor.judge.identity import resolve_identity
from auditor.judge.taxonomy import DAHUA as DAHUA_NAMES
from device_simulators import FleetError, Profile, SimDevice, bundled_profile, bundled_profiles
from device_simulators.runtime.requestlog import LoggedRequest
from models.features import FEATURE_IDS
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
from probes.dahua import PROBES
from probes.errors import ConnectionDropped, CredentialsRejected, MalformedResponse, NotSupported, ProbeError
from probes.http import HttpAnswer
from probes.login import Credentials, LoginState

DAHUA = [p for p in bundled_profiles() if p.speaks("dahua_cgi")]
WITH_PASSWORD = [p for p in DAHUA if p.auth_scheme != "none"]
# What the Dahua CGI can tell about remote access (hik_connect / isup are Hikvision's).
DAHUA_SETTINGS = ("dahua_p2p", "ntp", "email", "ddns", "upnp", "auto_register", "ftp")
# The only CGI actions a read-only audit may send.
READ_ACTIONS = re.compile(r"action=(get[A-Z]\w*|findGroup)(&|$)")


def ids(profiles: list[Profile]) -> list[str]:
    return [p.id for p in profiles]


@dataclass
class Run:
    profile: Profile
    observations: list[Observation]
    outcomes: dict[str, ProbeError | None]      # probe id -> error it raised, None when it returned
    log: list[LoggedRequest]
    failed_logins: int

    def of(self, kind: type) -> list:
        return [o for o in self.observations if isinstance(o, kind)]

    def features(self, name: str, channel: int | None = None) -> list[FeatureObservation]:
        return [o for o in self.of(FeatureObservation) if o.name == name and (channel is None or o.channel == channel)]


def alone(profile: Profile, **changes: object) -> Profile:
    return dataclasses.replace(profile, protocols=frozenset({"dahua_cgi"}), **changes)


def start(start_fleet, profile: Profile) -> SimDevice:
    for attempt in range(3):
        try:
            return start_fleet(profile).devices[0]
        except FleetError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def credentials(profile: Profile, password: str | None = None) -> list[Credentials]:
    if profile.auth_scheme == "none":
        return []
    account = profile.accounts[0]
    return [Credentials(account.user, account.password if password is None else password)]


def audit(device: SimDevice, creds: list[Credentials]) -> tuple[list[Observation], dict[str, ProbeError | None]]:
    ctx = ProbeContext(Target(device.address, device.ports["http"]), LoginState(creds), ProbeSettings())
    observations: list[Observation] = []
    outcomes: dict[str, ProbeError | None] = {}
    try:
        for probe in PROBES:
            try:
                observations += probe.run(ctx)
                outcomes[probe.id] = None
            except ProbeError as exc:
                outcomes[probe.id] = exc
    finally:
        ctx.close()
    return observations, outcomes


_RUNS: dict[str, Run] = {}


@pytest.fixture
def run(request, start_fleet) -> Run:
    """The profile audited by every Dahua probe (once per session; the device is stopped after)."""
    profile: Profile = request.param
    if profile.id not in _RUNS:
        device = start(start_fleet, alone(profile))
        observations, outcomes = audit(device, credentials(profile))
        _RUNS[profile.id] = Run(profile, observations, outcomes, device.log.entries(),
                                len(device.log.failed_logins()))
    return _RUNS[profile.id]


each_profile = pytest.mark.parametrize("run", DAHUA, ids=ids(DAHUA), indirect=True)


# -- identity ---------------------------------------------------------------------------------

@each_profile
def test_identity_signals_match_the_profile(run):
    profile, identity, dahua = run.profile, run.profile.identity, run.profile.dahua
    assert run.outcomes["dahua.identity"] is None
    signals = run.of(IdentitySignal)
    assert all(s.source == "dahua_cgi" and s.evidence.protocol == "dahua_cgi" for s in signals)
    by_field = {}
    for s in signals:
        by_field.setdefault(s.field, []).append(s.value)
    assert by_field["manufacturer"][0] == "Dahua"            # the CGI surface answered
    assert by_field["model"][0] == dahua["device_type"] == identity.model
    assert by_field["serial"] == [identity.serial]
    assert by_field["firmware"] == [dahua.get("software_version", identity.firmware)]
    assert by_field["firmware_date"] == [identity.build_date.isoformat()]
    assert by_field["vendor"] == [dahua["vendor"]]
    assert by_field["mac"] == [identity.mac]
    assert by_field["device_type"] == [identity.device_type]
    name = next(s for s in signals if s.field == "name")
    if profile.quirk("invalid_utf8"):
        assert "\\x" in name.value and "\ufffd" not in name.value and "UTF-8" in name.evidence.result
    else:
        assert name.value == identity.name
    # An OEM unit still names its Dahua base model in updateSerial: a second maker statement.
    update = [s for s in signals if s.field == "manufacturer" and "updateSerial" in s.evidence.excerpt]
    assert update and dahua["update_serial"] in update[0].evidence.excerpt
    resolved = resolve_identity(signals)
    assert (resolved.brand, resolved.model, resolved.serial) == (
        profile.expect["brand"], profile.expect["model"], profile.expect["serial"])


# -- analytics --------------------------------------------------------------------------------

@each_profile
def test_every_configured_rule_is_reported_with_its_enable_flag(run):
    rules = run.profile.dahua.get("rules") or []
    for rule in rules:
        found = [o for o in run.features(rule["type"], rule["channel"] + 1) if "VideoAnalyseRule" in o.evidence.source]
        assert [(o.supported, o.enabled) for o in found] == [(True, bool(rule["enable"]))], rule
        assert rule["name"] in found[0].evidence.excerpt
        for feature in rule.get("features") or []:
            (attr,) = run.features(f"Feature.{feature}", rule["channel"] + 1)
            assert attr.enabled is (bool(rule["enable"]) and bool(rule.get("feature_enable")))
    rule_names = {o.name for o in run.of(FeatureObservation) if "VideoAnalyseRule" in o.evidence.source}
    assert rule_names == {r["type"] for r in rules} | {f"Feature.{f}" for r in rules for f in r.get("features") or []}
    if not rules and run.profile.dahua.get("caps") == "unsupported":
        assert isinstance(run.outcomes["dahua.analytics"], NotSupported)


@each_profile
def test_getcaps_gives_support_and_coverage_or_nothing(run):
    caps, channels = run.profile.dahua.get("caps"), int(run.profile.dahua.get("channels", 1))
    coverage = run.of(Coverage)
    if caps == "unsupported":
        # 400 Bad Request! for getCaps: nothing is covered, so silence stays unknown.
        assert coverage == []
        return
    assert [c.scope for c in coverage if c.channel is None] == ["dahua-caps"]
    if channels > 1:
        assert sorted(c.channel for c in coverage if c.channel is not None) == list(range(1, channels + 1))
    for channel in range(1, channels + 1):
        configured = {r["type"] for r in run.profile.dahua.get("rules") or [] if r["channel"] + 1 == channel}
        for rule_type in caps:
            from_caps = [o for o in run.features(rule_type, channel) if "getCaps" in o.evidence.source]
            assert [o.supported for o in from_caps] == [True], (rule_type, channel)
            if rule_type not in configured and not rule_type.startswith("SmartMotion"):
                assert from_caps[0].enabled is False      # supported, but no rule runs it


@each_profile
def test_motion_and_smart_motion_per_channel(run):
    dahua = run.profile.dahua
    channels = int(dahua.get("channels", 1))
    motion = [(o.channel, o.enabled) for o in run.features("MotionDetect")]
    assert motion == [(ch + 1, bool(flag)) for ch, flag in enumerate(dahua.get("motion_detect") or [])]
    smart = run.features("SmartMotionDetect")
    setting = dahua.get("smart_motion")
    if setting is None:
        assert smart == []
        return
    want = bool(setting["enable"]) and bool(setting.get("human") or setting.get("vehicle"))
    assert [(o.channel, o.supported, o.enabled) for o in smart] == [(ch, True, want) for ch in range(1, channels + 1)]


@each_profile
def test_face_groups_are_reported_with_names_and_sizes(run):
    groups = run.profile.dahua.get("face_groups")
    found = run.features("FaceGroup")
    if groups is None:
        assert found == [] and isinstance(run.outcomes["dahua.face-db"], NotSupported)
        return
    (group,) = found
    assert group.supported is True and group.enabled is any(g["size"] > 0 for g in groups)
    for g in groups:
        assert f"{g['name']} ({g['type']}, id {g['id']}" in group.evidence.excerpt
        assert f"{g['size']} faces" in group.evidence.excerpt


@each_profile
def test_every_vendor_name_is_in_the_taxonomy_and_the_verdicts_match_expect(run):
    names = {o.name for o in run.of(FeatureObservation)}
    assert names <= set(DAHUA_NAMES), names - set(DAHUA_NAMES)
    device, _, notes = classify_features(run.observations)
    assert notes == []
    expected = run.profile.expect["features"]
    for fid in FEATURE_IDS:
        want = expected.get(fid, expected["default"])
        assert (device[fid].supported, device[fid].enabled) == (want["supported"], want["enabled"]), fid


# -- remote access and services -----------------------------------------------------------------

@each_profile
def test_remote_access_settings_match_the_profile(run):
    found = {o.setting: o for o in run.of(RemoteAccessObservation)}
    assert set(found) == set(DAHUA_SETTINGS)
    for setting in DAHUA_SETTINGS:
        config = run.profile.remote_access.get(setting)
        assert found[setting].enabled is bool(config and config.get("enabled")), setting
        if config is None:
            # Absent from the firmware: its config name answers Error, or DVRIP lacks RegisterServer.
            assert "Error" in found[setting].evidence.result or "no RegisterServer" in found[setting].evidence.excerpt
    if (ar := run.profile.remote_access.get("auto_register")) and ar.get("server"):
        assert found["auto_register"].destination == f"{ar['server']}:{ar['port']}"
    if (ntp := run.profile.remote_access.get("ntp")) and ntp.get("server"):
        assert found["ntp"].destination == ntp["server"]
    verdicts = classify_remote_access(run.observations)
    expected = run.profile.expect["remote_access"]
    for setting in DAHUA_SETTINGS:
        want = expected.get(setting, expected["default"])
        assert verdicts[setting].enabled is want["enabled"], setting
        if "destination" in want:
            assert verdicts[setting].destination == want["destination"], setting


@each_profile
def test_telnet_and_ssh_state(run):
    services = {o.service: o.state for o in run.of(ServiceObservation) if o.service in ("telnet", "ssh")}
    assert services == {"telnet": run.profile.services.telnet is not None,
                        "ssh": run.profile.services.ssh is not None}


# -- safety -----------------------------------------------------------------------------------------

@each_profile
def test_the_audit_only_reads(run):
    cgi = [e for e in run.log if e.path.startswith("/cgi-bin/")]
    assert cgi, "the probes sent nothing"
    assert [e for e in run.log if not e.is_read] == []
    # GET alone proves nothing on Dahua (setConfig is a GET): every action must be a read.
    assert [e.path for e in cgi if not READ_ACTIONS.search(e.path)] == []
    assert run.failed_logins == 0


@each_profile
def test_no_password_reaches_any_observation(run):
    text = repr(run.observations)
    secrets = [a.password for a in run.profile.accounts]
    secrets += [str(c["password"]) for c in run.profile.remote_access.values() if c.get("password")]
    for secret in secrets:
        assert secret not in text
    assert "Password" not in text


@pytest.mark.parametrize("profile", WITH_PASSWORD, ids=ids(WITH_PASSWORD))
def test_a_wrong_password_is_tried_once_and_reported(start_fleet, profile):
    device = start(start_fleet, alone(profile))
    observations, outcomes = audit(device, credentials(profile, "not-the-password"))
    assert observations == []
    assert all(isinstance(exc, CredentialsRejected) for exc in outcomes.values()), outcomes
    assert len(device.log.failed_logins()) == 1
    assert "not-the-password" not in repr(outcomes)


# -- refusals and hostile answers: one part lost, the rest kept -----------------------------------

def test_a_missing_config_name_costs_only_that_setting(start_fleet):
    base = bundled_profile("dahua-nvr")
    remote = {k: v for k, v in base.remote_access.items() if k not in ("email", "ddns")}
    device = start(start_fleet, alone(base, remote_access=remote))
    observations, outcomes = audit(device, credentials(base))
    assert outcomes["dahua.remote-access"] is None
    found = {o.setting: o for o in observations if isinstance(o, RemoteAccessObservation)}
    for gone in ("email", "ddns"):
        assert found[gone].enabled is False and "Error" in found[gone].evidence.result
    assert found["auto_register"].enabled is True and found["ntp"].destination == "uk.pool.ntp.org"


def test_a_dropped_connection_on_one_endpoint_is_an_outcome_and_the_others_still_report(start_fleet):
    base = bundled_profile("dahua-wizmind-face")
    quirks = (*base.quirks, dataclasses.replace(base.quirks[0], name="reset",
                                                params={"paths": ["/cgi-bin/faceRecognitionServer.cgi"]}))
    device = start(start_fleet, alone(base, quirks=quirks))
    observations, outcomes = audit(device, credentials(base))
    assert all(exc is None for exc in outcomes.values())
    assert any(isinstance(o, FeatureObservation) and o.name == "FaceRecognition" for o in observations)
    # The face databases went unanswered: unknown, with the dropped connection as evidence (issue 15), so
    # getCaps coverage cannot close face_library to "no"; the device audit records the probe as failed.
    [group] = [o for o in observations if isinstance(o, FeatureObservation) and o.name == "FaceGroup"]
    assert (group.supported, group.enabled, group.evidence.result) == (None, None, ConnectionDropped.__name__)
    verdicts, _, _ = classify_features(observations)
    assert verdicts["face_library"].supported is None and verdicts["face_library"].enabled is None


def test_face_attributes_are_off_when_the_rule_extracts_none(start_fleet):
    base = bundled_profile("dahua-wizmind-face")
    rules = [dict(r, feature_enable=False) if r.get("features") else r for r in base.dahua["rules"]]
    device = start(start_fleet, alone(base, dahua=dict(base.dahua, rules=rules)))
    observations, _ = audit(device, credentials(base))
    attributes = [o for o in observations if isinstance(o, FeatureObservation) and o.name.startswith("Feature.")]
    assert len(attributes) == 6 and all(o.supported is True and o.enabled is False for o in attributes)
    verdicts, _, _ = classify_features(observations)
    assert (verdicts["age_gender"].enabled, verdicts["face_detection"].enabled) == (False, True)


# -- answers the simulator does not give: recorded bodies behind a stand-in HTTP client -----------

class RecordedHttp:
    """Answers GETs from tests/data/dahua bodies by (script, action or config name)."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def get(self, path, params=None, *, authenticate=True):
        query = dict(params or [])
        key = f"{path.rsplit('/', 1)[-1]}:{query.get('name') or query.get('action')}"
        self.asked.append(key)
        status, body = self.answers.get(key, (400, b"Error\r\nBad Request!\r\n"))
        return HttpAnswer(path, status, {}, body, 1, False)

    def close(self) -> None:
        pass


def recorded(name: str) -> bytes:
    return (Path(__file__).resolve().parents[1] / "data" / "dahua" / name).read_bytes()


def stub_context(answers: dict[str, tuple[int, bytes]]) -> tuple[ProbeContext, RecordedHttp]:
    ctx = ProbeContext(Target("127.0.0.1"), LoginState(), ProbeSettings())
    ctx.http = RecordedHttp(answers)      # type: ignore[assignment]
    return ctx, ctx.http                  # type: ignore[return-value]


def test_identity_from_older_and_oem_answer_shapes():
    ctx, _ = stub_context({
        "magicBox.cgi:getSystemInfo": (200, recorded("getSystemInfo_oem.txt")),
        "magicBox.cgi:getDeviceType": (200, b"type=IP Camera\r\n"),
        "magicBox.cgi:getSoftwareVersion": (200, recorded("getSoftwareVersion_split.txt")),
        "magicBox.cgi:getMachineName": (200, recorded("getMachineName_latin1.txt")),
        "configManager.cgi:Network": (200, recorded("Network.txt")),
    })
    signals = {(s.field, s.value) for s in PROBES[0].run(ctx)}
    assert ("model", "IP2M-841B") in signals                 # not the generic "IP Camera"
    assert {("firmware", "2.420.0000.0.R"), ("firmware_date", "2016-01-01")} <= signals
    assert ("serial", "AMC000TEST00001") in signals          # getSerialNo refused: from getSystemInfo
    assert ("mac", "90:02:a9:11:22:34") in signals           # the DefaultInterface, normalised
    assert [v for f, v in signals if f == "manufacturer"] == ["Dahua"]
    assert not {f for f, _ in signals} & {"vendor", "device_type"}   # refused calls invent nothing


def test_identity_refused_everywhere_is_not_supported():
    ctx, _ = stub_context({})
    with pytest.raises(NotSupported):
        PROBES[0].run(ctx)


def test_markup_where_dahua_text_belongs_is_reported_as_malformed_not_as_dahua():
    ctx, _ = stub_context({"magicBox.cgi:getSystemInfo": (200, recorded("html.txt"))})
    with pytest.raises(MalformedResponse):
        PROBES[0].run(ctx)


def test_a_403_on_one_config_is_unknown_not_off():
    ctx, _ = stub_context({
        "configManager.cgi:Email": (403, b"Error\r\nInvalid Authority!\r\n"),
        "configManager.cgi:NAS": (200, recorded("NAS.txt")),
        "configManager.cgi:DDNS": (200, recorded("DDNS.txt")),
        "configManager.cgi:DVRIP": (200, recorded("DVRIP.txt")),
        "configManager.cgi:T2UServer": (200, recorded("T2UServer_array.txt")),
    })
    found = {o.setting: o for o in PROBES[4].run(ctx)}
    assert found["email"].enabled is None and "403" in found["email"].evidence.result
    assert (found["ftp"].enabled, found["ftp"].destination) == (True, "203.0.113.20")
    assert (found["ddns"].enabled, found["ddns"].destination) == (True, "depot.dyndns.org")
    assert (found["auto_register"].destination, found["dahua_p2p"].enabled) == ("121.40.18.33:7000", True)
    assert found["ntp"].enabled is False and "Error" in found["ntp"].evidence.result
    assert "secret" not in repr(found)


def test_rules_without_getcaps_give_no_coverage_and_rules_carry_their_routes():
    ctx, http = stub_context({"configManager.cgi:VideoAnalyseRule": (200, recorded("VideoAnalyseRule.txt"))})
    observations = PROBES[1].run(ctx)
    assert not any(isinstance(o, Coverage) for o in observations)
    assert http.asked.count("devVideoAnalyse.cgi:getCaps") == 1      # refused once: no per-channel retries
    face = next(o for o in observations if o.name == "FaceDetection")
    assert (face.channel, face.enabled, face.sends_to) == (1, True, ("email",))
    yard = next(o for o in observations if o.name == "CrossRegionDetection")
    assert (yard.channel, yard.enabled) == (2, True)
    assert {o.name for o in observations if o.name.startswith("Feature.")} == {"Feature.Sex", "Feature.Age",
                                                                               "Feature.Mask"}
