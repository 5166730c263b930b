"""Credentials for the audit: a TOML file of accounts matched to devices by address or CIDR.

    [[account]]
    targets = ["192.168.10.0/24", "192.168.20.7"]   # addresses or CIDRs; "*" matches every device
    user = "auditor"
    password_env = "CAMAUDIT_PASSWORD"               # or: password = "..." (kept out of logs either way)

The file is validated strictly: only the keys targets (required), user, and one of password or
password_env; each of its type. A typo such as `target = [...]` is an error naming the key and
its line, never a silent "every device". No message ever shows a value from the file.

Several entries may match one device: they become candidate accounts, most specific match first,
one per user name, each tried at most once per device per run (probes/login.py). Two entries that
give one user different passwords for overlapping targets (an old and a new password) are a
warning: only the first that matches a device is tried. Passwords live only in memory for the
run: never stored, logged or printed.
"""

from __future__ import annotations

import getpass
import ipaddress
import os
import re
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.run.userfiles import read_user_text
from models.errors import CredentialsError
from probes.login import Credentials

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


@dataclass(frozen=True)
class AccountRule:
    networks: tuple[Network, ...]     # empty = every device
    credentials: Credentials
    label: str = "an account"         # where it came from, for warnings: "account entry 2 in site.toml"

    def specificity(self, address: str) -> int | None:
        """Prefix length of the best matching network, -1 for a wildcard, None for no match."""
        if not self.networks:
            return -1
        ip = ipaddress.ip_address(address)
        lengths = [n.prefixlen for n in self.networks if ip.version == n.version and ip in n]
        return max(lengths) if lengths else None


@dataclass(frozen=True)
class CredentialBook:
    rules: tuple[AccountRule, ...] = ()
    warnings: tuple[str, ...] = ()     # printed on stderr by the CLI; never hold a password

    def for_address(self, address: str) -> list[Credentials]:
        """Candidate accounts for a device, most specific rule first, one per user name.

        A device gets one failed login per user name (probes/login.py), so a second password for
        the same user could never be tried: it is left out here, and `warnings` says so.
        """
        try:
            ranked = [(spec, i, r) for i, r in enumerate(self.rules)
                      if (spec := r.specificity(address)) is not None]
        except ValueError:
            ranked = [(-1, i, r) for i, r in enumerate(self.rules) if not r.networks]
        seen: set[str] = set()
        result = []
        for _, _, rule in sorted(ranked, key=lambda t: (-t[0], t[1])):
            if rule.credentials.user not in seen:
                seen.add(rule.credentials.user)
                result.append(rule.credentials)
        return result

    def __len__(self) -> int:
        return len(self.rules)


class AccountEntry(BaseModel):
    """One [[account]] entry as written: exactly these keys, each of its type (pydantic, strict)."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    targets: list[str] | str
    user: str = Field(min_length=1)
    password: str | None = Field(default=None, min_length=1)
    password_env: str | None = Field(default=None, pattern=_ENV_NAME)


_EXPECTED = {
    "targets": 'a list of addresses or CIDRs in quotes, e.g. targets = ["192.168.1.0/24"] (["*"] for every device)',
    "user": 'a user name in quotes, e.g. user = "admin"',
    "password": 'the password in quotes (or use password_env = "VAR")',
    "password_env": 'the name of an environment variable in quotes, e.g. password_env = "CAMAUDIT_PASSWORD"',
}
KEYS = tuple(_EXPECTED)


def _lines(text: str) -> tuple[list[int], list[str]]:
    """Line numbers of the [[account]] headers, and the file's lines (for naming where a key is)."""
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines, 1) if re.match(r"\s*\[\[\s*account\s*\]\]", line)]
    return headers, lines


class _Where:
    """Names an entry (and a key's line, when the file is laid out with [[account]] headers)."""

    def __init__(self, source: str, text: str, count: int) -> None:
        self.source = source
        headers, self.lines = _lines(text)
        self.headers = headers if len(headers) == count else []

    def entry(self, number: int) -> str:
        line = f" (line {self.headers[number - 1]})" if self.headers else ""
        return f"Account entry {number}{line} in {self.source}"

    def key(self, number: int, key: str) -> str:
        if not self.headers:
            return self.entry(number)
        start = self.headers[number - 1]
        end = self.headers[number] if number < len(self.headers) else len(self.lines) + 1
        pattern = re.compile(rf"\s*[\"']?{re.escape(key)}[\"']?\s*=")
        for n in range(start + 1, end):
            if pattern.match(self.lines[n - 1]):
                return f"Account entry {number} (line {n}) in {self.source}"
        return self.entry(number)


def _entry_error(where: _Where, number: int, exc: ValidationError) -> CredentialsError:
    """The first problem as one sentence; never the value (it may be a password)."""
    errors = exc.errors(include_input=False, include_url=False)
    error = next((e for kind in ("extra_forbidden", "missing") for e in errors if e["type"] == kind), errors[0])
    key = str(error["loc"][0]) if error["loc"] else ""
    if error["type"] == "extra_forbidden":
        hint = {"target": "targets", "users": "user", "username": "user", "pass": "password",
                "passwd": "password", "pw": "password", "password_var": "password_env"}.get(key.lower())
        did_you = f" (did you mean {hint}?)" if hint else ""
        return CredentialsError(f"{where.key(number, key)} has the unknown key '{_safe(key)}'{did_you}; "
                                f"the keys are {', '.join(KEYS)}.")
    if error["type"] == "missing":
        if key == "targets":
            return CredentialsError(f"{where.entry(number)} has no targets; add {_EXPECTED['targets']}.")
        return CredentialsError(f"{where.entry(number)} has no {key}; add {_EXPECTED.get(key, key)}.")
    if key in _EXPECTED:
        return CredentialsError(f"{where.key(number, key)}: {key} must be {_EXPECTED[key]}.")
    return CredentialsError(f"{where.entry(number)} is not valid: {error['msg']}.")


def _safe(key: str) -> str:
    """A key as typed, shortened and printable (a key is never a secret, but may be garbage)."""
    shown = "".join(c if c.isprintable() else "?" for c in key)
    return shown if len(shown) <= 40 else shown[:40] + "..."


def _password(entry: AccountEntry, where: str) -> str:
    if entry.password is not None and entry.password_env is not None:
        raise CredentialsError(f"{where} has both password and password_env; keep only one of them.")
    if entry.password_env is not None:
        value = os.environ.get(entry.password_env)
        if value is None:
            raise CredentialsError(f"{where} takes its password from the environment variable "
                                   f"{entry.password_env}, which is not set; export it before running the audit.")
        return value
    if entry.password is not None:
        return entry.password
    raise CredentialsError(f"{where} has no password or password_env; add one of them.")


def _networks(entry: AccountEntry, where: str) -> tuple[Network, ...]:
    targets = [entry.targets] if isinstance(entry.targets, str) else entry.targets
    if not targets:
        raise CredentialsError(f"{where} has an empty targets list; list addresses or CIDRs, or \"*\" for "
                               "every device.")
    if "*" in targets:
        return ()
    networks = []
    for target in targets:
        try:
            networks.append(ipaddress.ip_network(target.strip(), strict=False))
        except ValueError as exc:
            raise CredentialsError(f"{where} lists '{_safe(target)}' in targets, which is not an address or CIDR "
                                   "(use e.g. 192.168.1.20 or 192.168.1.0/24, or \"*\").") from exc
    return tuple(networks)


def _overlap(a: AccountRule, b: AccountRule) -> bool:
    if not a.networks or not b.networks:
        return True
    return any(x.version == y.version and x.overlaps(y) for x in a.networks for y in b.networks)  # type: ignore[arg-type]


def conflicts(rules: tuple[AccountRule, ...] | list[AccountRule]) -> tuple[str, ...]:
    """Same user, different passwords, overlapping targets: only the first that matches a device is tried."""
    warnings = []
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            if a.credentials.user == b.credentials.user and a.credentials.password != b.credentials.password \
                    and _overlap(a, b):
                warnings.append(
                    f"{a.label} and {b.label} give the user '{_safe(a.credentials.user)}' different passwords "
                    "for overlapping targets; only the first that matches a device is tried (one failed login "
                    "per account per device), so remove the out-of-date one.")
    return tuple(warnings)


def parse_credentials(text: str, source: str = "the credentials file") -> CredentialBook:
    """Parse credentials TOML text; every problem becomes one CredentialsError sentence."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"The credentials file {source} is not valid TOML ({exc}).") from exc
    unknown = [k for k in data if k != "account"]
    if unknown:
        raise CredentialsError(f"The credentials file {source} has the unknown top-level key '{_safe(unknown[0])}'; "
                               "it holds only [[account]] entries.")
    entries = data.get("account")
    if not isinstance(entries, list) or not entries:
        raise CredentialsError(f"The credentials file {source} has no [[account]] entries; "
                               "see `camaudit audit --help`.")
    where = _Where(source, text, len(entries))
    rules = []
    for number, raw in enumerate(entries, 1):
        if not isinstance(raw, dict):
            raise CredentialsError(f"{where.entry(number)} is not a table; write it as [[account]] with keys "
                                   f"{', '.join(KEYS)}.")
        try:
            entry = AccountEntry.model_validate(raw)
        except ValidationError as exc:
            raise _entry_error(where, number, exc) from None      # from None: pydantic's text may hold the value
        rules.append(AccountRule(_networks(entry, where.entry(number)),
                                 Credentials(entry.user, _password(entry, where.entry(number))),
                                 f"account entry {number} in {source}"))
    return CredentialBook(tuple(rules), conflicts(rules))


def load_credentials(path: str | Path) -> CredentialBook:
    """Read a credentials file; every problem becomes one CredentialsError sentence."""
    path = Path(path)
    text = read_user_text(path, "credentials file", CredentialsError, kind_hint="a TOML file")
    return parse_credentials(text, str(path))


def single_account(user: str, password_env: str | None, *, prompt: bool = False,
                   read: Callable[[str], str] = getpass.getpass,
                   is_terminal: Callable[[], bool] = lambda: sys.stdin.isatty()) -> CredentialBook:
    """--user U with --password-env VAR or --password-prompt: one account for every device.

    The prompt reads from the terminal without echo (getpass); without a terminal (a pipe, cron)
    it is refused rather than reading a password from a stream a script may have echoed.
    """
    if prompt and password_env:
        raise CredentialsError("Give either --password-env or --password-prompt, not both.")
    if not user:
        option = "--password-prompt" if prompt else "--password-env"
        raise CredentialsError(f"{option} needs --user naming the account the password belongs to.")
    if prompt:
        if not is_terminal():
            raise CredentialsError("--password-prompt needs a terminal to type the password in, and standard "
                                   "input is not one; in scripts use --password-env VAR or a credentials file.")
        try:
            password = read(f"Password for {_safe(user)}: ")
        except EOFError:
            password = ""
        if not password:
            raise CredentialsError("No password was typed at the --password-prompt; run again and type it, or "
                                   "leave out --user to audit without logging in.")
        return CredentialBook((AccountRule((), Credentials(user, password), "--user"),))
    if not password_env:
        raise CredentialsError("--user needs --password-env VAR naming the environment variable that holds "
                               "the password, or --password-prompt to type it (passwords are never taken on "
                               "the command line).")
    password = os.environ.get(password_env)
    if password is None:
        raise CredentialsError(f"The environment variable {password_env} given with --password-env is not set.")
    return CredentialBook((AccountRule((), Credentials(user, password), "--user"),))


def merge(*books: CredentialBook) -> CredentialBook:
    """One book from several (the file, then --user), warning about conflicts between them too."""
    rules = tuple(r for b in books for r in b.rules)
    return CredentialBook(rules, conflicts(rules))
