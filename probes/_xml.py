"""Safe, namespace-agnostic XML reading for device answers.

Devices send XML in several namespaces for the same elements (Hikvision: hikvision.com/ver20,
isapi.org/ver20, std-cgi.org/ver20), sometimes with invalid UTF-8 in operator-typed names,
and a hostile device can send DTDs with external entities or entity bombs. Every document is
parsed by defusedxml with DTDs forbidden, so nothing is ever expanded or fetched.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import fromstring

from probes._redact import redact
from probes.errors import HostileResponse, MalformedResponse

_TRUE = {"true", "1", "yes", "on", "enable", "enabled"}
# "flase" is a real misspelling seen in Hikvision SADP replies (PROTOCOLS.md quirk 17).
_FALSE = {"false", "0", "no", "off", "disable", "disabled", "flase"}


@dataclass
class XmlDoc:
    root: Element
    notes: list[str] = field(default_factory=list)   # e.g. "invalid UTF-8 replaced"


def parse_xml(body: bytes, where: str) -> XmlDoc:
    """Parse a device's XML answer; raise HostileResponse or MalformedResponse with a reason."""
    if not body.strip():
        raise MalformedResponse(f"{where} answered with an empty body")
    notes: list[str] = []
    data: bytes | str = body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        # Old firmware stores operator-typed names in Latin-1 and still declares UTF-8.
        data = body.decode("utf-8", errors="replace")
        notes.append("the answer contained bytes that are not valid UTF-8; they were replaced")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise HostileResponse(f"{where} sent XML with a document type or entity declarations "
                              f"({type(exc).__name__}); refused without expanding it") from exc
    except ParseError as exc:
        raise MalformedResponse(f"{where} sent XML that does not parse ({exc})") from exc
    return XmlDoc(root, notes)


def local(tag: str) -> str:
    """Tag without its namespace."""
    return tag.rsplit("}", 1)[-1]


def children(element: Element, name: str | None = None) -> Iterator[Element]:
    for child in element:
        if name is None or local(child.tag) == name:
            yield child


def child(element: Element | None, name: str) -> Element | None:
    if element is None:
        return None
    return next(children(element, name), None)


def find(element: Element | None, path: str) -> Element | None:
    """Follow a slash-separated path of local names."""
    for part in path.split("/"):
        element = child(element, part)
        if element is None:
            return None
    return element


def find_all(element: Element | None, path: str) -> list[Element]:
    """All elements at a slash-separated path of local names."""
    if element is None:
        return []
    parts = path.split("/")
    current = [element]
    for part in parts:
        current = [c for e in current for c in children(e, part)]
    return current


def descendants(element: Element, name: str) -> Iterator[Element]:
    for node in element.iter():
        if local(node.tag) == name:
            yield node


def text(element: Element | None, path: str | None = None) -> str | None:
    node = find(element, path) if path else element
    if node is None or node.text is None:
        return None
    value = node.text.strip()
    return value or None


def to_bool(value: str | None) -> bool | None:
    """Lenient boolean: None when absent or not a recognisable boolean."""
    if value is None:
        return None
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def flag(element: Element | None, path: str) -> bool | None:
    return to_bool(text(element, path))


def excerpt(body: bytes, limit: int = 80) -> str:
    """A short, single-line excerpt of an answer for evidence."""
    snippet = redact(body[:limit * 4].decode("utf-8", errors="replace"))
    snippet = " ".join(snippet.split())
    return snippet[:limit] + ("…" if len(snippet) > limit else "")
