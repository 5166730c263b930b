"""Dahua's text body format: `key=value` lines joined by CRLF, and the stock answers.

Config reads come back as `table.<Name>...` lines, nested objects joined with `.` and arrays
as `[i]` (`table.VideoAnalyseRule[0][1].Config.FeatureList[2]=Mask`). Dahua firmware builds
those tables from jsoncpp objects, whose keys are kept in a std::map, so every captured table
lists keys in byte order (`appAutoStart, deviceType, hardwareVersion, ...`;
`Address, Enable, Port, TimeZone, UpdatePeriod`). The renderer sorts the same way so the
simulator's bodies line up with captures. A JSON null is left out entirely, as CGI does
(rroller/dahua `flatten_rpc2_config` notes that CGI omits what RPC2 sends as null).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from device_simulators.runtime.http import SimResponse

# Dahua CGI answers plain text; the charset is declared even when the bytes are not UTF-8
# (old OEM units storing Latin-1 names, see the invalid_utf8 quirk).
CONTENT_TYPE = "text/plain;charset=utf-8"

# Measured on a DHI-NVR5464-16P-EI by rroller/dahua: every CGI answer carries
# `Connection: close`, so each call costs a fresh TCP connection.
_HEADERS = (("Connection", "close"),)

# The failure body for an unknown module, action or config name and for features the
# firmware lacks: Dahua, Amcrest and the Intelbras getCaps case all send HTTP 400 with it.
ERROR_BODY = b"Error\r\nBad Request!\r\n"
OK_BODY = b"OK\r\n"

Pairs = list[tuple[str, str]]


def scalar(value: Any) -> str:
    """A leaf value as firmware prints it: booleans in lower case, everything else as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def flatten(prefix: str, value: Any) -> Pairs:
    """Turn nested dicts and lists into Dahua key=value pairs under `prefix`."""
    if value is None:
        return []
    if isinstance(value, dict):
        pairs: Pairs = []
        for key in sorted(value):
            pairs.extend(flatten(f"{prefix}.{key}" if prefix else str(key), value[key]))
        return pairs
    if isinstance(value, list | tuple):
        pairs = []
        for index, item in enumerate(value):
            pairs.extend(flatten(f"{prefix}[{index}]", item))
        return pairs
    return [(prefix, scalar(value))]


def render(pairs: Iterable[tuple[str, str]]) -> bytes:
    """Pairs as the body bytes: one `key=value` per line, each line ended by CRLF."""
    return "".join(f"{key}={value}\r\n" for key, value in pairs).encode("utf-8")


def text(pairs: Iterable[tuple[str, str]]) -> SimResponse:
    """A 200 answer carrying these pairs (an empty list gives the empty 200 firmware sends)."""
    return SimResponse(200, render(pairs), CONTENT_TYPE, headers=list(_HEADERS))


def error() -> SimResponse:
    """The Dahua error answer: HTTP 400, `Error` / `Bad Request!`."""
    return SimResponse(400, ERROR_BODY, CONTENT_TYPE, headers=list(_HEADERS))


def ok() -> SimResponse:
    """What firmware answers an accepted write: a bare `OK`."""
    return SimResponse(200, OK_BODY, CONTENT_TYPE, headers=list(_HEADERS))


def root_name(name: str) -> str:
    """The table a config path belongs to: `VideoAnalyseRule[0][1].Enable` -> `VideoAnalyseRule`."""
    for index, char in enumerate(name):
        if char in ".[":
            return name[:index]
    return name


def select(pairs: Pairs, path: str) -> Pairs:
    """The pairs at or under `path` (`table.General.MachineName`, `table.Lighting[0][0]`)."""
    return [(k, v) for k, v in pairs
            if k == path or k.startswith(path + ".") or k.startswith(path + "[")]
