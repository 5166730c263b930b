"""Inline SVG pictures for the DPIA pack's summary: the fleet x analytics grid, features on across
the fleet, and where data goes by country. No scripts, no external references (not even `url(#…)`):
the page's CSP allows none. Every state has a symbol as well as a colour so a black-and-white print
still reads; device text is escaped and shortened (a 10,000-character name stays one line).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from auditor.report.dpia import CELL_STATES, CELL_SYMBOLS, CELL_WORDS, PackSummary

FILL = {"on": "#a61b1b", "unknown": "#f3d35b", "supported": "#c9dcef", "no": "#eef0f2"}
INK = {"on": "#ffffff", "unknown": "#3d3000", "supported": "#1f4e79", "no": "#5b6570"}
FONT = 'font-family="DejaVu Sans, Arial, sans-serif"'


def short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    # Every device string in `body` went through escape() where it was put in.
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" '
           f'height="{height}" role="img" aria-label="{escape(label)}" {FONT} font-size="12">'
           f"<title>{escape(label)}</title>{''.join(body)}</svg>")
    return Markup(svg)  # noqa: S704


def _legend(y: int, x0: int = 0) -> list[str]:
    out, x = [], x0
    for state in CELL_STATES:
        out.append(f'<rect x="{x}" y="{y}" width="18" height="16" fill="{FILL[state]}" stroke="#8a949e"/>'
                   f'<text x="{x + 9}" y="{y + 12}" text-anchor="middle" fill="{INK[state]}">{CELL_SYMBOLS[state]}'
                   f'</text><text x="{x + 24}" y="{y + 12}">{escape(CELL_WORDS[state])}</text>')
        x += 34 + 7 * len(CELL_WORDS[state])
    return out


def grid_svg(pack: PackSummary) -> Markup:
    """Devices as rows, analytics classes as columns, each cell on / unknown / supported / no."""
    left, cw, rh, top = 270, 78, 17, 22
    width, height = left + cw * len(pack.groups), top + rh * len(pack.grid) + 34
    body = [f'<text x="{left + i * cw + cw // 2}" y="16" text-anchor="middle" font-weight="bold">{escape(title)}'
            "</text>" for i, (_, title) in enumerate(pack.groups)]
    for n, row in enumerate(pack.grid):
        y = top + n * rh
        body.append(f'<text x="4" y="{y + 12}">{escape(short(row.label))}</text>')
        for i, (group, title) in enumerate(pack.groups):
            state = row.cells[group]
            x = left + i * cw
            body.append(f'<g><title>{escape(short(row.label, 80))}: {escape(title)} {escape(CELL_WORDS[state])}'
                        f'</title><rect x="{x + 1}" y="{y + 1}" width="{cw - 2}" height="{rh - 2}" '
                        f'fill="{FILL[state]}" stroke="#8a949e"/><text x="{x + cw // 2}" y="{y + 12}" '
                        f'text-anchor="middle" fill="{INK[state]}" font-weight="bold">{CELL_SYMBOLS[state]}'
                        "</text></g>")
    body += _legend(height - 22)
    return _svg(width, height, "Fleet by analytics class: on, unknown, supported (off) or not present", body)


def _bars(rows: list[tuple[str, list[tuple[int, str, str]]]], total: int, label: str, unit: str) -> Markup:
    """Horizontal stacked bars: rows of (name, [(value, fill, word)]), scaled to `total`."""
    left, bar, rh = 230, 360, 14
    width, height = left + bar + 90, rh * len(rows) + 8
    scale = bar / max(total, 1)
    body = []
    for n, (name, parts) in enumerate(rows):
        y = 4 + n * rh
        body.append(f'<text x="4" y="{y + 11}">{escape(short(name, 34))}</text>'
                    f'<rect x="{left}" y="{y + 2}" width="{bar}" height="{rh - 4}" fill="none" stroke="#d5dae0"/>')
        x = float(left)
        for value, fill, word in parts:
            if value <= 0:
                continue
            w = value * scale
            dash = ' stroke-dasharray="3 2"' if fill == FILL["unknown"] else ""
            body.append(f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{rh - 4}" fill="{fill}" '
                        f'stroke="#3d4650"{dash}><title>{escape(name)}: {value} {escape(word)}</title></rect>')
            x += w
        words = ", ".join(f"{v} {w}" for v, _, w in parts if v)
        body.append(f'<text x="{left + bar + 6}" y="{y + 11}">{escape(words or "0")}</text>')
    return _svg(width, height, f"{label} ({unit})", body)


def features_svg(pack: PackSummary, devices: int) -> Markup:
    """Each feature that is on somewhere: devices on (solid) and devices where it is unknown (dashed)."""
    rows = [(name, [(on, FILL["on"], "on"), (unknown, FILL["unknown"], "?")]) for name, on, unknown
            in pack.features_on]
    return _bars(rows, devices, "Analytics features switched on across the fleet", f"of {devices} devices")


def egress_svg(pack: PackSummary) -> Markup:
    """Destinations by country: configured by a setting, seen and explained, seen and undisclosed."""
    by_country: dict[str, list[int]] = {}
    for p in pack.places:
        c = by_country.setdefault(p.country, [0, 0, 0])
        c[0] += p.configured
        c[1] += p.disclosed
        c[2] += p.undisclosed
    rows = [(country, [(a, FILL["supported"], "configured"), (b, FILL["no"], "seen, explained"),
                       (u, FILL["on"], "undisclosed")]) for country, (a, b, u) in sorted(by_country.items())]
    total = max((sum(v) for v in by_country.values()), default=1)
    return _bars(rows, total, "Where data goes: destinations by country", "destinations")
