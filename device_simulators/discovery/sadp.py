"""Hikvision SADP responder (UDP 37020): the <ProbeMatch> that Hikvision's SADP tool reads.

SADP answers without credentials and says more than any other unauthenticated surface:
serial, firmware build, activation state and whether Hik-Connect (the vendor cloud) is on
(``HCPlatformEnable``). Field order, spelling and the ``flase`` typo follow replies captured
from real Hikvision cameras (see PROTOCOLS.md section d and quirk 17).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import uuid
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from device_simulators.discovery import lossy
from device_simulators.profile import Profile

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.udp import DatagramHandler

INQUIRY_TYPES = frozenset({"inquiry", "inquiry_v32"})   # SADP tools send both, newer ones v32 too
BROADCAST_MAC = "ff-ff-ff-ff-ff-ff"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_UUID_NS = uuid.UUID("9b1d4c3e-58a2-4f6b-8d0e-2a7c5e3f1b64")


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _hik_flag(value: bool) -> str:
    # Hikvision firmware misspells false as "flase" in HCPlatformEnable and DeviceLock
    # (captured from a DS-2CD2385G1-I on V5.6.2 and in UniversalScanner's Hikvision sample).
    return "true" if value else "flase"


def parse_probe(datagram: bytes) -> tuple[dict[str, str] | None, str]:
    """The probe's Uuid, Types and MAC, or None and the reason it is not an inquiry."""
    if _DOCTYPE.search(datagram):
        return None, "rejected-doctype"
    try:
        root = ET.fromstring(datagram)  # noqa: S314 - DOCTYPE and ENTITY were refused above
    except (ET.ParseError, ValueError, LookupError):
        return None, "malformed"
    if root.tag != "Probe":
        return None, "malformed"
    probe = {child.tag: (child.text or "").strip() for child in root if isinstance(child.tag, str)}
    kind = probe.get("Types", "")
    if kind not in INQUIRY_TYPES:
        # Other Types (activation, modifyipc, update...) change device state: never simulated.
        return None, "ignored:" + re.sub(r"[^A-Za-z0-9_]", "", kind)[:32]
    return probe, kind


def own_uuid(profile: Profile) -> str:
    """The device's own SADP Uuid, stable across probes (derived from the serial), upper case."""
    return str(uuid.uuid5(_UUID_NS, profile.identity.serial)).upper()


def software_version(profile: Profile) -> str:
    """``V5.5.800build 190725``: firmware and build date, no space before "build"."""
    return f"{profile.identity.firmware}build {profile.identity.build_date:%y%m%d}"


def _lan(address: str) -> tuple[str, str]:
    """Mask and gateway of the simulated LAN: a /24 whose router sits at .254."""
    network = ipaddress.ip_interface(f"{address}/24").network
    return str(network.netmask), str(network[254])


def render(device: SimDevice, probe: dict[str, str], boot_time: str) -> bytes:
    p, ident = device.profile, device.profile.identity
    sadp = p.isapi.get("sadp") or {}
    hik_connect = p.remote_access.get("hik_connect")
    sdk, http = device.ports.get("sdk"), device.ports.get("http")
    mask, gateway = _lan(device.address)
    channels = int(sadp.get("digital_channels") or len(p.isapi.get("channels") or []) or 1)
    # Firmware differs: most echo the probe's Uuid, some send their own (PROTOCOLS.md d).
    answer_uuid = own_uuid(p) if p.quirk("sadp_own_uuid") else probe.get("Uuid", "")
    fields = [
        ("Uuid", answer_uuid), ("Types", probe["Types"]),
        ("DeviceType", str(sadp.get("device_type_code", 0))), ("DeviceDescription", ident.model),
        ("DeviceSN", ident.serial), ("CommandPort", str(sdk or 0)), ("HttpPort", str(http or 0)),
        ("MAC", ident.mac.replace(":", "-")), ("IPv4Address", device.address),
        ("IPv4SubnetMask", mask), ("IPv4Gateway", gateway), ("IPv6Address", "::"),
        ("IPv6Gateway", "::"), ("IPv6MaskLen", "64"), ("DHCP", "false"),
        ("AnalogChannelNum", "0"), ("DigitalChannelNum", str(channels)),
        ("SoftwareVersion", software_version(p)),
        ("DSPVersion", str(sadp.get("dsp_version") or f"V7.3 build {ident.build_date:%y%m%d}")),
        ("BootTime", boot_time), ("Encrypt", "true"), ("ResetAbility", "false"),
        ("DiskNumber", "1" if ident.device_type == "nvr" else "0"),
        ("Activated", _flag(bool(p.accounts))), ("PasswordResetAbility", "true"),
        ("PasswordResetModeSecond", "true"), ("SupportSecurityQuestion", "true"),
        ("SupportHCPlatform", _flag(hik_connect is not None)),
        ("HCPlatformEnable", _hik_flag(bool(hik_connect and hik_connect.get("enabled")))),
        ("IsModifyVerificationCode", _flag(bool(hik_connect and hik_connect.get("registered")))),
        ("Salt", hashlib.sha256(f"sadp-salt:{ident.serial}".encode()).hexdigest()),
        ("DeviceLock", _hik_flag(False)), ("SDKServerStatus", _flag(sdk is not None)),
    ]
    if sadp.get("oem_info"):
        fields.append(("OEMInfo", str(sadp["oem_info"])))
    body = "".join(f"<{tag}>{escape(value)}</{tag}>\n" for tag, value in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<ProbeMatch>\n{body}</ProbeMatch>\n'.encode()


def make_responder(device: SimDevice) -> DatagramHandler:
    """Answer SADP inquiries for `device`; ports are read when a probe arrives."""
    boot_time = f"{device.clock():%Y-%m-%d %H:%M:%S}"   # the device boots when the simulator starts
    own_mac = device.profile.identity.mac.replace(":", "-")

    def respond(datagram: bytes, peer: tuple[str, int]) -> tuple[bytes | None, str | None]:
        probe, action = parse_probe(datagram)
        if probe is None:
            return None, action
        # A probe addressed to another device's MAC is not for us (SADP tools target by MAC).
        if probe.get("MAC", BROADCAST_MAC).lower() not in (BROADCAST_MAC, own_mac, ""):
            return None, f"{action}:other-mac"
        return render(device, probe, boot_time), action

    return lossy(device, "sadp", respond)
