"""Authentication the way camera firmware does it: HTTP Digest (RFC 2617/7616 MD5, qop=auth),
optional Basic, WS-Security UsernameToken digest for ONVIF, nonce expiry and account lockout.

One AuthGate per device is shared by every protocol server of that device, so a failed ONVIF
login and a failed ISAPI login count towards the same lockout, as they do on Hikvision
firmware (`SecurityCap/maxIllegalLoginTimes`, default 7, lock 30 minutes).
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import threading
import time
from dataclasses import dataclass

from device_simulators.profile import Account, Profile

_PARAM_RE = re.compile(r'(\w+)=(?:"((?:[^"\\]|\\.)*)"|([^,\s]+))')


@dataclass(frozen=True)
class AuthResult:
    outcome: str              # ok | failed | challenge | not-required | locked | stale
    user: str | None = None
    account: Account | None = None

    @property
    def ok(self) -> bool:
        return self.outcome in ("ok", "not-required")


def parse_auth_params(header: str) -> dict[str, str]:
    """Parse the key=value list of a Digest Authorization header."""
    return {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
            for m in _PARAM_RE.finditer(header)}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - RFC 2617 mandates MD5


class AuthGate:
    """Checks credentials for one device and keeps its nonce and lockout state."""

    def __init__(self, profile: Profile, clock: float = 0.0) -> None:
        self.profile = profile
        self.realm = self._realm(profile)
        self._lock = threading.Lock()
        self._nonces: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        self._locked_until: dict[str, float] = {}
        expiry = profile.quirk("nonce_expiry")
        self.nonce_lifetime = float(expiry.params.get("seconds", 5)) if expiry else None
        lockout = profile.quirk("lockout")
        self.max_failures = int(lockout.params.get("max_failures", 7)) if lockout else None
        self.lock_seconds = float(lockout.params.get("lock_seconds", 1800)) if lockout else 0.0

    @staticmethod
    def _realm(profile: Profile) -> str:
        override = (profile.raw.get("auth") or {}).get("realm")
        if override:
            return str(override)
        # Dahua and its OEMs leak the serial in the realm (`Login to <serial>`). Hikvision cameras say
        # `IP Camera(` + five characters + `)`: C2183, J2914, L4906 in public RTSP/HTTP captures, the
        # batch letter and four digits of the short serial by the look of them; here the five
        # characters that start the nine-character short serial. Hikvision recorders name their
        # model (PROTOCOLS.md "Real firmware varies"); `DVRNVRDVS` is also seen (set it with realm:).
        if profile.speaks("dahua_cgi"):
            return f"Login to {profile.identity.serial}"
        if profile.speaks("isapi"):
            if profile.identity.device_type == "nvr":
                return profile.identity.model.split("/", 1)[0]
            return "IP Camera(" + profile.identity.serial[-9:-4] + ")"
        return f"{profile.identity.manufacturer} {profile.identity.model}"

    # -- accounts and lockout ------------------------------------------------------------
    def account(self, user: str) -> Account | None:
        return next((a for a in self.profile.accounts if a.user == user), None)

    def is_locked(self, user: str) -> bool:
        with self._lock:
            until = self._locked_until.get(user)
            if until and until > time.monotonic():
                return True
            if until:
                self._locked_until.pop(user, None)
                self._failures.pop(user, None)
            return False

    def _fail(self, user: str) -> AuthResult:
        with self._lock:
            count = self._failures.get(user, 0) + 1
            self._failures[user] = count
            if self.max_failures is not None and count >= self.max_failures:
                self._locked_until[user] = time.monotonic() + self.lock_seconds
        return AuthResult("failed", user=user)

    def _succeed(self, account: Account) -> AuthResult:
        with self._lock:
            self._failures.pop(account.user, None)
        return AuthResult("ok", user=account.user, account=account)

    # -- HTTP Digest / Basic -------------------------------------------------------------
    def new_nonce(self) -> str:
        nonce = base64.b64encode(os.urandom(18)).decode()
        with self._lock:
            self._nonces[nonce] = time.monotonic()
        return nonce

    def challenge_headers(self, stale: bool = False) -> list[tuple[str, str]]:
        """WWW-Authenticate header(s) for a 401."""
        if self.profile.auth_scheme == "basic" or self.profile.quirk("basic_only"):
            return [("WWW-Authenticate", f'Basic realm="{self.realm}"')]
        value = (f'Digest realm="{self.realm}", qop="auth", nonce="{self.new_nonce()}", '
                 f'opaque="{hashlib.sha1(self.realm.encode()).hexdigest()[:16]}", algorithm=MD5')
        if stale:
            value += ", stale=true"
        return [("WWW-Authenticate", value)]

    def check_http(self, method: str, header: str | None) -> AuthResult:
        """Check an HTTP Authorization header against the profile's accounts."""
        if self.profile.auth_scheme == "none":
            return AuthResult("not-required")
        if not header:
            return AuthResult("challenge")
        scheme, _, rest = header.partition(" ")
        if scheme.lower() == "basic":
            return self._check_basic(rest)
        if scheme.lower() == "digest" and not self.profile.quirk("basic_only") \
                and self.profile.auth_scheme == "digest":
            return self._check_digest(method, parse_auth_params(rest))
        return AuthResult("challenge")

    def _check_basic(self, token: str) -> AuthResult:
        if self.profile.auth_scheme != "basic" and not self.profile.quirk("basic_only"):
            return AuthResult("challenge")
        try:
            user, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (ValueError, UnicodeDecodeError):
            return AuthResult("challenge")
        if self.is_locked(user):
            return AuthResult("locked", user=user)
        account = self.account(user)
        if account and account.password == password:
            return self._succeed(account)
        return self._fail(user)

    def _check_digest(self, method: str, p: dict[str, str]) -> AuthResult:
        user = p.get("username", "")
        if self.is_locked(user):
            return AuthResult("locked", user=user)
        nonce = p.get("nonce", "")
        with self._lock:
            issued = self._nonces.get(nonce)
        if issued is None:
            return AuthResult("challenge", user=user)
        account = self.account(user)
        if account is None:
            return self._fail(user)
        ha1 = _md5(f"{user}:{self.realm}:{account.password}")
        ha2 = _md5(f"{method}:{p.get('uri', '')}")
        if p.get("qop"):
            expected = _md5(f"{ha1}:{nonce}:{p.get('nc', '')}:{p.get('cnonce', '')}:{p['qop']}:{ha2}")
        else:
            expected = _md5(f"{ha1}:{nonce}:{ha2}")
        if expected != p.get("response"):
            return self._fail(user)
        # Expiry is only reported to a client that otherwise got it right, as firmware does:
        # the client then retries with the fresh nonce without counting a failure.
        if self.nonce_lifetime is not None and time.monotonic() - issued > self.nonce_lifetime:
            with self._lock:
                self._nonces.pop(nonce, None)
            return AuthResult("stale", user=user)
        return self._succeed(account)

    # -- WS-Security UsernameToken (ONVIF) ----------------------------------------------
    def check_wsse(self, user: str, password_digest: str | None, password_text: str | None,
                   nonce_b64: str | None, created: str | None) -> AuthResult:
        """Check a UsernameToken: digest = Base64(SHA1(nonce + created + password))."""
        if self.profile.auth_scheme == "none":
            return AuthResult("not-required")
        if self.is_locked(user):
            return AuthResult("locked", user=user)
        account = self.account(user)
        if account is None:
            return self._fail(user)
        if password_digest is not None:
            try:
                nonce = base64.b64decode(nonce_b64 or "")
            except ValueError:
                return self._fail(user)
            raw = nonce + (created or "").encode() + account.password.encode()
            expected = base64.b64encode(hashlib.sha1(raw).digest()).decode()  # noqa: S324 - WS-Security
            ok = expected == password_digest
        else:
            ok = password_text == account.password
        return self._succeed(account) if ok else self._fail(user)
