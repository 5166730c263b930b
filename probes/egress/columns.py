"""The only fields tshark hands to Python: one PSML summary column per field.

Custom columns (`gui.column.format`) let tshark prime just these fields while it dissects,
instead of building the full protocol tree that JSON/PDML output needs for every frame; on a
200,000-frame CCTV capture that is the difference between ~1.6 s and ~4 s of tshark time.

Occurrence 1 takes the outer header (an ICMP error quotes an inner IP header that must not
be mistaken for the frame's own addresses); 0 takes every occurrence, comma-separated (all
A records of an answer, every HTTP Host of a pipelined request).
"""

from __future__ import annotations

# (name, tshark field, occurrence)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("time", "frame.time_epoch", 0),
    ("length", "frame.len", 0),
    ("eth_src", "eth.src", 1),
    ("ip_src", "ip.src", 1),
    ("ip_dst", "ip.dst", 1),
    ("ip6_src", "ipv6.src", 1),
    ("ip6_dst", "ipv6.dst", 1),
    ("tcp_sport", "tcp.srcport", 1),
    ("tcp_dport", "tcp.dstport", 1),
    ("udp_sport", "udp.srcport", 1),
    ("udp_dport", "udp.dstport", 1),
    ("tcp_flags", "tcp.flags", 1),
    ("tcp_seq", "tcp.seq_raw", 1),
    ("tcp_ack", "tcp.ack_raw", 1),
    ("sni", "tls.handshake.extensions_server_name", 0),
    ("http_host", "http.host", 0),
    ("dns_response", "dns.flags.response", 1),
    ("dns_name", "dns.qry.name", 1),
    ("dns_a", "dns.a", 0),
    ("dns_aaaa", "dns.aaaa", 0),
    ("dns_rcode", "dns.flags.rcode", 1),
)

(TIME, LENGTH, ETH_SRC, IP_SRC, IP_DST, IP6_SRC, IP6_DST, TCP_SPORT, TCP_DPORT, UDP_SPORT, UDP_DPORT,
 TCP_FLAGS, TCP_SEQ, TCP_ACK, SNI, HTTP_HOST, DNS_RESPONSE, DNS_NAME, DNS_A, DNS_AAAA, DNS_RCODE) = range(len(COLUMNS))

DNS_PORT = "53"


def column_format() -> str:
    """The `gui.column.format` preference value: title/format pairs, unresolved values."""
    return ",".join(f'"{name}","%Cus:{field}:{occurrence}:U"' for name, field, occurrence in COLUMNS)


def epoch_us(text: str) -> int:
    """tshark's frame.time_epoch ("1767600000.295783" or with nanoseconds) in microseconds,
    exactly: going through a float would round the microseconds of present-day times."""
    seconds, _, fraction = text.partition(".")
    return int(seconds) * 1_000_000 + int((fraction + "000000")[:6])


def split_values(text: str) -> list[str]:
    """Every occurrence of a field (tshark joins them with commas); empty for none."""
    return [v for v in text.split(",") if v] if text else []
