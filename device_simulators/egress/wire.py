"""Application payloads of phone-home traffic: DNS, TLS 1.3 hellos, HTTP, NTP.

Shared by the pcap generator (bytes in a file) and the live emulator (bytes on loopback
sockets), so both sides of camaudit's egress tests see the same wire shapes. Wire facts:
DNS RFC 1035 section 4; TLS 1.3 RFC 8446 section 4.1 (a ClientHello in a 0x0301 record,
server_name RFC 6066 section 3, supported_versions/key_share so tshark treats what follows
the ServerHello as encrypted); NTPv4 RFC 5905 section 7.3.
"""

from __future__ import annotations

import ipaddress
import struct

# -- DNS -----------------------------------------------------------------------------------
DNS_A, DNS_IN = 1, 1
RCODE_NOERROR, RCODE_NXDOMAIN = 0, 3
_DNS_HEADER = struct.Struct("!HHHHHH")


def _qname(name: str) -> bytes:
    labels = name.rstrip(".").split(".")
    return b"".join(bytes([len(label)]) + label.encode("ascii") for label in labels) + b"\x00"


def dns_query(txid: int, name: str) -> bytes:
    """A standard recursive query for the A record of ``name``."""
    return _DNS_HEADER.pack(txid, 0x0100, 1, 0, 0, 0) + _qname(name) + struct.pack("!HH", DNS_A, DNS_IN)


def dns_response(txid: int, name: str, addresses: list[str], ttl: int = 300) -> bytes:
    """The resolver's answer: A records for ``addresses``, NXDOMAIN when there are none."""
    rcode = RCODE_NOERROR if addresses else RCODE_NXDOMAIN
    flags = 0x8180 | rcode                      # QR, RD, RA
    body = _qname(name) + struct.pack("!HH", DNS_A, DNS_IN)
    for address in addresses:                   # 0xc00c: pointer to the question's name
        body += struct.pack("!HHHIH", 0xC00C, DNS_A, DNS_IN, ttl, 4) + ipaddress.IPv4Address(address).packed
    return _DNS_HEADER.pack(txid, flags, 1, len(addresses), 0, 0) + body


def _read_name(data: bytes, offset: int) -> tuple[str, int]:
    labels = []
    while True:
        length = data[offset]
        if length == 0:
            return ".".join(labels), offset + 1
        if length & 0xC0:                       # compression pointer: the name ends here
            return ".".join(labels + [_read_name(data, ((length & 0x3F) << 8) | data[offset + 1])[0]]), offset + 2
        labels.append(data[offset + 1:offset + 1 + length].decode("ascii", "replace"))
        offset += 1 + length


def parse_dns_query(data: bytes) -> tuple[int, str, int]:
    """(transaction id, name, qtype) of a query; raises ValueError/IndexError when malformed."""
    txid, _flags, qdcount, *_ = _DNS_HEADER.unpack_from(data)
    if qdcount < 1:
        raise ValueError("DNS message without a question")
    name, offset = _read_name(data, 12)
    qtype, _qclass = struct.unpack_from("!HH", data, offset)
    return txid, name, qtype


def parse_dns_response(data: bytes) -> tuple[int, int, list[str]]:
    """(transaction id, rcode, A-record addresses) of a response."""
    txid, flags, qdcount, ancount, *_ = _DNS_HEADER.unpack_from(data)
    offset = 12
    for _ in range(qdcount):
        offset = _read_name(data, offset)[1] + 4
    addresses = []
    for _ in range(ancount):
        offset = _read_name(data, offset)[1]
        rtype, _rclass, _ttl, rdlength = struct.unpack_from("!HHIH", data, offset)
        offset += 10
        if rtype == DNS_A and rdlength == 4:
            addresses.append(str(ipaddress.IPv4Address(data[offset:offset + 4])))
        offset += rdlength
    return txid, flags & 0x000F, addresses


# -- TLS -----------------------------------------------------------------------------------
_CIPHERS = (0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030)
_SIG_ALGS = (0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501)
TLS_MAX_RECORD = 1400   # application-data records per TCP segment (fits a 1460-byte MSS)


def _ext(ext_type: int, body: bytes) -> bytes:
    return struct.pack("!HH", ext_type, len(body)) + body


def _handshake(msg_type: int, body: bytes, record_version: int) -> bytes:
    message = bytes([msg_type]) + len(body).to_bytes(3, "big") + body
    return struct.pack("!BHH", 0x16, record_version, len(message)) + message


def tls_client_hello(sni: str | None, random: bytes, key_share: bytes) -> bytes:
    """One TLS record holding a TLS 1.3 ClientHello; server_name carries ``sni`` when given.

    ``random`` and ``key_share`` are 32 bytes each (the x25519 public key is opaque here).
    """
    extensions = b""
    if sni:
        host = sni.encode("ascii")
        entry = b"\x00" + struct.pack("!H", len(host)) + host          # name_type host_name
        extensions += _ext(0x0000, struct.pack("!H", len(entry)) + entry)
    extensions += _ext(0x000A, struct.pack("!HHH", 4, 0x001D, 0x0017))   # supported_groups
    extensions += _ext(0x000D, struct.pack(f"!H{len(_SIG_ALGS)}H", 2 * len(_SIG_ALGS), *_SIG_ALGS))
    extensions += _ext(0x002B, b"\x04\x03\x04\x03\x03")                 # supported_versions 1.3, 1.2
    share = struct.pack("!HH", 0x001D, 32) + key_share
    extensions += _ext(0x0033, struct.pack("!H", len(share)) + share)    # key_share
    body = (b"\x03\x03" + random + b"\x20" + key_share                   # legacy session id
            + struct.pack(f"!H{len(_CIPHERS)}H", 2 * len(_CIPHERS), *_CIPHERS)
            + b"\x01\x00" + struct.pack("!H", len(extensions)) + extensions)
    return _handshake(0x01, body, 0x0301)


def tls_server_hello(random: bytes, session_id: bytes, key_share: bytes) -> bytes:
    """ServerHello (TLS 1.3 via supported_versions) followed by the compatibility CCS record."""
    extensions = _ext(0x002B, b"\x03\x04") + _ext(0x0033, struct.pack("!HH", 0x001D, 32) + key_share)
    body = (b"\x03\x03" + random + bytes([len(session_id)]) + session_id + b"\x13\x01\x00"
            + struct.pack("!H", len(extensions)) + extensions)
    return _handshake(0x02, body, 0x0303) + b"\x14\x03\x03\x00\x01\x01"


def tls_application_data(payload: bytes) -> bytes:
    """One application-data record (what encrypted traffic looks like on the wire)."""
    return struct.pack("!BHH", 0x17, 0x0303, len(payload)) + payload


def parse_client_hello_sni(data: bytes) -> str | None:
    """The server_name in a ClientHello record, None when absent or not a ClientHello."""
    if len(data) < 43 or data[0] != 0x16 or data[5] != 0x01:
        return None
    offset = 9 + 2 + 32                                            # record+handshake headers, version, random
    offset += 1 + data[offset]                                     # session id
    offset += 2 + int.from_bytes(data[offset:offset + 2], "big")   # cipher suites
    offset += 1 + data[offset]                                     # compression methods
    end = offset + 2 + int.from_bytes(data[offset:offset + 2], "big")
    offset += 2
    while offset + 4 <= end:
        ext_type, length = struct.unpack_from("!HH", data, offset)
        if ext_type == 0:
            name_len = int.from_bytes(data[offset + 7:offset + 9], "big")
            return data[offset + 9:offset + 9 + name_len].decode("ascii", "replace")
        offset += 4 + length
    return None


# -- HTTP ----------------------------------------------------------------------------------
def http_get(host: str, path: str, size: int) -> bytes:
    """A GET with a Host header, padded with a device-id header to about ``size`` bytes."""
    head = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: DeviceClient/1.0\r\nAccept: */*\r\n"
    pad = max(size - len(head) - len("X-Device-Id: \r\n\r\n"), 1)
    return (head + f"X-Device-Id: {'0' * pad}\r\n\r\n").encode("ascii")


def http_response(size: int) -> bytes:
    """A 200 answer with a plain-text body, about ``size`` bytes in all."""
    head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: {}\r\n\r\n"
    body_len = max(size - len(head.format(size)), 2)
    return head.format(body_len).encode("ascii") + b"ok" + b"." * (body_len - 2)


# -- NTP -----------------------------------------------------------------------------------
NTP_UNIX_OFFSET = 2_208_988_800   # seconds from 1900-01-01 to 1970-01-01


def _ntp_time(unix_us: int) -> bytes:
    seconds, micros = divmod(unix_us, 1_000_000)
    return struct.pack("!II", seconds + NTP_UNIX_OFFSET, (micros << 32) // 1_000_000)


def ntp_client(unix_us: int) -> bytes:
    """A 48-byte NTPv4 client request (mode 3) with only the transmit timestamp set."""
    return b"\x23\x00\x06\x20" + b"\x00" * 36 + _ntp_time(unix_us)


def ntp_server(request: bytes, unix_us: int) -> bytes:
    """A 48-byte stratum-2 server answer (mode 4) echoing the request's transmit time."""
    origin = request[40:48] if len(request) >= 48 else b"\x00" * 8
    now = _ntp_time(unix_us)
    return (b"\x24\x02\x06\xe9" + struct.pack("!II", 0x00000100, 0x00000200) + b"\xc0\xa8\x01\x01"
            + now + origin + now + now)
