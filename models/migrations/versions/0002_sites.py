"""Sites: every run and every device belongs to a site (a school, a depot), so one store can hold
an organisation and two sites may both use 192.168.1.x. Existing rows join the site "default".
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_sites"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None

DEFAULT_SITE = "default"


def upgrade() -> None:
    for table in ("audit_run", "device"):
        # NOT NULL with a server default: SQLite adds it in place, and every existing row gets "default".
        op.add_column(table, sa.Column("site", sa.String(), nullable=False, server_default=DEFAULT_SITE))
        op.create_index(f"ix_{table}_site", table, ["site"])
