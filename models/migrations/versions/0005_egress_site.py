"""Egress runs belong to a site, as audit runs do (0002_sites): traffic is linked only to devices of
the run's site, so two schools that both use 192.168.1.x never cross-link. Existing runs join the
site "default" (where every run recorded without --site is).

It follows 0004_query_indexes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_egress_site"
down_revision = "0004_query_indexes"
branch_labels = None
depends_on = None

DEFAULT_SITE = "default"


def upgrade() -> None:
    # NOT NULL with a server default: SQLite adds it in place, and every existing row gets "default".
    op.add_column("egress_run", sa.Column("site", sa.String(), nullable=False, server_default=DEFAULT_SITE))
    op.create_index("ix_egress_run_site", "egress_run", ["site"])
