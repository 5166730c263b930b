"""tls.certificate: is the HTTPS certificate self-signed or expired?

One TLS handshake to the HTTPS port (the target's, else 443) with verification off, only to read
the certificate the device presents, as a browser does before it warns. Self-signed: the issuer
is the subject and the certificate's own key verifies its signature. Expired: `notAfter` is
before our clock. No HTTPS answer -> both unknown (None); the https-disabled finding covers
devices that say HTTPS is off.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import ssl
import time

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from probes.base import Evidence, Observation, ServiceObservation
from probes.context import ProbeContext

PROTOCOL = "tls"
PORT = 443


def self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey) and cert.signature_hash_algorithm is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, padding.PKCS1v15(), cert.signature_hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey) and cert.signature_hash_algorithm is not None:
            key.verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(cert.signature_hash_algorithm))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def judge_certificate(der: bytes, now: dt.datetime) -> tuple[bool | None, bool | None, str]:
    """(self_signed, expired, summary); (None, None, why) when the bytes are not a certificate."""
    try:
        cert = x509.load_der_x509_certificate(der)
        expires = cert.not_valid_after_utc
        signed = self_signed(cert)
        subject = cert.subject.rfc4514_string()[:60]
        issuer = "= subject" if signed else cert.issuer.rfc4514_string()[:60]
    except (ValueError, TypeError):
        return None, None, "the device sent something that is not a readable X.509 certificate"
    return signed, expires < now, f"subject {subject}; issuer {issuer}; valid until {expires.date().isoformat()}"


def _both(signed: bool | None, expired: bool | None, evidence: Evidence) -> list[Observation]:
    return [ServiceObservation("tls_self_signed", signed, evidence),
            ServiceObservation("tls_expired", expired, evidence)]


class Certificate:
    id = "tls.certificate"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        port = ctx.target.https_port or PORT
        address = ctx.target.address
        source = f"{'[' + address + ']' if ':' in address else address}:{port}"
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE      # read the certificate, never trust it
        # Old firmware (Hikvision V5.2, Dahua 2.4xx) only speaks TLS 1.0 with old ciphers: allowed here
        # because nothing is sent over this connection; it only reads the certificate.
        context.minimum_version = ssl.TLSVersion.TLSv1
        with contextlib.suppress(ssl.SSLError):
            context.set_ciphers("DEFAULT:@SECLEVEL=0")
        started = time.monotonic()
        try:
            with socket.create_connection((address, port), timeout=ctx.settings.http.connect_timeout) as raw:
                raw.settimeout(ctx.settings.http.read_timeout)
                with context.wrap_socket(raw) as tls:
                    der = tls.getpeercert(binary_form=True)
        except (OSError, ssl.SSLError) as exc:
            return _both(None, None, Evidence(PROTOCOL, source, "no HTTPS answer", type(exc).__name__))
        if not der:
            return _both(None, None, Evidence(PROTOCOL, source, "no certificate presented"))
        signed, expired, summary = judge_certificate(der, dt.datetime.now(dt.UTC))
        evidence = Evidence(PROTOCOL, source, "certificate read", summary, int((time.monotonic() - started) * 1000))
        return _both(signed, expired, evidence)


PROBE = Certificate()
