"""`camaudit db status|upgrade`: where the store's schema stands, and bringing it up to date.

Writing commands (audit, egress, tui) upgrade on open by themselves (SQLite: after a copy
`<file>.bak-<revision>`); reading commands (report, diff) never change a database and point here.
"""

from __future__ import annotations

import argparse

from rich.console import Console

from auditor.commands.dbarg import add_db_argument

ORDER = 70


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("db", help="show or upgrade the database schema (SQLite file or PostgreSQL)",
                              description="The store's schema is versioned (Alembic revisions). `status` says "
                                          "which revision a database is at and what is pending; `upgrade` applies "
                                          "the pending revisions (an SQLite file is copied to <file>.bak-<revision> "
                                          "first).")
    sub = p.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    status = sub.add_parser("status", help="the database's revision, this camaudit's head, and what is pending")
    add_db_argument(status)
    status.set_defaults(func=cmd_status)
    upgrade = sub.add_parser("upgrade", help="apply the pending revisions (a copy of an SQLite file is kept)")
    add_db_argument(upgrade)
    upgrade.set_defaults(func=cmd_upgrade)


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    from models.readonly import schema_status

    status = schema_status(args.db)
    console.print(f"Database: {args.db}", markup=False, highlight=False)
    console.print(f"Revision: {status.current}", markup=False, highlight=False)
    console.print(f"Head:     {status.head}", markup=False, highlight=False)
    pending = ", ".join(status.pending) if status.pending else "none (up to date)"
    console.print(f"Pending:  {pending}", markup=False, highlight=False)
    return 0


def cmd_upgrade(args: argparse.Namespace, console: Console) -> int:
    from models.db import open_store
    from models.readonly import schema_status

    before = schema_status(args.db)
    with open_store(args.db):
        pass
    if before.up_to_date:
        console.print(f"The database {args.db} is already at revision {before.head}.", markup=False, highlight=False)
    else:
        console.print(f"The database {args.db} was upgraded from {before.current} to {before.head}.",
                      markup=False, highlight=False)
    return 0
