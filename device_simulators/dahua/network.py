"""Network and remote-access config tables, rendered from the vendor-neutral profile.

Each builder returns the table value, or None when the firmware has no such setting (the
profile omits that `remote_access` id); getConfig then answers the Dahua error. Where the
key names come from:

* `T2UServer.Enable` (Easy4IP/P2P) - S38 and many hardening scripts that switch it off.
* `NTP.{Address,Enable,Port,TimeZone,UpdatePeriod}`, `UPnP.Enable/MapTable[i].*`,
  `Telnet.Enable`, `netApp.cgi?action=getUPnPStatus` - python-amcrest `network.py` (S27).
* `Email.*` - a Dahua installer's setConfig batch (Address, Anonymous, AttachEnable,
  Authentication, Enable, HealthReport.*, OnlyAttachment, Password, Port, Receivers[i],
  SendAddress, SendInterv, SslEnable, Title, TlsEnable, UserName). The password is in
  clear, as old firmware returns it: an auditor must never store it.
* `DDNS[i].{Address,Enable,HostName,Password,Port,Protocol,UserName}` - client code writing
  Dahua DDNS; `KeepAlive` is unverified.
* Auto register lives inside `DVRIP.RegisterServer.{DeviceID,Enable,Servers[i].Address/Port}`
  (a captured DVRIP table), so there is no top-level `RegisterServer` config name.
* FTP upload is `NAS[0]` with `Protocol=FTP` (Dahua API 8.2.3 and installer scripts), and
  which pictures go there is `RecordStoragePoint[ch].<Kind>.FTP`.
* `SSHD.Enable` - the Amcrest Go client (HTTP API V3.26, 4.8); `Network.eth0.*` - captures.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from device_simulators.dahua import dataflows, kv
from device_simulators.runtime.http import SimRequest, SimResponse

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

_DVRIP_PORT = 37777


def _remote(device: SimDevice, rid: str) -> dict[str, Any] | None:
    return device.profile.remote_access.get(rid)


def general(device: SimDevice) -> Any:
    # `General.MachineName` is what rroller/dahua reads; LocalNo is the stock value.
    return {"LocalNo": 8, "MachineName": device.profile.identity.name}


def network(device: SimDevice) -> Any:
    octets = device.address.split(".")
    gateway = ".".join(octets[:3] + ["254"])
    return {
        "DefaultInterface": "eth0",
        "Domain": "dahua",
        "eth0": {
            "DefaultGateway": gateway,
            "DhcpEnable": False,
            "DnsServers": [gateway, "0.0.0.0"],
            "IPAddress": device.address,
            "MTU": 1500,
            "PhysicalAddress": device.profile.identity.mac,
            "SubnetMask": "255.255.255.0",
        },
    }


def t2u_server(device: SimDevice) -> Any:
    p2p = _remote(device, "dahua_p2p")
    # Only Enable is in public captures; the P2P server name is not exposed here
    # (egress shows it), so none is invented.
    return None if p2p is None else {"Enable": bool(p2p.get("enabled"))}


def ntp(device: SimDevice) -> Any:
    cfg = _remote(device, "ntp")
    if cfg is None:
        return None
    return {"Address": cfg.get("server", ""), "Enable": bool(cfg.get("enabled")),
            "Port": int(cfg.get("port", 123)), "TimeZone": 0, "UpdatePeriod": 10}


def _map_table(device: SimDevice) -> list[dict[str, Any]]:
    given = (_remote(device, "upnp") or {}).get("ports")
    if given is not None:           # the profile names the mappings (remote_access.upnp.ports)
        return [{"Enable": True, "InnerPort": int(p["internal"]), "OuterPort": int(p.get("external", p["internal"])),
                 "Protocol": "TCP", "ServiceName": str(p["protocol"])} for p in given]
    services = device.profile.services
    sdk = services.sdk or _DVRIP_PORT
    entries = [("HTTP", services.http or 80, "TCP"), ("TCP", sdk, "TCP"), ("UDP", sdk + 1, "UDP"),
               ("RTSP", services.rtsp or 554, "UDP")]
    return [{"Enable": True, "InnerPort": port, "OuterPort": port, "Protocol": proto, "ServiceName": name}
            for name, port, proto in entries]


def upnp(device: SimDevice) -> Any:
    cfg = _remote(device, "upnp")
    return None if cfg is None else {"Enable": bool(cfg.get("enabled")), "MapTable": _map_table(device)}


def ddns(device: SimDevice) -> Any:
    cfg = _remote(device, "ddns")
    if cfg is None:
        return None
    server = str(cfg.get("server", ""))
    domain = str(cfg.get("domain", ""))
    # Dahua DDNS hands out <name>.dahuaddns.com; the profile keeps the short name, so the
    # server's domain is appended when the name has no dot (unverified for other providers).
    if domain and "." not in domain and server:
        domain = f"{domain}.{server.removeprefix('www.')}"
    return [{"Address": server, "Enable": bool(cfg.get("enabled")), "HostName": domain,
             "KeepAlive": 10, "Password": "", "Port": 80,
             "Protocol": cfg.get("provider", "Dahua DDNS"), "UserName": ""}]


def email(device: SimDevice) -> Any:
    cfg = _remote(device, "email")
    if cfg is None:
        return None
    port = int(cfg.get("port", 25))
    sender = str(cfg.get("sender", ""))
    return {
        "Address": cfg.get("server", ""), "Anonymous": False, "AttachEnable": True,
        "Authentication": bool(cfg.get("password")), "Enable": bool(cfg.get("enabled")),
        "HealthReport": {"Enable": False, "Interval": 60}, "OnlyAttachment": False,
        "Password": cfg.get("password", ""), "Port": port,
        "Receivers": [str(r) for r in cfg.get("receivers", [])] or [""],
        "SendAddress": sender, "SendInterv": 0, "SslEnable": port == 465,
        "Title": "IPC Message", "TlsEnable": port == 587, "UserName": sender,
    }


def dvrip(device: SimDevice) -> Any:
    table: dict[str, Any] = {
        "MCASTAddress": "239.255.42.42", "MCASTEnable": False, "MCASTPort": 36666,
        "MaxConnections": 10, "TCPPort": device.profile.services.sdk or _DVRIP_PORT,
        "UDPPort": (device.profile.services.sdk or _DVRIP_PORT) + 1,
    }
    cfg = _remote(device, "auto_register")
    if cfg is not None:
        table["RegisterServer"] = {
            "DeviceID": cfg.get("device_id") or device.profile.identity.serial,
            "Enable": bool(cfg.get("enabled")),
            "Servers": [{"Address": cfg.get("server", ""), "Port": int(cfg.get("port", 7000))}],
        }
    return table


def nas(device: SimDevice) -> Any:
    cfg = _remote(device, "ftp")
    shares = dataflows.nas_shares(device)
    if cfg is None and not shares:
        return None
    ftp = [] if cfg is None else [
        {"Address": cfg.get("server", ""), "Directory": "share", "Enable": bool(cfg.get("enabled")),
         "Name": "FTP", "Password": cfg.get("password", ""), "Port": int(cfg.get("port", 21)),
         "Protocol": "FTP", "UserName": cfg.get("user", "")}]
    return ftp + shares


def record_storage_point(device: SimDevice) -> Any:
    cfg = _remote(device, "ftp") or {}
    pictures = bool(cfg.get("enabled") and cfg.get("upload_picture"))
    channels = max(1, int(device.profile.dahua.get("channels", 1)))
    kinds = ("AlarmRecord", "AlarmSnapShot", "TimingRecord", "TimingSnapShot",
             "VideoDetectRecord", "VideoDetectSnapShot")
    return [{kind: {"FTP": pictures and kind.endswith("SnapShot"), "Local": True} for kind in kinds}
            for _ in range(channels)]


def telnet(device: SimDevice) -> Any:
    return {"Enable": device.profile.services.telnet is not None}


def sshd(device: SimDevice) -> Any:
    return {"Enable": device.profile.services.ssh is not None}


def net_app(device: SimDevice, request: SimRequest) -> SimResponse:
    """netApp.cgi?action=getUPnPStatus: live mapping state (key names unverified)."""
    cfg = _remote(device, "upnp")
    if request.arg("action") != "getUPnPStatus" or cfg is None:
        return kv.error()
    working = bool(cfg.get("enabled"))
    result = "Success" if working else "Failed"
    return kv.text(kv.flatten("status", {
        "InnerAddress": device.address,
        "OuterAddress": "",
        "PortMapStatus": [result] * len(_map_table(device)),
        "Status": result,
        "Working": working,
    }))
