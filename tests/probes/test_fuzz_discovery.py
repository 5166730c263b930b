"""Property tests for the three discovery reply parsers (issue 10, fuzz harness).

Whatever a device (or anything else on UDP 3702/37020/37810) sends, `parse_reply` returns a
DiscoveryReply, returns None, or raises a ProbeError subclass (MalformedResponse,
HostileResponse) that the exchange records as a note; never any other exception, and within a
time bound. Inputs: raw bytes, valid replies (built here from PROTOCOLS.md) mutated byte by byte,
XML assembled from the real field names, DHIP frames with any header and any JSON.
"""

from __future__ import annotations

import json
import struct
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from probes.base import IdentitySignal
from probes.discovery import dhip, sadp, wsd
from probes.discovery.reply import DiscoveryReply
from probes.errors import ProbeError

SOURCE = "192.0.2.7"
TIME_BOUND = 2.0          # seconds per parse, generous for a loaded 2-core machine
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SADP_FIELDS = ["Uuid", "Types", "DeviceType", "DeviceDescription", "DeviceSN", "CommandPort", "HttpPort", "MAC",
               "IPv4Address", "SoftwareVersion", "Activated", "SupportHCPlatform", "HCPlatformEnable", "OEMInfo",
               "SDKOverTLSPort"]
SADP_REPLY = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ProbeMatch>\n<Uuid>11223344-5566-7788-9900-112233445566"
              b"</Uuid>\n<Types>inquiry</Types>\n<DeviceType>138</DeviceType>\n<DeviceDescription>DS-2CD2386G2-IU"
              b"</DeviceDescription>\n<DeviceSN>DS-2CD2386G2-IU20200101AAWRJ00000001</DeviceSN>\n<CommandPort>8000"
              b"</CommandPort>\n<HttpPort>80</HttpPort>\n<MAC>44-19-b6-00-00-01</MAC>\n<SoftwareVersion>V5.7.15build "
              b"230201</SoftwareVersion>\n<SupportHCPlatform>true</SupportHCPlatform>\n<HCPlatformEnable>flase"
              b"</HCPlatformEnable>\n</ProbeMatch>\n")
WSD_REPLY = (f'<e:Envelope xmlns:e="{wsd.SOAP}" xmlns:a="{wsd.WSA}" xmlns:d="{wsd.WSD}"><e:Header>'
             "<a:RelatesTo>uuid:1</a:RelatesTo></e:Header><e:Body><d:ProbeMatches><d:ProbeMatch>"
             "<d:Scopes>onvif://www.onvif.org/name/HIKVISION%20DS-2CD2386G2-IU onvif://www.onvif.org/hardware/"
             "DS-2CD2386G2-IU onvif://www.onvif.org/MAC/44:19:b6:00:00:01</d:Scopes><d:XAddrs>"
             "http://192.0.2.7/onvif/device_service</d:XAddrs></d:ProbeMatch></d:ProbeMatches></e:Body>"
             "</e:Envelope>").encode()
DHIP_REPLY = dhip.frame(json.dumps({"mac": "3c:ef:8c:00:00:01", "method": "client.notifyDevInfo", "params": {
    "deviceInfo": {"DeviceClass": "IPC", "DeviceType": "IPC-HFW5442E", "HttpPort": 80, "Port": 37777,
                   "SerialNo": "6J0ABCDPAG00001", "Vendor": "Dahua", "Version": "2.800.0000000.25.R"}}}).encode()
                        + b"\n\x00")

PARSERS = {
    "sadp": lambda data: sadp.parse_reply(data, SOURCE),
    "ws_discovery": lambda data: wsd.parse_reply(data, SOURCE, message_id="uuid:1"),
    "dhip": lambda data: dhip.parse_reply(data, SOURCE),
}
VALID = {"sadp": SADP_REPLY, "ws_discovery": WSD_REPLY, "dhip": DHIP_REPLY}


def check(protocol: str, data: bytes) -> DiscoveryReply | None:
    """The property: a reply, None or a ProbeError, in bounded time, and a reply that is well-typed."""
    started = time.perf_counter()
    try:
        reply = PARSERS[protocol](data)
    except ProbeError as exc:
        assert exc.reason and "\n" not in exc.reason
        reply = None
    assert time.perf_counter() - started < TIME_BOUND, (protocol, len(data))
    if reply is not None:
        assert isinstance(reply, DiscoveryReply) and (reply.protocol, reply.address) == (protocol, SOURCE)
        assert all(isinstance(s, IdentitySignal) and isinstance(s.value, str) and 0 < len(s.value) <= 200
                   for s in reply.signals)
        assert reply.http_port is None or 0 < reply.http_port < 65536
        assert all(0 < port < 65536 for _, port in reply.ports)
    return reply


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """The valid reply with a few bytes replaced, inserted or cut, or truncated."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["replace", "insert", "delete"]))
        byte = draw(st.integers(0, 255))
        if action == "insert" or at == len(data):
            data.insert(at, byte)
        elif action == "replace":
            data[at] = byte
        else:
            del data[at]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


FIELD_TEXT = st.one_of(st.text(max_size=40), st.sampled_from(["flase", "true", "0", "-1", "65536", "99999999999",
                                                                "44-19-B6-00-00-01", "V5.5.0build 991340", ""]))


@st.composite
def sadp_like(draw: st.DrawFn) -> bytes:
    """A ProbeMatch assembled from the real field names, any values, any order, maybe nested deep."""
    names = draw(st.lists(st.sampled_from(SADP_FIELDS), max_size=20))
    body = "".join(f"<{n}>{_escape(draw(FIELD_TEXT))}</{n}>" for n in names)
    depth = draw(st.integers(0, 3)) ** 4          # 0, 1, 16 or 81 levels of wrapping
    root = draw(st.sampled_from(["ProbeMatch", "Probe", "ProbeMatches", "x:ProbeMatch"]))
    opening = f'<{root} xmlns:x="urn:x">' if root.startswith("x:") else f"<{root}>"
    return (("<w>" * depth) + opening + body + f"</{root}>" + ("</w>" * depth)).encode(
        draw(st.sampled_from(["utf-8", "latin-1"])), "replace")


def _escape(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                                       max_size=4), max_leaves=20)


@st.composite
def dhip_like(draw: st.DrawFn) -> bytes:
    """A DHIP frame with any header size and lengths around any JSON, deviceInfo-shaped or not."""
    info = draw(st.dictionaries(st.sampled_from(["DeviceClass", "DeviceType", "HttpPort", "Port", "SerialNo",
                                                 "Vendor", "Manufacturer", "Version", "MachineName", "MAC"]),
                                JSON, max_size=10))
    message = draw(st.one_of(JSON, st.just({"mac": draw(JSON), "method": "client.notifyDevInfo",
                                            "params": {"deviceInfo": info}})))
    payload = json.dumps(message).encode() + draw(st.sampled_from([b"", b"\n\x00", b"\xff\xfe"]))
    size = draw(st.sampled_from([0, 8, 24, 32, 64, 65, 0xFFFFFFFF]))
    length = draw(st.one_of(st.just(len(payload)), st.integers(0, 2**64 - 1)))
    header = struct.pack("<I", size) + b"DHIP" + bytes(8) + struct.pack("<QQ", length, length)
    return header + payload


@FUZZ
@given(st.sampled_from(sorted(PARSERS)), st.binary(max_size=2048))
def test_any_bytes(protocol, data):
    check(protocol, data)


@FUZZ
@given(st.sampled_from(sorted(PARSERS)), st.data())
def test_mutated_valid_replies(protocol, data):
    check(protocol, data.draw(mutated(VALID[protocol])))


@FUZZ
@given(sadp_like())
def test_sadp_from_real_field_names(data):
    reply = check("sadp", data)
    if reply is not None:
        assert ("manufacturer", "Hikvision") in {(s.field, s.value) for s in reply.signals}


@FUZZ
@given(dhip_like())
def test_dhip_frames_with_any_header_and_json(data):
    check("dhip", data)


def test_the_valid_replies_parse_and_big_or_deep_inputs_stay_in_bounds():
    """The seeds are real replies, so a mutation test starts from something the parser accepts."""
    for protocol, data in VALID.items():
        assert check(protocol, data) is not None, protocol
    for protocol in PARSERS:
        for data in (b"<a>" * 100_000, b"[" * 100_000, b"\x00" * 65_535, VALID[protocol] * 40):
            check(protocol, data)


def test_an_unreadable_encoding_declaration_is_a_malformed_reply():
    """Found by test_mutated_valid_replies: `encoding="TF-8"` made expat raise LookupError, and
    `utf-32` ValueError, past parse_xml; both are now one MalformedResponse."""
    for name in ("TF-8", "utf-32", "mbcs"):
        declaration = f'<?xml version="1.0" encoding="{name}"?>'.encode()
        for protocol, body in (("sadp", SADP_REPLY.split(b"?>", 1)[1]), ("ws_discovery", WSD_REPLY)):
            try:
                PARSERS[protocol](declaration + body)
            except ProbeError as exc:
                assert "encoding" in exc.reason, (protocol, name, exc.reason)
            else:
                raise AssertionError(f"{protocol} accepted encoding={name}")
