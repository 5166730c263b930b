"""The CLI's console in a file or pipe: tables are never cut, and headings stay a page wide."""

from __future__ import annotations

import io

from rich.console import Console

from auditor.commands.console import RULE_WIDTH, UNLIMITED, heading


def test_a_heading_in_a_file_is_a_page_wide_not_unlimited_dashes():
    out = io.StringIO()
    heading(Console(file=out, width=UNLIMITED), "3. Egress")
    (line,) = out.getvalue().splitlines()
    assert "3. Egress" in line and len(line) == RULE_WIDTH


def test_a_heading_on_a_terminal_is_the_terminal_wide():
    out = io.StringIO()
    heading(Console(file=out, width=72), "Next")
    (line,) = out.getvalue().splitlines()
    assert "Next" in line and len(line) == 72
