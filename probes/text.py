"""Device text: one way to turn the bytes a device sent into the text camaudit stores and shows.

Old Dahua/OEM and Hikvision firmware stores operator-typed names in Latin-1 and still calls them
UTF-8 (a Honeywell-badged Dahua sends `Salle r\\xe9union`; tests/data/dahua/getMachineName_latin1.txt).
Guessing a legacy code page would print a confident wrong name on the next device, and U+FFFD loses
the byte; so valid UTF-8 is kept and every byte that is not is shown as a visible `\\xNN` escape. The
same string then reads the same in the database, the report (every format), `camaudit diff` and the TUI.
"""

from __future__ import annotations

import re

_STRAY = re.compile("[\udc80-\udcff]")       # what surrogateescape makes of a byte that is not UTF-8
INVALID_NOTE = "the answer contained bytes that are not valid UTF-8; they are shown as \\xNN escapes"


def escape_stray_bytes(text: str, *, in_json: bool = False) -> str:
    """Replace the surrogates of `bytes.decode("utf-8", "surrogateescape")` by visible `\\xNN` escapes.

    `in_json`: the text is JSON about to be parsed, so the backslash is itself escaped and the parsed
    string holds the same `\\xNN` as decode_device_text would give.
    """
    slash = "\\\\" if in_json else "\\"
    return _STRAY.sub(lambda m: f"{slash}x{ord(m.group()) - 0xDC00:02x}", text)


def decode_device_text(raw: bytes) -> tuple[str, bool]:
    """`raw` as text and whether it was valid UTF-8; invalid bytes become `\\xNN` escapes, never U+FFFD."""
    try:
        return raw.decode("utf-8"), True
    except UnicodeDecodeError:
        return escape_stray_bytes(raw.decode("utf-8", "surrogateescape")), False
