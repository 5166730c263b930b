"""A throw-away PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster in a
temporary folder owned by an unprivileged user (root cannot run postgres), listening only on a Unix
socket in that folder (listen_addresses=''), trust authentication, stopped at the end.

One cluster per pytest process (each xdist worker starts its own); each test gets its own database,
copied from a template that already holds the migrated schema (CREATE DATABASE ... TEMPLATE is fast).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SUPERUSER = "camaudit"
TEMPLATE = "camaudit_template"
PASSWORD_USER = "pwuser"   # the one role that must give a password (tests of PGPASSWORD and ~/.pgpass)


class ClusterFailed(RuntimeError):
    """PostgreSQL could not be started: the PostgreSQL-parametrised tests fail (never skip) with this."""


def _bindir() -> Path:
    explicit = os.environ.get("CAMAUDIT_PG_BIN")
    candidates = [explicit] if explicit else sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                                                    key=lambda p: int(Path(p).parent.name))[::-1]
    for candidate in candidates:
        if candidate and (Path(candidate) / "initdb").exists():
            return Path(candidate)
    raise ClusterFailed("PostgreSQL's initdb was not found under /usr/lib/postgresql/*/bin; "
                        "install Debian's postgresql package (make test does) or set CAMAUDIT_PG_BIN.")


def _run_as() -> dict[str, object]:
    """subprocess arguments that drop root to `nobody`; nothing when already unprivileged."""
    if os.geteuid() != 0:
        return {}
    nobody = pwd.getpwnam("nobody")
    return {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}


@dataclass
class Cluster:
    root: Path
    bindir: Path
    _names: itertools.count = field(default_factory=itertools.count)

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@/{database}?host={self.socket_dir}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket_dir), user=SUPERUSER, dbname="postgres", autocommit=True)

    @classmethod
    def start(cls) -> Cluster:
        bindir = _bindir()
        root = Path(tempfile.mkdtemp(prefix="camaudit-pg-"))
        root.chmod(0o755)
        cluster = cls(root, bindir)
        as_user = _run_as()
        for folder in (cluster.data_dir, cluster.socket_dir):
            folder.mkdir()
            if as_user:
                os.chown(folder, as_user["user"], as_user["group"])  # type: ignore[arg-type]
        log = root / "server.log"
        log.touch()
        if as_user:
            os.chown(log, as_user["user"], as_user["group"])  # type: ignore[arg-type]
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8"}
        steps = [
            [str(bindir / "initdb"), "-D", str(cluster.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
             "--no-sync", "--no-instructions"],
            [str(bindir / "pg_ctl"), "-D", str(cluster.data_dir), "-l", str(log), "-w", "-t", "60", "start",
             "-o", f"-c listen_addresses='' -k {cluster.socket_dir} -c fsync=off -c synchronous_commit=off "
                   f"-c full_page_writes=off -c max_connections=200"],
        ]
        for step in steps:
            if step[0].endswith("pg_ctl"):   # trust on the private socket, except for the password role
                hba = cluster.data_dir / "pg_hba.conf"
                hba.write_text(f"local all {PASSWORD_USER} scram-sha-256\nlocal all all trust\n")
            done = subprocess.run(step, capture_output=True, text=True, env=env, cwd=root, timeout=120,
                                  **as_user)  # type: ignore[call-overload]
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                shutil.rmtree(root, ignore_errors=True)
                raise ClusterFailed(f"{Path(step[0]).name} failed: {' | '.join(tail)} (log: {log})")
        cluster._make_template()
        return cluster

    def _make_template(self) -> None:
        from models.db import open_store

        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {TEMPLATE}")
        with open_store(self.url(TEMPLATE)):
            pass

    def create_database(self, *, migrated: bool = True) -> str:
        """A new empty database (or one holding the current schema) and its URL."""
        name = f"t{os.getpid()}_{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        subprocess.run([str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"],
                       capture_output=True, cwd=self.root, timeout=60, **_run_as())  # type: ignore[call-overload]
        shutil.rmtree(self.root, ignore_errors=True)
