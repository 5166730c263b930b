"""Dahua config tables that say where data leaves the device, from the profile's `data_flows`.

* `PictureHttpUpload.{Enable, UploadServerList[i].{Address, Port, HttpsEnable, Uploadpath}}` -
  installer and access-control client code writing these keys (Intelbras/Dahua event servers) and a
  test fixture answering `table.PictureHttpUpload.Enable=false` to getConfig. `EventHttpUpload` is
  named beside it in the HTTP API index (PROTOCOLS.md b, S36); it is given the same shape here
  (unverified) and answers the error unless a profile entry uses it.
* NFS/SMB shares are further `NAS[i]` entries next to the FTP one, `Protocol=NFS|SMB` with
  `Address, Port, Directory, UserName, Password` (Dahua API NAS table; the protocol list is unverified
  beyond FTP). Rendered by `network.nas`.
* Audio recorded with the video: `Encode[ch].MainFormat[0].AudioEnable` and `.Audio.Compression`
  (G.711A / AAC), `ExtraFormat[0]` the same for the sub stream - setConfig batches and readers of
  Dahua/Amcrest/Lorex cameras and VTOs in public client code.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from device_simulators.runtime.device import SimDevice

PICTURE, EVENT = "PictureHttpUpload", "EventHttpUpload"
NAS_PROTOCOL = {"NFS": "NFS", "SMB/CIFS": "SMB", "SMB": "SMB", "ISCSI": "ISCSI"}


def _flows(device: SimDevice, key: str) -> Any:
    return device.profile.data_flows.get(key)


def _servers(device: SimDevice, table: str) -> list[dict[str, Any]]:
    return [h for h in _flows(device, "http_push") or [] if (h.get("table") or PICTURE) == table]


def _upload(device: SimDevice, table: str) -> Any:
    servers = _servers(device, table)
    if not servers:
        return {"Enable": False}
    return {"Enable": True, "UploadServerList": [
        {"Address": h["host"], "HttpsEnable": str(h.get("protocol") or "HTTP").upper() == "HTTPS",
         "Port": int(h.get("port") or 80), "Uploadpath": h.get("url") or "/"} for h in servers]}


def picture_http_upload(device: SimDevice) -> Any:
    return _upload(device, PICTURE)


def event_http_upload(device: SimDevice) -> Any:
    return _upload(device, EVENT) if _servers(device, EVENT) else None


def nas_shares(device: SimDevice) -> list[dict[str, Any]]:
    """NAS entries for network storage (after the FTP entry in `NAS`)."""
    return [{"Address": share["host"], "Directory": share.get("path") or "/", "Enable": True,
             "Name": f"NAS{i}", "Password": share.get("password") or "", "Port": int(share.get("port") or 0),
             "Protocol": NAS_PROTOCOL.get(str(share.get("type") or "NFS").upper(), "NFS"),
             "UserName": share.get("user") or ""}
            for i, share in enumerate(_flows(device, "nas") or [], start=1)]


def encode(device: SimDevice) -> Any:
    audio = _flows(device, "audio") or {}
    on = {int(c) for c in audio.get("channels") or ()}
    codec = str(audio.get("codec") or "G.711A")
    channels = max(1, int(device.profile.dahua.get("channels", 1)))

    def stream(channel: int, video: str) -> dict[str, Any]:
        return {"Audio": {"Bitrate": 64, "Compression": codec, "Frequency": 8000}, "AudioEnable": channel in on,
                "Video": {"Compression": video, "FPS": 25, "GOP": 50}, "VideoEnable": True}
    # Profiles count channels from 1, Encode[] from 0.
    return [{"ExtraFormat": [stream(i + 1, "H.264")], "MainFormat": [stream(i + 1, "H.265")]}
            for i in range(channels)]
