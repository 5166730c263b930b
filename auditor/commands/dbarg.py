"""The one `--db` option every command that uses the store shares, and `CAMAUDIT_DB`.

`--db` takes an SQLite file path (default ./camaudit.db) or a PostgreSQL URL
(postgresql+psycopg://user@host/db, or postgresql+psycopg:///db?host=/socket/dir); CAMAUDIT_DB
sets the default. A URL with a password is refused by models.location without echoing it: the
password belongs in PGPASSWORD or ~/.pgpass.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from models.errors import StoreUnavailable
from models.location import PgLocation, is_url, parse_pg_url

DEFAULT_DB = Path("camaudit.db")
ENV = "CAMAUDIT_DB"


def db_location(text: str) -> Path | PgLocation:
    """argparse type: a path stays a Path; a URL becomes a PgLocation (refused with one sentence)."""
    if is_url(text):
        try:
            return parse_pg_url(text)
        except StoreUnavailable as exc:
            raise argparse.ArgumentTypeError(exc.message.rstrip(".")) from None  # never argparse's echo
    return Path(text)


def add_db_argument(parser: argparse.ArgumentParser, *, what: str = "database") -> None:
    """Add --db, defaulting to $CAMAUDIT_DB, else ./camaudit.db."""
    env = os.environ.get(ENV)
    parser.add_argument("--db", type=db_location, default=env or str(DEFAULT_DB), metavar="PATH|URL",
                        help=f"the {what}: an SQLite file or a PostgreSQL URL postgresql+psycopg://user@host/db "
                             f"(password from PGPASSWORD or ~/.pgpass); default ${ENV} if set, else ./{DEFAULT_DB}"
                             + (" (CAMAUDIT_DB is set)" if env else ""))


def site_name(text: str) -> str:
    """argparse type: a site's name as people write it ("Northgate School"), trimmed, one line."""
    name = " ".join(text.split())
    if not name or len(name) > 100 or not name.isprintable():
        raise argparse.ArgumentTypeError(
            "a site name is 1 to 100 printable characters, e.g. --site \"Northgate School\"")
    return name


def add_site_argument(parser: argparse.ArgumentParser, *, recording: bool = False) -> None:
    """--site: the site a new run belongs to (recording), or the site to show (reading; default all)."""
    from models.location import DEFAULT_SITE

    if recording:
        parser.add_argument("--site", type=site_name, default=DEFAULT_SITE, metavar="NAME",
                            help=f"the site this run belongs to; devices are identified within it "
                                 f"(default \"{DEFAULT_SITE}\")")
    else:
        parser.add_argument("--site", type=site_name, metavar="NAME",
                            help="only this site's runs and devices (default: every site)")
