"""MAC address -> registered organisation, from Wireshark's `manuf` file (IEEE registry data).

Installed with tshark on Debian at /usr/share/wireshark/manuf. A MAC OUI is an independent
maker signal: firmware can rebadge every string, but the network chip's OUI stays.
"""

from __future__ import annotations

import threading
from pathlib import Path

from probes.base import Evidence, IdentitySignal

MANUF_PATHS = (Path("/usr/share/wireshark/manuf"), Path("/usr/local/share/wireshark/manuf"))


def normalise_mac(mac: str) -> str | None:
    """aa:bb:cc:dd:ee:ff, or None when `mac` is not a MAC address."""
    digits = "".join(c for c in mac.lower() if c in "0123456789abcdef")
    if len(digits) != 12:
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))


_loaded: dict[str, str] | None = None
_lock = threading.Lock()


def _table() -> dict[str, str]:
    """The manuf table, read once per process. Under a lock: an audit's workers all ask at once, and
    an unguarded cache let each of them parse the 2 MB file (25 parses, a quarter of the audit's CPU)."""
    global _loaded  # noqa: PLW0603 - a per-process cache
    with _lock:
        if _loaded is None:
            _loaded = _read_table()
        return _loaded


def _read_table() -> dict[str, str]:
    path = next((p for p in MANUF_PATHS if p.exists()), None)
    table: dict[str, str] = {}
    if path is None:
        return table
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line or line.startswith("#"):
            continue
        parts = line.split("\t")
        prefix = parts[0].strip()
        if len(prefix) != 8:          # only plain 24-bit OUIs; /28 and /36 blocks are rare on cameras
            continue
        table[prefix.lower()] = (parts[2] if len(parts) > 2 else parts[1]).strip()
    return table


def available() -> bool:
    return bool(_table())


def organisation(mac: str) -> str | None:
    """The registered organisation for the MAC's OUI, if the manuf file knows it."""
    normal = normalise_mac(mac)
    return _table().get(normal[:8]) if normal else None


def maker_signals(mac: str | None) -> list[IdentitySignal]:
    """The OUI as an independent `manufacturer` signal, when the MAC is known and registered."""
    org = organisation(mac) if mac else None
    if not org:
        return []
    return [IdentitySignal("manufacturer", org, "oui", Evidence("oui", mac or "", "IEEE registry", org))]
