"""Report code reads the store only, and its small pure pieces behave."""

from __future__ import annotations

import subprocess
import sys

import pytest

from auditor.report.html_parts import Html, tag, text
from auditor.report.model import Count, tri
from auditor.report.stats import any_state

REPORT_MODULES = ("auditor.report", "auditor.report.build", "auditor.report.render", "models.drift",
                  "auditor.commands.report", "auditor.commands.diff")


def test_report_code_never_imports_probes():
    code = (f"import sys\nfor m in {REPORT_MODULES!r}: __import__(m)\n"
            "print(sorted(m for m in sys.modules if m == 'probes' or m.startswith('probes.')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(("count", "total", "shown"), [
    (3, 9, "3 of 9 (33%)"), (2, 3, "2 of 3 (67%)"), (1, 8, "1 of 8 (13%)"), (0, 4, "0 of 4 (0%)"),
    (7, 7, "7 of 7 (100%)"), (0, 0, "0 of 0 (-)")])
def test_counts_show_whole_percentages_halves_up(count, total, shown):
    assert Count(count, total).text() == shown


def test_three_valued_everywhere():
    assert [tri(v) for v in (True, False, None)] == ["yes", "no", "unknown"]
    assert (any_state([False, None, True]), any_state([False, None]), any_state([False, False])) == (True, None, False)


def test_html_text_is_escaped_unless_built_as_markup():
    assert text('<b a="1">&') == "&lt;b a=&quot;1&quot;&gt;&amp;"
    assert tag("td", "<i>", cls='x" onmouseover="y') == '<td class="x&quot; onmouseover=&quot;y">&lt;i&gt;</td>'
    assert Html("<p>") + "<script>" == "<p>&lt;script&gt;" and isinstance(Html("a") + "b", Html)
    assert "<em>" + tag("b", "x") == "&lt;em&gt;<b>x</b>"
