"""Safe, namespace-agnostic XML reading for device answers.

Devices send XML in several namespaces for the same elements (Hikvision: hikvision.com/ver20,
isapi.org/ver20, std-cgi.org/ver20), sometimes with invalid UTF-8 in operator-typed names,
and a hostile device can send DTDs with external entities or entity bombs. Every document is
parsed by defusedxml with DTDs forbidden, so nothing is ever expanded or fetched.

Parsing is bounded too (issue 10.3: 2 MiB of flat `<a/>`, within the size cap, cost 62 s and
531 MB): the body is fed to the parser in chunks and parsing stops past XmlLimits (elements,
depth, time), and every parse is charged to the device's budget (probes/_budget.py).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

from probes import _budget
from probes._redact import redact
from probes.errors import HostileResponse, MalformedResponse, ResponseTooComplex
from probes.text import INVALID_NOTE, decode_device_text

_TRUE = {"true", "1", "yes", "on", "enable", "enabled"}
# "flase" is a real misspelling seen in Hikvision SADP replies (PROTOCOLS.md quirk 17).
_FALSE = {"false", "0", "no", "off", "disable", "disabled", "flase"}


@dataclass(frozen=True)
class XmlLimits:
    """Bounds for one answer. The largest real ISAPI capability document is ~110 KiB with a few
    thousand elements; a 64-channel NVR's channel, trigger or ONVIF profile list stays in the tens
    of thousands of elements and under 20 levels. Attributes count as elements."""

    max_elements: int = 100_000
    max_depth: int = 128
    max_seconds: float = 3.0


LIMITS = XmlLimits()
_FEED = 64 << 10


class _TooComplex(Exception):
    """Raised from inside the parser's callbacks to stop it; becomes ResponseTooComplex."""


class _Bounds:
    """Counts elements and depth as the parser reports them; stops it past the limits."""

    def __init__(self, limits: XmlLimits, seconds: float) -> None:
        self.limits, self.count, self.depth = limits, 0, 0
        self.stop_at = time.monotonic() + seconds

    def opened(self, attrs: Any) -> None:
        self.count += 1 + len(attrs)
        self.depth += 1
        if self.count > self.limits.max_elements:
            raise _TooComplex(f"more than {self.limits.max_elements} elements")
        if self.depth > self.limits.max_depth:
            raise _TooComplex(f"elements nested more than {self.limits.max_depth} deep")
        if not self.count & 1023:
            self.timed()

    def timed(self) -> None:
        if time.monotonic() > self.stop_at:
            raise _TooComplex("parsing took too long")


class _BoundedTree(TreeBuilder):
    def __init__(self, bounds: _Bounds) -> None:
        super().__init__()
        self.bounds = bounds

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.bounds.opened(attrs)
        return super().start(tag, attrs)

    def end(self, tag: str) -> Element:
        self.bounds.depth -= 1
        return super().end(tag)


@dataclass
class XmlDoc:
    root: Element
    notes: list[str] = field(default_factory=list)   # e.g. "invalid UTF-8 replaced"


def parse_xml(body: bytes, where: str, *, limits: XmlLimits | None = None,
              budget: _budget.DeviceBudget | None = None) -> XmlDoc:
    """Parse a device's XML answer; raise HostileResponse, MalformedResponse or ResponseTooComplex
    (past `limits`), or BudgetExhausted when the device already used up its parsing budget."""
    if not body.strip():
        raise MalformedResponse(f"{where} answered with an empty body")
    notes: list[str] = []
    data: bytes | str = body
    text, clean = decode_device_text(body)
    if not clean:
        # Old firmware stores operator-typed names in Latin-1 and still declares UTF-8 (probes.text).
        data = text
        notes.append(INVALID_NOTE)
    return XmlDoc(_bounded_parse(data, where, limits or LIMITS, budget), notes)


def _bounded_parse(data: bytes | str, where: str, limits: XmlLimits,
                   budget: _budget.DeviceBudget | None) -> Element:
    budget = budget if budget is not None else _budget.current()
    seconds = limits.max_seconds
    if budget is not None:
        budget.check()
        seconds = min(seconds, budget.remaining_parse_seconds())
    bounds = _Bounds(limits, seconds)
    parser = DefusedXMLParser(target=_BoundedTree(bounds),
                              forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        with budget.parsing() if budget is not None else _nothing():
            for offset in range(0, len(data), _FEED):
                parser.feed(data[offset:offset + _FEED])
                bounds.timed()
            return parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        error: Exception = HostileResponse(f"{where} sent XML with a document type or entity declarations "
                                           f"({type(exc).__name__}); refused without expanding it")
    except _TooComplex as exc:
        error = ResponseTooComplex(f"{where} sent XML with {exc}; parsing stopped "
                                   f"(camaudit reads at most {limits.max_elements} elements, "
                                   f"{limits.max_depth} levels, {limits.max_seconds:g} s per answer)")
    except ParseError as exc:
        error = MalformedResponse(f"{where} sent XML that does not parse ({exc})")
    except (LookupError, ValueError) as exc:
        # expat raises these, not ParseError, for a declaration naming an unknown or multi-byte
        # encoding (`encoding="TF-8"`, `utf-32`): found by tests/probes/test_fuzz_discovery.py.
        error = MalformedResponse(f"{where} declares an XML encoding that cannot be read ({exc})")
    # Not chained, and the parser dropped first: the parser's exception and this frame would
    # otherwise keep the half-built tree alive for as long as the error is kept (a whole device).
    del parser
    raise error


class _nothing:  # noqa: N801 - a do-nothing context manager, like contextlib.nullcontext but typed simply
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


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
    snippet = redact(decode_device_text(body[:limit * 4])[0])
    snippet = " ".join(snippet.split())
    return snippet[:limit] + ("…" if len(snippet) > limit else "")
