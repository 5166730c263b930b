"""Alembic revisions of the store's schema, one file per change under `versions/`.

Run by models/migrate.py (no alembic.ini or env.py: camaudit applies them itself on open and with
`camaudit db upgrade`). A new revision: add `versions/NNNN_what.py` with `revision`, `down_revision`
and `upgrade()` using `alembic.op`; use `op.batch_alter_table` for anything SQLite cannot ALTER in
place, and never import models.tables from a revision (a revision is frozen; the models move on).
"""
