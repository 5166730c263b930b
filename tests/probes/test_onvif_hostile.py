"""Hostile and broken ONVIF answers become recorded outcomes and the other probes go on; plus
the pure helpers (XAddr placement, topic walking, answer and fault reading) on hand-written input."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from probes._xml import parse_xml
from probes.base import Coverage, FeatureObservation, IdentitySignal, Target
from probes.context import ProbeContext, ProbeSettings
from probes.errors import (
    ConnectionDropped,
    CredentialsRejected,
    HostileResponse,
    MalformedResponse,
    NotSupported,
    ResponseTooComplex,
    ResponseTooLarge,
    TimedOut,
    UnexpectedAnswer,
)
from probes.login import Credentials, LoginState
from probes.onvif import PROBES
from probes.onvif._reply import read_reply
from probes.onvif._services import place
from probes.onvif.events import MAX_DEPTH, topics

IDENTITY, ANALYTICS, EVENTS, NETWORK = PROBES


def hik_with(*quirks: Quirk):
    """hik-school-bullet (Hikvision layout: /onvif/Events, /onvif/Analytics) with extra quirks."""
    profile = bundled_profile("hik-school-bullet")
    return replace(profile, protocols=frozenset({"onvif"}), quirks=profile.quirks + quirks)


def context(device, timeout: float = 6.0) -> ProbeContext:
    account = device.profile.accounts[0]
    return ProbeContext(Target(device.address, device.ports["http"]),
                        LoginState([Credentials(account.user, account.password)]),
                        ProbeSettings(onvif_timeout=timeout))


@pytest.mark.parametrize(("quirk", "error"), [
    (Quirk("xxe", {"paths": ["/onvif/Events"]}), HostileResponse),
    (Quirk("entity_bomb", {"paths": ["/onvif/Events"]}), HostileResponse),
    (Quirk("malformed_xml", {"paths": ["/onvif/Events"]}), MalformedResponse),
    (Quirk("huge_body", {"paths": ["/onvif/Events"], "megabytes": 3}), ResponseTooLarge),
    (Quirk("reset", {"paths": ["/onvif/Events"]}), ConnectionDropped),
], ids=lambda v: v.name if isinstance(v, Quirk) else "")
def test_a_broken_events_answer_is_an_outcome_and_the_rest_still_runs(start_fleet, quirk, error):
    device = start_fleet(hik_with(quirk)).devices[0]
    ctx = context(device)
    with pytest.raises(error) as caught:
        EVENTS.run(ctx)
    assert "/onvif/Events" in caught.value.reason
    if error is HostileResponse:
        assert "root:" not in caught.value.reason          # /etc/passwd never read into anything
    assert any(isinstance(o, IdentitySignal) and o.field == "serial" for o in IDENTITY.run(ctx))
    assert any(o.service == "http" for o in NETWORK.run(ctx) if hasattr(o, "service"))
    ctx.close()


def test_a_dripping_answer_stops_at_the_deadline(start_fleet):
    device = start_fleet(hik_with(Quirk("slow_drip", {"paths": ["/onvif/Events"], "interval": 0.05}))).devices[0]
    ctx = context(device, timeout=1.0)                      # deadline: 2 s for the whole answer
    IDENTITY.run(ctx)
    started = time.monotonic()
    with pytest.raises(TimedOut):
        EVENTS.run(ctx)
    assert time.monotonic() - started < 4
    ctx.close()


def test_a_refusing_analytics_service_leaves_configured_rules_from_media_and_no_coverage(start_fleet):
    # Quirk 15: the service is advertised, then answers HTTP 500 to everything.
    device = start_fleet(hik_with(Quirk("claims_then_fails", {"paths": ["/onvif/Analytics"], "status": 500})))
    ctx = context(device.devices[0])
    found = ANALYTICS.run(ctx)
    ctx.close()
    assert not any(isinstance(o, Coverage) for o in found)
    # Only what the media profiles embed, from GetProfiles: configured rules run; engines only exist.
    assert {o.name: (o.supported, o.enabled) for o in found} == {
        "CellMotionEngine": (True, None), "LineDetectorEngine": (True, None),
        "CellMotionDetector": (True, True), "LineDetector": (True, True)}
    assert all(isinstance(o, FeatureObservation) and o.evidence.source.startswith("GetProfiles") for o in found)


def test_a_redirect_is_not_followed(start_fleet):
    device = start_fleet(hik_with(Quirk("redirect", {"paths": ["/onvif/device_service"],
                                                     "location": "http://127.0.0.1:9/elsewhere"}))).devices[0]
    ctx = context(device)
    with pytest.raises(UnexpectedAnswer, match="HTTP 302"):
        IDENTITY.run(ctx)
    ctx.close()
    assert {e.status for e in device.log.entries()} == {302}


# -- pure helpers ---------------------------------------------------------------------------
def test_xaddrs_are_followed_only_on_the_device_address():
    device = "http://127.0.0.5:8080/onvif/device_service"
    assert place("http://127.0.0.5:8081/onvif/Media", device) == ("http://127.0.0.5:8081/onvif/Media", "")
    moved, note = place("http://10.1.2.3/onvif/Media?x=1", device)
    assert moved == "http://127.0.0.5:8080/onvif/Media?x=1" and "10.1.2.3" in note
    assert place("file:///etc/passwd", device)[0] == "http://127.0.0.5:8080/etc/passwd"


def _topic_set(xml: str):
    return parse_xml((f'<ts xmlns:wstop="http://docs.oasis-open.org/wsn/t-1" '
                      f'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics">'
                      f'{xml}</ts>').encode(), "test").root


def test_topics_drop_prefixes_skip_message_descriptions_and_stop_at_depth():
    found = topics(_topic_set(
        '<tns1:RuleEngine><LineDetector><Crossed wstop:topic="true"><tt:MessageDescription><tt:Source/>'
        '</tt:MessageDescription></Crossed></LineDetector></tns1:RuleEngine>'
        # no wstop:topic, but a MessageDescription: still a topic (sloppy firmware)
        '<tns1:VideoSource><MotionAlarm><tt:MessageDescription/></MotionAlarm></tns1:VideoSource>'))
    assert found == ["RuleEngine/LineDetector/Crossed", "VideoSource/MotionAlarm"]
    deep = "".join(f"<L{i}>" for i in range(50)) + "".join(f"</L{i}>" for i in reversed(range(50)))
    deep = deep.replace("<L49>", '<L49 wstop:topic="true">')
    assert topics(_topic_set(deep)) == []                    # deeper than MAX_DEPTH: not walked
    assert MAX_DEPTH < 50


SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def _fault(subcode: str, reason: str = "refused", code: str = "Sender") -> bytes:
    return (f'<e:Envelope xmlns:e="{SOAP12}" xmlns:ter="http://www.onvif.org/ver10/error"><e:Body><e:Fault>'
            f'<e:Code><e:Value>e:{code}</e:Value><e:Subcode><e:Value>ter:{subcode}</e:Value></e:Subcode></e:Code>'
            f'<e:Reason><e:Text xml:lang="en">{reason}</e:Text></e:Reason></e:Fault></e:Body></e:Envelope>').encode()


@pytest.mark.parametrize(("subcode", "status", "error"), [
    ("ActionNotSupported", 500, NotSupported), ("NoSuchService", 500, NotSupported),
    ("NotAuthorized", 400, CredentialsRejected), ("InvalidArgVal", 400, UnexpectedAnswer),
    ("Whatever", 401, CredentialsRejected)])
def test_faults_translate_by_subcode(subcode, status, error):
    with pytest.raises(error):
        read_reply(_fault(subcode), status, "GetX", "GetX /onvif/x")


# Each hostile or broken answer class read directly: an outcome, never a traceback, nothing expanded.
_BOMB = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
         b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>&b;</e:Body></e:Envelope>')
_XXE = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>&x;</e:Body></e:Envelope>')
_OK = (f'<e:Envelope xmlns:e="{SOAP12}"><e:Body><GetHostnameResponse xmlns="http://www.onvif.org/ver10/device/wsdl">'
       '<HostnameInformation><Name>cam\xff</Name></HostnameInformation></GetHostnameResponse></e:Body></e:Envelope>')


@pytest.mark.parametrize(("body", "status", "error"), [
    (_BOMB, 200, HostileResponse), (_XXE, 200, HostileResponse),
    (b"<e:Envelope xmlns:e='" + SOAP12.encode() + b"'><e:Body>", 200, MalformedResponse),      # truncated
    (b"<html><body>It works</body></html>", 200, MalformedResponse),                          # wrong root
    (b"<Envelope><Body><GetHostnameResponse/></Body></Envelope>", 200, MalformedResponse),    # no SOAP namespace
    (_OK.replace("GetHostnameResponse", "GetUsersResponse").encode(), 200, MalformedResponse),  # another answer
    (b"", 200, MalformedResponse),
    (b"<a>" * 200 + b"</a>" * 200, 200, ResponseTooComplex),
    (b"<html>Not Found</html>", 404, NotSupported),
    (b"", 500, UnexpectedAnswer),
    (b"<html>NotAuthorized</html>", 400, CredentialsRejected),
    (b"", 401, CredentialsRejected),
], ids=["billion-laughs", "xxe", "truncated", "html", "no-namespace", "wrong-answer", "empty", "deep", "404",
        "bare-500", "bare-400-not-authorized", "bare-401"])
def test_hostile_answers_are_outcomes(body, status, error):
    with pytest.raises(error) as caught:
        read_reply(body, status, "GetHostname", "GetHostname /onvif/device_service")
    assert "root:" not in caught.value.reason and "aaaaaaaaaa" not in caught.value.reason


def test_invalid_utf8_is_read_with_a_replacement_not_refused():
    answer = read_reply(_OK.encode().replace(b"\\xff", b"\xff"), 200, "GetHostname", "GetHostname /x")
    name = answer.find("{http://www.onvif.org/ver10/device/wsdl}HostnameInformation")
    assert name is not None and name[0].text.startswith("cam")
