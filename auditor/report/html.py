"""The HTML report (and the page the PDF is printed from): Jinja2 templates in `templates/`,
one self-contained page (inline CSS and SVG, no scripts, no external assets), readable on
screen and printable to A4. The DPIA summary comes first, the raw evidence last in an annex.
"""

from __future__ import annotations

import re
from typing import Any

from markupsafe import Markup, escape

from auditor.report import views
from auditor.report.dpia import CELL_STATES, CELL_SYMBOLS, CELL_WORDS, NOT_KNOWN, class_state, pack_summary
from auditor.report.model import Report, tri
from auditor.report.pack import PackOptions
from auditor.report.svg import egress_svg, features_svg, grid_svg
from auditor.report.templating import environment, render_template
from models.features import FEATURE_IDS

# No scripts, no fetches: even a device string that escaped escaping could not run or call out.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"


def linked(static: str) -> Markup:
    """camaudit's own text with its https addresses as links (never used for device strings)."""
    parts = re.split(r"(https://\S+[^\s.,;)])", static)
    return Markup("").join(Markup('<a class="external" href="{0}">{0}</a>').format(p) if p.startswith("https://")
                           else escape(p) for p in parts)


def css_string(value: str) -> Markup:
    """`value` as a quoted CSS string with every character but letters, digits and spaces hex-escaped,
    so nothing in it can end the string, the rule or the <style> element."""
    quoted = "".join(ch if ch.isascii() and (ch.isalnum() or ch == " ") else f"\\{ord(ch):x} " for ch in value)
    return Markup(f'"{quoted}"')  # noqa: S704 -- only [A-Za-z0-9 ] and hex escapes


def context(r: Report, options: PackOptions, *, printing: bool = False) -> dict[str, Any]:
    """Everything the templates see: the report, the pack's cover options, the summary and its pictures."""
    pack = pack_summary(r)
    return {
        "r": r, "s": r.scope, "m": r.summary, "pack": pack, "options": options, "printing": printing,
        "pack_date": (options.date.isoformat() if options.date else views.when(r.scope.generated)[:10]),
        "svg": {"grid": grid_svg(pack), "features": features_svg(pack, r.summary.devices),
                "egress": egress_svg(pack) if any(p.country != NOT_KNOWN for p in pack.places) else None},
        "csp": Markup(CSP),  # noqa: S704 -- camaudit's own constant
        "feature_count": len(FEATURE_IDS), "outcomes": views.OUTCOMES,
        "cell_states": CELL_STATES, "cell_symbols": CELL_SYMBOLS, "cell_words": CELL_WORDS,
        "class_state": class_state, "tri": tri, "v": views, "linked": linked, "css_string": css_string,
    }


def render_html(r: Report, options: PackOptions | None = None, *, printing: bool = False) -> str:
    """The report page; `printing` opens the annex's collapsed evidence (for the PDF)."""
    options = (options or PackOptions()).for_format("html")
    env = environment(options.template_dir)
    env.filters["clip"] = views.clip
    return render_template(env, "report.html.j2", context(r, options, printing=printing))
