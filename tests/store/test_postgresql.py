"""PostgreSQL as the store: URLs, passwords kept out of everything, and each failure as one sentence
(against the real throw-away server of tests/pgcluster.py)."""

from __future__ import annotations

import re

import pytest

from models.db import open_store
from models.errors import StoreUnavailable
from models.location import PASSWORD_REFUSED, parse_pg_url
from models.store import list_runs, record_run_started
from tests.audit.test_cli import camaudit

from .builders import OPTIONS

SECRET = "s3cret-Pa55"


def failure(url: str, **kwargs) -> str:
    with pytest.raises(StoreUnavailable) as caught:
        open_store(url, **kwargs).close()
    message = caught.value.message
    assert "\n" not in message and message[0].isupper() and message.endswith(".")
    assert not re.search(r"[.!?]\s", message), f"more than one sentence: {message}"
    return message


@pytest.mark.parametrize("url", [f"postgresql+psycopg://auditor:{SECRET}@db.example/camaudit",
                                 f"postgresql://auditor@db.example/camaudit?password={SECRET}",
                                 f"postgres://:{SECRET}@/camaudit?host=/run/postgresql"])
def test_a_url_with_a_password_is_refused_without_echoing_it(url):
    message = failure(url)
    assert message == PASSWORD_REFUSED and SECRET not in message


def test_the_cli_refuses_a_password_in_the_url_or_in_camaudit_db_in_one_line(tmp_path):
    url = f"postgresql+psycopg://auditor:{SECRET}@127.0.0.1/camaudit"
    for args, env in ((["audit", "127.0.0.1", "--no-discover", "--db", url], None),
                      (["report", "--out", "-"], {"CAMAUDIT_DB": url})):
        done = camaudit(*args, env=env)
        assert done.returncode == 2
        assert SECRET not in done.stdout + done.stderr
        assert len(done.stderr.strip().splitlines()) == 1 and "PGPASSWORD" in done.stderr


def test_other_schemes_and_urls_without_a_database_are_refused():
    assert "mysql:// URL is not supported" in failure("mysql://auditor@db.example/camaudit")
    assert "names no database" in failure("postgresql+psycopg://auditor@db.example")


def test_the_printed_form_of_a_socket_url_is_as_typed():
    location = parse_pg_url("postgresql:///camaudit?host=/run/postgresql")
    assert str(location) == "postgresql+psycopg:///camaudit?host=/run/postgresql" and location.name == "camaudit"


def test_server_failures_are_one_sentence_each(pg_cluster, tmp_path):
    socket = pg_cluster.socket_dir
    assert "does not exist on that server; create it (createdb nosuchdb)" in failure(
        f"postgresql+psycopg://camaudit@/nosuchdb?host={socket}")
    assert "has no user ghost; create it (createuser ghost)" in failure(
        f"postgresql+psycopg://ghost@/postgres?host={socket}")
    assert "Cannot connect to the PostgreSQL server" in failure(
        f"postgresql+psycopg://camaudit@/camaudit?host={tmp_path}")


def test_readers_need_an_existing_camaudit_database(pg_cluster):
    empty = pg_cluster.create_database(migrated=False)
    try:
        url = pg_cluster.url(empty)
        assert "holds no camaudit data yet" in failure(url, read_only=True)
        with open_store(url) as store:                # a writer creates the schema
            record_run_started(store, targets=["x"], options=OPTIONS)
        with open_store(url, read_only=True) as store:
            assert len(list_runs(store)) == 1 and store.read_only and store.dialect == "postgresql"
    finally:
        pg_cluster.drop_database(empty)


def test_db_status_and_camaudit_db_as_the_default(pg_url):
    from models.migrate import head_revision

    done = camaudit("db", "status", env={"CAMAUDIT_DB": pg_url})
    assert done.returncode == 0, done.stderr
    assert f"Revision: {head_revision()}" in done.stdout and "Pending:  none" in done.stdout


def test_the_password_comes_from_pgpassword_or_pgpass_and_a_refusal_is_one_sentence(pg_cluster, monkeypatch,
                                                                                     tmp_path):
    from tests.pgcluster import PASSWORD_USER

    name = pg_cluster.create_database(migrated=False)
    with pg_cluster.admin() as admin:
        admin.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{SECRET}'")
        admin.execute(f"ALTER DATABASE {name} OWNER TO {PASSWORD_USER}")
    try:
        url = f"postgresql+psycopg://{PASSWORD_USER}@/{name}?host={pg_cluster.socket_dir}"
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
        monkeypatch.setenv("PGPASSWORD", "wrong")
        refused = failure(url)
        assert f"refused the login of user {PASSWORD_USER}" in refused and "PGPASSWORD" in refused
        monkeypatch.setenv("PGPASSWORD", SECRET)
        with open_store(url) as store:                # the schema is created by the password role
            record_run_started(store, targets=["x"], options=OPTIONS)
        monkeypatch.delenv("PGPASSWORD")
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"*:*:*:{PASSWORD_USER}:{SECRET}\n")
        pgpass.chmod(0o600)
        monkeypatch.setenv("PGPASSFILE", str(pgpass))
        with open_store(url, read_only=True) as store:
            assert len(list_runs(store)) == 1
    finally:
        pg_cluster.drop_database(name)
        with pg_cluster.admin() as admin:
            admin.execute(f"DROP ROLE IF EXISTS {PASSWORD_USER}")


def test_a_user_without_rights_gets_one_sentence(pg_cluster):
    name = pg_cluster.create_database(migrated=False)
    with pg_cluster.admin() as admin:
        admin.execute("CREATE ROLE visitor LOGIN")          # PostgreSQL 15: no CREATE on schema public
    try:
        message = failure(f"postgresql+psycopg://visitor@/{name}?host={pg_cluster.socket_dir}")
        assert "PostgreSQL user visitor may not use the database" in message and "grant" in message
    finally:
        pg_cluster.drop_database(name)
        with pg_cluster.admin() as admin:
            admin.execute("DROP ROLE IF EXISTS visitor")
