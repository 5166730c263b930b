"""The HTTP side of the ONVIF client: a zeep Transport that can only send reads.

onvif-zeep's own ONVIFCamera subscribes to events while it connects (CreatePullPointSubscription)
and zeep will POST any operation a WSDL names, so the guarantee lives here, below zeep: the SOAP
Body's operation is checked before anything is sent, and only `Get*` leaves the machine.
Besides that: no proxies, no file:// adapter, no redirects (a 302 would turn the POST into a GET
elsewhere), self-signed TLS accepted, per-call timeouts, a size cap and a whole-answer deadline.
requests errors are left to the one translation boundary in client.py.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from lxml import etree
from urllib3.exceptions import InsecureRequestWarning
from zeep.transports import Transport

from probes.errors import ResponseTooLarge, TimedOut

_SOAP_BODIES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")
CHUNK = 16 << 10


class NotARead(RuntimeError):
    """A camaudit bug: something tried to send an ONVIF operation that is not a Get*."""


def operation_of(envelope: etree._Element) -> str:
    """Local name of the first element in the SOAP Body ('' when there is none)."""
    for namespace in _SOAP_BODIES:
        body = envelope.find(f"{{{namespace}}}Body")
        if body is not None:
            first = next((c for c in body if isinstance(c.tag, str)), None)
            return etree.QName(first).localname if first is not None else ""
    return ""


def require_read(operation: str) -> None:
    if not operation.startswith("Get"):
        raise NotARead(f"ONVIF {operation or 'request without an operation'} is not a read; "
                       "camaudit only sends Get* operations")


@dataclass(frozen=True)
class Exchange:
    """What the last POST looked like, for evidence."""

    path: str
    status: int
    body: bytes
    duration_ms: int


class ReadOnlyTransport(Transport):
    def __init__(self, timeout: float, max_body: int) -> None:
        session = requests.Session()
        session.trust_env = False          # never through a proxy
        session.verify = False             # cameras ship self-signed certificates
        super().__init__(session=session, timeout=timeout, operation_timeout=(min(3.0, timeout), timeout))
        session.adapters.pop("file://", None)      # zeep mounts one; a device must not reach our files
        session.headers["User-Agent"] = "camaudit (read-only ONVIF audit)"
        self.deadline = 2 * timeout
        self.max_body = max_body
        self.last: Exchange | None = None

    def post_xml(self, address: str, envelope: etree._Element, headers: dict[str, str]) -> requests.Response:
        require_read(operation_of(envelope))
        return super().post_xml(address, envelope, headers)

    def post(self, address: str, message: bytes, headers: dict[str, str]) -> requests.Response:
        started = time.monotonic()
        path = urlsplit(address).path or "/"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", InsecureRequestWarning)
            response = self.session.post(address, data=message, headers=headers, stream=True,
                                         allow_redirects=False, timeout=self.operation_timeout)
        with response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.max_body:
                raise ResponseTooLarge(f"{path} announced {int(declared) >> 10} KiB, over the "
                                       f"{self.max_body >> 10} KiB cap; not read")
            chunks, size = [], 0
            # read1 returns whatever has arrived, so the deadline also stops a short body that a
            # device drips byte by byte (iter_content would wait for a whole chunk first).
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                size += len(chunk)
                if size > self.max_body:
                    raise ResponseTooLarge(f"{path} sent more than {self.max_body >> 10} KiB; reading stopped")
                if time.monotonic() - started > self.deadline:
                    raise TimedOut(f"{path} was still sending after {self.deadline:g} s; reading stopped")
                chunks.append(chunk)
        response._content = b"".join(chunks)       # what zeep reads through response.content
        self.last = Exchange(path, response.status_code, response._content,
                             int((time.monotonic() - started) * 1000))
        return response

    def load(self, url: str) -> bytes:
        # WSDLs come from onvif-zeep's package directory; nothing is ever fetched from a device.
        if urlsplit(url).scheme in ("http", "https"):
            raise NotARead(f"refusing to fetch {url}: camaudit loads WSDLs only from its own files")
        return super().load(url)
