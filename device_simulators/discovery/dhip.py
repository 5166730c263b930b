"""Dahua DHIP responder (UDP 37810): the ``client.notifyDevInfo`` that ConfigTool reads.

Dahua firmware answers ``DHDiscover.search`` only behind the 32-byte DHIP header; bare JSON
and a header whose magic was packed as an integer (``PIHD``) get silence (rroller/dahua,
measured on a VTO2000A and a DHI-NVR5464). OEM builds (Honeywell, Amcrest, Intelbras) put
their brand in Vendor/Manufacturer, but answering DHIP at all gives the Dahua firmware away.
"""

from __future__ import annotations

import ipaddress
import json
import struct
from typing import TYPE_CHECKING, Any

from device_simulators.discovery import lossy

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.udp import DatagramHandler

HEADER_SIZE = 32
MAGIC = b"DHIP"
# Real replies end the JSON with "\n\0" and count both in the length fields (captures in
# public Go and Intelbras tooling; UniversalScanner rejects a length that differs from the payload).
TRAILER = b"\n\x00"


def frame(payload: bytes) -> bytes:
    """Header: size 0x20 LE, ASCII magic, 8 zero bytes, payload length twice as u64 LE."""
    return struct.pack("<I", HEADER_SIZE) + MAGIC + bytes(8) + struct.pack("<QQ", len(payload),
                                                                            len(payload)) + payload


def parse_request(datagram: bytes) -> tuple[dict[str, Any] | None, str]:
    """The request JSON, or None and why the device stays silent."""
    if datagram.lstrip()[:1] == b"{":
        return None, "bare-json"
    if len(datagram) < HEADER_SIZE:
        return None, "malformed"
    (size,) = struct.unpack_from("<I", datagram, 0)
    if datagram[4:8] != MAGIC:
        return None, "bad-magic"        # includes "PIHD", the byte-swapped magic
    length, length_again = struct.unpack_from("<QQ", datagram, 16)
    if size != HEADER_SIZE or length != length_again or HEADER_SIZE + length > len(datagram):
        return None, "malformed"
    body = datagram[HEADER_SIZE:HEADER_SIZE + length].rstrip(b"\x00")
    try:
        request = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None, "malformed"
    if not isinstance(request, dict):
        return None, "malformed"
    method = request.get("method")
    if method != "DHDiscover.search":
        name = method if isinstance(method, str) else ""
        return None, "ignored:" + "".join(c for c in name if c.isalnum() or c in "._")[:40]
    return request, method


def _link_local(mac: str) -> str:
    """EUI-64 link-local address, written the way Dahua does (four hex digits per group)."""
    octets = bytes.fromhex(mac.replace(":", ""))
    eui = bytes([octets[0] ^ 0x02]) + octets[1:3] + b"\xff\xfe" + octets[3:]
    groups = [eui[i:i + 2].hex() for i in range(0, 8, 2)]
    return "fe80::" + ":".join(groups) + "/64"


def device_info(device: SimDevice) -> dict[str, Any]:
    ident, dahua = device.profile.identity, device.profile.dahua
    network = ipaddress.ip_interface(f"{device.address}/24").network
    channels = int(dahua.get("channels") or 1)
    nvr = dahua.get("device_class") == "NVR"
    vendor = str(dahua.get("vendor") or ident.brand)
    info: dict[str, Any] = {
        "AlarmInputChannels": 0, "AlarmOutputChannels": 0,
        "DeviceClass": str(dahua.get("device_class") or "IPC"), "DeviceID": "",
        "DeviceType": str(dahua.get("device_type") or ident.model), "Find": "BC", "FindVersion": 1,
        "HttpPort": device.ports.get("http", 0),
        "IPv4Address": {"DefaultGateway": str(network[254]), "DhcpEnable": False,
                        "IPAddress": device.address, "SubnetMask": str(network.netmask)},
        "IPv6Address": {"DefaultGateway": None, "DhcpEnable": False, "IPAddress": "/0",
                        "LinkLocalAddress": _link_local(ident.mac)},
        "MachineName": ident.name, "Manufacturer": vendor,
        "RemoteVideoInputChannels": channels if nvr else 0, "SerialNo": ident.serial,
        "UnLoginFuncMask": 1, "Vendor": vendor,
        "Version": str(dahua.get("software_version") or ident.firmware),
        "VideoInputChannels": 0 if nvr else channels, "VideoOutputChannels": 1 if nvr else 0,
    }
    if "sdk" in device.ports:
        info["Port"] = device.ports["sdk"]
    return info


def render(device: SimDevice) -> bytes:
    reply = {"mac": device.profile.identity.mac, "method": "client.notifyDevInfo",
             "params": {"deviceInfo": device_info(device)}}
    # Dahua's JSON writer sorts keys and escapes "/" as "\/".
    text = json.dumps(reply, sort_keys=True, separators=(",", ":"), ensure_ascii=False).replace("/", "\\/")
    payload = text.encode("utf-8")
    if device.profile.quirk("invalid_utf8"):
        # Old Dahua/OEM firmware stores the operator's name as Latin-1 and sends those bytes as is.
        name = json.dumps(device.profile.identity.name, ensure_ascii=False)[1:-1].replace("/", "\\/")
        payload = payload.replace(name.encode("utf-8"), name.encode("latin-1", "replace"))
    return frame(payload + TRAILER)


def make_responder(device: SimDevice) -> DatagramHandler:
    """Answer DHIP searches for `device`; ports are read when a search arrives."""
    own_mac = device.profile.identity.mac

    def respond(datagram: bytes, peer: tuple[str, int]) -> tuple[bytes | None, str | None]:
        request, action = parse_request(datagram)
        if request is None:
            return None, action
        params = request.get("params")
        wanted = params.get("mac") if isinstance(params, dict) else ""
        # ConfigTool can search for one MAC; other devices stay quiet.
        if isinstance(wanted, str) and wanted and wanted.lower().replace("-", ":") != own_mac:
            return None, f"{action}:other-mac"
        return render(device), action

    return lossy(device, "dhip", respond)
