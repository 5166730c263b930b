"""Opening a database for reading commands (report, diff): SQLite `mode=ro`, never creating,
converting or repairing anything.

A missing file, an empty file, a foreign or newer database and a database with a dropped table
each get their own sentence. A file on a read-only mount cannot host WAL's shared-memory file,
so there it is opened `immutable` (nobody can write it through that mount). A file written by an
older camaudit (missing nullable columns) is copied into memory and extended there.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool, StaticPool
from sqlmodel import SQLModel

from models import tables
from models.db import BUSY_TIMEOUT_S, Store, _on_begin, _on_connect, _sqlite_code, describe_failure
from models.errors import StoreUnavailable
from models.schema import LATER_TABLES, FileSchema, add_column_sql, addable, inspect_file, owned_tables

_SQLITE_CANTOPEN = 14


def _uri(path: Path, immutable: bool) -> str:
    return f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def _connector(path: Path, immutable: bool):  # noqa: ANN202 - a DB-API creator
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(_uri(path, immutable), uri=True, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    return connect


def _first_look(path: Path) -> tuple[bool, FileSchema]:
    """Whether the file needs `immutable`, and what it holds."""
    for immutable in (False, True):
        try:
            conn = _connector(path, immutable)()
            try:
                return immutable, inspect_file(conn)
            finally:
                conn.close()
        except sqlite3.Error as exc:
            # WAL on a read-only mount: SQLite cannot create the -shm file next to the database.
            if immutable or _sqlite_code(exc) not in (_SQLITE_CANTOPEN, 8) or os.access(path.parent, os.W_OK):
                raise StoreUnavailable(describe_failure(path, exc), path=path) from exc
    raise AssertionError("unreachable")


def _check(path: Path, schema: FileSchema) -> None:
    fix = "choose another path with --db"
    if schema.empty:
        raise StoreUnavailable(f"The file {path} holds no camaudit data (it is empty or a new SQLite file); "
                               f"point --db at the database camaudit audit wrote.", path=path)
    if schema.foreign:
        raise StoreUnavailable(f"The file {path} is an SQLite database that camaudit did not create; {fix}.",
                               path=path)
    if schema.version > tables.SCHEMA_VERSION:
        raise StoreUnavailable(f"The database {path} was written by a newer camaudit (schema {schema.version}); "
                               f"upgrade camaudit or {fix}.", path=path)
    damaged = [name for name in schema.missing_tables if name not in LATER_TABLES]
    if damaged:
        raise StoreUnavailable(f"The database {path} is damaged: the table(s) {', '.join(damaged)} "
                               f"are missing, so its runs cannot be read; restore it from a backup or {fix}.",
                               path=path)
    lost = [f"{table}.{column.name}" for table, column in schema.missing_columns if not addable(column)]
    if lost:
        raise StoreUnavailable(f"The database {path} is damaged: the column(s) {', '.join(lost)} are missing, "
                               f"so its runs cannot be read; restore it from a backup or {fix}.", path=path)


def _in_memory_copy(path: Path, immutable: bool, schema: FileSchema) -> Engine:
    """The file copied into memory with this camaudit's extra columns and later tables added (the file
    stays as it is)."""
    source = _connector(path, immutable)()
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        source.backup(memory)
    finally:
        source.close()
    for table, column in schema.missing_columns:
        memory.execute(add_column_sql(table, column))
    memory.commit()
    engine = create_engine("sqlite://", creator=lambda: memory, poolclass=StaticPool)
    later = [t for t in owned_tables() if t.name in schema.missing_tables]
    if later:
        SQLModel.metadata.create_all(engine, tables=later)
    return engine


def open_read_only(path: Path) -> Store:
    """Open an existing camaudit database without writing to it.

    Raises:
        StoreUnavailable: missing, empty, foreign, newer, damaged or unreadable.
    """
    if not path.exists():
        raise StoreUnavailable(f"There is no camaudit database at {path}; run camaudit audit first "
                               f"or point --db at the database it wrote.", path=path)
    if path.is_dir():
        raise StoreUnavailable(f"Cannot use {path} as the database because it is a folder; "
                               f"choose a file path with --db.", path=path)
    if path.stat().st_size == 0:
        raise StoreUnavailable(f"The file {path} is empty, not a camaudit database; "
                               f"point --db at the database camaudit audit wrote.", path=path)
    immutable, schema = _first_look(path)
    _check(path, schema)
    try:
        if schema.missing_columns or schema.missing_tables:
            engine = _in_memory_copy(path, immutable, schema)
        else:
            engine = create_engine("sqlite://", creator=_connector(path, immutable), poolclass=NullPool)
    except sqlite3.Error as exc:
        raise StoreUnavailable(describe_failure(path, exc), path=path) from exc
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return Store(path, engine, read_only=True)
