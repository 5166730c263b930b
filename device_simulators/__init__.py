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
from device_simulators.runtime.device import SimDevice
from device_simulators.runtime.fleet import Fleet, FleetError

__all__ = ["Fleet", "FleetError", "Profile", "ProfileError", "SimDevice", "bundled_profile",
           "bundled_profiles", "load_fleet", "load_profile"]
