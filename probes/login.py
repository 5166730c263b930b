"""Credentials and the per-device login state that makes camaudit lockout-safe.

Hikvision locks an account after `maxIllegalLoginTimes` failures (default 7, as low as 3);
Dahua after about 5. camaudit therefore makes at most ONE failed login per account per device
per run, across every protocol (a failed ONVIF login and a failed ISAPI login count against the
same account on the device). Once an account is rejected it is never sent to that device again
in the run; once one works, every protocol uses it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


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
