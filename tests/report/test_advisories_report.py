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


def test_method_section_records_the_audit_time_data_date_and_which_intrusive_checks_ran(report):
    """The run keeps the advisory data date of audit time (RunOptions.advisory_data) and each intrusive check."""
    date = current().updated
    assert report.scope.options["advisory_data"] == int(date.strftime("%Y%m%d"))
    text = render_markdown(report)
    start = text.index("### How the audit ran")
    method = text[start:text.index("##", start + 4)]
    assert f"in force at audit time: dated {date.isoformat()}" in method
    assert "Intrusive check default-credentials: not run." in method


def test_an_intrusive_check_that_ran_is_named():
    from auditor.report.views import options_lines
    from auditor.run.orchestrator import AuditOptions

    class Scope:
        options = AuditOptions(intrusive_checks=("default-credentials",)).run_options(3).to_json()

    lines = options_lines(Scope())
    assert any(line.startswith("Intrusive check default-credentials: run") for line in lines)
    assert "Intrusive probes were run (asked for explicitly)." in lines
