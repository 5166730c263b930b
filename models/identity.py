"""Who a device is, as one value: what identity resolution (auditor/judge/identity.py) decides,
what a `DeviceAudit` holds, and what a snapshot row stores (models/tables.py converts, in one place).

Every field may be None: the device did not say, or the signals did not agree (a maker needs two
independent signal families). `evidence` says how each decision was reached.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeviceIdentity:
    brand: str | None = None           # as sold (OEM firmware's own name)
    manufacturer: str | None = None    # who really made it; None unless two signal families agree
    oem: bool | None = None            # sold under another maker's name
    model: str | None = None
    device_type: str | None = None     # camera | ptz | nvr | dvr | thermal
    firmware: str | None = None
    firmware_date: dt.date | None = None
    serial: str | None = None          # as reported (the store normalises it for matching)
    mac: str | None = None
    name: str | None = None
    evidence: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The identity keys of `camaudit audit --json`, in the contract's order (evidence apart)."""
        return {"brand": self.brand, "manufacturer": self.manufacturer, "oem": self.oem, "model": self.model,
                "device_type": self.device_type, "firmware": self.firmware,
                "firmware_date": self.firmware_date.isoformat() if self.firmware_date else None,
                "serial": self.serial, "mac": self.mac, "name": self.name}


def normalise_mac(mac: str | None) -> str | None:
    """MAC as an identity: lower-case aa:bb:cc:dd:ee:ff; malformed, zero and broadcast count as missing."""
    if mac is None:
        return None
    text = mac.strip()
    digits = re.sub(r"[:.\-]", "", text).lower()   # aa:bb.., AA-BB-.., aabb.ccdd.eeff, aabbccddeeff
    if not re.fullmatch(r"[0-9a-f]{12}", digits) or digits in ("0" * 12, "f" * 12):
        return None
    return ":".join(digits[i:i + 2] for i in range(0, 12, 2))
