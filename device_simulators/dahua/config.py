"""`configManager.cgi`: config names to tables, getConfig and the writes that change nothing.

getConfig takes one `name`. Besides a whole table (`name=Network`) firmware answers a path
inside it: `name=General.MachineName` gives `table.General.MachineName=...` and
`name=VideoAnalyseRule[0][0].Enable` gives that one line (both used against live cameras by
rroller/dahua). A path that matches nothing answers the error. Whether firmware merges
several `name=` parameters in one call is not in any public capture, so only the first is
read (unverified), which is what a CGI parser keeping the first value does.

setConfig, addConfig and deleteConfig answer `OK` when every key names a table this device
has (the error otherwise, as firmware rejects unknown keys) and never change a table:
profiles are the device's state, and the request log records the attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from device_simulators.dahua import analytics, dataflows, kv, network
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

TableBuilder = Callable[["SimDevice"], Any]

# Config name -> builder. A builder returning None means this firmware lacks the table.
TABLES: dict[str, TableBuilder] = {
    "General": network.general,
    "Network": network.network,
    "T2UServer": network.t2u_server,
    "NTP": network.ntp,
    "UPnP": network.upnp,
    "DDNS": network.ddns,
    "Email": network.email,
    "DVRIP": network.dvrip,
    "NAS": network.nas,
    "RecordStoragePoint": network.record_storage_point,
    "Telnet": network.telnet,
    "SSHD": network.sshd,
    "VideoAnalyseRule": analytics.video_analyse_rule,
    "VideoAnalyseGlobal": analytics.video_analyse_global,
    "MotionDetect": analytics.motion_detect,
    "SmartMotionDetect": analytics.smart_motion_detect,
    "PictureHttpUpload": dataflows.picture_http_upload,
    "EventHttpUpload": dataflows.event_http_upload,
    "Encode": dataflows.encode,
}

_WRITES = frozenset({"setConfig", "addConfig", "deleteConfig"})


def table(device: SimDevice, name: str) -> Any:
    """The value of config `name` on this device, or None when it has no such table."""
    builder = TABLES.get(name)
    return None if builder is None else builder(device)


def get_config(device: SimDevice, name: str | None) -> SimResponse:
    if not name:
        return kv.error()
    root = kv.root_name(name)
    value = table(device, root)
    if value is None:
        return kv.error()
    pairs = kv.flatten(f"table.{root}", value)
    if name != root:
        pairs = kv.select(pairs, f"table.{name}")
        if not pairs:
            return kv.error()
    return kv.text(pairs)


def _write(device: SimDevice, request: SimRequest) -> SimResponse:
    keys = [k for k in request.query if k != "action"]
    if not keys or any(table(device, kv.root_name(k)) is None for k in keys):
        return kv.error()
    return kv.ok()


def config_manager(device: SimDevice, request: SimRequest) -> SimResponse:
    action = request.arg("action")
    if action == "getConfig":
        return get_config(device, request.arg("name"))
    if action in _WRITES:
        return _write(device, request)
    return kv.error()
