"""Credentials for the audit: a TOML file of accounts matched to devices by address or CIDR.

    [[account]]
    targets = ["192.168.10.0/24", "192.168.20.7"]   # addresses or CIDRs; "*" matches every device
    user = "auditor"
    password_env = "CAMAUDIT_PASSWORD"               # or: password = "..." (kept out of logs either way)

Several entries may match one device: they become candidate accounts, most specific match first,
and each is tried at most once per device per run (probes/login.py). Passwords live only in
memory for the run: never stored, logged or printed.
"""

from __future__ import annotations

import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import CredentialsError
from probes.login import Credentials

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class AccountRule:
    networks: tuple[Network, ...]     # empty = every device
    credentials: Credentials

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

    def for_address(self, address: str) -> list[Credentials]:
        """Candidate accounts for a device, most specific rule first, no duplicates."""
        try:
            ranked = [(spec, i, r) for i, r in enumerate(self.rules)
                      if (spec := r.specificity(address)) is not None]
        except ValueError:
            ranked = [(-1, i, r) for i, r in enumerate(self.rules) if not r.networks]
        seen: set[tuple[str, str]] = set()
        result = []
        for _, _, rule in sorted(ranked, key=lambda t: (-t[0], t[1])):
            key = (rule.credentials.user, rule.credentials.password)
            if key not in seen:
                seen.add(key)
                result.append(rule.credentials)
        return result

    def __len__(self) -> int:
        return len(self.rules)


def _password(entry: dict, where: str) -> str:
    if "password_env" in entry:
        name = str(entry["password_env"])
        value = os.environ.get(name)
        if value is None:
            raise CredentialsError(f"{where} takes its password from the environment variable {name}, "
                                   "which is not set. Export it before running the audit.")
        return value
    if "password" in entry:
        return str(entry["password"])
    raise CredentialsError(f"{where} has no password or password_env. Add one of them.")


def _networks(entry: dict, where: str) -> tuple[Network, ...]:
    targets = entry.get("targets", ["*"])
    if isinstance(targets, str):
        targets = [targets]
    networks = []
    for target in targets:
        if target == "*":
            return ()
        try:
            networks.append(ipaddress.ip_network(str(target), strict=False))
        except ValueError as exc:
            raise CredentialsError(f"{where} lists '{target}', which is not an address or CIDR "
                                   "(use e.g. 192.168.1.20 or 192.168.1.0/24, or \"*\").") from exc
    return tuple(networks)


def load_credentials(path: str | Path) -> CredentialBook:
    """Read a credentials file; every problem becomes one CredentialsError sentence."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CredentialsError(f"Cannot read the credentials file {path}: no such file.") from exc
    except PermissionError as exc:
        raise CredentialsError(f"Cannot read the credentials file {path}: permission denied.") from exc
    except IsADirectoryError as exc:
        raise CredentialsError(f"The credentials file {path} is a directory; give the path of a TOML file.") from exc
    except UnicodeDecodeError as exc:
        raise CredentialsError(f"The credentials file {path} is not UTF-8 text.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CredentialsError(f"The credentials file {path} is not valid TOML ({exc}).") from exc
    entries = data.get("account")
    if not isinstance(entries, list) or not entries:
        raise CredentialsError(f"The credentials file {path} has no [[account]] entries; see `camaudit audit --help`.")
    rules = []
    for number, entry in enumerate(entries, 1):
        where = f"Account entry {number} in {path}"
        if not isinstance(entry, dict) or not entry.get("user"):
            raise CredentialsError(f"{where} has no user. Add user = \"...\".")
        rules.append(AccountRule(_networks(entry, where), Credentials(str(entry["user"]), _password(entry, where))))
    return CredentialBook(tuple(rules))


def single_account(user: str, password_env: str | None) -> CredentialBook:
    """--user U --password-env VAR: one account for every device."""
    if not password_env:
        raise CredentialsError("--user needs --password-env VAR naming the environment variable that holds "
                               "the password (passwords are never taken on the command line).")
    password = os.environ.get(password_env)
    if password is None:
        raise CredentialsError(f"The environment variable {password_env} given with --password-env is not set.")
    return CredentialBook((AccountRule((), Credentials(user, password)),))


def merge(*books: CredentialBook) -> CredentialBook:
    return CredentialBook(tuple(r for b in books for r in b.rules))
