"""What every operation handler gets: the device, its firmware family and the caller's login."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from device_simulators.onvif.vendor import Family

if TYPE_CHECKING:
    from lxml import etree

    from device_simulators.onvif.xmlnode import Node
    from device_simulators.runtime.auth import AuthResult
    from device_simulators.runtime.device import SimDevice

# Token of the one VideoAnalyticsConfiguration (the name Hikvision firmware uses).
ANALYTICS_TOKEN = "VideoAnalyticsToken"
VIDEO_SOURCE_TOKEN = "VideoSource_1"
VIDEO_SOURCE_CONFIG_TOKEN = "VideoSourceToken"


@dataclass(frozen=True)
class Context:
    device: SimDevice
    family: Family
    auth: AuthResult

    @property
    def onvif(self) -> dict[str, Any]:
        return self.device.profile.onvif

    @property
    def services(self) -> list[str]:
        return list(self.onvif.get("services") or ["device"])

    @property
    def analytics(self) -> dict[str, Any] | None:
        """The analytics section, only when the analytics service is advertised."""
        section = self.onvif.get("analytics")
        return dict(section) if section is not None and "analytics" in self.services else None

    def base_url(self) -> str:
        """Scheme, bound address and port, as the firmware puts them into XAddrs."""
        ports = self.device.ports
        if "http" in ports:
            return f"http://{self.device.address}:{ports['http']}"
        return f"https://{self.device.address}:{ports['https']}"

    def xaddr(self, service: str) -> str:
        return self.base_url() + self.family.paths[service]


Operation = Callable[[Context, "etree._Element"], "Node"]
