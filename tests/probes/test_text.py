"""probes.text: device bytes that are not UTF-8 become visible escapes, the same over HTTP and DHIP."""

from __future__ import annotations

from pathlib import Path

from probes.dahua._kv import parse_kv
from probes.text import decode_device_text, escape_stray_bytes

DATA = Path(__file__).parents[1] / "data" / "dahua"


def test_valid_utf8_is_kept_and_invalid_bytes_are_visible_escapes():
    assert decode_device_text("Salle réunion".encode()) == ("Salle réunion", True)
    assert decode_device_text(b"Salle r\xe9union\xff\xfe") == ("Salle r\\xe9union\\xff\\xfe", False)
    assert "\ufffd" not in decode_device_text(bytes(range(256)))[0]


def test_the_recorded_latin1_name_reads_the_same_from_key_value_text_and_from_json():
    import json

    raw = (DATA / "getMachineName_latin1.txt").read_bytes()
    over_http = parse_kv(raw, "getMachineName").get("name")
    name = raw.split(b"=", 1)[1].strip()
    over_dhip = json.loads(escape_stray_bytes(b'{"name": "%s"}'.replace(b"%s", name).decode("utf-8", "surrogateescape"),
                                              in_json=True))["name"]
    assert over_http == over_dhip == "Salle r\\xe9union"
