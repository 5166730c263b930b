"""Opening the store (an SQLite file, or PostgreSQL through models/pg.py), bringing its schema to
this camaudit's revision (models/migrate.py), and the one boundary where SQLAlchemy, sqlite3,
psycopg and OS errors become `StoreUnavailable`.

Concurrency: an audit records its devices from one writer thread, in batches (auditor/run/writer.py,
`Store.transaction`); other writes (run start and close, egress) come from other threads. Each call
opens its own Session or connection from the pool. Writers in this process queue on one lock and
write inside `BEGIN IMMEDIATE`, so a writer that reads (device identity) before it writes can
never see SQLite refuse the upgrade from reader to writer; another process writing the same file
is waited for by SQLite's busy timeout. WAL mode lets readers (the TUI) work during writes.
On PostgreSQL a transaction-scoped advisory lock plays the part of `BEGIN IMMEDIATE` (models/pg.py).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, SQLModel

from models import migrate, pg
from models.errors import RecordNotFound, StoreUnavailable
from models.location import PgLocation, is_url, parse_pg_url
from models.schema import FileSchema, inspect_connection, inspect_file
from models.sqlite_failure import (  # noqa: F401 - describe_failure: also models.db's for the tests
    BUSY_TIMEOUT_S,
    SQLITE_BUSY,
    SQLITE_LOCKED,
    describe_failure,
    sqlite_code,
)

R = TypeVar("R", bound=SQLModel)

_WRITE_OPTION = pg.WRITE_OPTION
Where = Path | PgLocation   # an SQLite file or a PostgreSQL database (never with a password)

@contextmanager
def translate_errors(where: Where) -> Iterator[None]:
    """The boundary: database and OS failures leave the store as `StoreUnavailable` only.

    Integrity errors are not translated: they mean a bug in camaudit, not a problem with the file.
    """
    try:
        yield
    except IntegrityError:
        raise
    except (DBAPIError, sqlite3.Error, OSError) as exc:
        if isinstance(where, PgLocation):
            raise StoreUnavailable(pg.describe_pg_failure(where, exc)) from exc
        raise StoreUnavailable(describe_failure(where, exc), path=where) from exc


class Store:
    """An open camaudit database: a pooled engine shared by all threads, and one writer lock.
    `path` is the SQLite file, or the PostgreSQL database (`str()` of it is safe to print)."""

    def __init__(self, path: Where, engine: Engine, *, read_only: bool = False) -> None:
        self.path = path
        self.engine = engine
        self.read_only = read_only   # opened by a reading command: the file is never changed
        self._writer = engine.execution_options(**{_WRITE_OPTION: True})
        self._write_lock = threading.Lock()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A Session on one consistent snapshot of the database (WAL readers never block writers)."""
        with translate_errors(self.path), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction, committed on exit, rolled back on error, serialised across threads."""
        if self.read_only:
            raise StoreUnavailable(f"The database {self.path} was opened read-only; this is a camaudit bug.",
                                   path=self.path)
        with self._write_lock, translate_errors(self.path):
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """The same write transaction as `writing`, as a Core connection (bulk inserts of plain dicts)."""
        if self.read_only:
            raise StoreUnavailable(f"The database {self.path} was opened read-only; this is a camaudit bug.",
                                   path=self.path)
        with self._write_lock, translate_errors(self.path), self._writer.begin() as conn:
            yield conn

    @property
    def dialect(self) -> str:
        """sqlite or postgresql."""
        return self.engine.dialect.name

    def pragma(self, name: str) -> Any:
        """Read one SQLite PRAGMA on a pooled connection (tests check WAL, foreign keys, busy timeout)."""
        if not name.isidentifier():
            raise ValueError(f"not a pragma name: {name!r}")
        with translate_errors(self.path), self.engine.connect() as conn:
            return conn.exec_driver_sql(f"PRAGMA {name}").scalar()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Take transaction control from pysqlite, which would otherwise BEGIN only before the first
    # INSERT and leave reads outside the transaction (the SQLAlchemy pysqlite docs' recipe).
    dbapi_connection.isolation_level = None
    dbapi_connection.execute("PRAGMA foreign_keys = ON")


def _on_begin(conn: Any) -> None:
    # Writers take the write lock at BEGIN, so the busy timeout applies instead of a
    # SQLITE_BUSY when a read transaction later tries to write.
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise StoreUnavailable(f"Cannot use {path} as the database because it is a folder; "
                               f"choose a file path with --db.", path=path)
    parent = path.parent
    if not parent.exists():
        raise StoreUnavailable(f"Cannot create the database {path} because the folder {parent} does not "
                               f"exist; create it or choose another path with --db.", path=path)
    if not parent.is_dir():
        raise StoreUnavailable(f"Cannot create the database {path} because {parent} is a file, not a "
                               f"folder; choose another path with --db.", path=path)


def _prepare_file(path: Path, engine: Engine) -> None:
    """Refuse foreign or newer databases, switch to WAL and bring the schema to the head revision.

    The upgrade runs inside `BEGIN IMMEDIATE`: two processes creating or upgrading one file at the
    same moment queue on the busy timeout instead of one failing on a read-to-write upgrade, and
    only the first one does the work (and writes the backup copy).
    """
    raw = engine.raw_connection()
    try:
        refuse_foreign(path, inspect_file(raw.dbapi_connection))  # type: ignore[arg-type]
        _switch_to_wal(raw.cursor())
    finally:
        raw.close()
    with engine.execution_options(**{_WRITE_OPTION: True}).begin() as conn:   # fails now if read-only
        schema = inspect_file(conn.connection.dbapi_connection)  # type: ignore[arg-type]
        refuse_foreign(path, schema)
        if schema.revision == migrate.head_revision():
            return
        backup = None if schema.empty else migrate.backup_sqlite(path, schema.label)
        migrate.upgrade(conn)
        if backup is not None:
            migrate.announce(path, schema, backup)


def _prepare_server(where: PgLocation, engine: Engine) -> None:
    """The same on PostgreSQL: under the writers' advisory lock, in one transaction (DDL included)."""
    with engine.execution_options(**{_WRITE_OPTION: True}).begin() as conn:
        schema = inspect_connection(conn)
        refuse_foreign(where, schema)
        if schema.revision == migrate.head_revision():
            return
        migrate.upgrade(conn)
        if not schema.empty:
            migrate.announce(where, schema, None)


def _switch_to_wal(cur: Any) -> None:
    """WAL is persistent in the file (odd file systems keep their own mode). Two processes opening a
    fresh file at once can both reach this switch; SQLite then answers one of them BUSY at once,
    without the busy timeout (its deadlock rule), so that one waits and tries again."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            cur.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if sqlite_code(exc) not in (SQLITE_BUSY, SQLITE_LOCKED) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def refuse_foreign(where: Where, schema: FileSchema) -> None:
    """Refuse a database written by a newer camaudit, or one camaudit did not create."""
    path = where if isinstance(where, Path) else None
    if not migrate.known(schema.revision):
        raise StoreUnavailable(f"The database {where} was written by a newer camaudit (schema {schema.revision}); "
                               f"upgrade camaudit or choose another database with --db.", path=path)
    if schema.foreign and path is not None:
        raise StoreUnavailable(f"The file {path} is an SQLite database that camaudit did not create; "
                               f"choose another path with --db so it is left untouched.", path=path)
    if schema.foreign:
        raise StoreUnavailable(f"The PostgreSQL database {where} holds tables that camaudit did not create; "
                               f"choose another database with --db so they are left untouched.")



def _engine(path: Path, **kwargs: Any) -> Engine:
    engine = create_engine(URL.create("sqlite", database=str(path)), **kwargs)
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


def open_store(location: str | Path | PgLocation, *, read_only: bool = False) -> Store:
    """Open or create the database at `location` (a file path or a PostgreSQL URL) and bring its
    schema up to date; with `read_only`, open an existing one without changing it.

    Raises:
        StoreUnavailable: the database cannot be created, opened or written, is missing or damaged
            (read_only), needs `camaudit db upgrade` (read_only), or is not a camaudit database.
    """
    if isinstance(location, str) and is_url(location):
        location = parse_pg_url(location)
    if isinstance(location, PgLocation):
        return _open_server(location, read_only=read_only)
    path = Path(location).expanduser().absolute()
    if read_only:
        from models.readonly import open_read_only

        return open_read_only(path)
    _check_path(path)
    engine = _engine(path, connect_args={"timeout": BUSY_TIMEOUT_S})
    try:
        with translate_errors(path):
            _prepare_file(path, engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(path, engine)


def _open_server(where: PgLocation, *, read_only: bool) -> Store:
    engine = pg.pg_engine(where)
    try:
        with translate_errors(where):
            if read_only:
                from models.readonly import check_server

                check_server(where, engine)
            else:
                _prepare_server(where, engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(where, engine, read_only=read_only)


def insert_row(store: Store, row: SQLModel) -> int:
    """Add one row in its own transaction and return its new id (run rows, mostly)."""
    with store.writing() as session:
        session.add(row)
        session.flush()
        row_id = getattr(row, "id", None)
        if row_id is None:
            raise RuntimeError(f"{type(row).__name__} got no id from the database")
        return int(row_id)


def require_row(session: Session, store: Store, model: type[R], row_id: int, what: str, hint: str) -> R:
    """The row with this id, or RecordNotFound naming the database and what to do."""
    row = session.get(model, row_id)
    if row is None:
        raise RecordNotFound(f"{what} {row_id} is not in the database {store.path}; {hint}")
    return row
