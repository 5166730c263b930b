"""SOAP 1.2 as ONVIF firmware speaks it: read a request (operation and WS-Security token),
write an answer or a fault.

Requests are parsed with lxml and no entity resolution, no network and no DTD: SOAP 1.2
forbids a document type declaration outright, so any DOCTYPE is a Sender fault rather than
something to expand. Every parse problem becomes a SoapFault; nothing here raises anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from device_simulators.onvif.xmlnode import NAMESPACES, E, Node, render

SOAP12 = NAMESPACES["env"]
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
CONTENT_TYPE = "application/soap+xml; charset=utf-8"



def _parser() -> etree.XMLParser:
    # One parser per request: lxml parsers must not be shared between the server's threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


@dataclass(frozen=True)
class UsernameToken:
    """A WS-Security UsernameToken as sent (nothing checked yet)."""

    user: str
    password: str | None
    digest: bool               # PasswordDigest (True) or PasswordText (False)
    nonce: str | None
    created: str | None


@dataclass(frozen=True)
class SoapRequest:
    namespace: str             # namespace of the operation element
    operation: str             # its local name, e.g. "GetDeviceInformation"
    body: etree._Element       # the operation element itself
    token: UsernameToken | None


class SoapFault(Exception):
    """A SOAP 1.2 fault to send back. `subcodes` are ter: QNames, outermost first."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str, status: int) -> None:
        super().__init__(reason)
        self.code = code
        self.subcodes = subcodes
        self.reason = reason
        self.status = status

    def node(self) -> Node:
        subcode: Node | None = None
        for value in reversed(self.subcodes):
            subcode = E("env:Subcode", E("env:Value", value), subcode)
        return E("env:Fault",
                 E("env:Code", E("env:Value", f"env:{self.code}"), subcode),
                 E("env:Reason", E("env:Text", {"xml:lang": "en"}, self.reason)))


# -- the faults the ONVIF core specification names (Sender -> HTTP 400, Receiver -> 500) --
def not_authorized(status: int = 400) -> SoapFault:
    return SoapFault("Sender", ("ter:NotAuthorized",),
                     "The action requested requires authorization and the sender is not authorized",
                     status)


def action_not_supported(status: int = 500) -> SoapFault:
    return SoapFault("Receiver", ("ter:ActionNotSupported",),
                     "Optional Action Not Implemented", status)


def no_such_service(status: int = 500) -> SoapFault:
    return SoapFault("Receiver", ("ter:ActionNotSupported", "ter:NoSuchService"),
                     "The requested service is not supported", status)


def invalid_arg(subcode: str, reason: str) -> SoapFault:
    return SoapFault("Sender", ("ter:InvalidArgVal", subcode), reason, 400)


def not_well_formed(reason: str) -> SoapFault:
    return SoapFault("Sender", ("ter:WellFormed",), reason, 400)


def envelope(body: Node) -> bytes:
    """A complete SOAP 1.2 message with every known prefix declared on the Envelope."""
    doc = E("env:Envelope", E("env:Body", body))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + render(doc, NAMESPACES).encode("utf-8")


# -- reading requests ---------------------------------------------------------------------
def local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def child(element: etree._Element | None, name: str) -> etree._Element | None:
    """First child element with this local name, whatever its namespace."""
    if element is None:
        return None
    return next((c for c in element if local(c) == name), None)


def children(element: etree._Element | None, name: str) -> list[etree._Element]:
    if element is None:
        return []
    return [c for c in element if local(c) == name]


def child_text(element: etree._Element | None, name: str) -> str | None:
    found = child(element, name)
    return (found.text or "").strip() if found is not None else None


def parse_request(data: bytes) -> SoapRequest:
    """Parse a SOAP 1.2 request or raise the SoapFault a device would answer with."""
    if not data.strip():
        raise not_well_formed("Empty request: a SOAP envelope was expected")
    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise not_well_formed(f"XML is not well formed: {exc}") from None
    if root.getroottree().docinfo.doctype:
        raise not_well_formed("A SOAP message must not contain a document type declaration")
    if root.tag != f"{{{SOAP12}}}Envelope":
        # SOAP 1.2 part 1, 5.4.7: anything but a SOAP 1.2 Envelope is a version mismatch.
        found = "a SOAP 1.1 Envelope" if root.tag == f"{{{SOAP11}}}Envelope" else f"<{local(root)}>"
        raise SoapFault("VersionMismatch", (), f"Wrong SOAP version: expected a SOAP 1.2 Envelope, "
                        f"found {found}", 500)
    body = root.find(f"{{{SOAP12}}}Body")
    operation = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if operation is None:
        raise not_well_formed("The SOAP Body holds no operation")
    name = etree.QName(operation)
    return SoapRequest(namespace=name.namespace or "", operation=name.localname, body=operation,
                       token=_username_token(root.find(f"{{{SOAP12}}}Header")))


def _username_token(header: etree._Element | None) -> UsernameToken | None:
    if header is None:
        return None
    token = header.find(f"{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None:
        return None
    password = token.find(f"{{{WSSE}}}Password")
    created = token.find(f"{{{WSU}}}Created")
    nonce = token.find(f"{{{WSSE}}}Nonce")
    # WS-Security UsernameToken Profile 1.0: a Password without Type is PasswordText.
    kind = password.get("Type", "") if password is not None else ""
    return UsernameToken(
        user=(token.findtext(f"{{{WSSE}}}Username") or "").strip(),
        password=(password.text or "").strip() if password is not None else None,
        digest=kind.endswith("#PasswordDigest"),
        nonce=(nonce.text or "").strip() if nonce is not None else None,
        created=(created.text or "").strip() if created is not None else None,
    )
