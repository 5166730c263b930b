"""A small XML builder for ISAPI documents.

Every ISAPI answer is one root element carrying ``version="2.0"`` and a default namespace,
with plain child elements below it. Values from profiles (names, hosts, user names) go
through ElementTree, so ``&``, ``<`` and quotes are always escaped; nothing here builds
markup by joining strings.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping

from device_simulators.runtime.http import SimResponse

Scalar = str | int | float | bool | None

# Hikvision firmware labels XML bodies this way (seen in alertStream parts and ISAPI replies).
CONTENT_TYPE = 'application/xml; charset="UTF-8"'
JSON_CONTENT_TYPE = "application/json; charset=UTF-8"


def text_of(value: Scalar) -> str | None:
    """ISAPI spelling of a scalar: booleans are lower-case words, None means an empty element."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attrs(attrs: Mapping[str, Scalar]) -> dict[str, str]:
    return {k: v for k, v in ((k, text_of(v)) for k, v in attrs.items()) if v is not None}


def document(tag: str, namespace: str, **attrs: Scalar) -> ET.Element:
    """A root element with the version and namespace attributes every ISAPI document has."""
    return ET.Element(tag, {"version": "2.0", "xmlns": namespace, **_attrs(attrs)})


def add(parent: ET.Element, tag: str, text: Scalar = None, **attrs: Scalar) -> ET.Element:
    """Append one child element and return it."""
    node = ET.SubElement(parent, tag, _attrs(attrs))
    node.text = text_of(text)
    return node


def leaves(parent: ET.Element, pairs: Mapping[str, Scalar] | Iterable[tuple[str, Scalar]]) -> ET.Element:
    """Append simple child elements in order; returns the parent for chaining."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    for tag, value in items:
        add(parent, tag, value)
    return parent


def serialize(root: ET.Element) -> bytes:
    """The document as firmware sends it: XML declaration, one element per line."""
    ET.indent(root, space="")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")


def xml_response(root: ET.Element, status: int = 200) -> SimResponse:
    return SimResponse(status, serialize(root), CONTENT_TYPE)


def local_name(tag: str) -> str:
    """Element name without its ``{namespace}`` prefix."""
    return tag.rsplit("}", 1)[-1]


def parse_untrusted(body: bytes) -> ET.Element | None:
    """Parse a client's XML body, refusing DTDs outright (no entities, no external fetches).

    Returns None for anything that is not one well-formed element tree.
    """
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        return None
    try:
        return ET.fromstring(body)  # noqa: S314 - DTDs and entities are refused above
    except ET.ParseError:
        return None
