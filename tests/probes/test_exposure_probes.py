"""Exposure probes: RTSP DESCRIBE answers, certificates, UPnP port lists, accounts; unknown kept apart from no."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from probes._xml import parse_xml
from probes.base import Target
from probes.context import ProbeContext, ProbeSettings
from probes.exposure.certificate import judge_certificate
from probes.exposure.rtsp import PROBE as RTSP
from probes.exposure.rtsp import parse_answer, stream_path
from probes.isapi.upnp_ports import parse_ports
from probes.login import LoginState
from tests.conftest import next_base_address

NOW = dt.datetime(2026, 12, 6, tzinfo=dt.UTC)


def test_rtsp_answers():
    sdp = b"RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 1.2.3.4\r\n"
    assert parse_answer(sdp)[0] is True
    assert parse_answer(b'RTSP/1.0 401 Unauthorized\r\nWWW-Authenticate: Digest realm="x"\r\n\r\n')[0] is False
    assert parse_answer(b"RTSP/1.0 404 Not Found\r\nCSeq: 1\r\n\r\n")[0] is None      # not "protected"
    assert parse_answer(b"RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n")[0] is None               # 200 without SDP
    assert parse_answer(b"HTTP/1.1 400 Bad Request\r\n\r\n")[0] is None
    assert parse_answer(b"")[0] is None


def test_rtsp_path_follows_the_maker():
    assert stream_path({"isapi", "onvif"}) == "/Streaming/Channels/101"
    assert stream_path({"dahua_cgi"}).startswith("/cam/realmonitor")
    assert stream_path({"onvif"}) == "/"


def test_rtsp_without_a_listener_is_unknown():
    ctx = ProbeContext(Target(next_base_address()), LoginState(), ProbeSettings())
    try:
        (obs,) = RTSP.run(ctx)
    finally:
        ctx.close()
    assert obs.service == "rtsp_open" and obs.state is None and obs.evidence.result == "no answer"


def _cert(*, self_signed: bool, days_left: int) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "DS-2CD2032-I")])
    issuer_key = key if self_signed else ec.generate_private_key(ec.SECP256R1())
    issuer = subject if self_signed else x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Site CA")])
    end = NOW + dt.timedelta(days=days_left)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(1).not_valid_before(end - dt.timedelta(days=365)).not_valid_after(end)
            .sign(issuer_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_certificates():
    assert judge_certificate(_cert(self_signed=True, days_left=100), NOW)[:2] == (True, False)
    assert judge_certificate(_cert(self_signed=True, days_left=-3), NOW)[:2] == (True, True)
    assert judge_certificate(_cert(self_signed=False, days_left=100), NOW)[:2] == (False, False)
    assert judge_certificate(b"not a certificate", NOW)[:2] == (None, None)


def _ports(body: str):
    return parse_ports(parse_xml(body.encode(), "test").root)


def test_upnp_port_lists():
    ns = 'xmlns="http://www.hikvision.com/ver20/XMLSchema"'
    on = (f'<ports {ns}><enabled>true</enabled><mapmode>auto</mapmode><portList>'
          '<port><id>1</id><enabled>true</enabled><protocol>HTTP</protocol><internalPort>80</internalPort>'
          '<externalPort>8080</externalPort></port>'
          '<port><id>2</id><enabled>false</enabled><protocol>RTSP</protocol><internalPort>554</internalPort>'
          '<externalPort>554</externalPort></port></portList></ports>')
    assert _ports(on) == "HTTP 80->8080"
    assert _ports(on.replace("<enabled>true</enabled><mapmode>", "<enabled>false</enabled><mapmode>")) == ""
    assert _ports(f"<ports {ns}><mapmode>auto</mapmode></ports>") is None        # not said: unknown


def test_a_dripping_rtsp_answer_ends_at_the_deadline():
    """Hostile input: a device that sends one byte at a time never holds the probe past its deadline."""
    import socket
    import threading
    import time

    from probes.http import HttpSettings

    address = next_base_address()
    server = socket.create_server((address, 554))
    stop = threading.Event()

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.sendall(b"RTSP/1.0 200 OK\r\n")
            while not stop.is_set():
                try:
                    conn.sendall(b"X")
                except OSError:
                    return
                time.sleep(0.2)

    threading.Thread(target=drip, daemon=True).start()
    ctx = ProbeContext(Target(address), LoginState(), ProbeSettings(http=HttpSettings(deadline=1.0)))
    started = time.monotonic()
    try:
        (obs,) = RTSP.run(ctx)
    finally:
        stop.set()
        ctx.close()
        server.close()
    assert time.monotonic() - started < 3
    assert obs.state is None
