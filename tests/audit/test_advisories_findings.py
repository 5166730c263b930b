"""The `firmware` findings rule: advisories from data, worded as version-based and never tested."""

from __future__ import annotations

import datetime as dt

from auditor.judge.findings import derive_findings
from models.audit import DeviceAudit
from models.identity import DeviceIdentity


def _audit(**kw) -> DeviceAudit:
    return DeviceAudit(address="127.0.0.1", port=80, reachable=True, identity=DeviceIdentity(**kw))


def _by_id(audit: DeviceAudit) -> dict:
    return {f.id: f for f in derive_findings(audit, [])}


def test_the_2014_hikvision_firmware_raises_cve_2017_7921_with_fix_and_source():
    got = _by_id(_audit(manufacturer="Hikvision", model="DS-2CD2432F-IW", device_type="camera", firmware="V5.2.0",
                        firmware_date=dt.date(2014, 7, 21)))
    finding = got["cve-2017-7921"]
    assert finding.severity == "critical"
    assert "likely affected" in finding.title and "(version-based, not tested)" in finding.title
    assert "ICSA-17-124-01" in finding.title
    assert "2017-03-13" in finding.recommendation                      # the fixed firmware
    assert "nvd.nist.gov/vuln/detail/CVE-2017-7921" in finding.recommendation
    assert any("CISA" in e and "Known Exploited" in e for e in finding.evidence)
    assert any(e.startswith("source: ") for e in finding.evidence)
    assert "advisory-cannot-tell" not in got and "cve-2021-36260" not in got


def test_existing_ids_survive_and_unverified_ranges_say_so():
    hik = _by_id(_audit(manufacturer="Hikvision", model="iDS-2CD7A46G0/P-IZHS", device_type="camera",
                        firmware="V5.5.800", firmware_date=dt.date(2019, 7, 25)))["cve-2021-36260"]
    assert "HSRC-202109-01" in hik.recommendation and "210628" in hik.recommendation
    assert any(e.startswith("range unverified") for e in hik.evidence)
    dahua = _by_id(_audit(manufacturer="Dahua", model="NVR4208-8P-4KS2", device_type="nvr",
                          firmware="4.001.0000000.1.R", firmware_date=dt.date(2018, 12, 10)))
    assert {"cve-2021-33044", "cve-2021-33045"} <= set(dahua)
    assert "cve-2017-9315" not in dahua                                 # cameras only, by model series


def test_unparsable_firmware_is_an_info_cannot_tell_not_silence():
    got = _by_id(_audit(manufacturer="Dahua", model="IPC-HDW1230S", device_type="camera",
                        firmware="General_IPC_site-build", firmware_date=dt.date(2016, 10, 12)))
    assert not {fid for fid in got if fid.startswith("cve-")}
    cannot = got["advisory-cannot-tell"]
    assert cannot.severity == "info"
    assert "CVE-2021-33044" in cannot.title and "not a 'not affected'" in cannot.recommendation
    assert any("not in a version format" in e for e in cannot.evidence)


def test_fixed_firmware_and_unknown_makers_raise_nothing():
    fixed = _by_id(_audit(manufacturer="Hikvision", model="iDS-2CD7A46G0/P-IZHS", device_type="camera",
                          firmware="V5.5.800", firmware_date=dt.date(2021, 6, 28)))
    assert not {fid for fid in fixed if fid.startswith(("cve-", "advisory-"))}
    unknown = _by_id(_audit(firmware="V5.2.0", firmware_date=dt.date(2014, 7, 21)))
    assert not {fid for fid in unknown if fid.startswith(("cve-", "advisory-"))}
