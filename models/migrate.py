"""Bringing a database to this camaudit's schema with the Alembic revisions in models/migrations/.

Called by models/db.py inside the opener's write transaction (SQLite `BEGIN IMMEDIATE`, PostgreSQL
advisory lock), so two processes opening one old database upgrade it once, one after the other.
Before an SQLite file that holds data is changed, a copy is written next to it
(`camaudit.db.bak-<revision>`) and stderr says so. Readers never call this (models/readonly.py).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from models.revisions import MIGRATIONS, revisions, single_head
from models.schema import FileSchema

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory
    from sqlalchemy import Connection


@functools.cache
def script_directory() -> ScriptDirectory:
    """Alembic's view of the revisions: imported only when a migration must run (~0.1 s of CPU)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS), version_locations=[str(MIGRATIONS / "versions")])


@functools.cache
def head_revision() -> str:
    head = single_head()
    if head is not None:
        return head
    head = script_directory().get_current_head()     # a branch or a merge: Alembic decides (or says why not)
    assert head is not None, "models/migrations/versions holds no revision"
    return head


def known(revision: str | None) -> bool:
    """Whether this camaudit has the revision (an unknown one was written by a newer camaudit)."""
    return revision is None or revision in revisions()


@dataclass(frozen=True)
class Status:
    """Where a database stands: its revision ("unversioned" before Alembic), the head, what is pending."""

    current: str
    head: str
    pending: tuple[str, ...]

    @property
    def up_to_date(self) -> bool:
        return not self.pending


def status(schema: FileSchema) -> Status:
    head = head_revision()
    if schema.revision == head:
        return Status(schema.label, head, ())
    pending = [rev.revision for rev in script_directory().iterate_revisions(head, schema.revision)]
    return Status(schema.label, head, tuple(reversed(pending)))


def upgrade(conn: Connection) -> None:
    """Run every pending revision on `conn`, inside the caller's transaction."""
    from alembic.config import Config
    from alembic.runtime.environment import EnvironmentContext

    script = script_directory()
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))

    def steps(revision, _context):  # noqa: ANN001, ANN202 - alembic's callback signature
        return script._upgrade_revs("head", revision)

    with EnvironmentContext(config, script, fn=steps, destination_rev="head") as env:
        env.configure(connection=conn, render_as_batch=True)
        with env.begin_transaction():
            env.run_migrations()


def backup_sqlite(path: Path, label: str) -> Path:
    """Copy the file (a consistent snapshot, WAL included) to `<path>.bak-<label>` before changing it."""
    target = path.with_name(f"{path.name}.bak-{label}")
    partial = target.with_name(target.name + ".partial")
    source = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return target


def announce(where: object, schema: FileSchema, backup: Path | None) -> None:
    """One line on stderr: the database is being upgraded (and where its copy is)."""
    kept = f"; a copy of it as it was is {backup}" if backup else ""
    print(f"camaudit: upgrading the database {where} from schema {schema.label} to {head_revision()}{kept}.",
          file=sys.stderr)
