"""Where the firmware sends data: HTTP(S) alarm hosts, network storage, cloud storage, audio.

Rendered from the profile's ``data_flows`` section, with the element names and shapes of real
captures (maciej-or/hikvision_next tests/fixtures):

* ``/ISAPI/Event/notification/httpHosts``: ``HttpHostNotificationList`` with three
  ``HttpHostNotification`` slots on IPCs (DS-2CD2386G2-IU, DS-2CD2146G2-ISU) and one on NVRs
  (DS-7608NXI-I2); unused slots hold ipAddress ``0.0.0.0``, url ``/``, portNo 80.
* ``/ISAPI/ContentMgmt/Storage``: ``storage{hddList (ver10 namespace), nasList/nas{id,
  addressingFormatType, ipAddress, portNo, nasType, path, status, capacity, freeSpace, property,
  mountType, userName}, workMode}`` (fixture ContentMgmt.Storage/hdd1_nas1.xml; NAS ids start at 9
  there because slots 1-8 are local disks).
* ``/ISAPI/Streaming/channels[/<id>]``: ``StreamingChannel{id, channelName, enabled, Video{enabled,
  videoInputChannelID, videoCodecType}, Audio{enabled, audioInputChannelID, audioCompressionType}}``,
  streams ``<ch>01`` (main) and ``<ch>02`` (sub).
* ``/ISAPI/ContentMgmt/Storage/cloud`` has no public capture: its shape here (enabled +
  serverAddress) is (unverified); without ``cloud_storage`` in the profile it answers notSupport.

Old firmware returns push-host and NAS passwords; they go through ``network.secret`` like the FTP
password, so an auditor that stored them would be caught by the tests.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from device_simulators.isapi import status
from device_simulators.isapi.model import Ctx, address_fields
from device_simulators.isapi.network import secret
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse

VER10 = "http://www.hikvision.com/ver10/XMLSchema"
NAS_FIRST_ID = 9


def _flows(ctx: Ctx, key: str) -> Any:
    return ctx.view.profile.data_flows.get(key)


def _push_host(parent: ET.Element, ctx: Ctx, slot: int, host: dict[str, Any] | None) -> None:
    node = add(parent, "HttpHostNotification")
    host = host or {}
    server = str(host.get("host") or "0.0.0.0")
    leaves(node, [("id", slot), ("url", host.get("url") or "/"),
                  ("protocolType", str(host.get("protocol") or "HTTP").upper()),
                  ("parameterFormatType", host.get("format") or "XML")])
    leaves(node, address_fields(server) if server != "0.0.0.0" else [("addressingFormatType", "ipaddress"),
                                                                       ("ipAddress", server)])
    leaves(node, [("portNo", int(host.get("port") or 80)), ("userName", host.get("user") or None)])
    if host.get("password"):
        add(node, "password", secret(ctx, str(host["password"])))
    leaves(node, [("httpAuthenticationMethod", host.get("auth") or "none"), ("httpBroken", False)])


def _slots(ctx: Ctx) -> list[dict[str, Any] | None]:
    hosts: list[dict[str, Any] | None] = list(_flows(ctx, "http_push") or [])
    size = 1 if ctx.view.is_nvr else 3
    return hosts + [None] * max(0, size - len(hosts))


def http_hosts(ctx: Ctx) -> SimResponse:
    root = document("HttpHostNotificationList", ctx.view.namespace)
    for slot, host in enumerate(_slots(ctx), start=1):
        _push_host(root, ctx, slot, host)
    return xml_response(root)


def http_host(ctx: Ctx, host_id: str) -> SimResponse:
    slots = _slots(ctx)
    if not host_id.isdigit() or not 1 <= int(host_id) <= len(slots):
        return status.not_support(ctx)
    holder = ET.Element("x")
    _push_host(holder, ctx, int(host_id), slots[int(host_id) - 1])
    root = document("HttpHostNotification", ctx.view.namespace)
    root.extend(list(holder[0]))
    return xml_response(root)


def storage(ctx: Ctx) -> SimResponse:
    root = document("storage", ctx.view.namespace)
    hdds = add(root, "hddList", version="1.0", xmlns=VER10, size=8)
    disk = add(hdds, "hdd")
    leaves(disk, [("id", 1), ("hddName", "hdd1"), ("hddPath", None), ("hddType", "SATA"), ("status", "ok"),
                  ("capacity", 1907729 if ctx.view.is_nvr else 30436), ("freeSpace", 27392), ("property", "RW")])
    nas_list = add(root, "nasList", version="2.0", xmlns=ctx.view.namespace)
    for index, share in enumerate(_flows(ctx, "nas") or [], start=NAS_FIRST_ID):
        node = add(nas_list, "nas")
        add(node, "id", index)
        leaves(node, address_fields(str(share["host"])))
        mount = str(share.get("type") or "NFS")
        leaves(node, [("portNo", int(share.get("port") or 0)), ("nasType", "NFS" if mount == "NFS" else "SMB/CIFS"),
                      ("path", share.get("path") or "/"), ("status", share.get("status") or "ok"),
                      ("capacity", 122346), ("freeSpace", 119552), ("property", "RW"), ("mountType", mount),
                      ("userName", share.get("user") or None)])
        if share.get("password"):
            add(node, "password", secret(ctx, str(share["password"])))
    add(nas_list, "supportMountType", opt="NFS,SMB/CIFS")
    add(nas_list, "authentication", opt="SMB/CIFS")
    add(root, "workMode", "quota")
    return xml_response(root)


def cloud_storage(ctx: Ctx) -> SimResponse:
    cloud = _flows(ctx, "cloud_storage")
    if cloud is None:
        return status.not_support(ctx)
    root = document("CloudStorage", ctx.view.namespace)
    add(root, "enabled", bool(cloud.get("enabled")))
    leaves(add(root, "serverAddress"), address_fields(str(cloud.get("server") or "0.0.0.0")))
    return xml_response(root)


def _audio_channels(ctx: Ctx) -> set[int]:
    audio = _flows(ctx, "audio") or {}
    return {int(c) for c in audio.get("channels") or ()}


def _stream(parent: ET.Element, ctx: Ctx, channel_id: int, name: str, stream: int) -> ET.Element:
    node = add(parent, "StreamingChannel")
    leaves(node, [("id", channel_id * 100 + stream), ("channelName", name), ("enabled", True)])
    video = add(node, "Video")
    leaves(video, [("enabled", True), ("videoInputChannelID", channel_id),
                   ("videoCodecType", "H.265" if stream == 1 else "H.264")])
    audio = add(node, "Audio")
    codec = str((_flows(ctx, "audio") or {}).get("codec") or "G.711ulaw")
    leaves(audio, [("enabled", channel_id in _audio_channels(ctx)), ("audioInputChannelID", channel_id),
                   ("audioCompressionType", codec)])
    return node


def _channels(ctx: Ctx) -> list[tuple[int, str]]:
    return [(c.id, c.name) for c in ctx.view.channels] or [(1, ctx.view.profile.identity.name)]


def streaming_channels(ctx: Ctx) -> SimResponse:
    root = document("StreamingChannelList", ctx.view.namespace)
    for channel_id, name in _channels(ctx):
        for stream in (1, 2):
            _stream(root, ctx, channel_id, name, stream)
    return xml_response(root)


def streaming_channel(ctx: Ctx, stream_id: str) -> SimResponse:
    known = {cid: name for cid, name in _channels(ctx)}
    if not stream_id.isdigit() or int(stream_id) // 100 not in known or int(stream_id) % 100 not in (1, 2):
        return status.not_support(ctx)
    holder = ET.Element("x")
    number = int(stream_id)
    _stream(holder, ctx, number // 100, known[number // 100], number % 100)
    root = document("StreamingChannel", ctx.view.namespace)
    root.extend(list(holder[0]))
    return xml_response(root)
