"""`camaudit report`: the DPIA evidence report of one audit run, from the store only."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from rich.console import Console

from auditor.errors import UsageError

ORDER = 40
DEFAULT_DB = Path("camaudit.db")
DEFAULT_OUT = "camaudit-report"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from auditor.report.formats import FORMATS
    from auditor.report.formats import TABLE_NAMES as TABLES

    p = subparsers.add_parser(
        "report", help="write the DPIA evidence report of an audit run (HTML, Markdown, JSON or CSV)",
        description="Write what one audit run found: scope and method, fleet statistics, every device's "
                    "analytics, remote access, egress and findings, changes since the previous run, and an "
                    "appendix on UK GDPR. Reads the database only; no device is contacted.")
    p.add_argument("--run", type=int, metavar="ID", help="audit run id (default: the latest run)")
    p.add_argument("--format", choices=FORMATS, default="html", help="output format (default html)")
    p.add_argument("--table", choices=TABLES, default="features",
                   help="CSV only: features (one row per device x feature, the default), devices, destinations "
                        "or findings")
    p.add_argument("--out", metavar="PATH",
                   help=f"file to write (default {DEFAULT_OUT}.<format>, or {DEFAULT_OUT}-<table>.csv); "
                        "- writes to standard output")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, metavar="PATH", help=f"SQLite store (default ./{DEFAULT_DB})")
    p.set_defaults(func=cmd_report)


def default_out(fmt: str, table: str, extensions: dict[str, str]) -> Path:
    name = f"{DEFAULT_OUT}-{table}" if fmt == "csv" and table != "features" else DEFAULT_OUT
    return Path(f"{name}.{extensions[fmt]}")


def write_atomically(path: Path, content: str) -> Path:
    """Write `content` to `path` through a temporary file, so a failed write leaves no half report.

    Raises:
        UsageError: the path is a folder, its folder is missing, or it cannot be written.
    """
    path = path.expanduser().absolute()
    if path.is_dir():
        raise UsageError(f"Cannot write the report to {path} because it is a folder; give a file path with --out.")
    if not path.parent.is_dir():
        raise UsageError(f"Cannot write the report to {path} because the folder {path.parent} does not exist; "
                         f"create it or choose another path with --out.")
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        raise UsageError(f"Cannot write the report to {path} ({exc.strerror or exc}); "
                         f"choose another path with --out.") from exc
    return path


def report_text(db: Path, *, run_id: int | None = None, fmt: str = "html", table: str = "features") -> str:
    """The report of `run_id` (default: latest) in `db` as text. Reads the store only."""
    from auditor.report import build_report, render
    from auditor.report.load import open_existing_store

    with open_existing_store(db) as store:
        report = build_report(store, run_id=run_id)
    return render(report, fmt, table=table)


def write_report(db: Path, out: Path | None = None, *, run_id: int | None = None, fmt: str = "html",
                 table: str = "features") -> Path:
    """Write the report file (default ./camaudit-report.html) and return its absolute path.

    For other commands too: `camaudit demo` writes its report with this.
    """
    from auditor.report.formats import EXTENSIONS

    text = report_text(db, run_id=run_id, fmt=fmt, table=table)
    return write_atomically(out or default_out(fmt, table, EXTENSIONS), text)


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    if args.out == "-":
        sys.stdout.write(report_text(args.db, run_id=args.run, fmt=args.format, table=args.table))
        return 0
    path = write_report(args.db, Path(args.out) if args.out else None, run_id=args.run, fmt=args.format,
                        table=args.table)
    console.print(str(path), markup=False, highlight=False, soft_wrap=True)
    return 0
