"""Dahua DHIP discovery (UDP 37810): `DHDiscover.search` and the `client.notifyDevInfo` reply.

The framing is the whole trick (PROTOCOLS.md d, quirk 16): the JSON must sit behind a 32-byte
header whose magic is the ASCII bytes `DHIP` (packing 0x44484950 as an integer gives `PIHD`,
which most firmware ignores), with the payload length twice as u64 LE. Bare JSON gets silence.
Answering DHIP at all marks Dahua firmware; OEM builds (Honeywell, Amcrest, Intelbras, Lorex)
fill Vendor/Manufacturer with their own brand, reported here as the presented brand only.
"""

from __future__ import annotations

import json
import struct
from typing import Any

from probes.base import Evidence
from probes.discovery.reply import MAX_DATAGRAM, DiscoveryReply, compact, port_number, signal
from probes.errors import MalformedResponse
from probes.text import escape_stray_bytes

PORT = 37810
MULTICAST_V4 = "239.255.255.251"
HEADER_SIZE = 32
MAGIC = b"DHIP"
SEARCH = json.dumps({"method": "DHDiscover.search", "params": {"mac": "", "uni": 1}},
                    separators=(",", ":")).encode()


def frame(payload: bytes) -> bytes:
    """Header size (u32 LE), the magic as bytes, 8 zero bytes, payload length twice (u64 LE)."""
    return struct.pack("<I", HEADER_SIZE) + MAGIC + bytes(8) + struct.pack("<QQ", len(payload),
                                                                            len(payload)) + payload


def build_probe() -> bytes:
    return frame(SEARCH)


def _payload(data: bytes, source: str) -> bytes | None:
    """The JSON bytes behind the header; None when this is not a DHIP frame at all."""
    if len(data) < HEADER_SIZE or data[4:8] != MAGIC:
        return None                      # e.g. the old binary format some units send from port 5050
    (size,) = struct.unpack_from("<I", data, 0)
    (length,) = struct.unpack_from("<Q", data, 16)
    if size < 24 or size > 64:
        # rroller/dahua saw header sizes vary across firmware: find the JSON instead.
        start = data.find(b"{", 8)
        if start < 0:
            raise MalformedResponse(f"DHIP reply from {source} has no JSON body")
        return data[start:]
    body = data[size:]
    return body[:length] if 0 < length <= len(body) else body


def parse_reply(data: bytes, source: str) -> DiscoveryReply | None:
    """A `client.notifyDevInfo` as a DiscoveryReply; None when the datagram is something else.

    Raises MalformedResponse for a DHIP frame whose JSON cannot be read.
    """
    payload = _payload(data[:MAX_DATAGRAM], source)
    if payload is None:
        return None
    notes: list[str] = []
    body = payload.rstrip(b"\x00\r\n\t ")
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        # Old Dahua/OEM firmware sends operator-typed names as Latin-1 inside "UTF-8" JSON: the stray
        # bytes become the same visible \xNN escapes as over HTTP (probes.text), escaped for JSON.
        decoded = escape_stray_bytes(body.decode("utf-8", "surrogateescape"), in_json=True)
        notes.append(f"the DHIP reply from {source} contained bytes that are not valid UTF-8; "
                     "they are shown as \\xNN escapes")
    try:
        message = json.loads(decoded)
    except (ValueError, RecursionError) as exc:
        raise MalformedResponse(f"DHIP reply from {source} is not valid JSON ({type(exc).__name__})") from exc
    if not isinstance(message, dict):
        raise MalformedResponse(f"DHIP reply from {source} is not a JSON object")
    params = message.get("params")
    info = params.get("deviceInfo") if isinstance(params, dict) else None
    if not isinstance(info, dict):
        return None                      # a search from another client, or some other DHIP method
    return _reply(info, message.get("mac"), source, tuple(notes))


def _reply(info: dict[str, Any], mac: Any, source: str, notes: tuple[str, ...]) -> DiscoveryReply:
    evidence = Evidence("dhip", f"UDP {PORT} DHDiscover.search", "client.notifyDevInfo",
                        excerpt=" ".join(str(info.get(k)) for k in ("DeviceType", "SerialNo", "Vendor", "Version")
                                         if isinstance(info.get(k), str | int))[:120])
    vendor, manufacturer = info.get("Vendor"), info.get("Manufacturer")
    signals = compact([
        # Answering DHIP is Dahua firmware behaviour; Vendor/Manufacturer are what OEMs rewrite.
        signal("manufacturer", "Dahua", "dhip", evidence),
        signal("vendor", vendor, "dhip", evidence),
        signal("vendor", manufacturer if manufacturer != vendor else None, "dhip", evidence),
        signal("model", info.get("DeviceType"), "dhip", evidence),
        signal("serial", info.get("SerialNo"), "dhip", evidence),
        signal("mac", mac if isinstance(mac, str) and mac else info.get("MAC"), "dhip", evidence),
        signal("firmware", info.get("Version"), "dhip", evidence),
        signal("name", info.get("MachineName"), "dhip", evidence),
        signal("device_type", info.get("DeviceClass"), "dhip", evidence),
    ])
    ports = tuple(("sdk", p) for p in [port_number(info.get("Port"))] if p)
    return DiscoveryReply("dhip", source, signals, http_port=port_number(info.get("HttpPort")),
                          ports=ports, notes=notes)
