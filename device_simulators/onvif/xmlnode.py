"""A tiny XML writer for SOAP answers.

Camera firmware built on gSOAP (Hikvision, Dahua and most OEMs) declares every prefix once on
the Envelope and then writes QName *values* such as ``Type="hikxsd:TamperEngine"`` or
``tns1:RuleEngine/CellMotionDetector/Motion``. Those values only resolve when the prefix is
declared in scope, which a builder that invents its own prefixes (``ns0``) cannot promise.
So names are written exactly as given, every namespace in ``NAMESPACES`` is declared on the
Envelope, and all text and attribute values are escaped here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

NAMESPACES: dict[str, str] = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "ter": "http://www.onvif.org/ver10/error",
    "xs": "http://www.w3.org/2001/XMLSchema",
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tev": "http://www.onvif.org/ver10/events/wsdl",
    "tan": "http://www.onvif.org/ver20/analytics/wsdl",
    "timg": "http://www.onvif.org/ver20/imaging/wsdl",
    "wsa": "http://www.w3.org/2005/08/addressing",
    "wsnt": "http://docs.oasis-open.org/wsn/b-2",
    "wstop": "http://docs.oasis-open.org/wsn/t-1",
    "tns1": "http://www.onvif.org/ver10/topics",
    # Hikvision's ONVIF extension schema and event topics (also on its OEM firmware).
    "hikxsd": "http://www.onvifext.com/onvif/ext/ver10/schema",
    "tnshik": "http://www.hikvision.com/2011/event/topics",
    # Axis event topics.
    "tnsaxis": "http://www.axis.com/2009/event/topics",
}

# Prefixes a profile may use in module/rule types and topics.
QNAME_PREFIXES = frozenset({"tt", "hikxsd", "tns1", "tnshik", "tnsaxis"})

@dataclass(frozen=True, slots=True)
class Node:
    """One element: a prefixed name, attributes in order, and children (elements or text)."""

    name: str
    attrs: tuple[tuple[str, str], ...] = ()
    children: tuple[Node | str, ...] = ()


def to_text(value: object) -> str:
    """XML Schema spelling of a Python value (booleans are lower case)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def E(name: str, *content: object) -> Node:  # noqa: N802 - reads like a builder, as lxml's E does
    """Build an element. Mappings become attributes (None values dropped), None children are
    skipped, iterables are flattened, everything else becomes escaped text."""
    attrs: list[tuple[str, str]] = []
    children: list[Node | str] = []

    def add(item: object) -> None:
        if item is None:
            return
        if isinstance(item, Node):
            children.append(item)
        elif isinstance(item, Mapping):
            attrs.extend((k, to_text(v)) for k, v in item.items() if v is not None)
        elif isinstance(item, (str, int, float, bool)):
            children.append(to_text(item))
        elif isinstance(item, Iterable):
            for sub in item:
                add(sub)
        else:
            raise TypeError(f"cannot put {type(item).__name__} into <{name}>")

    for item in content:
        add(item)
    return Node(name, tuple(attrs), tuple(children))


def render(node: Node, namespaces: Mapping[str, str] | None = None) -> str:
    """Serialise `node`; `namespaces` are declared on it (used for the Envelope only)."""
    out: list[str] = []
    _write(node, out, namespaces or {})
    return "".join(out)


def _write(node: Node, out: list[str], declare: Mapping[str, str]) -> None:
    out.append("<" + node.name)
    for prefix, uri in declare.items():
        out.append(f" xmlns:{prefix}={quoteattr(uri)}")
    for key, value in node.attrs:
        out.append(f" {key}={quoteattr(value)}")
    if not node.children:
        out.append("/>")
        return
    out.append(">")
    for child in node.children:
        if isinstance(child, Node):
            _write(child, out, {})
        else:
            out.append(escape(child))
    out.append(f"</{node.name}>")
