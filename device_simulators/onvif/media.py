"""Media service (trt, ver10): profiles, video sources, stream URIs.

Each profile carries the VideoAnalyticsConfiguration when the device has an analytics section,
which is where clients (and onvif-zeep users) find the ConfigurationToken the analytics service
wants. Shapes follow a captured Hikvision GetProfiles reply; tokens and names per family.
"""

from __future__ import annotations

from lxml import etree

from device_simulators.onvif.analytics import configuration_index, tokens, video_analytics_configuration
from device_simulators.onvif.capabilities import media_service_capabilities
from device_simulators.onvif.context import (
    VIDEO_SOURCE_CONFIG_TOKEN,
    VIDEO_SOURCE_TOKEN,
    Context,
    Operation,
)
from device_simulators.onvif.soap import child_text, invalid_arg
from device_simulators.onvif.xmlnode import E, Node

# (width, height, bitrate kbit/s) of the main and sub stream.
_STREAMS = ((1920, 1080, 4096), (640, 360, 512))


def _video_source_configuration(ctx: Context, element: str = "tt:VideoSourceConfiguration") -> Node:
    width, height, _ = _STREAMS[0]
    return E(element, {"token": VIDEO_SOURCE_CONFIG_TOKEN},
             E("tt:Name", "VideoSourceConfig"),
             E("tt:UseCount", len(ctx.family.profiles)),
             E("tt:SourceToken", VIDEO_SOURCE_TOKEN),
             E("tt:Bounds", {"x": 0, "y": 0, "width": width, "height": height}))


def _video_encoder_configuration(index: int) -> Node:
    width, height, bitrate = _STREAMS[min(index, len(_STREAMS) - 1)]
    return E("tt:VideoEncoderConfiguration", {"token": f"VideoEncoderToken_{index + 1}"},
             E("tt:Name", f"VideoEncoder_{index + 1}"),
             E("tt:UseCount", 1),
             E("tt:Encoding", "H264"),
             E("tt:Resolution", E("tt:Width", width), E("tt:Height", height)),
             E("tt:Quality", "3.000000"),
             E("tt:RateControl", E("tt:FrameRateLimit", 25), E("tt:EncodingInterval", 1),
               E("tt:BitrateLimit", bitrate)),
             E("tt:H264", E("tt:GovLength", 50), E("tt:H264Profile", "Main")),
             E("tt:Multicast", E("tt:Address", E("tt:Type", "IPv4"), E("tt:IPv4Address", "0.0.0.0")),
               E("tt:Port", 8860 + 2 * index), E("tt:TTL", 128), E("tt:AutoStart", False)),
             E("tt:SessionTimeout", "PT5S"))


def _profile(ctx: Context, index: int, element: str) -> Node:
    token, name = ctx.family.profiles[index]
    return E(element, {"token": token, "fixed": True},
             E("tt:Name", name),
             _video_source_configuration(ctx),
             _video_encoder_configuration(index),
             video_analytics_configuration(ctx, index=index) if ctx.analytics is not None else None)


def _profile_index(ctx: Context, request: etree._Element) -> int:
    token = child_text(request, "ProfileToken")
    for index, (known, _) in enumerate(ctx.family.profiles):
        if token == known:
            return index
    raise invalid_arg("ter:NoProfile", f"No media profile with token '{token or ''}'")


def get_profiles(ctx: Context, _: etree._Element) -> Node:
    return E("trt:GetProfilesResponse",
             [_profile(ctx, i, "trt:Profiles") for i in range(len(ctx.family.profiles))])


def get_profile(ctx: Context, request: etree._Element) -> Node:
    return E("trt:GetProfileResponse", _profile(ctx, _profile_index(ctx, request), "trt:Profile"))


def get_video_sources(ctx: Context, _: etree._Element) -> Node:
    width, height, _ = _STREAMS[0]
    return E("trt:GetVideoSourcesResponse", E(
        "trt:VideoSources", {"token": VIDEO_SOURCE_TOKEN},
        E("tt:Framerate", 25), E("tt:Resolution", E("tt:Width", width), E("tt:Height", height))))


def get_video_source_configurations(ctx: Context, _: etree._Element) -> Node:
    return E("trt:GetVideoSourceConfigurationsResponse",
             _video_source_configuration(ctx, "trt:Configurations"))


def get_video_analytics_configurations(ctx: Context, _: etree._Element) -> Node:
    configurations = ([video_analytics_configuration(ctx, "trt:Configurations", i) for i in range(len(tokens(ctx)))]
                      if ctx.analytics is not None else None)
    return E("trt:GetVideoAnalyticsConfigurationsResponse", configurations)


def get_video_analytics_configuration(ctx: Context, request: etree._Element) -> Node:
    index = configuration_index(ctx, child_text(request, "ConfigurationToken"))
    return E("trt:GetVideoAnalyticsConfigurationResponse",
             video_analytics_configuration(ctx, "trt:Configuration", index))


def get_stream_uri(ctx: Context, request: etree._Element) -> Node:
    index = _profile_index(ctx, request)
    port = ctx.device.ports.get("rtsp") or ctx.device.profile.services.rtsp or 554
    uri = ctx.family.stream_uri.format(address=ctx.device.address, port=port, n=index + 1, sub=index)
    return E("trt:GetStreamUriResponse", E(
        "trt:MediaUri", E("tt:Uri", uri), E("tt:InvalidAfterConnect", False),
        E("tt:InvalidAfterReboot", False), E("tt:Timeout", "PT60S")))


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("trt:GetServiceCapabilitiesResponse", media_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetProfiles": get_profiles,
    "GetProfile": get_profile,
    "GetVideoSources": get_video_sources,
    "GetVideoSourceConfigurations": get_video_source_configurations,
    "GetVideoAnalyticsConfigurations": get_video_analytics_configurations,
    "GetVideoAnalyticsConfiguration": get_video_analytics_configuration,
    "GetStreamUri": get_stream_uri,
    "GetServiceCapabilities": get_service_capabilities,
}
