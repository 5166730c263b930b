"""Match one device (maker, model, type, firmware, build date) against the advisories, by version only.

Answers per advisory: "affected" (the firmware lies in an affected range of a family the device
belongs to), "cannot tell" (a family may apply but the firmware did not parse, a build date or
the model is missing), or nothing. Nothing is ever sent to the device.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from auditor.judge.advisories.data import Advisory, AffectedRange
from auditor.judge.advisories.versions import all_of, in_range, parse


@dataclass(frozen=True)
class Device:
    manufacturer: str | None
    model: str | None
    device_type: str | None
    firmware: str | None
    firmware_date: dt.date | None


@dataclass(frozen=True)
class Match:
    advisory: Advisory
    verdict: str                     # "affected" | "cannot tell"
    affected: AffectedRange | None   # the range that matched (affected) or could not be decided
    reason: str


def _family(device: Device, rng: AffectedRange) -> bool | None:
    answers: list[bool | None] = []
    if rng.device_types:
        answers.append(None if device.device_type is None else device.device_type in rng.device_types)
    if rng.models:
        answers.append(None if not device.model else
                       any(re.match(p, device.model, re.IGNORECASE) for p in rng.models))
    return all_of(answers)


def _undecided(device: Device, family: bool | None, fw_parsed: bool) -> str:
    if family is None:
        return "the model or device type is unknown"
    if not fw_parsed:
        return f"firmware {device.firmware!r} is not in a version format camaudit can compare" \
            if device.firmware else "the firmware version is unknown"
    return "the firmware build date is unknown"


def match(device: Device, advisory: Advisory) -> Match | None:
    """The advisory's verdict on the device, or None when it does not apply (other maker, family or firmware)."""
    if not device.manufacturer or device.manufacturer.casefold() != advisory.vendor.casefold():
        return None
    fw = parse(advisory.scheme, device.firmware, device.firmware_date)
    undecided: Match | None = None
    for rng in advisory.affected:
        family = _family(device, rng)
        if family is False:
            continue
        inside = in_range(fw, start=rng.start, end=rng.end, before=rng.before, built_from=rng.built_from,
                          built_before=rng.built_before, versions=list(rng.versions))
        if inside is False:
            continue
        if family is True and inside is True:
            return Match(advisory, "affected", rng, f"firmware in {rng.describe()}")
        if undecided is None:
            undecided = Match(advisory, "cannot tell", rng, _undecided(device, family, fw is not None))
    return undecided


def match_all(device: Device, advisories: list[Advisory]) -> list[Match]:
    return [m for m in (match(device, a) for a in advisories) if m is not None]
