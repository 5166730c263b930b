"""Reading one analytics configuration document: is it on, can it fire, whom does it filter.

"Enabled" semantics (PROTOCOLS.md a): the rule's `<enabled>` is true and, for line and region
rules, at least one item can fire. A line item fires when its own `<enabled>` is true and its
two points differ; a region (FieldDetection, regionEntrance, ... have no per-region switch)
when it has a drawn polygon of three or more distinct points. DS-7608NXI-I2 replies show why:
a RegionExiting rule with `enabled=true` and no region drawn, and disabled line items parked at
(0,1000)-(0,1000) [S1]. AcuSense firmware adds `detectionTarget` (all/human/vehicle) to items and
`MotionDetectionLayout/targetType` to motion; the filter counts only where the rule can fire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from probes._xml import children, descendants, find, flag, local, text

HUMAN_VEHICLE = frozenset({"human", "vehicle"})
KINDS = ("plain", "line", "region", "motion", "faceCapture")


@dataclass(frozen=True)
class RuleState:
    switch: bool | None                    # the rule's own on/off flag
    enabled: bool | None                   # effective: on, and able to fire
    targets: frozenset[str] = frozenset()  # what the firing part filters by (detectionTarget/targetType)
    has_target: bool = False               # the firmware has the human/vehicle filter (AcuSense)
    summary: str = ""
    attributes: dict[str, bool] = field(default_factory=dict)   # face capture attribute switches

    @property
    def filters_people_or_vehicles(self) -> bool:
        return self.enabled is True and bool(self.targets & HUMAN_VEHICLE)


def _targets(value: str | None) -> set[str]:
    return {part.strip().lower() for part in (value or "").split(",") if part.strip()}


def _points(node: Element, item: str) -> set[tuple[str, str]]:
    return {(text(p, "positionX") or "", text(p, "positionY") or "") for p in descendants(node, item)}


def _has_target(root: Element) -> bool:
    return any(True for _ in descendants(root, "detectionTarget")) or \
        any(True for _ in descendants(root, "targetType"))


def _items(root: Element, kind: str) -> list[tuple[Element, bool]]:
    """(item, can fire) for line items or drawn regions."""
    if kind == "line":
        return [(item, flag(item, "enabled") is not False
                 and (find(item, "CoordinatesList") is None or len(_points(item, "Coordinates")) >= 2))
                for item in descendants(root, "LineItem")]
    found = []
    for region_list in (c for c in root if local(c.tag).endswith("RegionList")):
        for region in children(region_list):
            drawn = len(_points(region, "RegionCoordinates")) >= 3
            found.append((region, drawn and flag(region, "enabled") is not False))
    return found


def _motion_area(root: Element) -> bool | None:
    grid = text(find(root, "MotionDetectionLayout/layout"), "gridMap")
    if len(_points(root, "RegionCoordinates")) >= 3:
        return True
    if grid is None:
        return None
    return grid.strip("0") != ""


def parse_rule(root: Element, kind: str = "plain", switch: str = "enabled") -> RuleState:
    """The state of one rule document (pure)."""
    on = flag(root, switch)
    notes = [f"{switch}={'unknown' if on is None else str(on).lower()}"]
    targets = _targets(text(root, "detectionTarget"))
    enabled = on
    attributes: dict[str, bool] = {}
    if kind in ("line", "region"):
        items = _items(root, kind)
        active = [item for item, fires in items if fires]
        for item in active:
            targets |= _targets(text(item, "detectionTarget"))
        if items:
            notes.append(f"{len(active)} of {len(items)} {'lines' if kind == 'line' else 'regions'} can fire")
            enabled = on and bool(active) if on is not None else None
    elif kind == "motion":
        targets |= _targets(text(find(root, "MotionDetectionLayout"), "targetType"))
        area = _motion_area(root)
        if area is False:
            notes.append("no detection area drawn")
            enabled = False if on is not None else None
    elif kind == "faceCapture":
        for node in descendants(root, "FaceAttribute"):
            name, state = text(node, "type"), flag(node, "enabled")
            if name and state is not None:
                attributes[name] = state
        if attributes:
            notes.append("attributes " + ", ".join(f"{k}={str(v).lower()}" for k, v in sorted(attributes.items())))
    if targets:
        notes.append("detectionTarget=" + ",".join(sorted(targets)))
    if on is True and enabled is False:
        notes.append("switched on but cannot fire")
    return RuleState(on, enabled, frozenset(targets) if enabled else frozenset(), _has_target(root),
                     "; ".join(notes), attributes)
