"""Intra-site video: each camera's RTSP control session with the recorder, then RTP over UDP.

This is the ~97% of a real CCTV capture that the auditor must wade through quickly. The
RTSP exchange (OPTIONS, DESCRIBE with SDP, SETUP, PLAY; RFC 2326) is what lets tshark
recognise the RTP flows without heuristics, exactly as on a real site. RTP (RFC 3550
section 5.1) carries H.264 in FU-A fragments (RFC 6184 section 5.8): the start fragment has
the S bit, the last one the E bit and the RTP marker. tshark 4.0 decodes the RTP headers (the
SETUP answer announces the ports) and leaves payload type 96 undecoded; if a user maps 96 to
H.264, the start fragments carry a slice header it accepts and the rest stays opaque.
"""

from __future__ import annotations

import random
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from device_simulators.egress.flows import IN, OUT, Flow, Frame, Hop, Message
from device_simulators.egress.pcap import Link

RTSP_RTT_US = 400
RTP_PAYLOAD_TYPE = 96           # dynamic, mapped to H264/90000 in the SDP
RTP_CLOCK = 90_000
PACKETS_PER_FRAME = 4           # FU-A fragments per video frame
FRAGMENT_SIZES = (1400, 1400, 1400, 620)
_RTP = struct.Struct("!BBHII")
# Start fragment body: a P-slice header (first_mb 0, slice_type 5, pps 0 as exp-Golomb
# "1 00110 1") followed by filler; tshark decodes the header and stops.
_SLICE_START = b"\x9a\x00\x00\x00"


@dataclass(frozen=True)
class Stream:
    """One camera's stream to the recorder: who, where from and where to."""

    device: int
    camera: Hop
    rtsp_port: int
    client_rtp_port: int        # recorder side, even (RTP), +1 is RTCP
    server_rtp_port: int        # camera side, even
    ssrc: int
    seed: int


def _rtsp_script(s: Stream, recorder: Hop) -> list[Message]:
    url = f"rtsp://{s.camera.address}:{s.rtsp_port}/Streaming/Channels/101"
    sdp = (f"v=0\r\no=- 1 1 IN IP4 {s.camera.address}\r\ns=Media Presentation\r\n"
           f"c=IN IP4 {recorder.address}\r\nt=0 0\r\n"
           "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=1\r\n")
    session = f"{s.ssrc & 0xFFFFFFF:d}"
    ports = f"client_port={s.client_rtp_port}-{s.client_rtp_port + 1}"
    requests = [
        ("OPTIONS", url, ""), ("DESCRIBE", url, "Accept: application/sdp\r\n"),
        ("SETUP", url + "/trackID=1", f"Transport: RTP/AVP;unicast;{ports}\r\n"),
        ("PLAY", url, f"Session: {session}\r\nRange: npt=0.000-\r\n"),
    ]
    answers = [
        "Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER\r\n\r\n",
        f"Content-Base: {url}/\r\nContent-Type: application/sdp\r\nContent-Length: {len(sdp)}\r\n\r\n{sdp}",
        f"Session: {session};timeout=60\r\nTransport: RTP/AVP;unicast;{ports};"
        f"server_port={s.server_rtp_port}-{s.server_rtp_port + 1};ssrc={s.ssrc:08X}\r\n\r\n",
        f"Session: {session}\r\nRTP-Info: url={url}/trackID=1;seq=1;rtptime=0\r\n\r\n",
    ]
    script: list[Message] = []
    for cseq, ((method, target, headers), answer) in enumerate(zip(requests, answers, strict=True), 2):
        script.append((OUT, f"{method} {target} RTSP/1.0\r\nCSeq: {cseq}\r\n{headers}"
                            "User-Agent: Recorder\r\n\r\n".encode(), None))
        script.append((IN, f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{answer}".encode(), None))
    return script


def rtsp_setup(s: Stream, recorder: Hop, start_us: int) -> list[Frame]:
    """The recorder's RTSP control session with one camera; left open, as during recording."""
    flow = Flow(recorder, s.camera, 40000 + s.device, s.rtsp_port, rng=random.Random(s.seed),
                rtt_us=RTSP_RTT_US, category="intra", device=s.device, key="rtsp")
    flow.tcp(start_us, _rtsp_script(s, recorder), close=False)
    return flow.sorted_frames()


def rtp_packets(streams: list[Stream], recorder: Hop, count: int, first_us: int,
                last_us: int) -> Iterator[Frame]:
    """``count`` RTP packets, round-robin over the cameras, evenly spread over the interval."""
    if count <= 0 or not streams:
        return
    bodies = [random.Random(s.seed).randbytes(max(FRAGMENT_SIZES)) for s in streams]
    links = [Link(s.camera.mac, recorder.mac, s.camera.address, recorder.address, s.seed & 0xFFFF)
             for s in streams]
    tags = [("intra", s.device, "rtp", IN, None) for s in streams]
    seqs = [0] * len(streams)
    step = (last_us - first_us) / max(count - 1, 1)
    n = len(streams)
    for k in range(count):
        i = k % n
        s, seq = streams[i], seqs[i]
        seqs[i] = seq + 1
        time_us = first_us + int(k * step)
        fragment = seq % PACKETS_PER_FRAME
        frame_no = seq // PACKETS_PER_FRAME
        last = fragment == PACKETS_PER_FRAME - 1
        rtp = _RTP.pack(0x80, RTP_PAYLOAD_TYPE | (0x80 if last else 0), (seq + 1) & 0xFFFF,
                        (frame_no * 3600 + s.seed) & 0xFFFFFFFF, s.ssrc)   # 25 fps: 3600 ticks a frame
        fu_header = 0x81 if fragment == 0 else (0x41 if last else 0x01)   # S / E bit, NAL type 1
        body = bodies[i][:FRAGMENT_SIZES[fragment]]
        if fragment == 0:
            body = _SLICE_START + body[len(_SLICE_START):]
        payload = rtp + bytes((0x5C, fu_header)) + body   # FU indicator: NRI 2, type 28
        yield time_us, links[i].udp(s.server_rtp_port, s.client_rtp_port, payload, with_checksum=False), tags[i]
