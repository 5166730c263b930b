"""rtsp.describe: does the video stream describe itself to anyone, with no credentials?

One RTSP DESCRIBE without an Authorization header (RFC 2326 section 10.2, what a player sends
before it asks for a password), on the maker's main-stream path: Hikvision
`/Streaming/Channels/101`, Dahua `/cam/realmonitor?channel=1&subtype=0` (rroller/dahua
`custom_components/dahua/client.py` builds this URL; hikvision_next uses Channels/101).
200 with an SDP body -> anyone can watch (True); 401 -> a login is required (False);
no answer, a refused connection or anything else -> unknown (None).
"""

from __future__ import annotations

import socket
import time

from probes.base import Evidence, Observation, ServiceObservation
from probes.context import ProbeContext

PROTOCOL = "rtsp"
PORT = 554
PATHS = {"isapi": "/Streaming/Channels/101", "dahua_cgi": "/cam/realmonitor?channel=1&subtype=0"}
MAX_ANSWER = 16_384


def stream_path(protocols: set[str]) -> str:
    return next((path for family, path in PATHS.items() if family in protocols), "/")


def describe_request(url: str) -> bytes:
    return (f"DESCRIBE {url} RTSP/1.0\r\nCSeq: 1\r\nAccept: application/sdp\r\n"
            "User-Agent: camaudit (read-only audit)\r\n\r\n").encode()


def parse_answer(data: bytes) -> tuple[bool | None, str]:
    """(open, summary) from an RTSP answer's bytes."""
    head, _, body = data.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].decode("latin-1", "replace").strip()
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("RTSP/") or not parts[1].isdigit():
        return None, f"not an RTSP answer: {status_line[:60]!r}"
    code = int(parts[1])
    sdp = b"application/sdp" in head.lower() or body.lstrip().startswith(b"v=0")
    if code == 200 and sdp:
        return True, f"{status_line}: stream description (SDP) sent without a login"
    if code == 401:
        return False, f"{status_line}: a login is required"
    return None, status_line


class RtspDescribe:
    id = "rtsp.describe"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        address = ctx.target.address
        host = f"[{address}]" if ":" in address else address
        url = f"rtsp://{host}:{PORT}{stream_path(ctx.fingerprint.protocols)}"
        started = time.monotonic()
        timeout = ctx.settings.http.connect_timeout
        try:
            with socket.create_connection((address, PORT), timeout=timeout) as sock:
                sock.settimeout(ctx.settings.http.read_timeout)
                sock.sendall(describe_request(url))
                data = b""
                deadline = started + ctx.settings.http.deadline      # a dripping answer ends here
                while b"\r\n\r\n" not in data and len(data) < MAX_ANSWER and time.monotonic() < deadline:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        except OSError as exc:
            reason = "connection refused" if isinstance(exc, ConnectionRefusedError) else type(exc).__name__
            return [ServiceObservation("rtsp_open", None, Evidence(PROTOCOL, f"DESCRIBE {url}", "no answer", reason))]
        state, summary = parse_answer(data)
        elapsed = int((time.monotonic() - started) * 1000)
        return [ServiceObservation("rtsp_open", state, Evidence(PROTOCOL, f"DESCRIBE {url}", summary[:60],
                                                               summary, elapsed))]


PROBE = RtspDescribe()
