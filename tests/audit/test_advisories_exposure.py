"""Exposure from configuration (auditor/judge/exposure.py): positive readings only, unknown stays silent."""

from __future__ import annotations

import datetime as dt

from auditor.judge.exposure import exposure_findings
from models.audit import DeviceAudit
from models.identity import DeviceIdentity

AUDITED = dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC)


def _ids(services: dict | None = None, **fields) -> set[str]:
    """Findings of an audit built from `fields`: identity fields go to its DeviceIdentity, the rest to the audit."""
    names = set(DeviceIdentity.__dataclass_fields__)
    identity = DeviceIdentity(**{k: v for k, v in fields.items() if k in names})
    audit = DeviceAudit(address="127.0.0.1", port=80, started=AUDITED, services=services or {}, identity=identity,
                        **{k: v for k, v in fields.items() if k not in names})
    return {f.id for f in exposure_findings(audit)}


def test_ssh_on_and_https_off_are_findings_unknown_is_not():
    assert _ids(services={"ssh": True, "https": False}) == {"ssh-enabled", "https-disabled"}
    assert _ids(services={"ssh": False, "https": True}) == set()
    assert _ids(services={"ssh": None, "https": None}) == set()
    assert _ids(services={}) == set()


def test_old_firmware_is_measured_against_the_audit_date_not_today():
    assert "firmware-old" in _ids(firmware="V5.2.0", firmware_date=dt.date(2014, 7, 21))
    assert "firmware-old" not in _ids(firmware="V5.7.18", firmware_date=dt.date(2024, 8, 26))
    assert "firmware-old" not in _ids(firmware="V5.2.0")                                  # no build date
    undated = DeviceAudit(address="127.0.0.1", port=80, identity=DeviceIdentity(firmware_date=dt.date(2014, 7, 21)))
    assert not list(exposure_findings(undated))                                           # no audit date
    (old,) = exposure_findings(DeviceAudit(address="127.0.0.1", port=80, started=AUDITED,
                                           identity=DeviceIdentity(firmware="V5.2.0",
                                                                   firmware_date=dt.date(2014, 7, 21))))
    assert "12 years before this audit" in old.title and old.severity == "medium"


def test_configuration_exposures_fire_on_positive_readings_only():
    affected = {"upnp_ports": "HTTP 80->8080", "rtsp_open": True, "accounts": "admin", "login_lockout": False,
                "tls_self_signed": True, "tls_expired": True, "clock_offset_seconds": -3600}
    assert _ids(services=affected) == {"upnp-ports-mapped", "rtsp-no-auth", "admin-only-account", "login-lockout-off",
                                       "tls-self-signed", "tls-certificate-expired", "clock-unsynchronised"}
    fine = {"upnp_ports": "", "rtsp_open": False, "accounts": "admin,viewer", "login_lockout": True,
            "tls_self_signed": False, "tls_expired": False, "clock_offset_seconds": 2}
    assert _ids(services=fine) == set()
    unknown = dict.fromkeys(affected)
    assert _ids(services=unknown) == set()
    assert _ids(services={"accounts": "operator"}) == set()        # one account, not named admin


def test_upnp_mappings_need_upnp_not_known_off_and_ntp_off_is_its_own_finding():
    from models.audit import empty_remote_access

    remote = empty_remote_access()
    remote["upnp"].enabled = False
    assert _ids(services={"upnp_ports": "HTTP 80->80"}, remote_access=remote) == set()
    remote["ntp"].enabled = False
    assert _ids(services={}, remote_access=remote) == {"ntp-off"}
    (skew,) = exposure_findings(DeviceAudit(address="127.0.0.1", port=80, started=AUDITED, remote_access=remote,
                                            services={"clock_offset_seconds": 3599}))
    assert skew.id == "clock-unsynchronised" and "3599 s ahead" in skew.title


def test_an_api_answering_without_a_login_is_a_finding_unless_by_design_or_the_whole_device_is_open():
    from models.audit import ProtocolStatus

    open_isapi = {"isapi": ProtocolStatus("probed", "/ISAPI/System/deviceInfo answered 200 without a login "
                                                    "(isapi-deviceinfo-open); pointed at by SADP reply"),
                  "onvif": ProtocolStatus("probed", "/onvif/device_service answered GetSystemDateAndTime without "
                                                    "a login; pointed at by WS-Discovery XAddr")}
    assert _ids(auth="ok", protocol_status=open_isapi) == {"api-open-without-login"}
    assert _ids(auth="not-required", protocol_status=open_isapi) == set()      # no-authentication says it all
    by_design = {"onvif": open_isapi["onvif"]}
    assert _ids(auth="ok", protocol_status=by_design) == set()
    asked = {"isapi": ProtocolStatus("probed", "/ISAPI/System/deviceInfo asked for a login")}
    assert _ids(auth="ok", protocol_status=asked) == set()
