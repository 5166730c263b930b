"""Property tests: whatever bytes a device sends, the answer parsers return a value or raise a
ProbeError (a recorded outcome), never another exception, and within a time bound.

Inputs mix plain random bytes with XML / key=value fragments, so the search reaches the parsers'
interesting branches (DTDs, entities, odd keys, array indices, invalid UTF-8) quickly. Example
counts stay modest: this file runs in a few seconds.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probes._xml import flag, parse_xml, text
from probes.dahua._kv import elements, parse_kv, strings
from probes.errors import ProbeError

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

XML_PIECES = st.sampled_from([
    b'<?xml version="1.0" encoding="UTF-8"?>', b"<DeviceInfo>", b"</DeviceInfo>", b'<a xmlns="urn:x">', b"</a>",
    b"<b/>", b"<enabled>true</enabled>", b"<![CDATA[x<y]]>", b"<!-- c -->", b'<!DOCTYPE a [<!ENTITY e "x">]>',
    b"&e;", b"&amp;", b"&#0;", b"&#x110000;", b'<!ENTITY % p SYSTEM "file:///etc/passwd">', b"<?pi x?>",
    b"\xff\xfe", b"\x00", b"<", b">", b'="', b"\xc3\x28", b"<ns:t xmlns:ns='u'>", b"</ns:t>",
])
KV_PIECES = st.sampled_from([
    b"table.", b"Rule", b"[0]", b"[", b"]", b"[99999999999]", b".", b"=", b"true", b"Error", b"Bad Request!",
    b"\r\n", b"\n", b"\r", b"\x00", b"\xff", b"<html>", b"FeatureList", b"[" + b"9" * 5000 + b"]", b" ",
])


def bodies(pieces: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.one_of(st.binary(max_size=2048), st.lists(st.one_of(pieces, st.binary(max_size=16)),
                                                        max_size=60).map(b"".join))


@FAST
@given(bodies(XML_PIECES))
def test_parse_xml_yields_a_document_or_a_probe_error(body):
    try:
        doc = parse_xml(body, "fuzz")
    except ProbeError:
        return
    for node in doc.root.iter():            # the namespace-agnostic helpers hold on whatever parsed
        text(node)
        flag(node, "enabled")


@FAST
@given(bodies(KV_PIECES))
def test_parse_kv_yields_pairs_or_a_probe_error(body):
    try:
        doc = parse_kv(body, "fuzz")
    except ProbeError:
        return
    for key, val in doc.pairs:
        assert doc.get(key) == val                  # every kept pair reads back from the tree
    for _, item in elements(doc.tree):
        strings(item)
