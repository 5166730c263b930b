"""Simulated Hikvision, Dahua, OEM and ONVIF cameras and NVRs for testing camaudit.

Nothing here imports the auditor: the simulators are an independent implementation of
what the devices do on the wire.
"""

from device_simulators.profile import (
    Profile,
    ProfileError,
    bundled_profile,
    bundled_profiles,
    load_fleet,
    load_profile,
)

_LAZY = {"SimDevice": "device_simulators.runtime.device", "Fleet": "device_simulators.runtime.fleet",
         "FleetError": "device_simulators.runtime.fleet"}


def __getattr__(name: str) -> object:
    """The runtime (servers, handlers) is imported on first use: `camaudit --help` and `camaudit egress`
    register the `sim` command without paying for the HTTP/ONVIF servers."""
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Fleet", "FleetError", "Profile", "ProfileError", "SimDevice", "bundled_profile",
           "bundled_profiles", "load_fleet", "load_profile"]
