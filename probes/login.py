"""Credentials and the per-device login state that makes camaudit lockout-safe.

Hikvision locks an account after `maxIllegalLoginTimes` failures (default 7, as low as 3);
Dahua after about 5. camaudit therefore makes at most ONE failed login per account per device
per run, across every protocol (a failed ONVIF login and a failed ISAPI login count against the
same account on the device). Once an account is rejected it is never sent to that device again
in the run; once one works, every protocol uses it.

Not every 401 is a wrong password (issue 10): a digest challenge camaudit cannot answer sends no
password at all (`unanswerable_digest`), `stale=true` says the password was right and the nonce
old, and real firmware refuses some resources to a working account. `refused_resource` keeps the
last case bounded: a refusal is that resource's outcome only when the account has worked since
its previous refusal; two in a row mean the account itself stopped working, and it is dropped.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from requests.utils import parse_dict_header

# What requests' HTTPDigestAuth can answer (RFC 7616 names); anything else gets no header at all.
DIGEST_ALGORITHMS = frozenset({"MD5", "MD5-SESS", "SHA", "SHA-256", "SHA-512"})


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str = field(repr=False)

    def __repr__(self) -> str:
        return f"Credentials(user={self.user!r}, password=***)"

    __str__ = __repr__


@dataclass
class LoginState:
    """Which accounts we may still try on one device, and which one works."""

    candidates: list[Credentials] = field(default_factory=list)
    confirmed: Credentials | None = None
    rejected: set[str] = field(default_factory=set)       # users whose one attempt failed
    locked: bool = False
    no_auth: bool = False                                  # the device answered without credentials
    refusals: dict[str, int] = field(default_factory=dict)  # resource 401s since the account last worked
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def current(self) -> Credentials | None:
        """The account to use next: the confirmed one, else the first not yet rejected."""
        with self._lock:
            if self.locked:
                return None
            if self.confirmed is not None:
                return self.confirmed
            return next((c for c in self.candidates if c.user not in self.rejected), None)

    def confirm(self, credentials: Credentials) -> None:
        with self._lock:
            self.confirmed = credentials

    def reject(self, credentials: Credentials) -> None:
        """Record the one failed attempt this account gets on this device."""
        with self._lock:
            self.rejected.add(credentials.user)
            if self.confirmed == credentials:
                self.confirmed = None

    def worked(self, credentials: Credentials) -> None:
        """The account was accepted (again): a later resource refusal is that resource's own."""
        with self._lock:
            self.refusals.pop(credentials.user, None)

    def refused_resource(self, credentials: Credentials) -> bool:
        """A confirmed account got a 401 on one resource. True: count it as that resource's
        outcome. False: the second refusal in a row; the account is rejected from now on."""
        with self._lock:
            count = self.refusals.get(credentials.user, 0) + 1
            self.refusals[credentials.user] = count
        if count > 1:
            self.reject(credentials)
            return False
        return True

    def mark_locked(self) -> None:
        with self._lock:
            self.locked = True

    @property
    def outcome(self) -> str | None:
        """The audit's `auth` field: ok | failed | not-required | locked | None (never tried)."""
        if self.locked:
            return "locked"
        if self.confirmed is not None:
            return "ok"
        if self.no_auth:
            return "not-required"
        if self.rejected:
            return "failed"
        return None


def digest_params(challenge: str) -> dict[str, str]:
    """The parameters of a `Digest ...` WWW-Authenticate value, names lower-cased."""
    _, _, rest = challenge.strip().partition(" ")
    try:
        return {k.lower(): (v or "") for k, v in parse_dict_header(rest).items()}
    except ValueError:
        return {}


def unanswerable_digest(challenge: str) -> str | None:
    """Why camaudit cannot answer this digest challenge (so sent no password), or None."""
    params = digest_params(challenge)
    algorithm = params.get("algorithm", "MD5").strip()
    if algorithm.upper() not in DIGEST_ALGORITHMS:
        return f"digest algorithm {algorithm[:40]}"
    qop = params.get("qop")
    if qop is not None and "auth" not in [q.strip().lower() for q in qop.split(",")]:
        return f"digest qop={qop[:40]}"
    return None


def is_stale(challenge: str) -> bool:
    return digest_params(challenge).get("stale", "").strip().lower() == "true"
