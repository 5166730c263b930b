"""--password-prompt: the password is typed at a real terminal (a pty), never echoed, and logs in;
without a terminal it is refused in one line; combined wrongly with other options, one line too."""

from __future__ import annotations

import os
import pty
import select
import sys
import time

import pytest

from auditor.run.credentials import single_account
from models.db import open_store
from models.errors import CredentialsError
from models.store import list_run_devices, list_runs
from tests.audit.test_cli import camaudit


def run_in_terminal(argv: list[str], typed: str, timeout: float = 120.0) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its controlling terminal; type `typed` at the prompt."""
    pid, fd = pty.fork()
    if pid == 0:                                   # the child: becomes camaudit
        os.execv(sys.executable, [sys.executable, "-m", "auditor.cli", *argv])
    output, sent, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:                        # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        if not sent and b"Password for " in output:
            os.write(fd, typed.encode() + b"\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode(errors="replace")


def test_a_typed_password_logs_in_and_is_never_echoed(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    account = device.profile.accounts[0]
    db = tmp_path / "camaudit.db"
    code, screen = run_in_terminal(["audit", device.address, "--no-discover", "--user", account.user,
                                    "--password-prompt", "--db", str(db)], account.password)
    assert code == 0, screen
    assert f"Password for {account.user}: " in screen
    assert account.password not in screen                # getpass switched echo off
    with open_store(db, read_only=True) as store:
        (audit,) = list_run_devices(store, run_id=list_runs(store)[0].id)
    assert audit.auth == "ok"
    assert not device.log.failed_logins()


def test_without_a_terminal_the_prompt_is_refused_in_one_line(start_fleet, tmp_path):
    fleet = start_fleet("hik-school-bullet")
    device = fleet.devices[0]
    result = camaudit("audit", device.address, "--no-discover", "--user", "admin", "--password-prompt",
                      "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "camaudit: --password-prompt needs a terminal to type the password in, and standard input is not one; "
        "in scripts use --password-env VAR or a credentials file."]
    assert len(device.log) == 0 and not (tmp_path / "x.db").exists()


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"user": "admin", "password_env": "X", "prompt": True}, "either --password-env or --password-prompt"),
    ({"user": "", "password_env": None, "prompt": True}, "--password-prompt needs --user"),
    ({"user": "", "password_env": "X", "prompt": False}, "--password-env needs --user"),
    ({"user": "admin", "password_env": None, "prompt": False}, "or --password-prompt to type it"),
])
def test_options_that_do_not_fit_together_are_one_sentence(kwargs, says):
    with pytest.raises(CredentialsError, match=says):
        single_account(kwargs["user"], kwargs["password_env"], prompt=kwargs["prompt"], is_terminal=lambda: True,
                       read=lambda _: "pw")


def test_an_empty_or_ended_prompt_is_refused():
    def ended(_: str) -> str:
        raise EOFError
    for read in (lambda _: "", ended):
        with pytest.raises(CredentialsError, match="No password was typed"):
            single_account("admin", None, prompt=True, is_terminal=lambda: True, read=read)
    book = single_account("admin", None, prompt=True, is_terminal=lambda: True, read=lambda prompt: "s3cret")
    assert [c.password for c in book.for_address("10.0.0.1")] == ["s3cret"]
