"""User input is checked before anything happens, in one line, and no input holding a password is echoed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

SECRET = "Secr3t"


def run_in(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "auditor.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "PYTHONPATH": os.getcwd()})


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("args", [
    ["audit", f"http://admin:{SECRET}@127.0.0.1/"],
    ["audit", "127.0.0.1", f"https://admin:{SECRET}@127.0.0.2:8443/x"],
    ["discover", f"http://admin:{SECRET}@127.0.0.1/"],
])
def test_a_url_with_a_password_is_refused_and_never_echoed(tmp_path, args):
    result = run_in(tmp_path, *args)
    line = one_line(result)
    assert "contains credentials" in line and "***" in line
    assert SECRET not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []            # validated before the database was opened


@pytest.mark.parametrize(("args", "says"), [
    (["audit", "127.0.0.1", "--timeout", "nan"], "'nan' is not a number of seconds above 0"),
    (["audit", "127.0.0.1", "--timeout", "inf"], "'inf' is not a number of seconds above 0"),
    (["audit", "127.0.0.1", "--timeout", "-1"], "'-1' is not a number of seconds above 0"),
    (["audit", "127.0.0.1", "--concurrency", "0"], "'0' is not a whole number of at least 1"),
    (["egress", "watch", "-i", "lo", "--duration", "0"], "'0' is not a length of time above 0"),
    (["egress", "watch", "-i", "lo", "--duration", "-1"], "'-1' is not a length of time above 0"),
    (["audit", "::1:80"], "write [::1]:80 for port 80 on ::1"),
    (["audit", "10.0.0.300/24"], "is not an address, host name, CIDR, range or URL"),
    (["audit", "cam..bad"], "is not an address, host name, CIDR, range or URL"),
    (["audit", "--no-such-option", "127.0.0.1"], "Unrecognized arguments: --no-such-option"),
])
def test_bad_options_and_targets_are_one_line_and_create_no_database(tmp_path, args, says):
    line = one_line(run_in(tmp_path, *args))
    assert says in line, line
    assert list(tmp_path.iterdir()) == []


def test_a_bracketed_ipv6_address_with_a_port_is_accepted():
    from auditor.run.targets import parse_target

    entry = parse_target("[::1]:80", resolve=lambda h: h)
    assert entry.given is not None and (entry.given.address, entry.given.port) == ("::1", 80)
    assert parse_target("[::1:80]", resolve=lambda h: h).addresses == ("::1:80",)
    assert parse_target("2001:db8::10", resolve=lambda h: h).addresses == ("2001:db8::10",)


@pytest.mark.parametrize("args", [
    ["egress", "analyze", "no-such-capture.pcap"],
    ["egress", "watch", "-i", "no-such-interface0", "--duration", "1"],
    ["report"],
    ["diff"],
])
def test_commands_that_fail_on_their_input_create_no_database(tmp_path, args):
    result = run_in(tmp_path, *args)
    assert result.returncode in (1, 2), result.stderr
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
