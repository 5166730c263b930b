"""Indexes chosen from the query plans of bench/org_bench.py (placeholder while measuring)."""

from __future__ import annotations

from alembic import op

revision = "0004_query_indexes"
down_revision = "0003_egress_geo"
branch_labels = None
depends_on = None

INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, list(columns))
