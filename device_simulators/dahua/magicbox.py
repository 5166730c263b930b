"""Identity and clock: `magicBox.cgi`, `global.cgi` and `IntervideoManager.cgi`.

These are the calls a fingerprinter makes first, so they carry the OEM story: getVendor
answers the brand on the label (Honeywell, Amcrest, ...) while getSystemInfo's
`updateSerial` still names the Dahua base model the firmware was built for.
Response keys follow rroller/dahua `client.py` and tchellomello/python-amcrest
`system.py`; value shapes (`version=2.800.0000016.0.R,build:2020-06-05`) are from the same
captures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from device_simulators.dahua import kv
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

# getSystemInfo `processor` when the profile does not name one (unverified: chip names
# vary by model; these are SoC families seen on Dahua IPC and NVR boards).
_DEFAULT_PROCESSOR = {"IPC": "S2LM", "NVR": "Hi3536"}

# ONVIF and CGI protocol versions reported by IntervideoManager (unverified defaults; the
# key `version` is what python-amcrest and the Amcrest Go client read).
_DEFAULT_ONVIF_VERSION = "2.4.2"
_DEFAULT_CGI_VERSION = "2.0.0"

# Writes that firmware acknowledges with a bare OK. The simulator acknowledges them the same
# way and changes nothing: the request log is where an auditor that sends one gets caught.
_MAGICBOX_WRITES = frozenset({"reboot", "shutdown", "resetSystemEx", "resetSystem"})


def _dahua(device: SimDevice) -> dict:
    return device.profile.dahua


def device_class(device: SimDevice) -> str:
    return str(_dahua(device).get("device_class", "NVR" if device.profile.identity.device_type == "nvr"
                                  else "IPC"))


def device_type(device: SimDevice) -> str:
    return str(_dahua(device).get("device_type") or device.profile.identity.model)


def software_version(device: SimDevice) -> str:
    return str(_dahua(device).get("software_version") or device.profile.identity.firmware)


def system_info(device: SimDevice) -> kv.Pairs:
    """getSystemInfo: the sorted pairs rroller/dahua documents from a live IPC-HDW5831R-ZE."""
    identity = device.profile.identity
    dahua = _dahua(device)
    return kv.flatten("", {
        "appAutoStart": True,
        "deviceType": device_type(device),
        "hardwareVersion": identity.hardware_version or "1.00",
        "processor": dahua.get("processor") or _DEFAULT_PROCESSOR.get(device_class(device), "S2LM"),
        "serialNumber": identity.serial,
        "updateSerial": dahua.get("update_serial") or device_type(device),
    })


def magicbox(device: SimDevice, request: SimRequest) -> SimResponse:
    """magicBox.cgi?action=..."""
    identity = device.profile.identity
    action = request.arg("action")
    single = {
        "getDeviceType": ("type", device_type(device)),
        "getSoftwareVersion": ("version", f"{software_version(device)},build:{identity.build_date.isoformat()}"),
        "getSerialNo": ("sn", identity.serial),
        "getVendor": ("vendor", _dahua(device).get("vendor") or identity.brand),
        "getMachineName": ("name", identity.name),
        "getHardwareVersion": ("version", identity.hardware_version or "1.00"),
        "getDeviceClass": ("class", device_class(device)),
    }
    if action in single:
        return kv.text([single[action]])
    if action == "getSystemInfo":
        return kv.text(system_info(device))
    if action == "getProductDefinition":
        return _product_definition(device, request.arg("name"))
    if action in _MAGICBOX_WRITES:
        return kv.ok()
    return kv.error()


def _product_definition(device: SimDevice, name: str | None) -> SimResponse:
    # rroller/dahua measured `table.MaxExtraStream=2` on an NVR5464 (1 on a VTO doorbell).
    definitions = {"MaxExtraStream": int(_dahua(device).get("max_extra_stream", 2))}
    if name not in definitions:
        return kv.error()
    return kv.text(kv.flatten(f"table.{name}", definitions[name]))


def global_cgi(device: SimDevice, request: SimRequest) -> SimResponse:
    """global.cgi: the device clock (`result=2026-04-10 10:18:24`), skew included."""
    action = request.arg("action")
    if action == "getCurrentTime":
        return kv.text([("result", device.clock().strftime("%Y-%m-%d %H:%M:%S"))])
    if action == "setCurrentTime":
        return kv.ok()
    return kv.error()


def intervideo(device: SimDevice, request: SimRequest) -> SimResponse:
    """IntervideoManager.cgi?action=getVersion&Name=Onvif|CGI."""
    if request.arg("action") != "getVersion":
        return kv.error()
    name = request.arg("Name")
    dahua = _dahua(device)
    if name == "CGI":
        return kv.text([("version", str(dahua.get("cgi_version", _DEFAULT_CGI_VERSION)))])
    if name == "Onvif":
        return kv.text([("version", str(dahua.get("onvif_version", _DEFAULT_ONVIF_VERSION)))])
    return kv.error()
