"""The device section of every report format says, one line per API family, whether it was probed
and why not (issue 9): the wrong-password device says its ISAPI login failed."""

from __future__ import annotations

from auditor.report.html import render_html
from auditor.report.markdown import render_markdown

from .site import WRONG_PASSWORD


def _section(report, address):
    return next(d for d in report.devices if d.audit.address == address)


def test_each_family_has_one_line_in_the_device_section(report, site):
    wrong = _section(report, site.addresses[WRONG_PASSWORD]).audit
    assert set(wrong.protocol_status) == {"isapi", "dahua_cgi", "onvif"}
    assert wrong.protocol_status["isapi"].state == "failed"
    markdown, html = render_markdown(report), render_html(report)
    for family, st in wrong.protocol_status.items():
        line = f"{family}: {st.state} ({st.reason})"
        assert f"- {line}" in markdown.replace("\\", "")
    assert "<h4>API families</h4>" in html and "isapi: failed (" in html
