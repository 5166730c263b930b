"""Broken and hostile answers that real devices (or something pretending to be one) send.

Each is a named quirk in the profile, limited to `paths`. They exist so the auditor's tests
can show that every such answer becomes a recorded outcome for that device, never a crash,
a hang or an expanded entity.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from device_simulators.profile import Profile
    from device_simulators.runtime.http import SimResponse

RESET = -1  # pseudo status: close the connection with RST instead of answering

_BOMB_LEVELS = 10


def transport_quirk(profile: Profile, path: str) -> SimResponse | None:
    """Answers decided before the protocol handler runs (reset, redirect, forced failure)."""
    from device_simulators.runtime.http import SimResponse

    for quirk in profile.quirks:
        if not quirk.applies_to(path):
            continue
        if quirk.name == "reset":
            return SimResponse(RESET)
        if quirk.name == "redirect":
            location = str(quirk.params.get("location", "https://127.0.0.1/"))
            return SimResponse(302, b"", "text/html", headers=[("Location", location)])
        if quirk.name == "claims_then_fails" and quirk.params.get("paths"):
            status = int(quirk.params.get("status", 500))
            return SimResponse(status, b"<html><body>Internal Server Error</body></html>", "text/html")
    return None


def content_quirks(profile: Profile, path: str, response: SimResponse) -> SimResponse:
    """Rewrite a real answer into a broken or hostile one."""
    body = response.body
    for quirk in profile.quirks:
        if quirk.name == "invalid_utf8":
            body = _latin1_names(profile, body)
            continue
        if not quirk.params.get("paths") or not quirk.applies_to(path):
            continue
        if quirk.name == "malformed_xml":
            body = body[: max(1, len(body) // 2)]
        elif quirk.name == "xxe":
            body = _xxe(body)
        elif quirk.name == "entity_bomb":
            body = _bomb(body)
        elif quirk.name == "huge_body":
            body = body + b"<!--" + b"A" * int(float(quirk.params.get("megabytes", 64)) * (1 << 20)) + b"-->"
    response.body = body
    return response


def _latin1_names(profile: Profile, body: bytes) -> bytes:
    """Firmware that stores names in Latin-1 and sends them as 'UTF-8' (seen on old Dahua OEM units)."""
    name = profile.identity.name
    bad = name.encode("latin-1", "replace") + b"\xff\xfe"
    return body.replace(name.encode("utf-8"), bad)


def _root_name(body: bytes) -> bytes:
    start = body.find(b"<", body.find(b"?>") + 1 if body.startswith(b"<?xml") else 0)
    end = start + 1
    while end < len(body) and body[end:end + 1] not in b" >/\r\n\t":
        end += 1
    return body[start + 1:end] or b"root"


def _after_declaration(body: bytes) -> tuple[bytes, bytes]:
    if body.startswith(b"<?xml"):
        cut = body.find(b"?>") + 2
        return body[:cut], body[cut:]
    return b'<?xml version="1.0" encoding="UTF-8"?>', body


def _xxe(body: bytes) -> bytes:
    """Declare an external entity to a local file and use it in the first text node."""
    decl, rest = _after_declaration(body)
    doctype = b'\n<!DOCTYPE ' + _root_name(body) + b' [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    first_text = rest.find(b">", rest.find(b">") + 1)   # after the first child's start tag
    if first_text > 0:
        rest = rest[:first_text + 1] + b"&xxe;" + rest[first_text + 1:]
    return decl + doctype + rest


def _bomb(body: bytes) -> bytes:
    """Billion laughs: ten levels of ten references expand to 10^10 copies."""
    decl, _ = _after_declaration(body)
    root = _root_name(body)
    entities = [b'<!ENTITY lol0 "lol">']
    for i in range(1, _BOMB_LEVELS):
        refs = b"".join(b"&lol%d;" % (i - 1) for _ in range(10))
        entities.append(b'<!ENTITY lol%d "%s">' % (i, refs))
    return (decl + b"\n<!DOCTYPE " + root + b" [" + b"".join(entities) + b"]>\n<" + root + b">&lol"
            + str(_BOMB_LEVELS - 1).encode() + b";</" + root + b">")
