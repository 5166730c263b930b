"""Export what a screen shows (its rows after filtering and sorting) as CSV or JSON."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.errors import UsageError

FORMATS = ("csv", "json")


def export_format(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise UsageError(f"Cannot export to {path}: the file name must end in .csv or .json.")
    return suffix


def write_export(path: str | Path, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> Path:
    """Write `rows` (dicts keyed by `columns`) to `path`; the suffix picks CSV or JSON.

    Raises:
        UsageError: the suffix is not .csv/.json, or the file cannot be written.
    """
    path = Path(path).expanduser()
    fmt = export_format(path)
    try:
        with path.open("w", encoding="utf-8", newline="") as out:
            if fmt == "csv":
                writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
                writer.writeheader()
                for row in rows:
                    writer.writerow({k: _flat(row.get(k)) for k in columns})
            else:
                json.dump([{k: row.get(k) for k in columns} for row in rows], out, indent=2, default=str)
                out.write("\n")
    except OSError as exc:
        raise UsageError(f"Cannot write the export file {path} ({exc.strerror or exc}); "
                         f"choose another path.") from exc
    return path


def _flat(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return " ".join(str(v) for v in value)
    return "" if value is None else value
