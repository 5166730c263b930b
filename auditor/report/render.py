"""One entry point for every report format."""

from __future__ import annotations

import json

from auditor.report.formats import FORMATS, TABLE_NAMES
from auditor.report.html import render_html
from auditor.report.markdown import render_markdown
from auditor.report.model import Report
from auditor.report.tables import render_csv

TABLES = TABLE_NAMES


def render_json(report: Report) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str, *, table: str = "features") -> str:
    """The report as text in `fmt` (one of FORMATS); `table` picks the CSV table."""
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report, table)
    raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
