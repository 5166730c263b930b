"""The DPIA pack's summary in Markdown: the cover, the fleet x analytics grid, where data goes, the
devices that need action and the sign-off, the same content as the HTML's first two pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from auditor.report.dpia import CELL_STATES, CELL_SYMBOLS, CELL_WORDS, pack_summary
from auditor.report.model import Report
from auditor.report.pack import PackOptions
from auditor.report.views import egress_line, headline, when


def summary_lines(r: Report, options: PackOptions, md: Callable[[object], str],
                  table: Callable[[Sequence[str], Iterable[Sequence[object]]], list[str]]) -> list[str]:
    """The summary as Markdown lines; `md` escapes text and `table` draws a table (both from markdown.py)."""
    pack, m, s = pack_summary(r), r.summary, r.scope
    date = options.date.isoformat() if options.date else when(s.generated)[:10]
    out = []
    if options.classification:
        out += [f"**{md(options.classification)}**", ""]
    out += ["## DPIA summary", ""]
    out += table(["", ""], [("Organisation", options.organisation or "not given"),
                            ("Site", options.site or "not given"),
                            ("Prepared by", options.author or "not given"), ("Date", date),
                            ("Classification", options.classification or "not marked"),
                            ("Evidence", f"Audit run {s.run_id}, started {when(s.started)}, by camaudit "
                                         f"{s.report_version}")])
    out += [md(headline(m)), ""]
    out += ["### The fleet and its analytics", "",
            md("Legend: " + ", ".join(f"{CELL_SYMBOLS[x]} {CELL_WORDS[x]}" for x in CELL_STATES)
               + ". Unknown means the device would not tell camaudit; it is never counted as no."), ""]
    out += table(["Device", *[title for _, title in pack.groups]],
                 [[row.label, *[f"{CELL_SYMBOLS[row.cells[g]]} {CELL_WORDS[row.cells[g]]}" for g, _ in pack.groups]]
                  for row in pack.grid])
    if pack.features_on:
        out += ["### Features switched on across the fleet", ""]
        out += table(["Feature", "Devices on", "Unknown"], [[f, n, u] for f, n, u in pack.features_on])
    out += ["### Where data goes", "", md(egress_line(m, r.egress)), ""]
    if pack.places:
        out += table(["Country", "Network owner", "Configured", "Seen, explained", "Undisclosed", "Destinations",
                      "Devices"], [[p.country, p.owner, p.configured, p.disclosed, p.undisclosed,
                                    ", ".join(p.destinations), len(p.devices)] for p in pack.places])
    out += ["### Devices that need action", ""]
    out += table(["Device", "Worst", "Action"], [[a.label, a.worst, " / ".join(a.actions)] for a in pack.actions]) \
        if pack.actions else ["No device has a critical or high finding, and every device was read.", ""]
    out += ["### Sign-off", ""]
    out += table(["", ""], [("Reviewed by (name, role)", ""),
                            ("Decision", "[ ] accept as described  [ ] accept once the actions are done  "
                                         "[ ] do not accept"),
                            ("Conditions or notes", ""), ("Signature", ""), ("Date", "")])
    return out
