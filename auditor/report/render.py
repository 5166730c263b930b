"""One entry point for every report format."""

from __future__ import annotations

import json

from auditor.report.dpia import pack_summary
from auditor.report.formats import FORMATS, TABLE_NAMES
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.model import Report
from auditor.report.pack import PackOptions
from auditor.report.tables import render_csv

TABLES = TABLE_NAMES


def render_json(report: Report, options: PackOptions | None = None) -> str:
    """The full data, with the DPIA pack's summary (grid, where data goes, actions) and cover beside it."""
    options = options or PackOptions()
    doc = report.to_json()
    doc["dpia"] = {"organisation": options.organisation, "site": options.site, "author": options.author,
                   "classification": options.classification,
                   "date": options.date.isoformat() if options.date else None, **pack_summary(report).to_json()}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str, *, table: str = "features", options: PackOptions | None = None) -> str:
    """The report as text in `fmt` (one of FORMATS but pdf, see render_pdf); `table` picks the CSV table."""
    if fmt == "html":
        return render_html(report, options)
    if fmt == "md":
        return render_markdown(report, options)
    if fmt == "json":
        return render_json(report, options)
    if fmt == "csv":
        return render_csv(report, table)
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


def render_pdf(report: Report, options: PackOptions | None = None) -> bytes:
    """The HTML report printed to A4 by headless Chromium (auditor.report.pdf); the annex opened."""
    from auditor.report.pdf import html_to_pdf

    return html_to_pdf(render_html(report, (options or PackOptions()).for_format("pdf"), printing=True))
