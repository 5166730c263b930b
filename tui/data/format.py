"""How values look on screen: three-valued verdicts, severities, makers, times."""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from models.features import YES_NO_SHORT, severity_style, tri_state_text

HIK_DAHUA = frozenset({"hikvision", "dahua"})


def tri(value: bool | None) -> str:
    """yes / no / ? - "?" means the device would not tell us."""
    return tri_state_text(value, YES_NO_SHORT)


def tri_text(value: bool | None, *, on_style: str = "bold green") -> Text:
    styles = {True: on_style, False: "dim", None: "yellow"}
    return Text(tri(value), style=styles[value])


def severity_text(severity: str | None) -> Text:
    if severity is None:
        return Text("-", style="dim")
    return Text(severity, style=severity_style(severity))


def is_hik_dahua(*names: str | None) -> bool:
    return any(n is not None and n.strip().lower() in HIK_DAHUA for n in names)


def when(value: dt.datetime | None) -> str:
    """An absolute time in UTC, to the minute (the store keeps UTC; so do reports)."""
    return "-" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def age(value: dt.datetime | None, now: dt.datetime) -> str:
    """How long ago, relative to the app's clock (injected in tests), e.g. '5 min', '3 h', '12 d'."""
    if value is None:
        return "-"
    seconds = max(0, int((now - value).total_seconds()))
    if seconds < 60:
        return "just now"
    for size, unit in ((86_400, "d"), (3_600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return "just now"


def address_label(address: str, port: int) -> str:
    """192.168.1.20, or 192.168.1.20:8080 when the HTTP port is not 80."""
    host = f"[{address}]" if ":" in address else address
    return address if port == 80 else f"{host}:{port}"


def country_cell(located_in: str | None, registered_in: str | None) -> str:
    """The TUI's narrow country column: where the server is located, else the registry's country
    marked `*` (registered in, not located), else "?"."""
    if located_in:
        return located_in
    return f"{registered_in}*" if registered_in else "?"
