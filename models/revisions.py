"""The Alembic revisions this camaudit ships (models/migrations/versions), read without importing
Alembic or SQLAlchemy: opening a database that is already at the head needs no more than this, and
the direct egress writer (models/egress/direct.py) decides from it whether it may write at all."""

from __future__ import annotations

import functools
import re
from pathlib import Path

MIGRATIONS = Path(__file__).with_name("migrations")
_ASSIGNED = re.compile(r"""^(revision|down_revision)\s*(?::[^=]*)?=\s*(?:["']([^"']+)["']|None)\s*$""", re.MULTILINE)


@functools.cache
def revisions() -> dict[str, str | None]:
    """Each revision and the one it follows, from the revision files' `revision = "..."` and
    `down_revision = "..."` lines (tests/store/test_migrations.py checks it against Alembic's own graph)."""
    graph: dict[str, str | None] = {}
    for path in sorted((MIGRATIONS / "versions").glob("*.py")):
        found = dict((name, value or None) for name, value in _ASSIGNED.findall(path.read_text(encoding="utf-8")))
        if "revision" in found and found["revision"] is not None:
            graph[found["revision"]] = found.get("down_revision")
    return graph


def single_head() -> str | None:
    """The one revision nothing follows; None when the graph branches (Alembic must decide)."""
    graph = revisions()
    heads = set(graph) - set(graph.values())
    return heads.pop() if len(heads) == 1 else None
