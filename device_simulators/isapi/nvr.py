"""NVR channel proxying: /ISAPI/ContentMgmt/InputProxy/*.

Shapes follow hikvision_next's DS-7608NXI-I2 fixture: InputProxyChannel with a
sourceInputPortDescriptor naming the camera (model, serial and firmware left empty when
the camera cannot be reached). The status list adds ``online`` and ``chanDetectResult``
(``connect`` for a reachable camera; ``netUnreachable`` for an offline one is one of the
values seen in public parsers of this resource). IP cameras answer notSupport here
(DS-2CD2386G2-IU fixture: 403). A DVR with only analog inputs answers an empty list with a
``size`` attribute (iDS-7204HUHI-M1 fixture).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from device_simulators.isapi import status
from device_simulators.isapi.model import Channel, Ctx, channel_event
from device_simulators.isapi.video import motion_document, tamper_document
from device_simulators.isapi.xml import add, document, leaves, xml_response
from device_simulators.runtime.http import SimResponse


def _descriptor(parent: ET.Element, channel: Channel, *, detail: bool) -> None:
    source = channel.source
    hik = str(source.get("manufacturer", "hikvision")).lower() == "hikvision"
    node = add(parent, "sourceInputPortDescriptor")
    leaves(node, [("proxyProtocol", "HIKVISION" if hik else "ONVIF"), ("addressingFormatType", "ipaddress"),
                  ("ipAddress", source.get("address", "")), ("managePortNo", 8000 if hik else 80),
                  ("srcInputPort", 1), ("userName", "admin")])
    if detail:
        reachable = channel.online
        leaves(node, [("connMode", "plugplay"), ("streamType", "auto"),
                      ("model", source.get("model") if reachable else None),
                      ("serialNumber", None), ("firmwareVersion", None), ("deviceID", None)])


def _channel(parent: ET.Element, channel: Channel) -> ET.Element:
    node = leaves(add(parent, "InputProxyChannel"), [("id", channel.id), ("name", channel.name)])
    _descriptor(node, channel, detail=True)
    leaves(node, [("enableAnr", False), ("enableTiming", True)])
    return node


def _status(parent: ET.Element, channel: Channel) -> ET.Element:
    node = leaves(add(parent, "InputProxyChannelStatus"), [("id", channel.id)])
    _descriptor(node, channel, detail=False)
    add(node, "online", channel.online)
    streams = add(node, "streamingProxyChannelIdList")
    for stream in (1, 2):
        add(streams, "streamingProxyChannelId", channel.id * 100 + stream)
    add(node, "chanDetectResult", "connect" if channel.online else "netUnreachable")
    return node


def channels(ctx: Ctx) -> SimResponse:
    if not ctx.view.is_nvr:
        return status.not_support(ctx)
    root = document("InputProxyChannelList", ctx.view.namespace, size=max(2, len(ctx.view.proxied_channels)))
    for channel in ctx.view.proxied_channels:
        _channel(root, channel)
    return xml_response(root)


def channels_status(ctx: Ctx) -> SimResponse:
    if not ctx.view.is_nvr:
        return status.not_support(ctx)
    root = document("InputProxyChannelStatusList", ctx.view.namespace,
                    size=max(2, len(ctx.view.proxied_channels)))
    for channel in ctx.view.proxied_channels:
        _status(root, channel)
    return xml_response(root)


def channel(ctx: Ctx, channel_id: str, want_status: bool) -> SimResponse:
    found = ctx.view.channel(channel_id) if ctx.view.is_nvr else None
    if found is None or found.analog:
        return status.not_support(ctx)
    item = (_status if want_status else _channel)(ET.Element("x"), found)
    root = document(item.tag, ctx.view.namespace)
    root.extend(list(item))
    return xml_response(root)


def video_resource(ctx: Ctx, channel_id: str, name: str) -> SimResponse:
    """Motion and tamper of a proxied camera, read by the NVR from the camera."""
    proxied = ctx.view.channel(channel_id)
    if not ctx.view.is_nvr or (proxied is not None and proxied.analog):
        return status.not_support(ctx)
    found = channel_event(ctx, channel_id, name)
    if isinstance(found, SimResponse):
        return found
    channel_, event = found
    if name == "motionDetection":
        return motion_document(ctx, event)
    return tamper_document(ctx, channel_, event)
