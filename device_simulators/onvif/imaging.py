"""Imaging service (timg, ver20): advertised when the profile lists it, capabilities only.

Imaging settings say nothing about analytics, so the simulator does not model them; every
other imaging operation answers ActionNotSupported.
"""

from __future__ import annotations

from lxml import etree

from device_simulators.onvif.capabilities import imaging_service_capabilities
from device_simulators.onvif.context import Context, Operation
from device_simulators.onvif.xmlnode import E, Node


def get_service_capabilities(ctx: Context, _: etree._Element) -> Node:
    return E("timg:GetServiceCapabilitiesResponse", imaging_service_capabilities(ctx))


OPERATIONS: dict[str, Operation] = {
    "GetServiceCapabilities": get_service_capabilities,
}
