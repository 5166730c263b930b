"""The versioned schema: a database written by the release before Alembic upgrades with every row
kept, and the migrations build exactly the tables the models declare, on both engines."""

from __future__ import annotations

import gzip
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import models.egress  # noqa: F401 - registers the egress tables on SQLModel.metadata
from models.db import open_store
from models.migrate import head_revision
from models.store import list_run_devices, list_runs

# Written by `camaudit demo` at commit b4c5672 (schema 1, the last release before Alembic):
# one complete audit of the 25-device simulated site and one egress analysis (tests/data/store/README.md).
SCHEMA1 = Path(__file__).parent.parent / "data" / "store" / "camaudit-schema1.db.gz"


def schema1_file(tmp_path: Path) -> Path:
    path = tmp_path / "camaudit.db"
    path.write_bytes(gzip.decompress(SCHEMA1.read_bytes()))
    return path


EGRESS_GEO_COLUMNS = {"egress_flow": ("geo_country", "network_owner"), "egress_device": ("linked_by",),
                      "egress_run": ("geo_data",)}   # migration 0003


def drop_egress_site(conn: sqlite3.Connection) -> None:
    """Turn a file written by this camaudit back into revision 0003: egress runs without a site (0005)."""
    conn.execute("DROP INDEX ix_egress_run_site")
    conn.execute("ALTER TABLE egress_run DROP COLUMN site")
    conn.execute("UPDATE alembic_version SET version_num = '0003_egress_geo'")


def drop_egress_geo(conn: sqlite3.Connection) -> None:
    """Turn a file written by this camaudit back into revision 0002: egress rows without geo/link columns."""
    drop_egress_site(conn)
    for table, columns in EGRESS_GEO_COLUMNS.items():
        for column in columns:
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    conn.execute("UPDATE alembic_version SET version_num = '0002_sites'")


def drop_post_schema1(conn: sqlite3.Connection) -> None:
    """Turn a file written by this camaudit back into schema 1: no Alembic, no sites, no egress geo columns."""
    drop_egress_geo(conn)
    conn.execute("DROP TABLE alembic_version")
    for table in ("audit_run", "device"):
        conn.execute(f"DROP INDEX ix_{table}_site")
        conn.execute(f"ALTER TABLE {table} DROP COLUMN site")


def every_row(path: Path) -> dict[str, list[dict[str, object]]]:
    conn = sqlite3.connect(path)
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name != 'alembic_version' ORDER BY name")]
        rows = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}" ORDER BY id')
            columns = [c[0] for c in cursor.description]
            rows[name] = [dict(zip(columns, row, strict=True)) for row in cursor]
        return rows
    finally:
        conn.close()


def test_a_schema1_database_upgrades_with_every_row_kept(tmp_path, capfd):
    path = schema1_file(tmp_path)
    before = every_row(path)
    assert sum(map(len, before.values())) > 1000 and len(before["device_snapshot"]) == 25
    with open_store(path) as store:
        runs = list_runs(store)
        assert [r.state for r in runs] == ["complete"]
        assert len(list_run_devices(store, run_id=runs[0].id)) == 25
    err = capfd.readouterr().err
    assert f"from schema unversioned to {head_revision()}" in err and f"{path}.bak-unversioned" in err
    after = every_row(path)
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        for old, new in zip(rows, after[table], strict=True):
            assert {k: new[k] for k in old} == old, (table, old["id"])
    assert every_row(path.with_name("camaudit.db.bak-unversioned")) == before   # the copy is the old file


def test_the_migrations_build_exactly_the_models_tables(store):
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert differences == []


def test_the_schema1_database_upgraded_twice_is_unchanged(tmp_path, capfd):
    path = schema1_file(tmp_path)
    open_store(path).close()
    upgraded = every_row(path)
    capfd.readouterr()
    open_store(path).close()
    assert every_row(path) == upgraded and "upgrading" not in capfd.readouterr().err


def test_the_revision_graph_read_without_alembic_is_alembics():
    from models.migrate import revisions, script_directory

    script = script_directory()
    assert revisions() == {rev.revision: rev.down_revision for rev in script.walk_revisions()}
    assert head_revision() == script.get_current_head()


def test_opening_a_database_at_the_head_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "camaudit.db"
    open_store(path).close()
    code = ("import sys; from models.db import open_store; open_store(sys.argv[1]).close(); "
            "print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parents[2])
    assert out.stdout.strip() == "False"


def test_egress_runs_from_before_sites_join_the_default_site(tmp_path):
    from models.egress.store import list_egress_runs, record_egress_run_started

    path = tmp_path / "camaudit.db"
    with open_store(path) as store:
        record_egress_run_started(store, kind="file", source="a.pcap", site_networks=["10.0.0.0/8"],
                                  site="Northgate School")
        record_egress_run_started(store, kind="file", source="b.pcap", site_networks=["10.0.0.0/8"])
    with sqlite3.connect(path) as conn:                # what camaudit wrote before egress runs had a site
        drop_egress_site(conn)
    conn.close()
    with open_store(path) as store:                    # migration 0005 in place
        assert [r.site for r in list_egress_runs(store)] == ["default", "default"]
        assert [r.source for r in list_egress_runs(store, site="default")] == ["b.pcap", "a.pcap"]
        assert list_egress_runs(store, site="Northgate School") == []
