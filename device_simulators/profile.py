"""Device profiles: one YAML file per simulated device, loaded into typed values.

A profile describes what the *firmware* holds, in each vendor's own words (ISAPI event
names, Dahua rule types, ONVIF module and rule types). The ``expect`` block is the
independent oracle: what a correct audit must report, in camaudit's feature taxonomy.
Keeping the two in different vocabularies means the simulator never shares a mapping
with the auditor, so one mistaken mapping cannot pass on both sides.

The schema is documented in ``profiles/SCHEMA.md``.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROFILE_DIR = Path(__file__).parent / "profiles"
FLEET_DIR = Path(__file__).parent / "fleets"

PROTOCOLS = frozenset({"isapi", "dahua_cgi", "onvif", "sadp", "dhip", "ws_discovery"})
DEVICE_TYPES = frozenset({"camera", "nvr", "dvr", "ptz", "thermal"})
AUTH_SCHEMES = frozenset({"digest", "basic", "none"})
REMOTE_ACCESS_IDS = (
    "hik_connect", "isup", "dahua_p2p", "ddns", "upnp", "ntp", "email", "ftp", "auto_register",
)
QUIRKS = frozenset({
    # authentication
    "nonce_expiry",         # digest nonces expire after `seconds`; the next use gets 401 stale=true
    "lockout",              # `max_failures` bad logins lock the account for `lock_seconds`
    "clock_skew",           # device clock off by `seconds`; WS-Security Created is checked against it
    "basic_only",           # HTTP answers with a Basic challenge only (old Dahua/Amcrest)
    "challenge_every_path",  # 401 Digest on every HTTP path without a login, unknown ones too (Hikvision)
    # transport
    "https_self_signed",    # HTTPS on services.https with a self-signed certificate
    "https_expired",        # the HTTPS certificate expired `days` (default 30) ago (runtime/tls.py)
    "rtsp_no_auth",         # RTSP DESCRIBE answers 200 with the SDP without a login (device_simulators/rtsp.py)
    "slow_endpoints",       # `paths` (prefixes; whole paths with `exact: true`) answer after `delay` seconds
    "slow_drip",            # `paths` send the body one byte every `interval` seconds
    "reset",                # `paths` close the connection without an answer
    "drop_discovery",       # the first `first` discovery probes per protocol are lost (and a `rate` share at
                            # random); optional `protocols` list. Datagram loss on a busy LAN (issue 10.4)
    "redirect",             # `paths` answer 302 to `location`
    # content
    "invalid_utf8",         # device and channel names carry bytes that are not UTF-8
    "sadp_own_uuid",        # SADP ProbeMatch carries the device's own Uuid, not the probe's (PROTOCOLS.md d)
    "claims_then_fails",    # capability documents claim support; `paths` answer `status` (500)
    "malformed_xml",        # `paths` answer truncated XML
    "xxe",                  # `paths` answer XML with an external entity to a local file
    "entity_bomb",          # `paths` answer a billion-laughs document
    "huge_body",            # `paths` answer `megabytes` of padding
    "flat_xml",             # `paths` answer `megabytes` (1.9) of `<a/>` under one root: cheap to send, costly to parse
    "deep_xml",             # `paths` answer elements nested `depth` (100000) deep
    # ONVIF (device_simulators/onvif/quirks.py says which real firmware does each)
    "onvif_post_only",      # a GET on an ONVIF endpoint answers `status` (404 or 405; default 405)
    "onvif_auth_refusal",   # a protected call without credentials: `status` (400/401), `challenge`, `soap`
    "onvif_pre_auth",       # `operations` answered without checking credentials (ONVIF Core PRE_AUTH)
    "onvif_refuses",        # advertised `operations` refused: ActionNotSupported or bare HTTP `status`
    "onvif_analytics_per_profile",  # one VideoAnalyticsConfiguration per media profile (rules pick `profile`)
})

FEATURE_IDS = (
    "face_detection", "face_capture", "face_recognition", "face_library", "age_gender",
    "face_attributes", "mask_detection", "emotion", "body_attributes", "fight_detection",
    "people_counting", "queue_detection", "crowd_detection", "heat_map", "loitering", "intrusion",
    "line_crossing", "region_entrance", "region_exiting", "unattended_object", "object_removal",
    "audio_detection", "thermal_screening", "human_vehicle_filter", "ppe_detection",
    "vehicle_recognition", "motion_detection", "classroom_behaviour", "objects_thrown", "rapid_movement",
    "parking_detection", "pir_detection", "tamper_detection", "fire_detection", "temperature_measurement",
)

# `data_flows:` keys: where the device's configuration sends data (SCHEMA.md "data_flows").
DATA_FLOW_KEYS = frozenset({"http_push", "nas", "cloud_storage", "audio"})

_MAC_RE = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ProfileError(ValueError):
    """A profile or fleet file is missing, unreadable or does not follow the schema."""


@dataclass(frozen=True)
class Identity:
    brand: str             # brand as sold / printed on the label
    manufacturer: str      # true maker ("Hikvision", "Dahua", "Axis", ...)
    model: str
    device_type: str       # camera | nvr | dvr | ptz | thermal
    firmware: str
    build_date: dt.date
    serial: str
    mac: str               # lower-case, colon separated
    name: str              # name the operator gave the device
    hardware_version: str = ""


@dataclass(frozen=True)
class Account:
    user: str
    password: str
    role: str = "admin"    # admin | operator | viewer


@dataclass(frozen=True)
class Services:
    """TCP services the device exposes; None means the service is off."""

    http: int | None = 80
    https: int | None = None
    rtsp: int | None = 554
    sdk: int | None = None       # Hikvision 8000 (DEV_MANAGE) / Dahua 37777
    telnet: int | None = None    # 23 when the firmware left telnet on
    ssh: int | None = None       # 22 when enabled


@dataclass(frozen=True)
class Quirk:
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    def applies_to(self, path: str) -> bool:
        """True when the quirk has no `paths` or one of them prefixes `path` (equals it with `exact: true`,
        so one read can be slowed without its sub-resources)."""
        paths = self.params.get("paths")
        if self.params.get("exact"):   # `path` may carry its query: a bare path in `paths` matches any query
            return any(path == p or path.split("?", 1)[0] == p for p in paths or ())
        return not paths or any(path.startswith(p) for p in paths)


@dataclass(frozen=True)
class PhoneHome:
    """One outbound pattern the device produces when running (egress emulation)."""

    name: str | None         # DNS name looked up first (None: hard-coded address)
    address: str             # public address the name resolves to (only written to pcaps)
    port: int
    transport: str           # tcp | udp
    kind: str                # tls | http | p2p | ntp | syn_only | raw
    every: float = 60.0      # seconds between sessions
    bytes_out: int = 800
    bytes_in: int = 1200


@dataclass(frozen=True)
class Profile:
    id: str
    description: str
    path: Path
    identity: Identity
    protocols: frozenset[str]
    auth_scheme: str
    accounts: tuple[Account, ...]
    services: Services
    remote_access: dict[str, dict[str, Any]]
    quirks: tuple[Quirk, ...]
    phone_home: tuple[PhoneHome, ...]
    isapi: dict[str, Any]
    dahua: dict[str, Any]
    onvif: dict[str, Any]
    expect: dict[str, Any]
    raw: dict[str, Any]
    data_flows: dict[str, Any] = field(default_factory=dict)   # http_push, nas, cloud_storage, audio

    def quirk(self, name: str) -> Quirk | None:
        """The named quirk if this profile has it."""
        return next((q for q in self.quirks if q.name == name), None)

    def speaks(self, protocol: str) -> bool:
        return protocol in self.protocols


def _req(data: dict[str, Any], key: str, where: str) -> Any:
    if key not in data or data[key] is None:
        raise ProfileError(f"{where}: missing required key '{key}'")
    return data[key]


def _identity(data: dict[str, Any], where: str) -> Identity:
    where = f"{where}: identity"
    mac = str(_req(data, "mac", where)).lower().replace("-", ":")
    if not _MAC_RE.match(mac):
        raise ProfileError(f"{where}: mac '{mac}' is not six colon-separated hex bytes")
    device_type = _req(data, "device_type", where)
    if device_type not in DEVICE_TYPES:
        raise ProfileError(f"{where}: device_type must be one of {sorted(DEVICE_TYPES)}")
    build = _req(data, "build_date", where)
    if not isinstance(build, dt.date):
        try:
            build = dt.date.fromisoformat(str(build))
        except ValueError as exc:
            raise ProfileError(f"{where}: build_date '{build}' is not YYYY-MM-DD") from exc
    return Identity(
        brand=str(_req(data, "brand", where)),
        manufacturer=str(_req(data, "manufacturer", where)),
        model=str(_req(data, "model", where)),
        device_type=device_type,
        firmware=str(_req(data, "firmware", where)),
        build_date=build,
        serial=str(_req(data, "serial", where)),
        mac=mac,
        name=str(data.get("name") or _req(data, "model", where)),
        hardware_version=str(data.get("hardware_version", "")),
    )


def _services(data: dict[str, Any], where: str) -> Services:
    allowed = set(Services.__dataclass_fields__)
    unknown = set(data) - allowed
    if unknown:
        raise ProfileError(f"{where}: services has unknown keys {sorted(unknown)}")
    return Services(**{k: (int(v) if v not in (None, False) else None) for k, v in data.items()})


def _quirks(items: list[Any], where: str) -> tuple[Quirk, ...]:
    quirks = []
    for item in items:
        name, params = (item, {}) if isinstance(item, str) else (item.get("name"), dict(item))
        params.pop("name", None)
        if name not in QUIRKS:
            raise ProfileError(f"{where}: unknown quirk '{name}' (known: {', '.join(sorted(QUIRKS))})")
        quirks.append(Quirk(name=name, params=params))
    return tuple(quirks)


def _phone_home(items: list[dict[str, Any]], where: str) -> tuple[PhoneHome, ...]:
    result = []
    for item in items:
        try:
            ipaddress.ip_address(item["address"])
            result.append(PhoneHome(
                name=item.get("name"), address=item["address"], port=int(item["port"]),
                transport=item.get("transport", "tcp"), kind=item.get("kind", "tls"),
                every=float(item.get("every", 60)), bytes_out=int(item.get("bytes_out", 800)),
                bytes_in=int(item.get("bytes_in", 1200)),
            ))
        except (KeyError, ValueError, TypeError) as exc:
            raise ProfileError(f"{where}: phone_home entry {item!r} is invalid ({exc})") from exc
    return tuple(result)


def parse_profile(data: dict[str, Any], path: Path) -> Profile:
    """Validate a profile document and turn it into a Profile."""
    where = path.name
    if not isinstance(data, dict):
        raise ProfileError(f"{where}: a profile must be a YAML mapping")
    pid = str(_req(data, "id", where))
    if not _ID_RE.match(pid):
        raise ProfileError(f"{where}: id '{pid}' must be lower-case kebab case")
    protocols = frozenset(_req(data, "protocols", where))
    if not protocols <= PROTOCOLS:
        raise ProfileError(f"{where}: unknown protocols {sorted(protocols - PROTOCOLS)}")
    auth = data.get("auth", {}) or {}
    scheme = auth.get("scheme", "digest")
    if scheme not in AUTH_SCHEMES:
        raise ProfileError(f"{where}: auth.scheme must be one of {sorted(AUTH_SCHEMES)}")
    accounts = tuple(Account(**a) for a in auth.get("accounts", []))
    if scheme != "none" and not accounts:
        raise ProfileError(f"{where}: auth.scheme '{scheme}' needs at least one account")
    remote = data.get("remote_access", {}) or {}
    unknown = set(remote) - set(REMOTE_ACCESS_IDS)
    if unknown:
        raise ProfileError(f"{where}: remote_access has unknown ids {sorted(unknown)}")
    for section, proto in (("isapi", "isapi"), ("dahua", "dahua_cgi"), ("onvif", "onvif")):
        if proto in protocols and not isinstance(data.get(section), dict):
            raise ProfileError(f"{where}: protocol '{proto}' needs a '{section}' section")
    flows = data.get("data_flows") or {}
    if not isinstance(flows, dict) or set(flows) - DATA_FLOW_KEYS:
        raise ProfileError(f"{where}: data_flows may only hold {sorted(DATA_FLOW_KEYS)}")
    expect = data.get("expect") or {}
    for fid in (expect.get("features") or {}):
        if fid != "default" and fid not in FEATURE_IDS:
            raise ProfileError(f"{where}: expect.features has unknown feature id '{fid}'")
    return Profile(
        id=pid,
        description=str(data.get("description", "")).strip(),
        path=path,
        identity=_identity(_req(data, "identity", where), where),
        protocols=protocols,
        auth_scheme=scheme,
        accounts=accounts,
        services=_services(data.get("services", {}) or {}, where),
        remote_access={k: dict(v or {}) for k, v in remote.items()},
        quirks=_quirks(data.get("quirks", []) or [], where),
        phone_home=_phone_home(data.get("phone_home", []) or [], where),
        isapi=dict(data.get("isapi") or {}),
        dahua=dict(data.get("dahua") or {}),
        onvif=dict(data.get("onvif") or {}),
        expect=dict(expect),
        raw=data,
        data_flows=dict(flows),
    )


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ProfileError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror})") from exc
    try:
        # libyaml's loader when installed: the pure-Python one took ~35 ms a profile, half a minute
        # before a 1,000-device `sim up` could start. Same safe constructors either way.
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from exc


def load_profile(path: str | Path) -> Profile:
    """Load one profile file."""
    path = Path(path)
    return parse_profile(_read_yaml(path), path)


def bundled_profiles() -> list[Profile]:
    """Every profile shipped under device_simulators/profiles, sorted by file name."""
    return [load_profile(p) for p in sorted(PROFILE_DIR.glob("*.yaml"))]


def bundled_profile(profile_id: str) -> Profile:
    """The bundled profile with this id."""
    for profile in bundled_profiles():
        if profile.id == profile_id:
            return profile
    known = ", ".join(p.id for p in bundled_profiles())
    raise ProfileError(f"no bundled profile '{profile_id}' (known: {known})")


@dataclass(frozen=True)
class FleetSpec:
    name: str
    description: str
    profiles: tuple[Profile, ...]


def bundled_fleets() -> list[str]:
    return sorted(p.stem for p in FLEET_DIR.glob("*.yaml"))


def load_fleet(name: str) -> FleetSpec:
    """Load a bundled fleet by name ('site' is every bundled profile)."""
    path = FLEET_DIR / f"{name}.yaml"
    if not path.exists():
        raise ProfileError(f"no bundled fleet '{name}' (known: {', '.join(bundled_fleets())})")
    data = _read_yaml(path)
    ids = data.get("devices") or []
    profiles = tuple(bundled_profile(i) for i in ids) if ids != "all" else tuple(bundled_profiles())
    return FleetSpec(name=name, description=str(data.get("description", "")).strip(), profiles=profiles)
