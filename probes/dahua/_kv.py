"""Pure parser for Dahua CGI `key=value` answers (PROTOCOLS.md b, quirk 9).

A body is lines of `key=value` ended by CRLF (some firmware and OEM clones use bare LF or CR).
Values may contain `=` (split on the first one only). Keys nest objects with `.` and arrays
with `[i]`: `table.VideoAnalyseRule[0][1].Config.FeatureList[2]=Mask`. Config answers carry a
`table.` prefix; magicBox answers and query results (findGroup) do not. An empty 200 body is
a valid "nothing there" answer. Old OEM firmware sends operator-typed names as Latin-1 inside
a body declared UTF-8: such bytes are replaced and the fact is noted, never fatal.

The parser only reads bytes; deciding what an HTTP status means is `_cgi.py`'s job. It is
bounded like parse_xml (issue 10.3): at most MAX_LINES lines, keys of at most MAX_KEY characters
and MAX_SEGMENTS parts, array indices of at most six digits, and its time is charged to the
device's budget.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from probes import _budget
from probes._xml import to_bool
from probes.errors import MalformedResponse, NotSupported, ResponseTooComplex, UnexpectedAnswer
from probes.text import INVALID_NOTE, decode_device_text

# Dahua and its OEMs (Amcrest, Lorex, Honeywell Performance, Intelbras) answer an unknown
# module, action or config name, and a feature the firmware lacks (Intelbras getCaps), with
# HTTP 400 and the body `Error\r\nBad Request!` [S27][S29]. Only these details mean
# "not supported"; any other `Error` detail is reported as it is, not guessed at.
ERROR_LINE = "Error"
NOT_SUPPORTED_DETAILS = ("Bad Request!", "")

Segment = str | int
Node = str | dict[Segment, "Node"]

_NAME = re.compile(r"[^.\[\]]+")
# Six digits: a real index is a channel or rule number; a longer one is not an index (and Python
# refuses to convert more than 4300 digits to an int).
_INDEX = re.compile(r"\[(\d{1,6})\]")
# A `table.All` dump of a 64-channel Dahua NVR is some tens of thousands of lines; keys stay
# under ~120 characters and ~10 parts (`table.VideoAnalyseRule[0][1].Config.FeatureList[2]`).
MAX_LINES = 200_000
MAX_KEY = 256
MAX_SEGMENTS = 24
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


@dataclass
class KvDoc:
    """A parsed answer: the pairs in wire order, the nested tree, and what was odd about it."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    tree: dict[Segment, Node] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def get(self, key: str) -> str | None:
        """The value of one exact key, e.g. `table.NTP.Address`."""
        return value(self.tree, key)

    def __bool__(self) -> bool:
        return bool(self.pairs)


def error_detail(body: bytes) -> str | None:
    """The detail of a Dahua `Error` body (`Bad Request!`, or "" when bare), else None."""
    lines = [line.strip() for line in _LINE_BREAK.split(decode_device_text(body[:256])[0])]
    lines = [line for line in lines if line]
    if not lines or lines[0] != ERROR_LINE:
        return None
    return lines[1] if len(lines) > 1 else ""


def raise_for_error(body: bytes, where: str) -> None:
    """Raise NotSupported for the documented error body, UnexpectedAnswer for any other Error."""
    detail = error_detail(body)
    if detail is None:
        return
    said = f"Error {detail[:40]}".strip()
    if detail in NOT_SUPPORTED_DETAILS:
        raise NotSupported(f"{where} answered '{said}' (the firmware has no such item)")
    raise UnexpectedAnswer(f"{where} answered '{said}'")


def split_key(key: str) -> tuple[Segment, ...] | None:
    """`a.b[0][1].c` -> ('a', 'b', 0, 1, 'c'); None when the key is not well formed."""
    if len(key) > MAX_KEY:
        return None
    match = _NAME.match(key)
    if match is None:
        return None
    segments: list[Segment] = [match.group()]
    pos = match.end()
    while pos < len(key):
        if key[pos] == ".":
            match = _NAME.match(key, pos + 1)
            if match is None:
                return None
            segments.append(match.group())
        else:
            match = _INDEX.match(key, pos)
            if match is None:
                return None
            segments.append(int(match.group(1)))
        pos = match.end()
        if len(segments) > MAX_SEGMENTS:
            return None
    return tuple(segments)


def parse_kv(body: bytes, where: str = "the answer", *, budget: _budget.DeviceBudget | None = None) -> KvDoc:
    """Parse a Dahua key=value body. Raises NotSupported/UnexpectedAnswer for `Error` bodies,
    MalformedResponse for something that is not key=value text at all (HTML, XML, binary),
    ResponseTooComplex past MAX_LINES and BudgetExhausted when the device's budget is spent."""
    budget = budget if budget is not None else _budget.current()
    if budget is None:
        return _parse_kv(body, where)
    budget.check()
    with budget.parsing():
        return _parse_kv(body, where)


def _parse_kv(body: bytes, where: str) -> KvDoc:
    raise_for_error(body, where)
    doc = KvDoc()
    text, clean = decode_device_text(body)
    if not clean:   # a Latin-1 name on old Dahua OEM firmware (probes.text)
        doc.notes.append(INVALID_NOTE)
    if text.lstrip().startswith("<"):
        raise MalformedResponse(f"{where} sent markup, not Dahua key=value text")
    if "\x00" in text:
        raise MalformedResponse(f"{where} sent binary data, not Dahua key=value text")
    skipped = 0
    lines = _LINE_BREAK.split(text, maxsplit=MAX_LINES)
    if len(lines) > MAX_LINES:
        raise ResponseTooComplex(f"{where} sent more than {MAX_LINES} lines of key=value text; not read "
                                 "(a real Dahua configuration dump has far fewer)")
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        key, sep, val = line.partition("=")
        key = key.strip()
        path = split_key(key) if sep else None
        if not path:
            skipped += 1
            continue
        if _insert(doc.tree, path, val.strip()):
            doc.pairs.append((key, val.strip()))
        else:
            doc.notes.append(f"key {key[:60]!r} repeats or clashes with another key; the first was kept")
    if skipped:
        doc.notes.append(f"{skipped} line(s) without a key=value pair were ignored")
        if not doc.pairs:
            raise MalformedResponse(f"{where} sent text that is not Dahua key=value lines")
    return doc


def _insert(tree: dict[Segment, Node], path: tuple[Segment, ...], val: str) -> bool:
    node: dict[Segment, Node] = tree
    for segment in path[:-1]:
        child = node.setdefault(segment, {})
        if isinstance(child, str):
            return False
        node = child
    if path[-1] in node:
        return False
    node[path[-1]] = val
    return True


# -- reading the tree ------------------------------------------------------------------------
def node(tree: Node | None, path: str | tuple[Segment, ...] = ()) -> Node | None:
    """The subtree or leaf at a dotted path (`table.NTP`, `Config.FeatureList`)."""
    segments = split_key(path) if isinstance(path, str) and path else path
    if segments is None:
        return None
    current = tree
    for segment in segments:
        if not isinstance(current, dict) or segment not in current:
            return None
        current = current[segment]
    return current


def value(tree: Node | None, path: str | tuple[Segment, ...] = ()) -> str | None:
    """The leaf text at a path, or None when absent or not a leaf."""
    found = node(tree, path)
    return found if isinstance(found, str) else None


def flag(tree: Node | None, path: str) -> bool | None:
    """A leaf read as a boolean (`true`/`false`, leniently); None when absent or not boolean."""
    return to_bool(value(tree, path))


def is_array(found: Node | None) -> bool:
    return isinstance(found, dict) and bool(found) and all(isinstance(k, int) for k in found)


def elements(found: Node | None) -> list[tuple[int, Node]]:
    """The (index, item) pairs of an array node, in index order.

    A non-array node is one element at index 0: Dahua sends some tables as an object on one
    firmware and a one-item array on another (`table.T2UServer.Enable` vs
    `table.T2UServer[0].Enable`).
    """
    if found is None or found == {}:
        return []
    if is_array(found):
        assert isinstance(found, dict)
        return [(int(k), found[k]) for k in sorted(found, key=int)]
    return [(0, found)]


def strings(found: Node | None) -> list[str]:
    """The leaf values of an array of strings (`FeatureList[i]`), in order."""
    return [item for _, item in elements(found) if isinstance(item, str)]
