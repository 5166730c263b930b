"""The profile's ``isapi:`` section read once into the shapes ISAPI firmware keeps.

Handlers never look at raw YAML: they ask an IsapiView for channels, events and remote
access settings, and get a per-request Ctx that also carries the request and the device.
"""

from __future__ import annotations

import hashlib
import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from device_simulators.isapi import status
from device_simulators.runtime.http import SimResponse

if TYPE_CHECKING:
    from device_simulators.profile import Profile
    from device_simulators.runtime.auth import AuthResult
    from device_simulators.runtime.device import SimDevice
    from device_simulators.runtime.http import SimRequest

NAMESPACES = {
    "hikvision": "http://www.hikvision.com/ver20/XMLSchema",   # most IPC firmware
    "isapi": "http://www.isapi.org/ver20/XMLSchema",           # NVRs and newer firmware
}


@dataclass(frozen=True)
class Event:
    """One analytics rule as the profile's ``events`` map holds it."""

    key: str
    enabled: bool
    notify: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    attributes: dict[str, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Channel:
    id: int
    name: str
    online: bool
    source: dict[str, Any]
    events: dict[str, Event]
    analog: bool = True        # the device's own video input (IPC sensor, DVR analog input); False: proxied


def _event(key: str, data: dict[str, Any] | None) -> Event:
    data = data or {}
    return Event(key=key, enabled=bool(data.get("enabled", False)),
                 notify=tuple(str(n) for n in data.get("notify") or ()),
                 targets=tuple(str(t) for t in data.get("targets") or ()),
                 attributes={str(k): bool(v) for k, v in (data.get("attributes") or {}).items()})


@dataclass(frozen=True)
class FaceLibrary:
    id: int
    name: str
    type: str
    faces: int
    fdid: str          # 32 upper-case hex characters, as NVR and DeepinView firmware issue them


class IsapiView:
    """What the firmware holds, derived from one profile. Read-only."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        section = profile.isapi
        self.namespace = NAMESPACES.get(str(section.get("namespace", "hikvision")), NAMESPACES["hikvision"])
        self.device_type = str(section.get("device_type") or "IPCamera")
        # Recorders (NVR, and Turbo HD DVRs, whose deviceType is DVR) share the NVR document shapes.
        self.is_nvr = self.device_type in ("NVR", "DVR") or profile.identity.device_type in ("nvr", "dvr")
        self.capability_overrides: dict[str, dict[str, Any]] = dict(section.get("capabilities") or {})
        # A recorder's channel is a proxied IP camera unless the profile marks it `analog: true`.
        self.channels = [
            Channel(id=int(ch["id"]), name=str(ch.get("name") or f"Camera {ch['id']:02d}"),
                    online=bool(ch.get("online", True)), source=dict(ch.get("source") or {}),
                    events={k: _event(k, v) for k, v in (ch.get("events") or {}).items()},
                    analog=bool(ch.get("analog", not self.is_nvr)))
            for ch in section.get("channels") or ()
        ]
        self.analog_channels = [c for c in self.channels if c.analog]
        self.proxied_channels = [c for c in self.channels if not c.analog]
        # Some firmware answers the trigger list with HTTP 500 while every /triggers/<id> works
        # (DS-2CD4A26FWD-IZS-P V5.4.7 in hikvision_next's fixtures).
        self.trigger_list_fails = bool(section.get("trigger_list_fails", False))
        libraries = section.get("face_libraries")
        self.face_libraries: list[FaceLibrary] | None = None if libraries is None else [
            FaceLibrary(id=i, name=str(lib["name"]), type=str(lib.get("type", "ordinary")),
                        faces=int(lib.get("faces", 0)), fdid=self._fdid(str(lib["name"])))
            for i, lib in enumerate(libraries, start=1)
        ]

    def _fdid(self, name: str) -> str:
        digest = hashlib.md5(f"{self.profile.identity.serial}/{name}".encode()).hexdigest()  # noqa: S324
        return digest.upper()

    # -- channels and events ------------------------------------------------------------
    def channel(self, channel_id: str | int) -> Channel | None:
        try:
            wanted = int(channel_id)
        except ValueError:
            return None
        return next((c for c in self.channels if c.id == wanted), None)

    def has_event(self, key: str) -> bool:
        """True when any channel lists the event: the firmware then claims the feature."""
        return any(key in c.events for c in self.channels)

    def event_keys(self) -> set[str]:
        return {k for c in self.channels for k in c.events}

    # -- remote access ------------------------------------------------------------------
    def remote(self, remote_id: str) -> dict[str, Any] | None:
        """The vendor-neutral remote_access entry, or None when the firmware has no such setting."""
        return self.profile.remote_access.get(remote_id)


def address_fields(host: str) -> list[tuple[str, str]]:
    """``addressingFormatType`` plus ``ipAddress`` or ``hostName``, the ISAPI way to give a server."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return [("addressingFormatType", "hostname"), ("hostName", host)]
    return [("addressingFormatType", "ipaddress"), ("ipAddress", host)]


@dataclass(frozen=True)
class Ctx:
    """Everything one request handler needs."""

    view: IsapiView
    device: SimDevice
    request: SimRequest
    auth: AuthResult

    @property
    def secure(self) -> bool:
        """``?security=1``: the web UI's request for secrets encrypted with its ``iv``."""
        return self.request.arg("security") == "1"


def reachable_channel(ctx: Ctx, channel_id: str) -> Channel | SimResponse:
    """The channel, or the answer firmware gives when it cannot serve it.

    An unknown channel is notSupport. An NVR channel whose camera is offline answers every
    per-channel analytics resource with deviceError: the NVR cannot read a configuration from
    a camera it cannot reach (DS-7608NXI-K2 class firmware; the exact body is the deviceError
    one hikvision_next recorded, its use for offline channels is (unverified)).
    """
    channel = ctx.view.channel(channel_id)
    if channel is None:
        return status.not_support(ctx)
    if not channel.online:
        return status.device_error(ctx)
    return channel


def channel_event(ctx: Ctx, channel_id: str, key: str) -> tuple[Channel, Event] | SimResponse:
    """The channel's event, or the answer firmware gives when there is none."""
    channel = reachable_channel(ctx, channel_id)
    if isinstance(channel, SimResponse):
        return channel
    event = channel.events.get(key)
    if event is None:
        return status.not_support(ctx)
    return channel, event
