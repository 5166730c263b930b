"""tshark's `-T fields` output as rows in `columns.COLUMNS` order, so `FlowTable` reads the
fast path's frames exactly as it reads the PSML summaries of the pyshark path.

`-E occurrence=a` prints every occurrence of a field, comma-joined; the columns that want
only the first (occurrence 1: the outer IP header of an ICMP error, the first DNS question)
keep the text before the first comma. Tab separates fields: no field we read holds a tab.
"""

from __future__ import annotations

from probes.egress.columns import COLUMNS

FIRST_ONLY = tuple(i for i, (_, _, occurrence) in enumerate(COLUMNS) if occurrence == 1)


def field_parameters() -> list[str]:
    """The -T fields options and one -e per column."""
    params = ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,", "-E", "quote=n"]
    for _, name, _ in COLUMNS:
        params += ["-e", name]
    return params


def parse_row(line: str) -> list[str] | None:
    """One output line as a row; None for a line that does not have every column."""
    row = line.rstrip("\r\n").split("\t")
    if len(row) != len(COLUMNS):
        return None
    for i in FIRST_ONLY:
        value = row[i]
        if "," in value:
            row[i] = value.split(",", 1)[0]
    return row
