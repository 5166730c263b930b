"""Pure readers for ONVIF analytics listings (tt:Config modules and rules, descriptions).

What "enabled" means for an ONVIF rule, and why:
- ONVIF rules have no enable switch of their own in the Media profile: a rule that exists in the
  RuleEngineConfiguration of a VideoAnalyticsConfiguration used by a media profile is configured,
  and a configured rule runs (ONVIF Analytics Service spec, rule engine; PROTOCOLS.md [S41] shows
  Hikvision's embedded rules, [S43] the GetRules shape).
- Newer rule types carry an `Armed` parameter (xs:boolean): a Bosch DINION IP starlight 6000 HD
  answers GetRules with `SimpleItem Name="Armed" Value="true"` and lists Armed in GetSupportedRules
  (edgexfoundry/device-onvif-camera doc/api-analytic-support.md). Armed=false is a configured rule
  that is switched off: enabled False, on the device's own word. A rule without Armed counts as
  on, as every rule did before Armed existed (the spec text on Armed's default was not available
  to check; no capture shows a rule without Armed that did not run).
- An Armed value that is not a boolean leaves that rule's state unknown, never off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

from probes._xml import children, find

_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})


def local_name(qname: Any) -> str:
    """`tt:LineDetector` / `{ns}LineDetector` -> `LineDetector`."""
    return re.split(r"[}:]", str(qname).strip())[-1]


@dataclass(frozen=True)
class Instance:
    """One configured module or rule."""

    type: str              # type local name
    name: str              # instance name as the device calls it
    armed: bool | None     # True when no Armed parameter is sent (a configured rule runs)


def armed(config: Element) -> bool | None:
    """The Armed switch of a tt:Config: True when absent, None when it is not a boolean."""
    parameters = find(config, "Parameters")
    for item in children(parameters, "SimpleItem") if parameters is not None else ():
        if (item.get("Name") or "").strip().lower() == "armed":
            value = (item.get("Value") or "").strip().lower()
            return True if value in _TRUE else False if value in _FALSE else None
    return True


def instances(items: Iterable[Element]) -> list[Instance]:
    """Configured modules or rules (tt:Config with Name and Type attributes)."""
    return [Instance(local_name(i.get("Type")), i.get("Name") or "", armed(i)) for i in items if i.get("Type")]


def described(items: Iterable[Element]) -> list[str]:
    """Type local names from AnalyticsModuleDescription / RuleDescription listings."""
    return [local_name(i.get("Name")) for i in items if i.get("Name")]


def state(found: list[Instance]) -> bool | None:
    """On when any instance is armed; off when every one says Armed=false; else unknown."""
    values = {i.armed for i in found}
    if True in values:
        return True
    return False if values == {False} else None
