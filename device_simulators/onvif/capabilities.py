"""What the device says it can do: GetCapabilities (legacy, what onvif-zeep reads), GetServices,
and each service's GetServiceCapabilities answer.

Only services listed in `onvif.services` appear, each with an XAddr built from the address
and port the simulator actually bound.
"""

from __future__ import annotations

from lxml import etree

from device_simulators.onvif.context import Context, Operation
from device_simulators.onvif.soap import child_text, children, no_such_service
from device_simulators.onvif.vendor import SERVICE_NAMESPACES
from device_simulators.onvif.xmlnode import E, Node

CATEGORIES = {"Analytics": "analytics", "Device": "device", "Events": "events", "Imaging": "imaging",
              "Media": "media", "PTZ": "ptz"}
SUPPORTED_VERSIONS = ((2, 60), (2, 40), (2, 20), (2, 10), (2, 0))


# -- GetServiceCapabilities answers, also embedded by GetServices(IncludeCapability=true) ----
def device_service_capabilities(ctx: Context) -> Node:
    profile = ctx.device.profile
    return E("tds:Capabilities",
             E("tds:Network", {"IPFilter": False, "ZeroConfiguration": False, "IPVersion6": False,
                               "DynDNS": "ddns" in profile.remote_access, "NTP": 1}),
             E("tds:Security", {"TLS1.2": "https" in ctx.device.ports, "UsernameToken": True,
                                "HttpDigest": True, "MaxUsers": 32}),
             E("tds:System", {"DiscoveryResolve": False, "DiscoveryBye": True, "RemoteDiscovery": False,
                              "SystemBackup": False, "SystemLogging": True, "FirmwareUpgrade": True}))


def media_service_capabilities(ctx: Context) -> Node:
    return E("trt:Capabilities", {"SnapshotUri": True, "Rotation": False},
             E("trt:ProfileCapabilities", {"MaximumNumberOfProfiles": len(ctx.family.profiles)}),
             E("trt:StreamingCapabilities", {"RTPMulticast": False, "RTP_TCP": True, "RTP_RTSP_TCP": True}))


def events_service_capabilities(ctx: Context) -> Node:
    # Five of each, as a captured Hikvision GetServices reply says.
    return E("tev:Capabilities", {"WSSubscriptionPolicySupport": True, "WSPullPointSupport": True,
                                  "WSPausableSubscriptionManagerInterfaceSupport": False,
                                  "MaxNotificationProducers": 5, "MaxPullPoints": 5})


def analytics_service_capabilities(ctx: Context) -> Node:
    present = ctx.analytics is not None
    return E("tan:Capabilities", {"RuleSupport": present, "AnalyticsModuleSupport": present,
                                  "CellBasedSceneDescriptionSupported": False})


def imaging_service_capabilities(ctx: Context) -> Node:
    return E("timg:Capabilities", {"ImageStabilization": False})


SERVICE_CAPABILITIES = {
    "device": device_service_capabilities,
    "media": media_service_capabilities,
    "events": events_service_capabilities,
    "analytics": analytics_service_capabilities,
    "imaging": imaging_service_capabilities,
}


# -- GetCapabilities (tt: types) -------------------------------------------------------------
def _analytics(ctx: Context) -> Node:
    present = ctx.analytics is not None
    return E("tt:Analytics", E("tt:XAddr", ctx.xaddr("analytics")),
             E("tt:RuleSupport", present), E("tt:AnalyticsModuleSupport", present))


def _device(ctx: Context) -> Node:
    profile = ctx.device.profile
    return E("tt:Device",
             E("tt:XAddr", ctx.xaddr("device")),
             E("tt:Network", E("tt:IPFilter", False), E("tt:ZeroConfiguration", False),
               E("tt:IPVersion6", False), E("tt:DynDNS", "ddns" in profile.remote_access)),
             E("tt:System", E("tt:DiscoveryResolve", False), E("tt:DiscoveryBye", True),
               E("tt:RemoteDiscovery", False), E("tt:SystemBackup", False), E("tt:SystemLogging", True),
               E("tt:FirmwareUpgrade", True),
               [E("tt:SupportedVersions", E("tt:Major", major), E("tt:Minor", minor))
                for major, minor in SUPPORTED_VERSIONS]),
             E("tt:IO", E("tt:InputConnectors", 1), E("tt:RelayOutputs", 1)),
             E("tt:Security", E("tt:TLS1.1", False), E("tt:TLS1.2", "https" in ctx.device.ports),
               E("tt:OnboardKeyGeneration", False), E("tt:AccessPolicyConfig", False),
               E("tt:X.509Token", False), E("tt:SAMLToken", False), E("tt:KerberosToken", False),
               E("tt:RELToken", False)))


def _events(ctx: Context) -> Node:
    return E("tt:Events", E("tt:XAddr", ctx.xaddr("events")), E("tt:WSSubscriptionPolicySupport", True),
             E("tt:WSPullPointSupport", True), E("tt:WSPausableSubscriptionManagerInterfaceSupport", False))


def _imaging(ctx: Context) -> Node:
    return E("tt:Imaging", E("tt:XAddr", ctx.xaddr("imaging")))


def _media(ctx: Context) -> Node:
    return E("tt:Media", E("tt:XAddr", ctx.xaddr("media")),
             E("tt:StreamingCapabilities", E("tt:RTPMulticast", False), E("tt:RTP_TCP", True),
               E("tt:RTP_RTSP_TCP", True)))


def _extension(ctx: Context) -> Node | None:
    if ctx.family.name != "hikvision":
        return None
    # Hikvision firmware (and its OEMs) adds its own capability block: a fingerprint.
    return E("tt:Extension", E("hikxsd:hikCapabilities",
                               E("hikxsd:XAddr", ctx.base_url() + "/onvif/hik_ext"),
                               E("hikxsd:IOInputSupport", True), E("hikxsd:PrivacyMaskSupport", True)))


_LEGACY = {"analytics": _analytics, "device": _device, "events": _events, "imaging": _imaging,
           "media": _media}


def get_capabilities(ctx: Context, request: etree._Element) -> Node:
    asked = [(c.text or "").strip() for c in children(request, "Category")] or ["All"]
    if "All" in asked:
        wanted = [s for s in _LEGACY if s in ctx.services]
    else:
        wanted = [CATEGORIES.get(c, c) for c in asked]
        if any(s not in ctx.services or s not in _LEGACY for s in wanted):
            raise no_such_service()
    # Schema order: Analytics, Device, Events, Imaging, Media, (PTZ), Extension.
    ordered = [s for s in _LEGACY if s in wanted]
    return E("tds:GetCapabilitiesResponse", E(
        "tds:Capabilities", [_LEGACY[s](ctx) for s in ordered],
        _extension(ctx) if "All" in asked else None))


def get_services(ctx: Context, request: etree._Element) -> Node:
    include = (child_text(request, "IncludeCapability") or "false").lower() in ("true", "1")
    major, minor = ctx.family.version
    return E("tds:GetServicesResponse", [
        E("tds:Service",
          E("tds:Namespace", SERVICE_NAMESPACES[s]),
          E("tds:XAddr", ctx.xaddr(s)),
          E("tds:Capabilities", SERVICE_CAPABILITIES[s](ctx)) if include else None,
          # Quirk 15: Hikvision reports one version for every service.
          E("tds:Version", E("tt:Major", major), E("tt:Minor", minor)))
        for s in SERVICE_NAMESPACES if s in ctx.services
    ])


OPERATIONS: dict[str, Operation] = {
    "GetCapabilities": get_capabilities,
    "GetServices": get_services,
}
