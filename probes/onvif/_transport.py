"""The HTTP side of the ONVIF client: a zeep Transport that can only send reads.

onvif-zeep's own ONVIFCamera subscribes to events while it connects (CreatePullPointSubscription)
and zeep will POST any operation a WSDL names, so the guarantee lives here, below zeep: the SOAP
Body's operation is checked before anything is sent, and only `Get*` leaves the machine.
Besides that: no proxies, no file:// adapter, no redirects (a 302 would turn the POST into a GET
elsewhere), self-signed TLS accepted. Reading (size cap, whole-answer deadline, per-device budget)
and the translation of requests/urllib3 failures are probes/_transport.py's, the one boundary
shared with DeviceHttp; zeep's own failures are left to `_translate` in client.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from lxml import etree
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from zeep.transports import Transport

from probes._transport import Limits, exchange, open_session
from probes._xml import check_xml

_SOAP_BODIES = ("http://www.w3.org/2003/05/soap-envelope", "http://schemas.xmlsoap.org/soap/envelope/")


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


class _Session(requests.Session):
    """zeep's session (it only loads WSDL files); closing it closes the device connections too."""

    def __init__(self) -> None:
        super().__init__()
        self.device = open_session({"User-Agent": "camaudit (read-only ONVIF audit)"})

    def close(self) -> None:
        self.device.close()
        super().close()


class ReadOnlyTransport(Transport):
    def __init__(self, timeout: float, max_body: int) -> None:
        session = _Session()
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
        path = urlsplit(address).path or "/"
        connect, read = self.operation_timeout
        done = exchange(self.session.device, "POST", address, Limits(connect, read, self.deadline, self.max_body),
                        where=path, data=message, headers=headers)
        self.last = Exchange(path, done.status, done.body, done.elapsed_ms)
        # zeep parses with lxml, which bounds depth but not element count: the same per-answer
        # bounds and device budget as parse_xml, checked before zeep builds anything.
        check_xml(done.body, path)
        response = requests.Response()                 # what zeep reads: status, headers, content
        response.status_code, response.url, response._content = done.status, done.url, done.body
        response.headers = CaseInsensitiveDict(done.headers)
        response.encoding = get_encoding_from_headers(response.headers)
        return response

    def load(self, url: str) -> bytes:
        # WSDLs come from onvif-zeep's package directory; nothing is ever fetched from a device.
        if urlsplit(url).scheme in ("http", "https"):
            raise NotARead(f"refusing to fetch {url}: camaudit loads WSDLs only from its own files")
        return super().load(url)
