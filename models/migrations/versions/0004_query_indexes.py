"""Indexes chosen from the query plans of bench/org_bench.py (20 sites x 500 devices x 12 monthly runs
in PostgreSQL, 120,000 device audits; one site of 500 x 12 in SQLite). With the 0001/0002 indexes no
read or write path read a large table whole. What the plans did show, and what this revision does:

- ix_remote_access_record_snapshot_id_id (snapshot_id, id) replaces ix_remote_access_record_snapshot_id:
  a run's remote-access rows (models.store.children, TUI fleet flags) are read in (snapshot_id, id)
  order; the index hands them over in that order (PostgreSQL: Index Scan without the Incremental Sort,
  8.1 -> 1.5 ms per 500 snapshots at load ~15-30).
- ix_finding_record_snapshot_id_id (snapshot_id, id) replaces ix_finding_record_snapshot_id: the same
  for findings (the TUI reads every latest snapshot's findings: 20 queries, 2.4 s -> 1.0 s in all).
- feature_record keeps its one-column ix_feature_record_snapshot_id: with (snapshot_id, id) there,
  PostgreSQL planned the fleet flags query as a BitmapAnd with ix_feature_feature_enabled (733,140 index
  rows, 50 -> 275 ms), so that index was measured and not taken. Its rows are read in (snapshot_id, id)
  order all the same (models.store.children): no sort of 23,740 rows by id spilling to disk on PostgreSQL
  (50 -> 25 ms per 500 snapshots) and no temp B-tree on SQLite, whose index already holds the rowid
  (0.52 -> 0.11 s per 500 snapshots).
The composite indexes replace the one-column ones, so the write path keeps one index per table.
Rows are untouched; only indexes change.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_query_indexes"
down_revision = "0003_egress_geo"
branch_labels = None
depends_on = None

# (name, table, columns): created here; REPLACED: the 0001 indexes they make redundant, dropped here.
INDEXES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_remote_access_record_snapshot_id_id", "remote_access_record", ("snapshot_id", "id")),
    ("ix_finding_record_snapshot_id_id", "finding_record", ("snapshot_id", "id")),
)
REPLACED: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("ix_remote_access_record_snapshot_id", "remote_access_record", ("snapshot_id",)),
    ("ix_finding_record_snapshot_id", "finding_record", ("snapshot_id",)),
)


def upgrade() -> None:
    # By what is there, not blindly: a file brought back to schema 1 by hand (tests/store) keeps the new ones.
    inspector = sa.inspect(op.get_bind())
    present = {table: {i["name"] for i in inspector.get_indexes(table)} for _n, table, _c in INDEXES + REPLACED}
    for name, table, columns in INDEXES:
        if name not in present[table]:
            op.create_index(name, table, list(columns))
    for name, table, _columns in REPLACED:
        if name in present[table]:
            op.drop_index(name, table_name=table)
