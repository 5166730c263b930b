"""Broken and hostile answers that real devices (or something pretending to be one) send.

Each is a named quirk in the profile, limited to `paths`. They exist so the auditor's tests
can show that every such answer becomes a recorded outcome for that device, never a crash,
a hang or an expanded entity.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
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
        elif quirk.name == "flat_xml":
            body = _flat_xml(float(quirk.params.get("megabytes", 1.9)))
        elif quirk.name == "deep_xml":
            body = _deep_xml(int(quirk.params.get("depth", 100_000)))
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


def _flat_xml(megabytes: float) -> bytes:
    """2 MiB of `<a/>` under one root: within the size cap, 524k elements (issue 10.3)."""
    count = int(megabytes * (1 << 20)) // 4
    return b'<?xml version="1.0" encoding="UTF-8"?><r>' + b"<a/>" * count + b"</r>"


def _deep_xml(depth: int) -> bytes:
    """Elements nested `depth` deep: a stack-exhaustion attempt on recursive tree walkers."""
    return b'<?xml version="1.0" encoding="UTF-8"?>' + b"<d>" * depth + b"</d>" * depth


# -- a raw loopback server for what an HTTP library cannot be made to send ----------------------
class RawHostileServer:
    """One loopback listener answering every request the same hostile way, at the socket level.

    Modes: `stall` (headers, then silence), `drip` (a byte every `interval`), `drip_headers` (the
    status line and headers a byte every `interval`), `endless` (no length,
    body never ends), `reset` (RST after the request), `flat` / `deep` (XML within the size cap),
    and the login quirks `digest_algorithm` (challenges with `algorithm`), `stale_loop` (every
    login answered 401 stale=true) and `restricted` (logins work except on `path`). `log` keeps
    (method, path, sent an Authorization header, status) for each request.
    """

    def __init__(self, address: str, mode: str, **params: object) -> None:
        self.mode, self.params = mode, params
        self.log: list[tuple[str, str, bool, int]] = []
        self._listener = socket.create_server((address, 0))
        self.address, self.port = self._listener.getsockname()[:2]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"hostile-{mode}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self.port}"

    def start(self) -> RawHostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()

    def __enter__(self) -> RawHostileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        with conn:
            try:
                buffer = b""
                while not self._stop.is_set():
                    while b"\r\n\r\n" not in buffer:
                        data = conn.recv(65536)
                        if not data:
                            return
                        buffer += data
                    head, _, buffer = buffer.partition(b"\r\n\r\n")
                    lines = head.decode("latin-1").split("\r\n")
                    method, path = (lines[0].split(" ") + ["", ""])[:2]
                    headers = {k.strip().lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])}
                    length = int(headers.get("content-length", "0") or 0)
                    while len(buffer) < length:
                        buffer += conn.recv(65536)
                    buffer = buffer[length:]
                    if not self._answer(conn, method, path, "authorization" in headers):
                        return
            except OSError:
                return

    def _send(self, conn: socket.socket, status: int, body: bytes, extra: str = "") -> bool:
        reason = {200: "OK", 401: "Unauthorized"}.get(status, "Status")
        conn.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\n"
                     f"Content-Length: {len(body)}\r\n{extra}\r\n".encode() + body)
        return True

    def _answer(self, conn: socket.socket, method: str, path: str, authorized: bool) -> bool:
        mode, p = self.mode, self.params
        status = 401 if mode in ("digest_algorithm", "stale_loop") or (mode == "restricted" and (
            not authorized or path.startswith(str(p.get("path", "/restricted"))))) else 200
        self.log.append((method, path, authorized, status))
        ok = b'<?xml version="1.0"?><DeviceInfo><model>X</model></DeviceInfo>'
        if mode == "stall":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 4096\r\n\r\n")
            self._stop.wait(float(p.get("seconds", 60)))
            return False
        if mode == "drip_headers":
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 4000:
                if self._stop.wait(float(p.get("interval", 0.1))):
                    return False
                conn.sendall(bytes([byte]))
            return False
        if mode == "drip":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 4096\r\n\r\n")
            for _ in range(4096):
                if self._stop.wait(float(p.get("interval", 0.1))):
                    return False
                conn.sendall(b" ")
            return False
        if mode == "endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nConnection: close\r\n\r\n<r>")
            while not self._stop.is_set():
                conn.sendall(b"<a/>" * 4096)
            return False
        if mode == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if mode == "flat":
            return self._send(conn, 200, _flat_xml(float(p.get("megabytes", 1.9))))
        if mode == "deep":
            return self._send(conn, 200, _deep_xml(int(p.get("depth", 100_000))))
        if status == 200:
            return self._send(conn, 200, ok)
        challenge = f'Digest realm="hostile", qop="auth", nonce="{os.urandom(8).hex()}", opaque="0"'
        if mode == "digest_algorithm":
            challenge += f', algorithm={p.get("algorithm", "SHA-512-256")}'
        elif mode == "stale_loop" and authorized:
            challenge += ", algorithm=MD5, stale=true"
        else:
            challenge += ", algorithm=MD5"
        return self._send(conn, 401, b"<html>401 Unauthorized</html>", f"WWW-Authenticate: {challenge}\r\n")
