"""DPIA evidence reports: one audit run from the store as HTML, Markdown, JSON or CSV.

    build_report(store, run_id=None) -> Report      reads the store only (auditor.report.build)
    render(report, fmt, table=...) -> str           formats it (auditor.report.render)

Report code never imports `probes`: a report is a view of what was recorded.
"""

from auditor.report.build import build_report
from auditor.report.model import Report
from auditor.report.render import FORMATS, TABLES, render

__all__ = ["FORMATS", "TABLES", "Report", "build_report", "render"]
