"""Check a profile's `onvif:` section before serving it, so a typo fails at start with the file's
name instead of as a puzzling SOAP answer in the middle of a test."""

from __future__ import annotations

from typing import Any

from device_simulators.onvif.vendor import SERVICE_NAMESPACES
from device_simulators.onvif.xmlnode import QNAME_PREFIXES
from device_simulators.profile import Profile, ProfileError


def _qname_errors(values: list[Any], where: str) -> list[str]:
    errors = []
    for value in values:
        prefix, sep, rest = str(value).partition(":")
        if not sep or not rest:
            errors.append(f"{where}: '{value}' needs a namespace prefix (tt:, hikxsd:, tns1:, ...)")
        elif prefix not in QNAME_PREFIXES:
            errors.append(f"{where}: '{value}' uses unknown prefix '{prefix}' "
                          f"(known: {', '.join(sorted(QNAME_PREFIXES))})")
    return errors


def check_onvif_section(profile: Profile) -> None:
    """Raise ProfileError naming the file and key when the onvif section cannot be served."""
    onvif = profile.onvif
    errors: list[str] = []
    services = onvif.get("services") or ["device"]
    unknown = set(services) - set(SERVICE_NAMESPACES)
    if unknown:
        errors.append(f"onvif.services: unknown {sorted(unknown)} (known: {', '.join(SERVICE_NAMESPACES)})")
    if "device" not in services:
        errors.append("onvif.services: 'device' is mandatory for every ONVIF device")
    analytics = onvif.get("analytics")
    if analytics is not None and not isinstance(analytics, dict):
        errors.append("onvif.analytics: must be a mapping")
    elif analytics:
        for key in ("supported_modules", "supported_rules"):
            errors += _qname_errors(list(analytics.get(key) or []), f"onvif.analytics.{key}")
        for key in ("modules", "rules"):
            for entry in analytics.get(key) or []:
                if not isinstance(entry, dict) or not entry.get("name") or not entry.get("type"):
                    errors.append(f"onvif.analytics.{key}: {entry!r} needs 'name' and 'type'")
                    continue
                errors += _qname_errors([entry["type"]], f"onvif.analytics.{key}")
                if "armed" in entry and not isinstance(entry["armed"], bool):
                    errors.append(f"onvif.analytics.{key}: {entry['name']!r} armed must be true or false")
                if "profile" in entry and (not isinstance(entry["profile"], int) or entry["profile"] < 1):
                    errors.append(f"onvif.analytics.{key}: {entry['name']!r} profile must be a media "
                                  "profile number from 1")
    errors += _qname_errors(list(onvif.get("topics") or []), "onvif.topics")
    if errors:
        raise ProfileError(f"{profile.path.name}: " + "; ".join(errors))
