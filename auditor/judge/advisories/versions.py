"""Firmware version comparison per vendor scheme, with a third answer: "cannot tell".

Hikvision writes `V5.5.800 build 190725` (ISAPI gives the version and the build date apart:
`firmwareVersion` V5.5.800, `firmwareReleasedDate` build 190725); recorders `V4.62.210`.
Dahua writes `2.800.0000016.0.R` (or `V2.520.AC00.18.R` on OEM units such as Amcrest) with a
separate build date (`getSoftwareVersion` -> `version=2.800.0000016.0.R,build:2020-06-05`).
Dahua version strings are not ordered across product lines, so Dahua advisories are matched by
build date or by an exact version; Hikvision by version, then build date.

Every comparison answers True, False or None. None means "cannot tell" (the version did not
parse, or a build date the bound needs is missing) and must never be read as "not affected".
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

SCHEMES = ("hikvision", "dahua")

_HIK = re.compile(r"^\s*V?(\d+(?:\.\d+){1,3})(?:\s*build\s*(\d{6}))?\s*$", re.IGNORECASE)
# Dahua: major.minor then three or four dot-separated parts, the last one a letter (R = release);
# an optional ",build:YYYY-MM-DD" tail as getSoftwareVersion prints it.
_DAHUA = re.compile(r"^\s*V?(\d+\.\d+(?:\.[0-9A-Z]+){2,3}\.[A-Z])(?:\s*,\s*build\s*:\s*(\d{4}-\d{2}-\d{2}))?\s*$",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Firmware:
    """A parsed firmware: the version (numbers for Hikvision, normalised text for Dahua) and build date."""

    scheme: str
    raw: str
    version: tuple[int, ...] | str
    build: dt.date | None = None


def _yymmdd(text: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(text, "%y%m%d").date()
    except ValueError:
        return None


def parse(scheme: str, firmware: str | None, build: dt.date | None = None) -> Firmware | None:
    """Parse a firmware string in a vendor's scheme; None when it does not parse (cannot tell).

    A build date inside the string wins over `build` only when `build` is not given.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown version scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    if not firmware:
        return None
    if scheme == "hikvision":
        m = _HIK.match(firmware)
        if not m:
            return None
        in_string = _yymmdd(m.group(2)) if m.group(2) else None
        if m.group(2) and in_string is None:
            return None
        return Firmware(scheme, firmware, tuple(int(p) for p in m.group(1).split(".")), build or in_string)
    m = _DAHUA.match(firmware)
    if not m:
        return None
    in_string = dt.date.fromisoformat(m.group(2)) if m.group(2) else None
    return Firmware(scheme, firmware, m.group(1).upper(), build or in_string)


def compare(fw: Firmware, bound: Firmware) -> int | None:
    """-1, 0 or 1 as `fw` is older than, equal to or newer than `bound`; None when it cannot tell.

    Hikvision: version first; on equal versions the build dates decide, and a bound without a
    build date covers every build of its version. Dahua: only exact versions compare (0), else None.
    """
    if fw.scheme != bound.scheme:
        raise ValueError("cannot compare firmware of two version schemes")
    if fw.scheme == "dahua":
        return 0 if fw.version == bound.version else None
    a, b = _padded(fw.version, bound.version)
    if a != b:
        return -1 if a < b else 1
    if bound.build is None:
        return 0
    if fw.build is None:
        return None
    return (fw.build > bound.build) - (fw.build < bound.build)


def _padded(a: tuple[int, ...] | str, b: tuple[int, ...] | str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    assert isinstance(a, tuple) and isinstance(b, tuple)
    n = max(len(a), len(b))
    return a + (0,) * (n - len(a)), b + (0,) * (n - len(b))


def all_of(answers: list[bool | None]) -> bool | None:
    """Three-valued AND: any False -> False, else any None -> None, else True."""
    if any(a is False for a in answers):
        return False
    if any(a is None for a in answers):
        return None
    return True


def in_range(fw: Firmware | None, *, start: str | None = None, end: str | None = None, before: str | None = None,
             built_from: dt.date | None = None, built_before: dt.date | None = None,
             versions: list[str] | None = None) -> bool | None:
    """Whether `fw` lies in a range: start <= fw <= end, fw < before, build dates, exact versions.

    Every given condition must hold. None when the firmware is unparsable or a condition cannot be decided.
    """
    if fw is None:
        return None
    answers: list[bool | None] = []
    for text, ok in ((start, lambda c: c >= 0), (end, lambda c: c <= 0), (before, lambda c: c < 0)):
        if text is not None:
            bound = parse(fw.scheme, text)
            if bound is None:
                raise ValueError(f"advisory bound {text!r} is not a {fw.scheme} version")
            c = compare(fw, bound)
            answers.append(None if c is None else ok(c))
    if built_from is not None or built_before is not None:
        if fw.build is None:
            answers.append(None)
        else:
            answers.append((built_from is None or fw.build >= built_from)
                           and (built_before is None or fw.build < built_before))
    if versions:
        wanted = {p.version for p in (parse(fw.scheme, v) for v in versions) if p is not None}
        answers.append(fw.version in wanted)
    return all_of(answers)
