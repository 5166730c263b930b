"""Firmware version comparison per vendor scheme: yes, no, and "cannot tell" kept apart."""

from __future__ import annotations

import datetime as dt

import pytest

from auditor.judge.advisories.versions import compare, in_range, parse


def test_hikvision_version_and_build_parse_together_or_apart():
    inline = parse("hikvision", "V5.5.800 build 190725")
    apart = parse("hikvision", "V5.5.800", dt.date(2019, 7, 25))
    assert inline.version == apart.version == (5, 5, 800)
    assert inline.build == apart.build == dt.date(2019, 7, 25)
    assert parse("hikvision", "V4.62.210").version == (4, 62, 210)      # NVR firmware, no build
    assert parse("hikvision", "V5.5.800build 190725").build == dt.date(2019, 7, 25)   # SADP writes no space


@pytest.mark.parametrize("text", ["", None, "latest", "V5.x.1", "5", "V5.5.800 build 19072", "V5.5.800 build 991399"])
def test_unparsable_hikvision_firmware_is_none(text):
    assert parse("hikvision", text) is None


def test_hikvision_compares_version_then_build():
    fw = parse("hikvision", "V5.4.0 build 160530")
    assert compare(fw, parse("hikvision", "V5.4.0 build 160530")) == 0
    assert compare(fw, parse("hikvision", "V5.4.0 build 160601")) == -1
    assert compare(fw, parse("hikvision", "V5.3.9 build 170101")) == 1
    assert compare(parse("hikvision", "V5.4"), parse("hikvision", "V5.4.0")) == 0      # missing parts are 0
    assert compare(parse("hikvision", "V5.4.0"), parse("hikvision", "V5.4.0 build 160530")) is None


def test_hikvision_ranges_are_inclusive_and_undecided_without_a_build():
    r = {"start": "V5.2.0 build 140721", "end": "V5.4.0 build 160530"}
    assert in_range(parse("hikvision", "V5.2.0 build 140721"), **r) is True          # the 2014 firmware
    assert in_range(parse("hikvision", "V5.4.0 build 160530"), **r) is True
    assert in_range(parse("hikvision", "V5.4.0 build 160531"), **r) is False
    assert in_range(parse("hikvision", "V5.4.5 build 170123"), **r) is False
    assert in_range(parse("hikvision", "V5.3.0"), **r) is True                         # inside on the version alone
    assert in_range(parse("hikvision", "V5.4.0"), **r) is None                         # on the bound, build unknown
    assert in_range(None, **r) is None


def test_build_date_bounds_need_a_build_date():
    kw = {"start": "V5.4.0", "before": "V5.7.0", "built_before": dt.date(2021, 6, 28)}
    assert in_range(parse("hikvision", "V5.5.800", dt.date(2019, 7, 25)), **kw) is True
    assert in_range(parse("hikvision", "V5.5.800", dt.date(2021, 6, 28)), **kw) is False
    assert in_range(parse("hikvision", "V5.7.3", dt.date(2020, 1, 1)), **kw) is False
    assert in_range(parse("hikvision", "V5.5.800"), **kw) is None


def test_dahua_versions_parse_with_or_without_the_build_tail():
    fw = parse("dahua", "2.800.0000016.0.R,build:2020-06-05")
    assert (fw.version, fw.build) == ("2.800.0000016.0.R", dt.date(2020, 6, 5))
    assert parse("dahua", "V2.520.AC00.18.R").version == "2.520.AC00.18.R"           # Amcrest OEM spelling
    assert parse("dahua", "4.001.0000000.1.R", dt.date(2018, 12, 10)).build == dt.date(2018, 12, 10)
    assert parse("dahua", "eng_v3") is None and parse("dahua", "2.800") is None


def test_dahua_is_matched_by_build_date_or_exact_version_never_by_order():
    fw = parse("dahua", "2.622.0000000.31.R", dt.date(2019, 11, 8))
    assert in_range(fw, built_before=dt.date(2021, 7, 1)) is True
    assert in_range(fw, built_before=dt.date(2019, 1, 1)) is False
    assert in_range(parse("dahua", "2.622.0000000.31.R"), built_before=dt.date(2021, 7, 1)) is None
    assert in_range(parse("dahua", "V2.520.AC00.18.R"), versions=["V2.520.AC00.18.R"]) is True
    assert in_range(parse("dahua", "2.800.0000016.0.R"), versions=["V2.520.AC00.18.R"]) is False
    # ordering Dahua strings is refused: a bound that is not the same version cannot be decided
    assert in_range(parse("dahua", "2.800.0000016.0.R"), start="2.400.0000000.1.R") is None


def test_unknown_scheme_is_an_error():
    with pytest.raises(ValueError):
        parse("axis", "10.12.1")
