"""The ONVIF scopes of a device, shared by GetScopes and (if it wants them) WS-Discovery.

Scopes leak identity without much effort: `hardware/` is the model, `name/` is what the
firmware calls itself (OEM firmware rewrites it: "Honeywell" over Dahua firmware), `MAC/` the
interface address. Hikvision lists `type/video_encoder`, Dahua `type/Network_Video_Transmitter`.
"""

from __future__ import annotations

from urllib.parse import quote

from device_simulators.onvif.vendor import family_of
from device_simulators.profile import Profile

SCOPE_BASE = "onvif://www.onvif.org/"


def device_scopes(profile: Profile) -> list[tuple[str, str]]:
    """(ScopeDef, ScopeItem) pairs: Fixed scopes first, then the Configurable ones."""
    onvif = profile.onvif
    model = str(onvif.get("model") or profile.identity.model)
    fixed = [
        f"type/{family_of(profile).scope_type}",
        "Profile/Streaming",
        f"hardware/{quote(model, safe='')}",
        f"MAC/{profile.identity.mac}",
    ]
    configurable = [
        f"name/{quote(str(onvif.get('scope_name') or model), safe='')}",
    ]
    if onvif.get("scope_location"):
        # "city/hangzhou" keeps its slashes: the path is part of the scope's hierarchy.
        configurable.append(f"location/{quote(str(onvif['scope_location']), safe='/')}")
    extra = [s if "://" in s else SCOPE_BASE + s for s in (str(x) for x in onvif.get("extra_scopes") or [])]
    return ([("Fixed", SCOPE_BASE + s) for s in fixed]
            + [("Configurable", SCOPE_BASE + s) for s in configurable]
            + [("Configurable", s) for s in extra])
