"""The fixed ONVIF envelopes against the ONVIF WSDLs, the WS-Security token against zeep's, and
the answer reader against the prefix styles real firmware uses.

onvif-zeep stays a dependency for this: zeep builds every operation of our table from the WSDLs
onvif-zeep ships, and each of our bodies must carry the same element, namespace, parameters and
SOAP action, so the table in probes/onvif/_operations.py cannot drift from the spec.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import inspect
import os

import pytest
import requests
import zeep
from lxml import etree
from onvif import ONVIFCamera
from onvif.definition import SERVICES
from zeep.transports import Transport
from zeep.wsse.username import UsernameToken

from probes._xml import parse_xml
from probes.errors import MalformedResponse
from probes.login import Credentials
from probes.onvif._answer import Answer
from probes.onvif._envelope import SOAP12, WSSE, WSU, envelope, headers, password_digest, security_header
from probes.onvif._operations import OPERATIONS, NotARead, operation
from probes.onvif._reply import read_reply
from probes.onvif.identity import from_device_information
from probes.onvif.network import ntp, services

WSDL_DIR = inspect.signature(ONVIFCamera.__init__).parameters["wsdl_dir"].default
# Our service name -> (WSDL file, binding), as onvif-zeep's definitions name them; the RuleEngine
# binding shares analytics.wsdl.
BINDINGS = {name: (SERVICES[name]["wsdl"], f"{{{SERVICES[name]['ns']}}}{SERVICES[name]['binding']}")
            for name in ("devicemgmt", "media", "events", "analytics")}
BINDINGS["rules"] = (SERVICES["analytics"]["wsdl"], f"{{{SERVICES['analytics']['ns']}}}RuleEngineBinding")
# A value for each parameter, as our probes send it and as zeep takes it.
OURS = {"IncludeCapability": "false", "Category": "All", "ConfigurationToken": "VideoAnalyticsToken"}
ZEEPS = {"IncludeCapability": False, "Category": ["All"], "ConfigurationToken": "VideoAnalyticsToken"}


@pytest.fixture(scope="module")
def zeep_clients() -> dict[str, zeep.Client]:
    session = requests.Session()
    session.trust_env = False
    return {wsdl: zeep.Client(os.path.join(WSDL_DIR, wsdl), transport=Transport(session=session))
            for wsdl, _ in BINDINGS.values()}


def _shape(element: etree._Element) -> list[tuple[str, str]]:
    return [(child.tag, (child.text or "").strip()) for child in element]


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_each_fixed_envelope_is_the_operation_zeep_builds_from_the_onvif_wsdl(zeep_clients, name):
    op = OPERATIONS[name]
    wsdl, binding_name = BINDINGS[op.service]
    client = zeep_clients[wsdl]
    service = client.create_service(binding_name, "http://127.0.0.1/onvif/x")
    values = {p: OURS[p] for p in op.params}
    theirs = client.create_message(service, name, **{p: ZEEPS[p] for p in op.params})
    binding = client.wsdl.bindings[binding_name]
    ours = etree.fromstring(envelope(op, values, None, None))
    assert ours.tag == theirs.tag == f"{{{SOAP12}}}Envelope"            # SOAP 1.2, as the binding says
    (our_body,) = ours.find(f"{{{SOAP12}}}Body")
    (their_body,) = theirs.find(f"{{{SOAP12}}}Body")
    assert our_body.tag == their_body.tag == f"{{{op.namespace}}}{name}"
    assert _shape(our_body) == _shape(their_body)                       # parameters: names, namespace, values
    assert op.action == binding.get(name).soapaction
    assert f'action="{op.action}"' in headers(op)["Content-Type"]


def test_the_table_holds_reads_only_and_refuses_everything_else():
    assert all(name.startswith("Get") for name in OPERATIONS)
    for service, name in (("events", "CreatePullPointSubscription"), ("devicemgmt", "SetHostname"),
                          ("devicemgmt", "GetUsers"), ("media", "GetDeviceInformation")):
        with pytest.raises(NotARead):
            operation(service, name)
    with pytest.raises(TypeError):
        OPERATIONS["GetDeviceInformation"].body({"Name": "x"})


# -- WS-Security UsernameToken -----------------------------------------------------------------
def test_our_password_digest_is_the_one_zeep_computes_and_the_profile_defines():
    nonce, created = b"0123456789abcdef", dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    token = UsernameToken("admin", "pa<ss&word", use_digest=True, nonce=nonce.decode(), created=created,
                          zulu_timestamp=True)
    zeeps = etree.Element("{http://www.w3.org/2003/05/soap-envelope}Envelope")
    token.apply(zeeps, {})
    theirs = zeeps.find(f".//{{{WSSE}}}UsernameToken")
    ours = etree.fromstring(security_header(Credentials("admin", "pa<ss&word"), None, nonce=nonce,
                                            created="2024-01-02T03:04:05Z")).find(f"{{{WSSE}}}UsernameToken")
    assert [(c.tag, c.text, dict(c.attrib)) for c in ours] == [(c.tag, c.text, dict(c.attrib)) for c in theirs]
    # UsernameToken Profile 1.0, 3.1: Base64(SHA-1(nonce + created + password)), by hand
    by_hand = base64.b64encode(hashlib.sha1(nonce + b"2024-01-02T03:04:05Z" + b"pa<ss&word").digest()).decode()
    assert password_digest(nonce, "2024-01-02T03:04:05Z", "pa<ss&word") == by_hand
    assert ours.find(f"{{{WSU}}}Created").text == "2024-01-02T03:04:05Z"


def test_the_token_is_created_on_the_device_clock_and_never_carries_the_password():
    op = OPERATIONS["GetDeviceInformation"]
    sent = envelope(op, {}, Credentials("admin", "Secret-Pass-1"), dt.timedelta(hours=1))
    assert b"Secret-Pass-1" not in sent
    created = etree.fromstring(sent).find(f".//{{{WSU}}}Created").text
    skew = dt.datetime.fromisoformat(created) - dt.datetime.now(dt.UTC)
    assert abs(skew - dt.timedelta(hours=1)) < dt.timedelta(seconds=5)
    nonces = {etree.fromstring(envelope(op, {}, Credentials("a", "b"), None)).find(f".//{{{WSSE}}}Nonce").text
              for _ in range(5)}
    assert len(nonces) == 5                                           # a fresh nonce per request


# -- answers in the prefix styles of real firmware ---------------------------------------------
# Written from the shapes of public captures (hammeraj/onvif test/devices/fixtures/): Axis answers
# with gSOAP's SOAP-ENV:/tds:/tt: prefixes (get_network_protocols.xml), Hikvision with env:, and
# extra vendor prefixes (get_ntp_response.xml: tnshik, hikxsd). Our own bodies, not copies.
AXIS_PROTOCOLS = b"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://www.w3.org/2003/05/soap-envelope"
  xmlns:tds="http://www.onvif.org/ver10/device/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
 <SOAP-ENV:Header></SOAP-ENV:Header>
 <SOAP-ENV:Body><tds:GetNetworkProtocolsResponse>
  <tds:NetworkProtocols><tt:Name>HTTP</tt:Name><tt:Enabled>true</tt:Enabled><tt:Port>80</tt:Port>
   <tt:Port>0</tt:Port></tds:NetworkProtocols>
  <tds:NetworkProtocols><tt:Name>HTTPS</tt:Name><tt:Enabled>false</tt:Enabled><tt:Port>443</tt:Port>
   </tds:NetworkProtocols>
 </tds:GetNetworkProtocolsResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"""
HIK_NTP = b"""<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"
  xmlns:tt="http://www.onvif.org/ver10/schema" xmlns:tds="http://www.onvif.org/ver10/device/wsdl"
  xmlns:tnshik="http://www.hikvision.com/2011/event/topics" xmlns:hikxsd="http://www.onvifext.com/onvif/ext/ver10/schema">
 <env:Body><tds:GetNTPResponse><tds:NTPInformation><tt:FromDHCP>false</tt:FromDHCP>
  <tt:NTPManual><tt:Type>DNS</tt:Type><tt:DNSname>time.windows.com</tt:DNSname></tt:NTPManual>
 </tds:NTPInformation></tds:GetNTPResponse></env:Body></env:Envelope>"""
INFO = ("<Manufacturer>HIKVISION</Manufacturer><Model>DS-2CD2386G2-IU</Model>"
        "<FirmwareVersion>V5.7.15 build 240201</FirmwareVersion><SerialNumber>DS-2CD2386G2-IU0001</SerialNumber>"
        "<HardwareId>88</HardwareId>")
DEFAULT_NS = (f'<Envelope xmlns="{SOAP12}"><Body><GetDeviceInformationResponse '
              f'xmlns="http://www.onvif.org/ver10/device/wsdl">{INFO}</GetDeviceInformationResponse></Body></Envelope>')
SOAP11 = ('<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><x:GetDeviceInformationResponse '
          'xmlns:x="http://www.onvif.org/ver10/device/wsdl">' + INFO.replace("<", "<x:").replace("<x:/", "</x:")
          + "</x:GetDeviceInformationResponse></s:Body></s:Envelope>")


def _answer(body: bytes, name: str) -> Answer:
    return Answer(read_reply(body, 200, name, f"{name} /onvif/device_service"), name, "/onvif/device_service", 200, 1)


def test_answers_are_read_by_namespace_whatever_the_prefixes():
    assert {(o.service, o.state) for o in services(_answer(AXIS_PROTOCOLS, "GetNetworkProtocols"))} == {
        ("http", "80"), ("https", False)}      # Port 0 is no port
    observed = ntp(_answer(HIK_NTP, "GetNTP"), None)
    assert (observed.destination, observed.enabled) == ("time.windows.com", None)   # no DateTimeType read
    for body in (DEFAULT_NS, SOAP11):
        got = {(s.field, s.value) for s in from_device_information(_answer(body.encode(), "GetDeviceInformation"))}
        assert {("manufacturer", "HIKVISION"), ("model", "DS-2CD2386G2-IU"), ("firmware", "V5.7.15"),
                ("firmware_date", "2024-02-01"), ("serial", "DS-2CD2386G2-IU0001")} <= got


def test_an_element_in_another_namespace_is_still_found_by_local_name_but_the_envelope_must_be_soap():
    # The reader keys on the SOAP envelope namespace (1.1 or 1.2) and on local names inside it.
    root = parse_xml(DEFAULT_NS.encode(), "x").root
    assert root.tag == f"{{{SOAP12}}}Envelope"
    with pytest.raises(MalformedResponse, match="not a SOAP envelope"):
        read_reply(DEFAULT_NS.replace(SOAP12, "urn:not-soap").encode(), 200, "GetDeviceInformation", "x")
