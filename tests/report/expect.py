"""Ground truth for report tests, read from the simulator profiles' `expect` blocks."""

from __future__ import annotations

from typing import Any

from device_simulators import Profile
from models.features import BIOMETRIC_FEATURES, REMOTE_ACCESS_IDS

from .site import WRONG_PASSWORD, AuditedSite


def expected(profile: Profile, section: str, key: str) -> dict[str, Any]:
    """The expected verdict of one feature or remote-access setting (the block's default otherwise)."""
    block = profile.expect.get(section, {})
    return dict(block.get(key) or block.get("default") or {})


def readable(site: AuditedSite) -> list[Profile]:
    """Run 2's devices whose settings camaudit could read (all but the wrong-password one)."""
    return [p for pid, p in site.profiles.items() if pid != WRONG_PASSWORD]


def any_on(profile: Profile, section: str, keys: list[str] | frozenset[str] | tuple[str, ...]) -> bool | None:
    """True if any of `keys` is expected on; None if none is on but one is expected unknown."""
    states = [expected(profile, section, k).get("enabled") for k in keys]
    if True in states:
        return True
    return None if None in states else False


def biometric_states(site: AuditedSite) -> list[bool | None]:
    """Per device of run 2: biometric processing on / off / unknown. Unreadable devices are unknown."""
    return [any_on(p, "features", sorted(BIOMETRIC_FEATURES)) for p in readable(site)] + [None, None]


def remote_states(site: AuditedSite) -> list[bool | None]:
    keys = [r for r in REMOTE_ACCESS_IDS if r != "ntp"]
    return [any_on(p, "remote_access", keys) for p in readable(site)]
