"""Output for scripts and files: `-o FILE --format json|jsonl|csv`, `--json`, `-q` and `-v`, shared by
`camaudit audit` and `camaudit discover`.

Standard output carries only the result (a table for people, or the JSON document with --json);
every note, warning and progress line goes to standard error. Files are written through
auditor.commands.outfile (never replacing a device or following a symbolic link).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from models.errors import UsageError
from models.features import tri_state_text

FORMATS = ("json", "jsonl", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")   # spreadsheet formulas: device strings are untrusted


def add_output_options(parser: argparse.ArgumentParser, *, what: str) -> None:
    """The shared options; `what` names a row ("device")."""
    parser.add_argument("--json", action="store_true",
                        help=f"print the {what}s as JSON on stdout and nothing else (notes go to stderr)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help=f"also write the {what}s to FILE (- for standard output) in --format")
    parser.add_argument("--format", choices=FORMATS, default=None,
                        help=f"format of -o FILE: json (one document), jsonl (one {what} per line) or csv "
                             "(one row per {what}); default: from the file name, else json".replace("{what}", what))
    loud = parser.add_mutually_exclusive_group()
    loud.add_argument("-q", "--quiet", action="store_true", help="print no table or notes; warnings and errors only")
    loud.add_argument("-v", "--verbose", action="count", default=0,
                      help="log what camaudit does on stderr (-vv for debug detail)")


def output_format(args: argparse.Namespace) -> str:
    """The format for -o: --format, or the file's extension, or json.

    Raises:
        UsageError: --format without -o, or -o into a folder that does not exist.
    """
    if args.output is None:
        if args.format is not None:
            raise UsageError("--format chooses the format of -o FILE; give -o FILE as well (or use --json).")
        return "json"
    if args.output != "-":
        path = Path(args.output).expanduser()
        if path.is_dir():
            raise UsageError(f"Cannot write to {path} because it is a folder; give a file path with -o.")
        if not path.absolute().parent.is_dir():
            raise UsageError(f"Cannot write to {path} because the folder {path.absolute().parent} does not exist; "
                             "choose another path with -o.")
    if args.format:
        return str(args.format)
    suffix = Path(args.output).suffix.lower().lstrip(".")
    return suffix if suffix in FORMATS else "json"


def set_verbosity(args: argparse.Namespace) -> None:
    """-v: camaudit's own log lines on stderr (INFO), -vv: DEBUG."""
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG if args.verbose > 1 else logging.INFO,
                            format="camaudit %(levelname)s %(name)s: %(message)s")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = " ".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = tri_state_text(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def render(document: dict[str, Any], rows: Sequence[dict[str, Any]], fmt: str,
           flat: Sequence[dict[str, Any]] | None = None) -> str:
    """`document` as JSON, `rows` one per line (jsonl), or `flat` (default `rows`) as CSV."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    table = list(flat if flat is not None else rows)
    out = io.StringIO()
    if table:
        writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\r\n")
        writer.writeheader()
        for row in table:
            writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def write(args: argparse.Namespace, text: str) -> str:
    """Write `text` to -o FILE; the path written ("" for standard output or a device)."""
    from auditor.commands.outfile import write_output

    return write_output(args.output, text, option="-o")
