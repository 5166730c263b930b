"""Opening a database for reading commands (report, diff): SQLite `mode=ro`, never creating,
converting or repairing anything.

A missing file, an empty file, a foreign or newer database and a database with a dropped table
each get their own sentence. A file on a read-only mount cannot host WAL's shared-memory file,
so there it is opened `immutable` (nobody can write it through that mount). A database whose
schema is behind this camaudit's is never migrated here: the sentence says to run
`camaudit db upgrade`. PostgreSQL databases get the same checks (`check_server`).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

from models import migrate
from models.db import Store, Where, _on_begin, _on_connect, refuse_foreign
from models.errors import StoreUnavailable
from models.location import PgLocation
from models.schema import FileSchema, inspect_connection, inspect_file
from models.sqlite_failure import BUSY_TIMEOUT_S, SQLITE_CANTOPEN, SQLITE_READONLY, describe_failure, sqlite_code


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
            cannot_share = sqlite_code(exc) in (SQLITE_CANTOPEN, SQLITE_READONLY)
            if immutable or not cannot_share or os.access(path.parent, os.W_OK):
                raise StoreUnavailable(describe_failure(path, exc), path=path) from exc
    raise AssertionError("unreachable")


def _check(where: Where, schema: FileSchema) -> None:
    path = where if isinstance(where, Path) else None
    if schema.empty:
        what = f"The file {where} holds no camaudit data (it is empty or a new SQLite file)" if path else \
            f"The PostgreSQL database {where} holds no camaudit data yet"
        raise StoreUnavailable(f"{what}; point --db at the database camaudit audit wrote.", path=path)
    refuse_foreign(where, schema)
    if not migrate.status(schema).up_to_date:
        raise StoreUnavailable(f"The database {where} was written by an older camaudit (schema {schema.label}); "
                               f"run `camaudit db upgrade --db {where}` once to bring it up to date "
                               f"(reading commands never change a database).", path=path)
    missing = schema.missing()
    if missing:
        raise StoreUnavailable(f"The database {where} is damaged: the table(s) {', '.join(missing)} "
                               f"are missing, so its runs cannot be read; restore it from a backup or "
                               f"choose another database with --db.", path=path)
    lost = schema.missing_columns()
    if lost:
        raise StoreUnavailable(f"The database {where} is damaged: the column(s) {', '.join(lost)} are missing, "
                               f"so its runs cannot be read; restore it from a backup or "
                               f"choose another database with --db.", path=path)


def check_server(where: PgLocation, engine: Engine) -> None:
    """A PostgreSQL database for reading commands: it must already be a camaudit database at the head."""
    with engine.connect() as conn:
        _check(where, inspect_connection(conn))


def open_read_only(path: Path) -> Store:
    """Open an existing camaudit database without writing to it.

    Raises:
        StoreUnavailable: missing, empty, foreign, newer, damaged or unreadable.
    """
    immutable, schema = _look(path)
    _check(path, schema)
    try:
        engine = create_engine("sqlite://", creator=_connector(path, immutable), poolclass=NullPool)
    except sqlite3.Error as exc:
        raise StoreUnavailable(describe_failure(path, exc), path=path) from exc
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return Store(path, engine, read_only=True)


def schema_status(where: Where) -> migrate.Status:
    """Where an existing database's schema stands (`camaudit db status`), changing nothing.

    Raises:
        StoreUnavailable: missing, empty, foreign, newer or unreadable.
    """
    if isinstance(where, PgLocation):
        from models.db import translate_errors
        from models.pg import pg_engine

        engine = pg_engine(where)
        try:
            with translate_errors(where), engine.connect() as conn:
                schema = inspect_connection(conn)
        finally:
            engine.dispose()
    else:
        schema = _look(where)[1]
    refuse_foreign(where, schema)
    return migrate.status(schema)


def _look(path: Path) -> tuple[bool, FileSchema]:
    if not path.exists():
        raise StoreUnavailable(f"There is no camaudit database at {path}; run camaudit audit first "
                               f"or point --db at the database it wrote.", path=path)
    if path.is_dir():
        raise StoreUnavailable(f"Cannot use {path} as the database because it is a folder; "
                               f"choose a file path with --db.", path=path)
    if path.stat().st_size == 0:
        raise StoreUnavailable(f"The file {path} is empty, not a camaudit database; "
                               f"point --db at the database camaudit audit wrote.", path=path)
    return _first_look(path)
