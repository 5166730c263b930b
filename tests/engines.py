"""Helpers for running one test on both store engines: copy a recorded SQLite database into a
PostgreSQL one row for row (same ids), and read everything a database holds as text (secret checks)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, insert, select, text
from sqlmodel import SQLModel

import models.egress  # noqa: F401 - registers the egress tables on SQLModel.metadata
from models.db import open_store


def copy_into(sqlite_path: Path, url: str) -> str:
    """Every row of the SQLite store at `sqlite_path` into the (migrated, empty) database at `url`."""
    with open_store(sqlite_path, read_only=True) as source, open_store(url) as target:
        with source.engine.connect() as src, target.engine.begin() as dst:
            for table in SQLModel.metadata.sorted_tables:
                rows = [dict(row._mapping) for row in src.execute(select(table))]
                if rows:
                    dst.execute(insert(table), rows)
                if target.dialect == "postgresql" and "id" in table.c:   # next ids follow the copied ones
                    dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"))
    return url


def everything_stored(location: str | Path) -> bytes:
    """All the database holds, as bytes: the SQLite file, or every PostgreSQL row as text."""
    if not str(location).startswith("postgresql"):
        return Path(location).read_bytes()
    engine = create_engine(str(location))
    try:
        with engine.connect() as conn:
            names = [t.name for t in SQLModel.metadata.sorted_tables]
            return b"\n".join(str(row[0]).encode() for name in names
                              for row in conn.execute(text(f"SELECT t::text FROM {name} AS t")))
    finally:
        engine.dispose()
