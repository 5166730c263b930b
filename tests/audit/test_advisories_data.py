"""Advisory data files: every entry checked and sourced, and the matcher's three answers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from auditor.judge.advisories.data import AdvisoryDataError, load, load_file
from auditor.judge.advisories.match import Device, match_all

REQUIRED = {"CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044", "CVE-2021-33045", "CVE-2017-9315", "CVE-2019-3948"}

GOOD = """
[meta]
vendor = "Hikvision"
scheme = "hikvision"
updated = 2027-01-15

[[advisory]]
cve = "CVE-2017-7921"
title = "t"
severity = "critical"
cvss_vector = "CVSS:3.0/AV:N"
kev = true
fixed = "f"
range_verified = true
sources = ["https://nvd.nist.gov/vuln/detail/CVE-2017-7921"]

[[advisory.affected]]
family = "DS-2CD2xx2F-I"
models = ['DS-2CD2\\d\\d2F-I']
start = "V5.2.0 build 140721"
end = "V5.4.0 build 160530"
"""


@pytest.fixture
def bundled(tmp_path):
    return load(user=tmp_path / "none")


def test_bundled_data_loads_and_covers_the_advisories_operators_must_know(bundled):
    assert REQUIRED <= {a.cve for a in bundled.advisories}
    assert bundled.updated is not None
    assert all(a.sources for a in bundled.advisories)
    assert all(a.range_note for a in bundled.advisories if not all(r.range_verified for r in a.affected))
    kev = {a.cve for a in bundled.advisories if a.kev}
    assert {"CVE-2017-7921", "CVE-2021-36260", "CVE-2021-33044", "CVE-2021-33045"} <= kev


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hikvision.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_entry_without_a_source_is_refused(tmp_path):
    with pytest.raises(AdvisoryDataError, match="cite at least one source"):
        load_file(_write(tmp_path, GOOD.replace('sources = ["https://nvd.nist.gov/vuln/detail/CVE-2017-7921"]',
                                                 "sources = []")))
    with pytest.raises(AdvisoryDataError, match="cite at least one source"):
        load_file(_write(tmp_path, GOOD.replace('sources = ["https://nvd.nist.gov/vuln/detail/CVE-2017-7921"]', "")))


@pytest.mark.parametrize("old, new, said", [
    ('cve = "CVE-2017-7921"', 'cve = "7921"', "cve must look like"),
    ('severity = "critical"', 'severity = "urgent"', "severity"),
    ('end = "V5.4.0 build 160530"', 'end = "latest"', "not a hikvision version"),
    ('range_verified = true', 'range_verified = false', "range_note"),
    ("kev = true", 'kev = "maybe"', "kev must be"),
    ("[meta]", "[nometa]", "[meta]"),
    ('start = "V5.2.0 build 140721"\nend = "V5.4.0 build 160530"', "", "names no firmware range"),
])
def test_malformed_entries_are_refused_with_one_sentence(tmp_path, old, new, said):
    with pytest.raises(AdvisoryDataError, match=said.replace("[", r"\[").replace("]", r"\]")):
        load_file(_write(tmp_path, GOOD.replace(old, new)))


def test_a_user_file_takes_precedence_over_the_bundled_one(tmp_path):
    _write(tmp_path, GOOD)
    data = load(user=tmp_path)
    assert data.files["hikvision.toml"] == tmp_path / "hikvision.toml"
    assert [a.cve for a in data.advisories if a.vendor == "Hikvision"] == ["CVE-2017-7921"]
    assert data.updated == dt.date(2027, 1, 15)


def test_a_broken_user_file_does_not_stop_an_audit(tmp_path, monkeypatch):
    from auditor.judge.advisories.findings import current

    (tmp_path / "camaudit" / "advisories").mkdir(parents=True)
    (tmp_path / "camaudit" / "advisories" / "hikvision.toml").write_text("[meta]\n", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    current.cache_clear()
    try:
        assert REQUIRED <= {a.cve for a in current().advisories}      # the bundled set, not a crash
    finally:
        current.cache_clear()


def _verdicts(bundled, **kw) -> dict[str, str]:
    fields = {"manufacturer": None, "model": None, "device_type": None, "firmware": None, "firmware_date": None} | kw
    return {m.advisory.cve: m.verdict for m in match_all(Device(**fields), bundled.advisories)}


def test_the_2014_hikvision_firmware_is_inside_the_cve_2017_7921_range(bundled):
    got = _verdicts(bundled, manufacturer="Hikvision", model="DS-2CD2432F-IW", device_type="camera",
                    firmware="V5.2.0", firmware_date=dt.date(2014, 7, 21))
    assert got == {"CVE-2017-7921": "affected"}
    fixed = _verdicts(bundled, manufacturer="Hikvision", model="DS-2CD2432F-IW", device_type="camera",
                      firmware="V5.4.5", firmware_date=dt.date(2017, 1, 23))
    assert fixed == {"CVE-2021-36260": "affected"}      # past the 7921 range, inside the 36260 heuristic


def test_unparsable_or_incomplete_firmware_is_cannot_tell_never_not_affected(bundled):
    hik = {"manufacturer": "Hikvision", "model": "DS-2CD2432F-IW", "device_type": "camera"}
    assert _verdicts(bundled, **hik, firmware="build-xyz") == {"CVE-2017-7921": "cannot tell",
                                                               "CVE-2021-36260": "cannot tell"}
    assert _verdicts(bundled, **hik, firmware="V5.5.800") == {"CVE-2021-36260": "cannot tell"}
    unknown_model = _verdicts(bundled, manufacturer="Hikvision", device_type="camera", firmware="V5.3.0",
                              firmware_date=dt.date(2015, 5, 1))
    assert unknown_model == {"CVE-2017-7921": "cannot tell"}


def test_recorders_and_other_makers_are_not_matched_by_camera_rules(bundled):
    assert _verdicts(bundled, manufacturer="Hikvision", model="DS-7608NXI-K2/8P", device_type="nvr",
                     firmware="V4.62.210", firmware_date=dt.date(2022, 4, 15)) == {}
    assert _verdicts(bundled, manufacturer="Axis", model="P1455-LE", device_type="camera",
                     firmware="10.12.1", firmware_date=dt.date(2020, 1, 1)) == {}


def test_dahua_by_build_date_and_exact_version(bundled):
    got = _verdicts(bundled, manufacturer="Dahua", model="IPC-HDBW2231R-ZS", device_type="camera",
                    firmware="V2.520.AC00.18.R", firmware_date=dt.date(2017, 6, 29))
    assert got == {"CVE-2021-33044": "affected", "CVE-2021-33045": "affected", "CVE-2019-3948": "affected"}
    reset = _verdicts(bundled, manufacturer="Dahua", model="IPC-HFW1320S", device_type="camera",
                      firmware="2.420.0000.10.R", firmware_date=dt.date(2016, 3, 1))
    assert reset["CVE-2017-9315"] == "affected"
    fixed = _verdicts(bundled, manufacturer="Dahua", model="IPC-HFW1320S", device_type="camera",
                      firmware="2.800.0000016.0.R", firmware_date=dt.date(2022, 3, 1))
    assert fixed == {}
