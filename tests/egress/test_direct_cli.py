"""`camaudit egress analyze` as a user runs it, twice into one SQLite file: the first run creates the
store (SQLAlchemy, Alembic), every later one records through sqlite3 alone (models/egress/direct.py).
Both must print the same answer, and the later one must never load SQLAlchemy, SQLModel, pydantic
or Alembic: that import is the ~0.45 s of CPU the direct path exists to save (bench/egress_bench.py)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.egress.conftest import Site, needs_tshark
from tests.store.test_migrations import drop_egress_site

pytestmark = needs_tshark

HEAVY = ("sqlalchemy", "sqlmodel", "pydantic", "alembic")
# The CLI in a child process, saying on its last stderr line which heavy packages it loaded.
RUN = ("import sys; from auditor.cli import main; code = main(sys.argv[1:]); "
       f"sys.stderr.write('LOADED ' + ' '.join(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))) "
       "+ '\\n'); sys.exit(code)")


def analyze(db: Path, pcap: Path, *extra: str) -> tuple[dict, list[str]]:
    result = subprocess.run([sys.executable, "-c", RUN, "egress", "analyze", str(pcap), "--db", str(db), "--json",
                             *extra], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    loaded = result.stderr.strip().splitlines()[-1]
    assert loaded.startswith("LOADED"), result.stderr
    return json.loads(result.stdout), loaded.split()[1:]


def test_later_runs_record_without_sqlalchemy_and_print_the_same(site: Site, tmp_path: Path):
    db = tmp_path / "camaudit.db"
    first, loaded_first = analyze(db, site.pcap)
    assert "sqlalchemy" in loaded_first                     # the store was created the usual way
    second, loaded_second = analyze(db, site.pcap)
    assert loaded_second == []
    assert second == first
    assert {d["address"] for d in first["devices"]} >= {d["address"] for d in site.truth["devices"]
                                                        if d["destinations"]}
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT finished) FROM egress_run").fetchone() == (2, 2)


def test_a_store_at_an_older_revision_is_upgraded_the_usual_way(site: Site, tmp_path: Path):
    db = tmp_path / "camaudit.db"
    analyze(db, site.pcap)
    with sqlite3.connect(db) as conn:       # what camaudit wrote before egress runs had a site (0003)
        drop_egress_site(conn)
    conn.close()
    _, loaded = analyze(db, site.pcap, "--site", "Northgate School")
    assert "alembic" in loaded
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0005_egress_site"
        assert conn.execute("SELECT site FROM egress_run ORDER BY id").fetchall() == [("default",),
                                                                                     ("Northgate School",)]


def test_a_locked_store_is_one_line(site: Site, tmp_path: Path):
    db = tmp_path / "camaudit.db"
    analyze(db, site.pcap)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        result = subprocess.run([sys.executable, "-m", "auditor.cli", "egress", "analyze", str(site.pcap),
                                 "--db", str(db)], capture_output=True, text=True, timeout=120)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.returncode != 0
    assert "stayed locked by another program" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
