"""Hostile and broken ONVIF answers become recorded outcomes and the other probes go on; plus
the pure helpers (XAddr placement, topic walking, fault translation) on hand-written input."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest
from lxml import etree
from zeep import exceptions as zx

from device_simulators import bundled_profile
from device_simulators.profile import Quirk
from probes.base import Coverage, FeatureObservation, IdentitySignal, Target
from probes.context import ProbeContext, ProbeSettings
from probes.errors import (
    ConnectionDropped,
    CredentialsRejected,
    HostileResponse,
    MalformedResponse,
    NotSupported,
    ResponseTooLarge,
    TimedOut,
    UnexpectedAnswer,
)
from probes.login import Credentials, LoginState
from probes.onvif import PROBES
from probes.onvif._translate import translate
from probes.onvif._wsdl import place
from probes.onvif.client import client_for
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
    root = etree.fromstring(f'<ts xmlns:wstop="http://docs.oasis-open.org/wsn/t-1" '
                            f'xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tns1="http://www.onvif.org/ver10/topics">'
                            f'{xml}</ts>')
    return type("TopicSet", (), {"_value_1": list(root)})()


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


@pytest.mark.parametrize(("subcode", "status", "error"), [
    ("ActionNotSupported", 500, NotSupported), ("NoSuchService", 500, NotSupported),
    ("NotAuthorized", 400, CredentialsRejected), ("InvalidArgVal", 400, UnexpectedAnswer),
    ("Whatever", 401, CredentialsRejected)])
def test_faults_translate_by_subcode(subcode, status, error):
    fault = zx.Fault("refused", code="env:Sender",
                     subcodes=[etree.QName("http://www.onvif.org/ver10/error", subcode)])
    last = type("Last", (), {"status": status, "body": b""})()
    assert isinstance(translate(fault, "GetX /onvif/x", last), error)


def test_zeep_parses_replies_with_hostile_xml_forbidden(start_fleet):
    device = start_fleet(hik_with()).devices[0]
    ctx = context(device)
    IDENTITY.run(ctx)
    settings = client_for(ctx)._proxy("devicemgmt").zeep_client.settings
    ctx.close()
    assert (settings.forbid_dtd, settings.forbid_entities, settings.forbid_external) == (True, True, True)
    assert settings.xml_huge_tree is False and settings.strict is True
