"""Report code reads the store only, and its small pure pieces behave."""

from __future__ import annotations

import subprocess
import sys

import pytest

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


def test_templates_escape_text_and_refuse_undefined_names():
    import jinja2

    from auditor.report.templating import environment

    env = environment()
    page = env.from_string('<td class="{{ c }}">{{ t }}</td>').render(c='x" onmouseover="y', t='<b a="1">&')
    assert page == '<td class="x&#34; onmouseover=&#34;y">&lt;b a=&#34;1&#34;&gt;&amp;</td>'
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ typo }}").render()
