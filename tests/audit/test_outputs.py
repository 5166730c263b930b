"""`camaudit report --out` through the real CLI: special files are written through or refused,
never replaced by a regular file; "-" is standard output; a replaced report keeps its mode."""

from __future__ import annotations

import os
import stat
import threading

import pytest

from tests.audit.test_cli import camaudit


@pytest.fixture(scope="module")
def audited_db(tmp_path_factory):
    """A database with one real audit of one simulated camera."""
    from device_simulators import bundled_profile
    from tests.conftest import start_on_free_subnet

    fleet = start_on_free_subnet([bundled_profile("amcrest-no-password")])
    db = tmp_path_factory.mktemp("out") / "camaudit.db"
    result = camaudit("audit", fleet.devices[0].address, "--no-discover", "--db", str(db))
    fleet.stop()
    assert result.returncode == 0, result.stderr
    return db


def report(db, *args: str):
    return camaudit("report", "--db", str(db), "--format", "json", *args)


def test_dev_null_stays_a_character_device(audited_db):
    before = os.stat("/dev/null")
    result = report(audited_db, "--out", "/dev/null")
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_mode == before.st_mode
    assert result.stdout == ""                     # no path printed for a device


def test_dash_and_dev_stdout_write_the_report_to_standard_output(audited_db):
    for out in ("-", "/dev/stdout"):
        result = report(audited_db, "--out", out)
        assert result.returncode == 0, result.stderr
        assert result.stdout.lstrip().startswith("{") and result.stdout.rstrip().endswith("}")


def test_a_fifo_is_written_through_and_stays_a_fifo(audited_db, tmp_path):
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = report(audited_db, "--out", str(fifo))
    reader.join(timeout=30)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received and received[0].lstrip().startswith(b"{")


def test_a_symlink_is_refused_unless_asked_and_then_stays_a_link(audited_db, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("keep me")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    refused = report(audited_db, "--out", str(link))
    assert refused.returncode == 2
    lines = [line for line in refused.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "symbolic link" in lines[0] and "--follow-symlinks" in lines[0]
    assert target.read_text() == "keep me" and link.is_symlink()
    followed = report(audited_db, "--out", str(link), "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert link.is_symlink() and target.read_text().lstrip().startswith("{")


def test_a_replaced_report_keeps_its_mode_and_a_new_one_follows_the_umask(audited_db, tmp_path):
    existing = tmp_path / "old.json"
    existing.write_text("old")
    existing.chmod(0o644)
    assert report(audited_db, "--out", str(existing)).returncode == 0
    assert stat.S_IMODE(existing.stat().st_mode) == 0o644 and existing.read_text().startswith("{")
    new = tmp_path / "new.json"
    result = report(audited_db, "--out", str(new))
    assert result.returncode == 0 and result.stdout.strip() == str(new)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~mask
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]    # no temporary file left


def test_a_folder_or_socket_is_refused_in_one_line(audited_db, tmp_path):
    import socket

    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        for out, says in ((tmp_path, "folder"), (sock_path, "socket")):
            result = report(audited_db, "--out", str(out))
            assert result.returncode == 2
            lines = [line for line in result.stderr.splitlines() if line.strip()]
            assert len(lines) == 1 and says in lines[0], result.stderr
        assert stat.S_ISSOCK(os.lstat(sock_path).st_mode)
    finally:
        server.close()
