"""Unit tests for the Dahua key=value parser and the pure readers built on it, fed recorded
bodies from tests/data/dahua/ (see its README for what each file shows)."""

from __future__ import annotations

from pathlib import Path

import pytest

from probes.dahua import _kv
from probes.dahua._kv import elements, flag, node, parse_kv, split_key, strings, value
from probes.dahua.analytics import supported_rules
from probes.dahua.face_db import describe_group, holds_faces
from probes.dahua.motion import smart_enabled
from probes.dahua.remote_access import SETTINGS, read_email, read_nas, read_register
from probes.errors import MalformedResponse, NotSupported, UnexpectedAnswer

DATA = Path(__file__).resolve().parents[1] / "data" / "dahua"


def body(name: str) -> bytes:
    return (DATA / name).read_bytes()


def doc(name: str) -> _kv.KvDoc:
    return parse_kv(body(name), name)


def table(name: str, config: str) -> _kv.Node | None:
    return node(doc(name).tree, ("table", config))


# -- the wire format ----------------------------------------------------------------------------

def test_flat_magicbox_answer_keeps_every_pair_in_wire_order():
    parsed = doc("getSystemInfo.txt")
    assert [k for k, _ in parsed.pairs] == ["appAutoStart", "deviceType", "hardwareVersion", "processor",
                                            "serialNumber", "updateSerial"]
    assert parsed.get("deviceType") == "IPC-HDW5831R-ZE"
    assert parsed.get("serialNumber") == "4A02E3CPAZ00001"
    assert parsed.notes == []


def test_values_are_split_on_the_first_equals_sign_only():
    parsed = doc("values_with_equals.txt")
    assert parsed.get("table.Email.Title") == "Alarm: a=b"
    assert parsed.get("table.Custom.Url") == "rtsp://10.0.0.5/cam/realmonitor?channel=1&subtype=0"
    assert parsed.get("table.Custom.Empty") == ""
    assert parsed.get("table.Custom.Expr") == "=x==y"


def test_invalid_utf8_is_replaced_and_noted_not_fatal():
    parsed = doc("getMachineName_latin1.txt")
    assert parsed.get("name") == "Salle r\\xe9union"          # the Latin-1 byte as a visible escape, never U+FFFD
    assert any("UTF-8" in note for note in parsed.notes)


def test_nested_arrays_and_objects_become_a_tree():
    rules = table("VideoAnalyseRule.txt", "VideoAnalyseRule")
    channels = elements(rules)
    assert [index for index, _ in channels] == [0, 1]
    first_channel = [rule for _, rule in elements(channels[0][1])]
    assert [value(r, "Type") for r in first_channel] == ["FaceDetection", "CrossLineDetection"]
    assert strings(node(first_channel[0], "Config.FeatureList")) == ["Sex", "Age", "Mask"]
    assert flag(first_channel[0], "Config.FeatureEnable") is True
    assert flag(first_channel[1], "Enable") is False
    assert value(first_channel[0], "Config.DetectRegion[0][1]") == "1024"


def test_a_table_sent_as_an_object_or_a_one_item_array_reads_the_same():
    as_array = table("T2UServer_array.txt", "T2UServer")
    as_object = node(parse_kv(b"table.T2UServer.Enable=true\r\n").tree, ("table", "T2UServer"))
    assert [flag(e, "Enable") for _, e in elements(as_array)] == [True]
    assert [flag(e, "Enable") for _, e in elements(as_object)] == [True]


@pytest.mark.parametrize("name", ["lf_only.txt", "cr_only.txt"])
def test_bare_lf_and_bare_cr_line_ends_are_accepted(name):
    parsed = doc(name)
    assert len(parsed.pairs) == 2
    assert all("\r" not in v and "\n" not in v for _, v in parsed.pairs)


def test_empty_body_is_a_valid_answer_with_nothing_in_it():
    parsed = doc("empty.txt")
    assert not parsed and parsed.tree == {} and parsed.notes == []


def test_dahua_error_body_means_not_supported():
    assert _kv.error_detail(body("error.txt")) == "Bad Request!"
    with pytest.raises(NotSupported, match="Bad Request!"):
        doc("error.txt")


def test_any_other_error_detail_is_not_taken_for_not_supported():
    with pytest.raises(UnexpectedAnswer, match="Invalid Authority!") as caught:
        doc("error_other.txt")
    assert not isinstance(caught.value, NotSupported)


def test_a_value_that_merely_starts_with_error_is_data():
    assert parse_kv(b"result=Error\r\n").get("result") == "Error"
    assert _kv.error_detail(b"Errors=3\r\n") is None


def test_repeated_and_clashing_keys_keep_the_first_and_are_noted():
    parsed = doc("duplicate_and_clash.txt")
    assert parsed.get("table.A.B") == "1"
    assert parsed.get("table.C") == "leaf"
    assert node(parsed.tree, "table.C.D") is None
    assert len([n for n in parsed.notes if "first was kept" in n]) == 3
    assert any("without a key=value pair" in n for n in parsed.notes)


@pytest.mark.parametrize("name", ["html.txt", "prose.txt"])
def test_markup_or_prose_is_refused_as_malformed(name):
    with pytest.raises(MalformedResponse):
        doc(name)


@pytest.mark.parametrize(("key", "expected"), [
    ("table.VideoAnalyseRule[0][1].Config.FeatureList[2]",
     ("table", "VideoAnalyseRule", 0, 1, "Config", "FeatureList", 2)),
    ("GroupList[0].groupName", ("GroupList", 0, "groupName")),
    ("sn", ("sn",)),
    ("a..b", None), ("a.", None), ("[0]", None), ("a[x]", None), ("a[0", None), ("", None),
])
def test_split_key(key, expected):
    assert split_key(key) == expected


# -- readers the probes build on these trees ----------------------------------------------------

def test_getcaps_supported_rules_are_read_wherever_they_are_nested():
    assert supported_rules(doc("getCaps.txt").tree) == ["FaceDetection", "CrossLineDetection",
                                                       "CrossRegionDetection", "SmartMotionHuman"]
    assert supported_rules(parse_kv(b"SupportedRules=HeatMap,NumberStat\r\n").tree) == ["HeatMap", "NumberStat"]
    assert supported_rules(doc("empty.txt").tree) == []


def test_face_groups_are_described_with_their_sizes():
    groups = [g for _, g in elements(node(doc("findGroup.txt").tree, "GroupList"))]
    described = [describe_group(g) for g in groups]
    assert described[0] == ("Members (WhiteListDB, id 1, channels 1): 1840 faces", 1840)
    assert described[1] == ("Banned (BlackListDB, id 2, channels 1): 12 faces", 12)
    assert holds_faces([1840, 12]) is True
    zero = [g for _, g in elements(node(doc("findGroup_zero.txt").tree, "GroupList"))]
    assert holds_faces([describe_group(g)[1] for g in zero]) is False
    assert holds_faces([0, None]) is None


def test_smart_motion_filters_only_when_on_with_a_human_or_vehicle_type():
    def entry(text: bytes) -> _kv.Node:
        return node(parse_kv(text).tree, "x")
    assert smart_enabled(entry(b"x.Enable=true\r\nx.ObjectTypes.Human=true\r\nx.ObjectTypes.Vehicle=false")) is True
    assert smart_enabled(entry(b"x.Enable=true\r\nx.ObjectTypes.Human=false\r\nx.ObjectTypes.Vehicle=false")) is False
    assert smart_enabled(entry(b"x.Enable=false\r\nx.ObjectTypes.Human=true")) is False
    assert smart_enabled(entry(b"x.Enable=true")) is None


def test_email_reader_names_the_server_and_never_the_password():
    enabled, destination, text = read_email(table("Email.txt", "Email"))
    assert (enabled, destination) == (True, "smtp.gmail.com")
    assert "Receivers=manager@council.example" in text and "Port=465" in text
    assert "Gmail-App-Pass-xyz" not in text and "Password" not in text and "UserName" not in text


def test_nas_reader_reports_ftp_entries_only_and_never_the_password():
    enabled, destination, text = read_nas(table("NAS.txt", "NAS"))
    assert (enabled, destination) == (True, "203.0.113.20")
    assert "ftp-secret-1" not in text and "upload" not in text


def test_auto_register_destination_is_host_and_port():
    assert read_register(table("DVRIP.txt", "DVRIP"))[:2] == (True, "121.40.18.33:7000")
    enabled, destination, text = read_register(node(parse_kv(b"table.DVRIP.TCPPort=37777").tree, ("table", "DVRIP")))
    assert (enabled, destination) == (False, None) and "no RegisterServer" in text


def test_ddns_destination_is_the_enabled_entrys_full_name():
    enabled, destination, text = SETTINGS["ddns"][1](table("DDNS.txt", "DDNS"))
    assert (enabled, destination) == (True, "depot.dyndns.org")
    assert "ddns-secret" not in text
