"""Which country an external server is located in, and who runs its network (the ASN
organisation), offline, from the data file the `geoip2fast` package ships (MaxMind GeoLite2
country + ASN, IPv4 and IPv6; MIT code, the data under MaxMind's GeoLite2 licence, which asks for
the attribution in `GEO_ATTRIBUTION`). No look-up ever leaves the machine: the package's own
update functions are never called.

Wording: a country from this data is a geolocation ("located in IE"), shown beside the registry
allocation ("registered in US", iptocc), and every place that shows one also shows the data's date,
because networks move and change hands (Amazon's Irish and Frankfurt ranges are registered in the US).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

_DATA_FILE = "geoip2fast-asn-ipv6.dat.gz"      # country + ASN, IPv4 + IPv6 (inside the wheel)
_NOT_A_COUNTRY = {"", "--", "ZZ"}              # geoip2fast: private / reserved / not found
_NOT_AN_OWNER = {"", "IANA.ORG", "<not found in database>"}
GEO_ATTRIBUTION = "This product includes GeoLite2 data created by MaxMind, available from https://www.maxmind.com."


@dataclass(frozen=True)
class Network:
    """Where an address's network is registered and who runs it; None: the data does not say."""

    country: str | None
    owner: str | None


@functools.cache
def _reader() -> Any | None:
    """The loaded data (~0.3 s of CPU, once per process), or None when the package is missing."""
    try:
        from geoip2fast import GeoIP2Fast
        from geoip2fast import geoip2fast as impl
    except ImportError:
        return None
    # geoip2fast 1.2 runs `ps` twice while loading, only for the memory figure of a verbose line we never print.
    impl.get_mem_usage = lambda: 0.0
    return GeoIP2Fast(geoip2fast_data_file=_DATA_FILE, verbose=False)


_answered: dict[str, Network] = {}          # look-ups another process made (`remember`)
_answered_data: list[str | None] = []


def remember(data: str | None, networks: dict[str, Network]) -> None:
    """Answers from another process that loaded the same data (`auditor.run.egress_geo`), so this one
    need not load it; `network_of` and `geo_data` give them as if they had looked them up here."""
    _answered.update(networks)
    _answered_data[:] = [data]


def geo_data() -> str | None:
    """The data's name and date, printed wherever a country from it is shown, e.g.
    "GeoLite2 data of 2024-06-18"; None without the package."""
    return _answered_data[0] if _answered_data else _geo_data()


@functools.cache
def _geo_data() -> str | None:
    reader = _reader()
    if reader is None:
        return None
    info = str(getattr(reader, "source_info", "") or "")
    found = re.search(r"(\d{4})(\d{2})(\d{2})\s*$", info)
    return "GeoLite2 data" + (f" of {found[1]}-{found[2]}-{found[3]}" if found else " (undated)")


def network_of(address: str) -> Network:
    """The registered country (ISO code) and network owner of a public address."""
    known = _answered.get(address)
    return known if known is not None else _network_of(address)


@functools.lru_cache(maxsize=4096)
def _network_of(address: str) -> Network:
    reader = _reader()
    if reader is None:
        return Network(None, None)
    try:
        found = reader.lookup(address)
    except Exception:   # noqa: BLE001 - a malformed address from a damaged capture: say nothing
        return Network(None, None)
    if getattr(found, "is_private", False):
        return Network(None, None)
    country = str(getattr(found, "country_code", "") or "").upper()
    owner = str(getattr(found, "asn_name", "") or "").strip()
    return Network(None if country in _NOT_A_COUNTRY else country, None if owner in _NOT_AN_OWNER else owner)

