"""Load and check advisory data files (`<vendor>.toml`).

The bundled files live beside this module. `camaudit advisories update` installs a newer file
into the user data directory, where a file of the same name takes precedence over the bundled one.
A file that fails the checks is refused as a whole, with one sentence saying what is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.judge.advisories.versions import SCHEMES, parse
from models.errors import UsageError
from models.features import SEVERITIES

BUNDLED_DIR = Path(__file__).parent
_CVE = re.compile(r"^CVE-\d{4}-\d{4,}$")
_RANGE_KEYS = {"family", "models", "device_types", "start", "end", "before", "built_from", "built_before",
               "versions", "range_verified"}


class AdvisoryDataError(UsageError):
    title = "Advisory data"


def user_dir() -> Path:
    """Where `advisories update` installs files: $XDG_DATA_HOME/camaudit/advisories (~/.local/share/...)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "camaudit" / "advisories"


@dataclass(frozen=True)
class AffectedRange:
    """One product family and the firmware of it the advisory covers; every given condition must hold."""

    family: str
    models: tuple[str, ...] = ()
    device_types: tuple[str, ...] = ()
    start: str | None = None
    end: str | None = None
    before: str | None = None
    built_from: dt.date | None = None
    built_before: dt.date | None = None
    versions: tuple[str, ...] = ()
    range_verified: bool = True

    def describe(self) -> str:
        parts = [self.family]
        if self.start or self.end:
            parts.append(f"{self.start or '…'} to {self.end or '…'}")
        if self.before:
            parts.append(f"before {self.before}")
        if self.built_from or self.built_before:
            parts.append(f"built {self.built_from or '…'} to before {self.built_before or '…'}")
        if self.versions:
            parts.append("version " + " or ".join(self.versions))
        return ", ".join(parts)


@dataclass(frozen=True)
class Advisory:
    cve: str
    vendor: str
    scheme: str
    vendor_id: str
    title: str
    severity: str
    cvss_vector: str
    cvss_score: float
    kev: bool | None             # None: not checked against CISA KEV
    kev_note: str
    fixed: str
    range_note: str
    sources: tuple[str, ...]
    affected: tuple[AffectedRange, ...]

    @property
    def finding_id(self) -> str:
        return self.cve.lower()

    @property
    def name(self) -> str:
        return f"{self.cve} ({self.vendor_id})" if self.vendor_id else self.cve


@dataclass
class AdvisorySet:
    advisories: list[Advisory] = field(default_factory=list)
    updated: dt.date | None = None                 # the newest file's `updated` date
    files: dict[str, Path] = field(default_factory=dict)


def _fail(where: str, what: str) -> AdvisoryDataError:
    return AdvisoryDataError(f"{where}: {what}; fix the advisory file or reinstall camaudit's bundled data.")


def _range(raw: Any, where: str, scheme: str, verified: bool) -> AffectedRange:
    if not isinstance(raw, dict) or not raw.get("family"):
        raise _fail(where, "every [[advisory.affected]] needs a family")
    unknown = set(raw) - _RANGE_KEYS
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(sorted(unknown))} in an affected range")
    for key in ("start", "end", "before"):
        if key in raw:
            if scheme == "dahua":
                raise _fail(where, f"Dahua versions are not ordered: use build dates or exact versions, not {key}")
            if parse(scheme, raw[key]) is None:
                raise _fail(where, f"{key} = {raw[key]!r} is not a {scheme} version")
    for key in ("built_from", "built_before"):
        if key in raw and not isinstance(raw[key], dt.date):
            raise _fail(where, f"{key} must be a date (YYYY-MM-DD)")
    for v in raw.get("versions", []):
        if parse(scheme, v) is None:
            raise _fail(where, f"version {v!r} is not a {scheme} version")
    for pattern in raw.get("models", []):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise _fail(where, f"model pattern {pattern!r} is not a regular expression ({exc})") from None
    if not any(k in raw for k in ("start", "end", "before", "built_from", "built_before", "versions")):
        raise _fail(where, f"affected range {raw['family']!r} names no firmware range")
    return AffectedRange(
        family=raw["family"], models=tuple(raw.get("models", ())), device_types=tuple(raw.get("device_types", ())),
        start=raw.get("start"), end=raw.get("end"), before=raw.get("before"), built_from=raw.get("built_from"),
        built_before=raw.get("built_before"), versions=tuple(raw.get("versions", ())),
        range_verified=bool(raw.get("range_verified", verified)))


def check(doc: dict[str, Any], name: str) -> tuple[list[Advisory], dt.date]:
    """Check one parsed file; the advisories it holds and its `updated` date.

    Raises:
        AdvisoryDataError: a missing or malformed field, or an entry without a source.
    """
    meta = doc.get("meta")
    if not isinstance(meta, dict) or not meta.get("vendor") or not isinstance(meta.get("updated"), dt.date):
        raise _fail(name, "[meta] needs vendor and updated (a date)")
    if meta.get("scheme") not in SCHEMES:
        raise _fail(name, f"[meta] scheme must be one of {', '.join(SCHEMES)}")
    out = []
    for i, raw in enumerate(doc.get("advisory", [])):
        where = f"{name} advisory {i + 1} ({raw.get('cve', 'no cve')})"
        if not _CVE.match(str(raw.get("cve", ""))):
            raise _fail(where, "cve must look like CVE-2021-36260")
        sources = raw.get("sources")
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s.strip() for s in sources):
            raise _fail(where, "every advisory must cite at least one source")
        if raw.get("severity") not in SEVERITIES:
            raise _fail(where, f"severity must be one of {', '.join(SEVERITIES)}")
        kev = raw.get("kev")
        if kev not in (True, False, "unknown"):
            raise _fail(where, 'kev must be true, false or "unknown"')
        for key in ("title", "fixed", "cvss_vector"):
            if not isinstance(raw.get(key), str) or not raw[key]:
                raise _fail(where, f"{key} is missing")
        verified = bool(raw.get("range_verified", False))
        if not verified and not raw.get("range_note"):
            raise _fail(where, "an unverified range needs a range_note saying so")
        affected = raw.get("affected")
        if not isinstance(affected, list) or not affected:
            raise _fail(where, "at least one [[advisory.affected]] range is needed")
        out.append(Advisory(
            cve=raw["cve"], vendor=meta["vendor"], scheme=meta["scheme"], vendor_id=str(raw.get("vendor_id", "")),
            title=raw["title"], severity=raw["severity"], cvss_vector=raw["cvss_vector"],
            cvss_score=float(raw.get("cvss_score", 0.0)), kev=None if kev == "unknown" else kev,
            kev_note=str(raw.get("kev_note", "")), fixed=raw["fixed"], range_note=str(raw.get("range_note", "")),
            sources=tuple(sources), affected=tuple(_range(r, where, meta["scheme"], verified) for r in affected)))
    if not out:
        raise _fail(name, "the file holds no [[advisory]]")
    return out, meta["updated"]


def load_file(path: Path) -> tuple[list[Advisory], dt.date]:
    """Read and check one file. Raises AdvisoryDataError with one sentence on any problem."""
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AdvisoryDataError(f"Cannot read the advisory file {path}: {exc}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise AdvisoryDataError(f"The advisory file {path} is not valid TOML ({exc}).") from None
    return check(doc, path.name)


def load(user: Path | None = None, *, bundled_only: bool = False) -> AdvisorySet:
    """The bundled files, each replaced by a same-named file in the user data directory when there is one."""
    files = {p.name: p for p in sorted(BUNDLED_DIR.glob("*.toml"))}
    override = user if user is not None else user_dir()
    if not bundled_only and override.is_dir():
        files.update({p.name: p for p in sorted(override.glob("*.toml"))})
    result = AdvisorySet(files=files)
    for name in sorted(files):
        advisories, updated = load_file(files[name])
        result.advisories.extend(advisories)
        result.updated = max(updated, result.updated) if result.updated else updated
    return result
