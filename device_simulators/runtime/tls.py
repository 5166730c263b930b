"""Self-signed certificates, made at start-up, the way cameras ship them."""

from __future__ import annotations

import atexit
import datetime as dt
import functools
import ipaddress
import os
import ssl
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def self_signed_context(common_name: str, address: str, *, expired_days: float | None = None) -> ssl.SSLContext:
    """A server SSLContext with a fresh self-signed certificate for `address`; with `expired_days`,
    one whose validity ended that many days ago (a camera nobody renewed)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    if expired_days is not None:
        start -= dt.timedelta(days=3650 + expired_days)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(start + dt.timedelta(days=3650))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    # load_cert_chain only reads files. One private directory per process (made once): a temporary
    # directory per device cost more than the certificate itself (mkdir/rmdir ~7 ms on a busy disk).
    fd, name = tempfile.mkstemp(suffix=".pem", dir=_scratch())
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(cert.public_bytes(serialization.Encoding.PEM))
            out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()))
        context.load_cert_chain(path)
    finally:
        path.unlink(missing_ok=True)
    return context


@functools.lru_cache(maxsize=1)
def _scratch() -> str:
    folder = tempfile.TemporaryDirectory(prefix="camaudit-sim-tls-")
    atexit.register(folder.cleanup)
    return folder.name
