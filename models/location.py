"""Where the store lives: an SQLite file path (the default) or a PostgreSQL URL.

`--db` and `CAMAUDIT_DB` take either. A URL names user, host (or `?host=/socket/dir`) and database;
the password comes only from PGPASSWORD or ~/.pgpass (libpq reads both), so it never appears on a
command line, in `ps`, in a log or in the store. A URL that carries one is refused without echoing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from models.errors import StoreUnavailable

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

DEFAULT_SITE = "default"   # the site of a run recorded without --site (and of every run before sites)

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)://")
_POSTGRES_SCHEMES = frozenset({"postgresql", "postgresql+psycopg", "postgres"})
URL_FORM = "postgresql+psycopg://user@host/database"
PASSWORD_REFUSED = ("The database URL given with --db or CAMAUDIT_DB contains a password; remove it from the URL "
                    "and give the password in the PGPASSWORD environment variable or in ~/.pgpass.")


def is_url(text: str | Path) -> bool:
    """Whether `--db` names a server (scheme://...) rather than a file."""
    return isinstance(text, str) and _SCHEME.match(text) is not None


@dataclass(frozen=True)
class PgLocation:
    """A PostgreSQL database without a password; `str()` is safe to print and store."""

    url: URL

    @property
    def name(self) -> str:
        return self.url.database or ""

    @property
    def user(self) -> str:
        return self.url.username or "(your login name)"

    def __str__(self) -> str:
        return unquote(self.url.render_as_string(hide_password=True))   # ?host=/run/postgresql as typed


def parse_pg_url(text: str) -> PgLocation:
    """The PostgreSQL database a URL names, driven by psycopg.

    Raises:
        StoreUnavailable: not a PostgreSQL URL, no database name, or a password in it (never echoed).
    """
    scheme = _SCHEME.match(text)
    if scheme is None or scheme.group(1).lower() not in _POSTGRES_SCHEMES:
        given = scheme.group(1) if scheme else "this"
        raise StoreUnavailable(f"The store is an SQLite file (give a path) or a PostgreSQL database ({URL_FORM}); "
                               f"a {given}:// URL is not supported.")
    from sqlalchemy.engine import make_url  # here, not at import: `camaudit egress` starts its captures first
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except (ArgumentError, ValueError) as exc:
        raise StoreUnavailable(f"The database URL given with --db or CAMAUDIT_DB is not a valid URL; "
                               f"write it as {URL_FORM}.") from exc
    if url.password is not None or any(key.lower() == "password" for key in url.query):
        raise StoreUnavailable(PASSWORD_REFUSED)
    if not url.database:
        raise StoreUnavailable(f"The database URL given with --db or CAMAUDIT_DB names no database; "
                               f"write it as {URL_FORM}.")
    return PgLocation(url.set(drivername="postgresql+psycopg"))
