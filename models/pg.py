"""The PostgreSQL side of the store: the engine, the cross-process writer lock, and the sentences for
its failures (the SQLite side is in models/db.py; both raise the same `StoreUnavailable`).

Writers take one transaction-scoped advisory lock, so every `Store.writing()` transaction of every
process on the same database runs one after the other, as SQLite's `BEGIN IMMEDIATE` makes them do:
a device's identity look-up and insert can never race another collector's (no duplicated devices).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError

from models.location import PgLocation

CONNECT_TIMEOUT_S = 10
WRITER_LOCK_KEY = 0x63616D61   # "cama": pg_advisory_xact_lock key shared by every camaudit writer
WRITE_OPTION = "camaudit_write"

# SQLSTATE classes and codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_AUTH_FAILED = ("28P01", "28000")
_NO_DATABASE = "3D000"
_PERMISSION = "42501"
_DISK_FULL = ("53100", "53200")


def _on_begin(conn: Any) -> None:
    if conn.get_execution_options().get(WRITE_OPTION, False):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK_KEY})")


def pg_engine(location: PgLocation) -> Engine:
    """A pooled psycopg engine; libpq takes the password from PGPASSWORD or ~/.pgpass."""
    engine = create_engine(location.url, pool_pre_ping=True,
                           connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "camaudit"})
    event.listen(engine, "begin", _on_begin)
    return engine


def _detail(exc: BaseException) -> tuple[str | None, str]:
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    sqlstate = getattr(orig, "sqlstate", None)
    text = str(orig).strip().splitlines()
    return sqlstate, (text[0].rstrip(".") if text else type(orig).__name__)


def describe_pg_failure(where: PgLocation, exc: BaseException) -> str:
    """One sentence saying what went wrong with the PostgreSQL database and what to do."""
    sqlstate, detail = _detail(exc)
    lowered = detail.lower()
    if f'role "{where.url.username}" does not exist' in detail:
        return (f"PostgreSQL has no user {where.user}; create it (createuser {where.user}) or name another "
                f"user in the URL given with --db.")
    if sqlstate in _AUTH_FAILED or "password authentication failed" in lowered or "no password supplied" in lowered:
        return (f"PostgreSQL refused the login of user {where.user} to {where}; put the password in the "
                f"PGPASSWORD environment variable or in ~/.pgpass (never in the URL).")
    if sqlstate == _NO_DATABASE or (f'database "{where.name}" does not exist' in detail):
        return (f"The PostgreSQL database {where.name} does not exist on that server; create it "
                f"(createdb {where.name}) or point --db at another one.")
    if sqlstate == _PERMISSION or "permission denied" in lowered:
        return (f"PostgreSQL user {where.user} may not use the database {where} ({detail}); grant it the rights "
                f"to create tables and write there, or use another user.")
    if sqlstate in _DISK_FULL:
        return f"The PostgreSQL server of {where} is out of space ({detail}); free some space and try again."
    if sqlstate is None or sqlstate.startswith("08") or "connection" in lowered:
        return (f"Cannot connect to the PostgreSQL server of {where} ({detail}); check that it is running and "
                f"the host, port or socket folder in the URL, or point --db at another database.")
    return f"Cannot use the PostgreSQL database {where} ({detail}); point --db at another database."
