"""`camaudit report`: the DPIA evidence report of one audit run, from the store only."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from auditor.commands.dbarg import add_db_argument, add_site_argument

if TYPE_CHECKING:
    from auditor.report.pack import PackOptions

ORDER = 40
DEFAULT_OUT = "camaudit-report"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from auditor.report.formats import FORMATS
    from auditor.report.formats import TABLE_NAMES as TABLES

    p = subparsers.add_parser(
        "report", help="write the DPIA evidence pack of an audit run (HTML, PDF, Markdown, JSON or CSV)",
        description="Write what one audit run found as a DPIA pack: two summary pages (cover, the fleet x "
                    "analytics grid, where data goes, devices that need action, sign-off), scope and method, "
                    "each device, changes since the previous run, the raw evidence in an annex, and an appendix "
                    "on UK GDPR. Reads the database only; no device is contacted.")
    p.add_argument("--run", type=int, metavar="ID",
                   help="audit run id (default: the latest complete run; an interrupted run only when named)")
    p.add_argument("--format", choices=FORMATS, default="html",
                   help="output format (default html; pdf prints the HTML with headless Chromium)")
    p.add_argument("--table", choices=TABLES, default="features",
                   help="CSV only: features (one row per device x feature, the default), devices (the asset "
                        "register: name, address, MAC, serial, model, firmware, maker, sold as, status), "
                        "destinations, findings, remote_access or data_flows")
    pack = p.add_argument_group("DPIA pack (HTML, PDF, Markdown, JSON)")
    pack.add_argument("--organisation", metavar="NAME", help="organisation named on the cover")
    pack.add_argument("--author", metavar="NAME", help="who prepared the pack")
    pack.add_argument("--classification", metavar="MARKING",
                      help="protective marking printed on the cover and every page, e.g. OFFICIAL-SENSITIVE")
    pack.add_argument("--report-config", type=Path, metavar="FILE",
                      help="TOML file with organisation, site, author, classification, date (YYYY-MM-DD) and "
                           "evidence; options given on the command line win")
    pack.add_argument("--evidence", choices=("full", "summary", "none"),
                      help="raw evidence in the annex: full (default for HTML and Markdown; collapsed on screen), "
                           "summary (fleet tables only; default for PDF, about 12 pages for 9 devices) or none; "
                           "Markdown without full keeps each device's states and leaves the raw evidence out")
    pack.add_argument("--template", type=Path, metavar="DIR",
                      help="folder of Jinja2 templates that replace the bundled ones of the same name "
                           "(auditor/report/templates), e.g. to brand or translate the pack")
    p.add_argument("--out", metavar="PATH",
                   help=f"file to write (default {DEFAULT_OUT}.<format>, or {DEFAULT_OUT}-<table>.csv); "
                        "- writes to standard output")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="if --out is a symbolic link, write to the file it points to (refused otherwise)")
    add_db_argument(p)
    add_site_argument(p)
    p.set_defaults(func=cmd_report)


def default_out(fmt: str, table: str, extensions: dict[str, str]) -> Path:
    name = f"{DEFAULT_OUT}-{table}" if fmt == "csv" and table != "features" else DEFAULT_OUT
    return Path(f"{name}.{extensions[fmt]}")


def pack_options(args: argparse.Namespace) -> PackOptions:
    """The cover and evidence options: the config file's, then the command line's over them.

    Raises:
        UsageError: the config file is missing or wrong (one line saying what to fix).
    """
    from auditor.report.pack import PackOptions, load_report_config

    base = load_report_config(args.report_config) if getattr(args, "report_config", None) else PackOptions()
    return base.with_overrides(organisation=args.organisation, site=args.site, author=args.author,
                               classification=args.classification, evidence=args.evidence,
                               template_dir=args.template)


def report_text(db: Path, *, run_id: int | None = None, fmt: str = "html", table: str = "features",
                options: PackOptions | None = None, site: str | None = None) -> str | bytes:
    """The report of `run_id` (default: latest) in `db` as text (bytes for pdf). Reads the store only."""
    from auditor.report import build_report, render
    from auditor.report.load import open_existing_store

    with open_existing_store(db) as store:
        report = build_report(store, run_id=run_id, site=site)
    if fmt == "pdf":
        from auditor.report.render import render_pdf

        return render_pdf(report, options)
    return render(report, fmt, table=table, options=options)


def write_report(db: Path, out: str | Path | None = None, *, run_id: int | None = None, fmt: str = "html",
                 table: str = "features", follow_symlinks: bool = False, options: PackOptions | None = None,
                 site: str | None = None) -> str:
    """Write the report (default ./camaudit-report.html; "-" is standard output) and say where it went.

    For other commands too: `camaudit demo` writes its report with this. Special files are never
    replaced (auditor.commands.outfile).
    """
    from auditor.commands.outfile import write_output
    from auditor.report.formats import EXTENSIONS

    text = report_text(db, run_id=run_id, fmt=fmt, table=table, options=options, site=site)
    return write_output(out or default_out(fmt, table, EXTENSIONS), text, follow_symlinks=follow_symlinks)


def run_note(db: Path, run_id: int | None, site: str | None = None) -> str | None:
    """A sentence for stderr when the run reported did not complete (named with --run, or no run completed)."""
    from auditor.report.load import open_existing_store, pick_run

    with open_existing_store(db) as store:
        run = pick_run(store, run_id, site)
    if run.state == "complete":
        return None
    return (f"Run {run.id} is {run.state}: it did not audit every planned target, and the report says so; "
            f"the latest complete run is the default without --run.")


def cmd_report(args: argparse.Namespace, console: Console) -> int:
    note = run_note(args.db, args.run, args.site)
    if note:
        Console(stderr=True).print(f"[yellow]camaudit: {note}[/]", highlight=False, soft_wrap=True)
    options = pack_options(args)
    where = write_report(args.db, args.out, run_id=args.run, fmt=args.format, table=args.table,
                         follow_symlinks=args.follow_symlinks, options=options, site=args.site)
    if where:   # a regular file: say where it is (never after a report written to stdout or a device)
        console.print(where, markup=False, highlight=False, soft_wrap=True)
    return 0
