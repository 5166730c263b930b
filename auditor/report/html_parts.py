"""Escape-by-default building blocks for the HTML report.

Everything a device said (names, models, evidence, destinations) is attacker-controlled.
Text is escaped unless it is an `Html` value, which only these helpers create; so a renderer
that forgets to escape still escapes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from auditor.report.model import Count, tri


class Html(str):
    """Markup built here from escaped parts; every other str is text.

    Concatenation keeps it markup and escapes a plain str on either side.
    """

    def __add__(self, other: str) -> Html:
        return Html(str.__add__(self, part(other)))

    def __radd__(self, other: str) -> Html:
        return Html(str.__add__(part(other), self))


def text(value: object) -> Html:
    """Escaped text; None becomes an em dash."""
    return Html("—" if value is None else escape(str(value), quote=True))


def part(value: object) -> Html:
    return value if isinstance(value, Html) else text(value)


def join(parts: Iterable[object], sep: str = "") -> Html:
    return Html(sep.join(part(p) for p in parts))


def tag(name: str, content: object = "", **attrs: object) -> Html:
    """<name attrs>content</name>; attribute values are escaped, `cls` becomes class."""
    rendered = "".join(f' {"class" if k == "cls" else k.replace("_", "-")}="{escape(str(v), quote=True)}"'
                       for k, v in attrs.items() if v is not None and v is not False)
    return Html(f"<{name}{rendered}>{part(content)}</{name}>")


def tri_cell(value: bool | None, *, alarming: bool = True, last_known: str | None = None) -> Html:
    """A yes / no / unknown cell; `alarming` colours yes red (analytics on), else neutral. `last_known`
    replaces "unknown" for a value this audit could not read ("on in run 3 (...), not read now")."""
    if last_known:
        return tag("td", last_known, cls="tri unknown")
    word = tri(value)
    return tag("td", word, cls=f"tri {word}{'' if alarming or value is not True else ' plain'}")


def count(c: Count) -> Html:
    return text(c.text())


def table(headers: Sequence[object], rows: Iterable[Sequence[object]], *, cls: str | None = None,
          numeric: Sequence[int] = (), row_classes: Sequence[str | None] | None = None) -> Html:
    """A table; cells that are already <td> markup are kept, others wrapped and escaped."""
    head = tag("thead", tag("tr", join(tag("th", h, cls="num" if i in numeric else None)
                                       for i, h in enumerate(headers))))
    body = []
    for n, row in enumerate(rows):
        cells = []
        for i, cell in enumerate(row):
            if isinstance(cell, Html) and cell.startswith("<td"):
                cells.append(cell)
            else:
                cells.append(tag("td", cell, cls="num" if i in numeric else None))
        body.append(tag("tr", join(cells), cls=row_classes[n] if row_classes else None))
    return tag("table", head + tag("tbody", join(body)), cls=cls)


def bullets(items: Iterable[object], *, cls: str | None = None) -> Html:
    lines = [tag("li", item) for item in items]
    return tag("ul", join(lines), cls=cls) if lines else Html("")


def facts(pairs: Iterable[tuple[str, object]]) -> Html:
    return tag("dl", join(tag("dt", k) + tag("dd", v) for k, v in pairs), cls="facts")


def evidence(lines: Sequence[str]) -> Html:
    return join((text(line) for line in lines), Html("<br>")) if lines else Html("")


def badge(word: str, kind: str) -> Html:
    return tag("span", word, cls=f"badge {kind}")


def slug(word: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in word.lower())
