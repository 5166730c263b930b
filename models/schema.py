"""What a database holds and how far its schema is from this camaudit's (Alembic revisions in
models/migrations/). Only looks: writing is models/migrate.py, called by models/db.py.

A database written before Alembic (camaudit's "schema 1", PRAGMA user_version = 1) has the
camaudit tables but no `alembic_version`: it is *unversioned* and the baseline revision adopts it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import Connection, Table, inspect, text

from models import tables
from models.egress.tables import EGRESS_TABLES

# Every camaudit table, in one list: the migrations build them and readers check them (the egress tables too).
OWNED_TABLES = (*tables.TABLES, *EGRESS_TABLES)

VERSION_TABLE = "alembic_version"


@dataclass(frozen=True)
class FileSchema:
    """What one database holds, as far as camaudit's own tables go."""

    tables: frozenset[str]
    revision: str | None       # alembic_version, None when unversioned or empty
    version: int = 0           # SQLite PRAGMA user_version (0 on PostgreSQL)
    columns: frozenset[str] = frozenset()   # "table.column" of camaudit's tables that are present

    @property
    def empty(self) -> bool:
        return not self.tables

    @property
    def foreign(self) -> bool:
        """A database camaudit did not create: it has tables but neither audit_run nor a revision."""
        return bool(self.tables) and tables.AuditRun.__tablename__ not in self.tables and self.revision is None

    @property
    def label(self) -> str:
        """The revision for messages and backup names ("unversioned" before Alembic, "empty" when new)."""
        return self.revision or ("empty" if self.empty else "unversioned")

    def missing(self) -> list[str]:
        """camaudit's tables the database lacks (a damaged file once it is at the head revision)."""
        return [t.name for t in _owned() if t.name not in self.tables]

    def missing_columns(self) -> list[str]:
        """Columns of camaudit's present tables that the database lacks (damage, at the head revision)."""
        return [f"{t.name}.{c.name}" for t in _owned() if t.name in self.tables
                for c in t.columns if f"{t.name}.{c.name}" not in self.columns]


def _owned() -> list[Table]:
    return [t.__table__ for t in OWNED_TABLES]  # type: ignore[attr-defined]


def inspect_file(conn: sqlite3.Connection) -> FileSchema:
    """An SQLite file's tables, revision and user_version, read through sqlite3 without writing."""
    names = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    revision = None
    if VERSION_TABLE in names:
        row = conn.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()   # noqa: S608 - a constant
        revision = row[0] if row else None
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    columns = frozenset(f"{t.name}.{row[1]}" for t in _owned() if t.name in names
                        for row in conn.execute(f'PRAGMA table_info("{t.name}")'))
    return FileSchema(names - {VERSION_TABLE}, revision, version, columns)


def inspect_connection(conn: Connection) -> FileSchema:
    """The same for any engine, on the caller's connection (inside its transaction)."""
    if conn.dialect.name == "sqlite":
        return inspect_file(conn.connection.dbapi_connection)  # type: ignore[arg-type]
    inspector = inspect(conn)
    names = frozenset(inspector.get_table_names())
    revision = None
    if VERSION_TABLE in names:
        revision = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()   # noqa: S608
    columns = frozenset(f"{t.name}.{c['name']}" for t in _owned() if t.name in names
                        for c in inspector.get_columns(t.name))
    return FileSchema(names - {VERSION_TABLE}, revision, columns=columns)
