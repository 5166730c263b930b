"""The statements camaudit issues on a path (caught with a SQLAlchemy cursor event), and their query
plans: PostgreSQL's EXPLAIN (ANALYZE, FORMAT JSON), SQLite's EXPLAIN QUERY PLAN. A plan that reads a
large table from end to end (Seq Scan / SCAN without an index), or reads many rows of it only to drop
them by a filter, is what an index may fix.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

LARGE = ("device", "device_snapshot", "feature_record", "remote_access_record", "finding_record")


@dataclass
class Caught:
    path: str
    statement: str
    parameters: Any


@dataclass
class Catcher:
    """Every statement of one dialect while `path` is set: the first of each shape (to EXPLAIN), how
    often each shape ran and the seconds its executions took (N+1 queries show up as large counts)."""

    dialect: str
    path: str = ""
    statements: dict[str, Caught] = field(default_factory=dict)   # one per distinct statement text
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def before(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        if self.path and conn.dialect.name == self.dialect:
            conn.info["orgbench_started"] = time.perf_counter()
            head = statement.lstrip().split(None, 1)[0].upper()
            if head in ("SELECT", "UPDATE", "WITH") and not many:
                self.statements.setdefault(_shape(statement), Caught(self.path, statement, parameters))

    def after(self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        started = conn.info.pop("orgbench_started", None)
        if started is not None:
            shape = _shape(statement)
            self.counts[shape] = self.counts.get(shape, 0) + 1
            self.seconds[shape] = self.seconds.get(shape, 0.0) + time.perf_counter() - started

    def busiest(self, n: int) -> list[tuple[str, int, float]]:
        """The `n` statement shapes that took longest in all: (first words, executions, seconds)."""
        top = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]
        return [(" ".join(shape.split())[:100], self.counts[shape], secs) for shape, secs in top]


def _shape(statement: str) -> str:
    """The statement with its IN (...) lists folded: 500 ids or 37 ids is one statement."""
    return re.sub(r"IN \(([^()]*)\)", "IN (...)", statement)


@contextlib.contextmanager
def catching(dialect: str) -> Iterator[Catcher]:
    catcher = Catcher(dialect)
    event.listen(Engine, "before_cursor_execute", catcher.before)
    event.listen(Engine, "after_cursor_execute", catcher.after)
    try:
        yield catcher
    finally:
        event.remove(Engine, "before_cursor_execute", catcher.before)
        event.remove(Engine, "after_cursor_execute", catcher.after)


@dataclass
class Plan:
    caught: Caught
    ms: float | None                # PostgreSQL execution time
    scans: list[str]               # large tables read whole ("Seq Scan on feature_record 5,700,000 rows")
    lines: list[str]               # the plan's node lines, for printing

    @property
    def summary(self) -> str:
        first = " ".join(self.caught.statement.split())[:110]
        return f"[{self.caught.path}] {first}"


def _pg_nodes(node: dict[str, Any], depth: int = 0) -> Iterator[tuple[int, dict[str, Any]]]:
    yield depth, node
    for child in node.get("Plans", []):
        yield from _pg_nodes(child, depth + 1)


def explain_pg(engine: Engine, caught: Caught) -> Plan:
    analyze = "ANALYZE, " if caught.statement.lstrip().upper().startswith(("SELECT", "WITH")) else ""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"EXPLAIN ({analyze}FORMAT JSON) {caught.statement}", caught.parameters)
        doc = cur.fetchone()[0][0]
        raw.rollback()
    finally:
        raw.close()
    scans, lines = [], []
    for depth, node in _pg_nodes(doc["Plan"]):
        relation = node.get("Relation Name")
        index = f" using {node['Index Name']}" if node.get("Index Name") else ""
        rows = node.get("Actual Rows", node.get("Plan Rows"))
        loops = node.get("Actual Loops", 1)
        lines.append(f"{'  ' * depth}{node['Node Type']}{' on ' + relation if relation else ''}{index} "
                     f"(rows {rows}, loops {loops}, {node.get('Actual Total Time', 0):.1f} ms)")
        removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        if relation in LARGE and (node["Node Type"] == "Seq Scan" or removed * loops > max(1000, 4 * rows * loops)):
            scans.append(f"{node['Node Type']} on {relation}{index}: {(rows + removed) * loops:,} rows read, "
                          f"{rows * loops:,} kept")
    return Plan(caught, doc.get("Execution Time"), scans, lines)


def explain_sqlite(engine: Engine, caught: Caught) -> Plan:
    raw = engine.raw_connection()
    try:
        rows = raw.cursor().execute(f"EXPLAIN QUERY PLAN {caught.statement}", caught.parameters or ()).fetchall()
    finally:
        raw.close()
    lines = [str(r[-1]) for r in rows]
    scans = [line for line in lines if re.match(r"SCAN (\w+)", line) and "USING" not in line
             and line.split()[1] in LARGE]
    return Plan(caught, None, scans, lines)


def explain_all(engine: Engine, catcher: Catcher) -> list[Plan]:
    explain = explain_pg if catcher.dialect == "postgresql" else explain_sqlite
    return [explain(engine, c) for c in catcher.statements.values()]
