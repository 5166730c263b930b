"""DPIA evidence reports: one audit run from the store as HTML, Markdown, JSON or CSV.

    build_report(store, run_id=None) -> Report      reads the store only (auditor.report.build)
    render(report, fmt, table=...) -> str           formats it (auditor.report.render)

Report code never imports `probes`: a report is a view of what was recorded.
"""

from typing import Any

from auditor.report.formats import FORMATS
from auditor.report.formats import TABLE_NAMES as TABLES

_LAZY = {"build_report": "auditor.report.build", "Report": "auditor.report.model", "render": "auditor.report.render"}


def __getattr__(name: str) -> Any:
    """Load the report machinery on first use (PEP 562): `camaudit --help` should not pay for it."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        # Importing auditor.report.render binds the *module* to this package's `render`;
        # bind the function over it, as the eager `from ... import render` used to.
        globals()[name] = value
        return value
    raise AttributeError(f"module 'auditor.report' has no attribute {name!r}")

__all__ = ["FORMATS", "TABLES", "Report", "build_report", "render"]
