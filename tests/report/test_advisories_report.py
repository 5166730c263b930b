"""The report's method section names the advisory data's date and says matching is by version only."""

from __future__ import annotations

from auditor.judge.advisories.findings import current
from auditor.report.markdown import render_markdown


def test_method_section_prints_the_advisory_data_date(report):
    date = current().updated.isoformat()
    assert report.scope.advisory_data == date
    text = render_markdown(report)
    start = text.index("## Scope and method")
    scope = text[start:text.index("\n## ", start)]                  # the scope and method section
    assert f"dated {date}" in scope and "never tested" in scope
