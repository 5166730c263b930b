"""Phone-home sessions by ``kind``: what one occurrence of a profile's pattern puts on the wire.

A session is an optional DNS lookup through the site resolver (internal traffic) followed by
the connection the pattern describes. ``bytes_out``/``bytes_in`` in a profile are application
payload sizes; the ground truth counts whole frames instead (see ``truth``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from device_simulators.egress import wire
from device_simulators.egress.flows import IN, OUT, Flow, Frame, Hop, Message
from device_simulators.profile import PhoneHome

DNS_RTT_US = 18_000          # the site resolver forwards upstream before it answers
DNS_TTL = 300
UDP_CHUNK = 1200             # vendor P2P protocols keep datagrams under the path MTU
SMTP_SUBMISSION_PORTS = (25, 587)   # STARTTLS ports: SMTP in clear, then TLS
LOOKUP_ONLY = ("dns_only", "nxdomain")   # generator-only kinds: a lookup and no connection


@dataclass(frozen=True)
class Edge:
    """The site's side of the internet: the resolver devices ask and the gateway's MAC."""

    resolver: Hop
    gateway_mac: str


@dataclass(frozen=True)
class Session:
    """One planned occurrence of a pattern (or of a lookup that leads nowhere)."""

    start_us: int
    device: int              # index into the site's devices
    client: Hop
    pattern: PhoneHome
    client_port: int
    lookup: bool             # resolve pattern.name first (the cached answer expired)
    dns_port: int
    seed: int
    rtt_us: int

    def frames(self, edge: Edge) -> list[Frame]:
        """The session's frames in capture order; the same Session always gives the same bytes."""
        rng = random.Random(self.seed)
        p, frames = self.pattern, []
        start = self.start_us
        if self.lookup and p.name:
            answers = [] if p.kind == "nxdomain" else [p.address]
            frames += dns_exchange(self, edge, p.name, answers, rng)
            start = frames[-1][0] + 300
        if p.kind in LOOKUP_ONLY:
            return frames
        key = (p.address, p.port, p.transport)
        server = Hop(p.address, edge.gateway_mac)
        flow = Flow(self.client, server, self.client_port, p.port, rng=rng, rtt_us=self.rtt_us,
                    category="ext", device=self.device, key=key)
        if p.kind == "syn_only":
            flow.syn_attempt(start)
        elif p.transport == "udp":
            flow.udp(start, udp_script(p, start, rng))
        else:
            flow.tcp(start, tcp_script(p, rng))
        return frames + flow.sorted_frames()


def dns_exchange(session: Session, edge: Edge, name: str, answers: list[str],
                 rng: random.Random) -> list[Frame]:
    txid = rng.randrange(1 << 16)
    flow = Flow(session.client, edge.resolver, session.dns_port, 53, rng=rng, rtt_us=DNS_RTT_US,
                category="dns", device=session.device, key=name)
    response = wire.dns_response(txid, name, answers, DNS_TTL)
    rcode = wire.RCODE_NOERROR if answers else wire.RCODE_NXDOMAIN
    flow.udp(session.start_us, [(OUT, wire.dns_query(txid, name), ("query", name)),
                                (IN, response, ("answer", name, rcode, tuple(answers)))])
    return flow.sorted_frames()


# Vendor binary payloads are opaque bytes behind a fixed header that no tshark dissector
# claims: a first byte of 0 fails the RTP/RTCP/QUIC/DTLS heuristics that random bytes trip
# (and then report as malformed), and 0xffff at offset 4 keeps the Gryphon dissector, which
# owns TCP 7000 (Dahua's auto-register port), waiting for a PDU that never completes.
OPAQUE_HEADER = b"\x00\x5a\xa5\x5a\xff\xff\x00\x00"


def _opaque(rng: random.Random, size: int) -> bytes:
    size = max(size, len(OPAQUE_HEADER))
    return OPAQUE_HEADER + rng.randbytes(size - len(OPAQUE_HEADER))


def _tls_records(rng: random.Random, size: int) -> list[bytes]:
    """Application-data records, one per TCP segment, about ``size`` payload bytes in all."""
    records, left = [], size
    while left > 0:
        chunk = min(left, wire.TLS_MAX_RECORD)
        records.append(wire.tls_application_data(rng.randbytes(chunk)))
        left -= chunk + 5
    return records


def tls_script(p: PhoneHome, rng: random.Random) -> list[Message]:
    hello = wire.tls_client_hello(p.name, rng.randbytes(32), rng.randbytes(32))
    server_hello = wire.tls_server_hello(rng.randbytes(32), hello[44:76], rng.randbytes(32))
    first_in = min(max(p.bytes_in - len(server_hello), 0), 2 * wire.TLS_MAX_RECORD)
    script: list[Message] = [
        (OUT, hello, ("sni", p.name) if p.name else None),
        (IN, [server_hello] + _tls_records(rng, first_in), None),
    ]
    rest_out = p.bytes_out - len(hello)
    if rest_out > 0:
        script.append((OUT, _tls_records(rng, rest_out), None))
    rest_in = p.bytes_in - len(server_hello) - first_in
    if rest_in > 0:
        script.append((IN, _tls_records(rng, rest_in), None))
    return script


def tcp_script(p: PhoneHome, rng: random.Random) -> list[Message]:
    """The messages of one TCP session of kind tls, http or raw."""
    if p.kind == "tls":
        preamble: list[Message] = []
        if p.port in SMTP_SUBMISSION_PORTS:     # mail relays: EHLO and STARTTLS in clear first
            preamble = [(IN, f"220 {p.name or p.address} ESMTP ready\r\n".encode(), None),
                        (OUT, b"EHLO camera\r\n", None),
                        (IN, b"250-SIZE 37748736\r\n250-8BITMIME\r\n250 STARTTLS\r\n", None),
                        (OUT, b"STARTTLS\r\n", None),
                        (IN, b"220 2.0.0 Ready to start TLS\r\n", None)]
        return preamble + tls_script(p, rng)
    if p.kind == "http":
        host = p.name or p.address
        return [(OUT, wire.http_get(host, "/api/device/status", p.bytes_out), ("host", host)),
                (IN, wire.http_response(p.bytes_in), None)]
    # raw: a vendor binary protocol (ISUP/EHome, Dahua auto-register): opaque both ways
    return [(OUT, _opaque(rng, p.bytes_out), None), (IN, _opaque(rng, p.bytes_in), None)]


def udp_script(p: PhoneHome, start_us: int, rng: random.Random) -> list[Message]:
    """The datagrams of one UDP session of kind ntp or p2p."""
    if p.kind == "ntp":
        request = wire.ntp_client(start_us)
        return [(OUT, request, None), (IN, wire.ntp_server(request, start_us + 20_000), None)]
    outs = [_opaque(rng, min(UDP_CHUNK, p.bytes_out - i)) for i in range(0, max(p.bytes_out, 1), UDP_CHUNK)]
    ins = [_opaque(rng, min(UDP_CHUNK, p.bytes_in - i)) for i in range(0, max(p.bytes_in, 1), UDP_CHUNK)]
    script: list[Message] = []
    for index in range(max(len(outs), len(ins))):
        if index < len(outs):
            script.append((OUT, outs[index], None))
        if index < len(ins):
            script.append((IN, ins[index], None))
    return script
