"""The RTSP responder: what a camera's port 554 says to OPTIONS and DESCRIBE.

Hikvision and Dahua firmware answer OPTIONS to anyone and challenge DESCRIBE with a Digest 401
(the realm of the web login). A camera with no password set (`auth.scheme: none`) or the
`rtsp_no_auth` quirk (RTSP authentication switched off, an option in both makers' web UIs under
Security > Authentication / RTSP Authentication) answers DESCRIBE with 200 and an SDP body naming
one H.264 video track, as a player expects (RFC 2326 / RFC 4566). Every other method gets 405:
this responder never starts a stream. runtime/tcp.py hands it the request bytes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

PUBLIC = b"OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER"


def open_without_login(device: SimDevice) -> bool:
    return device.profile.auth_scheme == "none" or device.profile.quirk("rtsp_no_auth") is not None


def sdp(device: SimDevice) -> bytes:
    name = (device.profile.identity.name or device.profile.identity.model or "Media Presentation").encode()
    return (b"v=0\r\no=- 1 1 IN IP4 " + device.address.encode() + b"\r\ns=" + name + b"\r\nc=IN IP4 0.0.0.0\r\n"
            b"t=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n")


def answer(device: SimDevice, method: str, url: str, cseq: bytes) -> bytes:
    """The reply to one RTSP request (request line already split)."""
    def head(status: bytes) -> bytes:
        return b"RTSP/1.0 " + status + b"\r\nCSeq: " + cseq + b"\r\n"

    if method == "OPTIONS":
        return head(b"200 OK") + b"Public: " + PUBLIC + b"\r\n\r\n"
    if method == "DESCRIBE" and open_without_login(device):
        body = sdp(device)
        return (head(b"200 OK") + b"Content-Base: " + url.encode() + b"/\r\nContent-Type: application/sdp\r\n"
                + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    if method == "DESCRIBE":
        return (head(b"401 Unauthorized") + b'WWW-Authenticate: Digest realm="' + device.gate.realm.encode()
                + b'", nonce="' + device.gate.new_nonce().encode() + b'"\r\n\r\n')
    return head(b"405 Method Not Allowed") + b"Allow: OPTIONS, DESCRIBE\r\n\r\n"
