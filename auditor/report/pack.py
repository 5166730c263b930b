"""Who the DPIA pack is for: organisation, site, author, classification, and how much evidence to print.

Given as `camaudit report` options or a small TOML file (`--report-config FILE`); options win over
the file. A typo in the file is one readable line, not a silently missing cover field.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from models.errors import UsageError

EVIDENCE_LEVELS = ("full", "summary", "none")


@dataclass(frozen=True)
class PackOptions:
    organisation: str | None = None
    site: str | None = None
    author: str | None = None
    classification: str | None = None     # e.g. "OFFICIAL-SENSITIVE", printed at the top and foot of each page
    date: dt.date | None = None           # the pack's date (default: the day the report was generated)
    evidence: str | None = None           # full | summary | none: raw evidence in the annex (None: format default)
    template_dir: Path | None = None      # an organisation's templates, tried before the bundled ones

    def for_format(self, fmt: str) -> PackOptions:
        """With the evidence level filled in: a PDF is a summary unless asked otherwise, HTML and Markdown full."""
        return self if self.evidence else replace(self, evidence="summary" if fmt == "pdf" else "full")

    def with_overrides(self, **values: object) -> PackOptions:
        """These options with every value that is not None replaced."""
        return replace(self, **{k: v for k, v in values.items() if v is not None})


_KEYS = {f.name for f in fields(PackOptions)} - {"evidence", "template_dir"}


def load_report_config(path: Path) -> PackOptions:
    """Read `[report]`-less TOML such as `organisation = "Ysgol ..."`; unknown keys are named.

    Raises:
        UsageError: the file is missing, unreadable, not TOML, or has a key or value camaudit does not know.
    """
    try:
        data = tomllib.loads(path.expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"There is no report config file at {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Cannot read the report config file {path}: {getattr(exc, 'strerror', None) or exc}.") \
            from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"The report config file {path} is not valid TOML: {exc}.") from None
    allowed = sorted(_KEYS | {"evidence"})
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise UsageError(f"The report config file {path} has unknown key(s) {', '.join(unknown)}; "
                         f"known keys: {', '.join(allowed)}.")
    values: dict[str, object] = {}
    for key, value in data.items():
        if key == "date":
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise UsageError(f"In {path}, date must be a TOML date such as 2026-12-01.")
        elif key == "evidence":
            if value not in EVIDENCE_LEVELS:
                raise UsageError(f"In {path}, evidence must be one of {', '.join(EVIDENCE_LEVELS)}.")
        elif not isinstance(value, str):
            raise UsageError(f"In {path}, {key} must be text in quotes.")
        values[key] = value
    return PackOptions(**values)  # type: ignore[arg-type]
