"""How each firmware family lays out its ONVIF server: endpoint paths, tokens, versions, status codes.

The auditor must follow XAddrs rather than guess paths, so the simulator serves each family's
real layout. The family is the firmware underneath, not the label: a TruVision thermal camera
runs Hikvision firmware and answers like one, a Honeywell or Amcrest unit like Dahua.
"""

from __future__ import annotations

from dataclasses import dataclass

from device_simulators.profile import Profile

SERVICE_NAMESPACES: dict[str, str] = {
    "device": "http://www.onvif.org/ver10/device/wsdl",
    "media": "http://www.onvif.org/ver10/media/wsdl",
    "events": "http://www.onvif.org/ver10/events/wsdl",
    "analytics": "http://www.onvif.org/ver20/analytics/wsdl",
    "imaging": "http://www.onvif.org/ver20/imaging/wsdl",
}
# WS-BaseNotification operations (Renew, Unsubscribe) arrive in their own namespace.
WSNT = "http://docs.oasis-open.org/wsn/b-2"


@dataclass(frozen=True)
class Family:
    name: str
    paths: dict[str, str]                  # service -> endpoint path
    pullpoint_address: str                 # format(stamp, n): path of a pull-point subscription
    version: tuple[int, int]               # GetServices Version, the same for every service
    profiles: tuple[tuple[str, str], ...]  # (token, name) of the media profiles
    not_authorized_status: int             # HTTP status sent with ter:NotAuthorized
    scope_type: str                        # GetScopes / WS-Discovery type/ scope
    stream_uri: str                        # format(address, port, n) -> RTSP URI of profile n (1-based)
    firmware_with_build: bool = False      # FirmwareVersion carries " build YYMMDD"
    hostname: str | None = None            # factory hostname (None: derived from the model)

    @property
    def pullpoint_path(self) -> str:
        """The fixed part of every pull-point path (query and placeholders cut off)."""
        return self.pullpoint_address.split("{")[0].split("?")[0]

    def serves(self, path: str) -> bool:
        return path in self.paths.values() or path.startswith(self.pullpoint_path)


# Hikvision (and OEMs on its firmware): paths, "Profile_1"/"mainStream", version 17.06 for
# every service and FirmwareVersion "V5.5.23 build 190821" are from captured replies; the
# firmware answers ter:NotAuthorized with HTTP 401.
HIKVISION = Family(
    name="hikvision",
    paths={"device": "/onvif/device_service", "media": "/onvif/Media", "events": "/onvif/Events",
           "analytics": "/onvif/Analytics", "imaging": "/onvif/Imaging"},
    pullpoint_address="/onvif/Events/PullSubManager_{stamp}_{n}",
    version=(17, 6),
    profiles=(("Profile_1", "mainStream"), ("Profile_2", "subStream")),
    not_authorized_status=401,
    scope_type="video_encoder",
    stream_uri="rtsp://{address}:{port}/Streaming/Channels/10{n}?transportmode=unicast&profile=Profile_{n}",
    firmware_with_build=True,
    hostname="Hikvision",
)

# Dahua and its OEMs (Amcrest, Honeywell Performance, Lorex, ...): *_service paths and the
# realmonitor RTSP path; the ONVIF core default of HTTP 400 for NotAuthorized.
DAHUA = Family(
    name="dahua",
    paths={"device": "/onvif/device_service", "media": "/onvif/media_service",
           "events": "/onvif/event_service", "analytics": "/onvif/analytics_service",
           "imaging": "/onvif/imaging_service"},
    pullpoint_address="/onvif/Subscription?Idx={n}",
    version=(2, 60),
    profiles=(("MediaProfile00000", "MediaProfile_Channel1_MainStream"),
              ("MediaProfile00001", "MediaProfile_Channel1_SubStream1")),
    not_authorized_status=400,
    scope_type="Network_Video_Transmitter",
    stream_uri="rtsp://{address}:{port}/cam/realmonitor?channel=1&subtype={sub}&unicast=true&proto=Onvif",
)

# Everything else (Axis): one /onvif/services endpoint for every service but the device one.
GENERIC = Family(
    name="generic",
    paths={"device": "/onvif/device_service", "media": "/onvif/services", "events": "/onvif/services",
           "analytics": "/onvif/services", "imaging": "/onvif/services"},
    pullpoint_address="/onvif/services/pullpoint_{n}",
    version=(2, 60),
    profiles=(("profile_1_h264", "profile_1 h264"), ("profile_2_h264", "profile_2 h264")),
    not_authorized_status=400,
    scope_type="video_encoder",
    stream_uri="rtsp://{address}:{port}/onvif-media/media.amp?profile=profile_{n}_h264&streamtype=unicast",
)


def family_of(profile: Profile) -> Family:
    """The firmware family behind a profile: the true maker, whatever the label says."""
    maker = profile.identity.manufacturer.lower()
    if maker == "hikvision":
        return HIKVISION
    if maker == "dahua":
        return DAHUA
    return GENERIC
