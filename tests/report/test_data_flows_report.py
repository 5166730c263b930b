"""Pipeline: audit the data-flow profiles (and a camera read with a Viewer account) into a real
SQLite file, then show that every report format and the store say where data goes and which
remote access is "supported, state unknown" - and that no push-host, NAS or account password,
nor a token from an upload URL, is anywhere in them."""

from __future__ import annotations

import ipaddress

import pytest

from auditor.report import build_report, render
from auditor.report.formats import TABLE_NAMES
from auditor.run.credentials import AccountRule, CredentialBook
from device_simulators import bundled_profile
from models.db import open_store
from probes.login import Credentials
from tests.audit.helpers import audit_fleet

PROFILES = ("hik-dome-push-nas", "dahua-bullet-upload-nas", "hik-school-bullet")
TOKENS = ("Zk93-arc-token", "pw-41-secret-token")


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    from tests.conftest import start_on_free_subnet

    fleet = start_on_free_subnet([bundled_profile(p) for p in PROFILES])
    try:
        rules = []
        for device in fleet:
            role = "viewer" if device.profile.id == "hik-school-bullet" else "admin"
            account = next(a for a in device.profile.accounts if a.role == role)
            rules.append(AccountRule((ipaddress.ip_network(device.address),), Credentials(account.user,
                                                                                           account.password)))
        db = tmp_path_factory.mktemp("flows") / "camaudit.db"
        audits = audit_fleet(fleet, db, credentials=CredentialBook(tuple(rules)))
        secrets = list(TOKENS)
        for device in fleet:
            secrets += [a.password for a in device.profile.accounts]
            secrets += [str(s["password"]) for s in device.profile.remote_access.values() if s.get("password")]
            secrets += [str(f["password"]) for flows in device.profile.data_flows.values() if isinstance(flows, list)
                        for f in flows if f.get("password")]
        with open_store(db) as store:
            report = build_report(store)
        yield db, report, {d.profile.id: audits[d.address] for d in fleet}, secrets
    finally:
        fleet.stop()


def outputs(report) -> dict[str, str]:
    out = {fmt: render(report, fmt) for fmt in ("html", "md", "json")}
    out.update({f"csv:{t}": render(report, "csv", table=t) for t in TABLE_NAMES})
    return out


def test_no_password_or_url_token_in_any_report_format_or_the_store(audited):
    db, report, _, secrets = audited
    stored = db.read_bytes() + b"".join(p.read_bytes() for p in db.parent.glob("camaudit.db-*"))
    for secret in secrets:
        assert secret.encode() not in stored, secret
        for fmt, text in outputs(report).items():
            assert secret not in text, (fmt, secret)


def test_markdown_and_html_say_where_data_goes(audited):
    _, report, _, _ = audited
    md, html = render(report, "md"), render(report, "html")
    for text in (md, html):
        assert "Where data goes" in text
        assert "arc.sentinel-monitoring.example:8443/hik/events" in text      # Markdown escapes "//"
        assert "events.parkwatch.example:443/upload" in text
        assert "10.70.0.25:445" in text and "10.60.0.30" in text
    assert "https://arc.sentinel-monitoring.example:8443/hik/events" in html
    assert "arc.sentinel-monitoring.example:8443/hik/events | yes | HTTPS, XML events" in md
    assert "| yes | unknown | supported, state unknown |" in md     # the Viewer's camera (UPnP, ISUP, ...)


def test_csv_tables_carry_flows_and_remote_access_states(audited):
    _, report, _, _ = audited
    flows = render(report, "csv", table="data_flows").splitlines()
    assert flows[0].endswith("kind,label,destination,enabled,channel,detail,evidence")
    assert sum(",nas," in row and ",yes," in row for row in flows) == 2
    assert sum(",audio_recording," in row and ",yes,1," in row for row in flows) == 2
    remote = [row for row in render(report, "csv", table="remote_access").splitlines() if ",upnp," in row]
    # The Viewer may not read the school camera's network pages; its capability flags say they exist.
    assert sum(',yes,unknown,"supported, state unknown",' in row for row in remote) == 1
    assert sum(",yes,no,off," in row for row in remote) == 2          # the dome and the Dahua, read by an admin


def test_the_store_keeps_supported_apart_from_enabled(audited):
    db, _, audits, _ = audited
    from models.store import get_device_audit, list_devices

    with open_store(db) as store:
        stored = [get_device_audit(store, snapshot_id=s.latest.id) for s in list_devices(store)]
    school = next(a for a in stored if a and a.model == audits["hik-school-bullet"].model)
    for setting in ("upnp", "isup", "ddns", "ftp"):      # the Viewer got 403; NetworkCap says they exist
        assert (school.remote_access[setting].supported, school.remote_access[setting].enabled) == (True, None)
    # SADP's HCPlatformEnable still tells the Hik-Connect state without any login.
    assert (school.remote_access["hik_connect"].supported, school.remote_access["hik_connect"].enabled) == (True, True)
    dome = next(a for a in stored if a and a.model == "DS-2CD2146G2-ISU")
    assert [(f.kind, f.enabled) for f in dome.data_flows] == [(f.kind, f.enabled)
                                                            for f in audits["hik-dome-push-nas"].data_flows]
