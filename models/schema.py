"""What a camaudit database must contain, and the one additive migration the store performs.

Writers create missing tables and add missing nullable columns (an older camaudit's file gains
the run's pid/host/heartbeat columns) inside one `BEGIN IMMEDIATE` transaction, so two processes
opening a fresh file at the same moment queue on SQLite's busy timeout instead of failing.
Readers never change the file: `inspect_file` only says what is there and what is missing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sqlalchemy import Column, Connection, Table
from sqlalchemy.dialects import sqlite
from sqlmodel import SQLModel

from models import tables
from models.egress.tables import EGRESS_TABLES

# Every camaudit table, in one list: `open_store` creates them all (the egress tables too).
OWNED_TABLES = (*tables.TABLES, *EGRESS_TABLES)
# Tables an older camaudit's file may lack without being damaged (it never ran an egress analysis):
# a reader adds them, empty, to its in-memory copy.
LATER_TABLES = frozenset(t.__tablename__ for t in EGRESS_TABLES)


def owned_tables() -> list[Table]:
    return [t.__table__ for t in OWNED_TABLES]  # type: ignore[attr-defined]


@dataclass(frozen=True)
class FileSchema:
    """What one SQLite file holds, as far as camaudit's own tables go."""

    tables: frozenset[str]
    version: int
    missing_tables: tuple[str, ...]
    missing_columns: tuple[tuple[str, Column], ...]   # (table name, column) this camaudit expects

    @property
    def empty(self) -> bool:
        return not self.tables

    @property
    def foreign(self) -> bool:
        """An SQLite database camaudit did not create: it has tables but no audit_run."""
        return bool(self.tables) and tables.AuditRun.__tablename__ not in self.tables


def inspect_file(conn: sqlite3.Connection) -> FileSchema:
    """Read the file's tables, columns and user_version without writing anything."""
    names = frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    missing_tables, missing_columns = [], []
    for table in owned_tables():
        if table.name not in names:
            missing_tables.append(table.name)
            continue
        present = {row[1] for row in conn.execute(f'PRAGMA table_info("{table.name}")')}
        missing_columns += [(table.name, c) for c in table.columns if c.name not in present]
    return FileSchema(names, version, tuple(missing_tables), tuple(missing_columns))


def addable(column: Column) -> bool:
    """SQLite's ALTER TABLE ADD COLUMN takes nullable columns without a primary or unique key."""
    return bool(column.nullable) and not column.primary_key and not column.unique


def add_column_sql(table: str, column: Column) -> str:
    """ALTER TABLE for one nullable column, typed as SQLAlchemy would create it."""
    kind = column.type.compile(dialect=sqlite.dialect())
    return f'ALTER TABLE "{table}" ADD COLUMN "{column.name}" {kind}'


def create_schema(conn: Connection) -> None:
    """Inside the caller's write transaction: create missing tables, add missing nullable columns.

    Raises:
        ValueError: a missing column cannot be added in place (a migration is needed).
    """
    SQLModel.metadata.create_all(conn, tables=owned_tables())   # only camaudit's tables, never others
    schema = inspect_file(conn.connection.dbapi_connection)  # type: ignore[arg-type]
    for table, column in schema.missing_columns:
        if not addable(column):
            raise ValueError(f"column {table}.{column.name} cannot be added to an existing database")
        conn.exec_driver_sql(add_column_sql(table, column))
    if not schema.version:
        conn.exec_driver_sql(f"PRAGMA user_version = {int(tables.SCHEMA_VERSION)}")
