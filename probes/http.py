"""A GET-only HTTP client for one device: digest auth, lockout safety, size caps, deadlines.

It has no method for anything but GET, so no probe can write to a device by mistake. Reading,
deadlines, keep-alive connections and the translation of urllib3 failures are probes/_transport.py's,
shared with the ONVIF POSTs and the fingerprint's clock request. The digest header itself is
requests' HTTPDigestAuth.build_digest_header (RFC 7616 MD5/SHA-256, qop=auth, nonce counting),
driven here without a requests.Session: the 401 handling below decides when it may answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from requests.auth import HTTPDigestAuth, _basic_auth_str
from requests.utils import parse_dict_header

from probes._budget import DeviceBudget
from probes._transport import Authorize, Limits, exchange, open_session, with_query
from probes.errors import (
    AccountLocked,
    AuthSchemeRefused,
    CredentialsNeeded,
    CredentialsRejected,
    DigestUnsupported,
    Forbidden,
    ResourceRefused,
    StaleNonceLoop,
    UnexpectedAnswer,
)
from probes.login import Credentials, LoginState, is_stale, unanswerable_digest

MAX_BODY = 2 << 20            # 2 MiB: the largest real ISAPI capability document is ~100 KiB
_REDIRECTS = {301, 302, 303, 307, 308}
_STALE_RETRIES = 1           # our re-challenges after the in-request one, per device
_DIGEST = re.compile(r"digest ", re.IGNORECASE)
# How Hikvision and Dahua say "this account is locked" in a 401 body. Hikvision's userCheck
# also says <lockStatus>unlock</lockStatus> when NOT locked, so match the exact value.
_LOCKED = re.compile(rb"<lockStatus>\s*lock\s*</lockStatus>|userLocked|account\s+(?:is\s+)?locked|"
                     rb"user\s+(?:is\s+)?locked|\blocked\b", re.IGNORECASE)


@dataclass
class HttpAnswer:
    url: str
    status: int
    headers: dict[str, str]       # lower-case names
    body: bytes
    elapsed_ms: int
    tls: bool
    challenged: bool = False      # the device asked for a login before answering
    sent_login: bool = False      # the request that got this answer carried our Authorization header

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class HttpSettings:
    connect_timeout: float = 3.0
    read_timeout: float = 6.0
    deadline: float = 12.0          # whole request, including a body that drips slowly
    max_body: int = MAX_BODY
    allow_basic: bool = False       # Basic sends the password in clear over HTTP: opt-in only


class _Digest(HTTPDigestAuth):
    """One account's digest state (nonce, nc) on one device, as requests keeps it; the header is
    requests' own build_digest_header. Whether a 401 may be answered is DeviceHttp's decision."""

    def __call__(self, method: str, url: str) -> str | None:        # type: ignore[override]
        """The pre-emptive header once a nonce is known (nc counts up), else None."""
        self.init_per_thread_state()
        return self.build_digest_header(method, url) if self._thread_local.last_nonce else None

    def answer(self, challenge: str, method: str, url: str) -> str | None:
        """The header answering `challenge` (a fresh nonce: nc starts again at 1)."""
        self.init_per_thread_state()
        self._thread_local.chal = parse_dict_header(_DIGEST.sub("", challenge, count=1))
        return self.build_digest_header(method, url)


class _Basic:
    def __init__(self, user: str, password: str) -> None:
        self.header = _basic_auth_str(user, password)

    def __call__(self, method: str, url: str) -> str:
        return self.header


class DeviceHttp:
    """HTTP GETs against one device, sharing its LoginState with every other protocol."""

    def __init__(self, base_url: str, login: LoginState, settings: HttpSettings | None = None, *,
                 budget: DeviceBudget | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.budget = budget           # None: the budget ProbeContext installed for this thread, if any
        self.login = login
        self.settings = settings or HttpSettings()
        s = self.settings
        self._limits = Limits(s.connect_timeout, s.read_timeout, s.deadline, s.max_body)
        self._session = open_session()         # keep-alive, no proxy, self-signed TLS accepted
        self._auths: dict[str, Authorize] = {}
        self._basic = False            # set once the device offered only Basic and the user allowed it
        self._worked: set[str] = set()         # users this client's HTTP logins succeeded for
        self._refused: dict[str, str] = {}     # path -> why it refused the confirmed login (never asked again)
        self._stale = 0                        # re-challenges answered stale=true in a row

    def close(self) -> None:
        self._session.close()

    # -- public ---------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, Any] | list[tuple[str, str]] | None = None, *,
            authenticate: bool = True) -> HttpAnswer:
        """GET `path`; 401s are resolved with the device's one allowed login attempt per account."""
        if not authenticate or self.login.no_auth:
            return self._get(path, params, None)
        if path in self._refused:
            raise ResourceRefused(self._refused[path])
        self._check_stale()              # a device stuck re-challenging is not asked again
        while True:
            if self.login.locked:
                raise AccountLocked("the device reported the account as locked; no further logins were tried")
            creds = self.login.current()
            if creds is None and self.login.candidates:
                raise CredentialsRejected("every account given for this device was rejected once; "
                                          "no further attempts were made")
            answer = self._get(path, params, self._auth_for(creds) if creds else None)
            if answer.status != 401:
                self._settle(creds, answer)
                return answer
            self._on_401(creds, answer, path)

    # -- auth -----------------------------------------------------------------------------
    def _auth_for(self, creds: Credentials) -> Authorize:
        key = ("basic:" if self._basic else "digest:") + creds.user
        auth = self._auths.get(key)
        if auth is None:
            auth = _Basic(creds.user, creds.password) if self._basic else _Digest(creds.user, creds.password)
            self._auths[key] = auth
        return auth

    def _settle(self, creds: Credentials | None, answer: HttpAnswer) -> None:
        """Learn from a non-401 answer whether our login worked or none was needed."""
        if creds is not None and answer.sent_login:      # the device checked the login and let it in
            self._worked.add(creds.user)
            self._stale = 0
            self.login.worked(creds)
        if self.login.confirmed is not None:
            return
        if creds is not None and (answer.challenged or answer.sent_login):
            # Our login went with it: sent after a challenge, or with the nonce of an earlier one whose
            # answer never came (a timeout). Either way the device checks logins; it is not login-free.
            self.login.confirm(creds)
        elif 200 <= answer.status < 300:
            # Answered a protected resource without asking: the device has no login at all.
            self.login.no_auth = True

    def _on_401(self, creds: Credentials | None, answer: HttpAnswer, path: str) -> None:
        challenge = answer.header("www-authenticate") or ""
        lowered = challenge.lower()
        if _LOCKED.search(answer.body):
            self.login.mark_locked()
            raise AccountLocked("the device says the account is locked; camaudit stopped logging in")
        if creds is None:
            raise CredentialsNeeded("the device requires a login and no credentials were given for it")
        if "digest" not in lowered and not self._basic:
            # Nothing was sent yet: the digest auth only answers Digest challenges.
            if not lowered.startswith("basic"):
                raise UnexpectedAnswer(f"the device asked for an unknown login scheme ({lowered[:30]!r})")
            if not self.settings.allow_basic:
                raise AuthSchemeRefused("the device only offers Basic authentication, which would send the "
                                        "password in clear; use --allow-basic to permit it")
            self._basic = True
            return
        if not self._basic:
            self._digest_401(creds, answer, challenge, path)
            return
        self._rejected(creds)

    def _digest_401(self, creds: Credentials, answer: HttpAnswer, challenge: str, path: str) -> None:
        """A 401 to a digest login: an unanswerable challenge, a stale nonce, a refused resource, or a rejection."""
        unanswerable = unanswerable_digest(challenge)
        if unanswerable and not answer.sent_login:
            # No Authorization header can be built for such a challenge: the password never left.
            raise DigestUnsupported(f"the device asked for {unanswerable}, which camaudit does not support; "
                                    "no password was sent")
        if is_stale(challenge) and answer.sent_login:
            # RFC 7616: stale=true means the password was right and the nonce old. _fetch already
            # re-challenged once; we do once more (firmware with a broken nonce clock never stops).
            self._stale += 1
            self._check_stale()
            return
        if creds.user in self._worked and answer.sent_login and self.login.refused_resource(creds):
            reason = (f"{path}: this resource refused the confirmed login for '{creds.user}' (HTTP 401); "
                      "other resources are still read with it")
            self._refused[path] = reason
            raise ResourceRefused(reason)
        if creds.user in self._worked and self.login.confirmed is None and creds.user in self.login.rejected:
            raise CredentialsRejected(f"two resources in a row refused the login for '{creds.user}' after it had "
                                      "worked; camaudit stopped using it, to avoid locking the account")
        self._rejected(creds)

    def _check_stale(self) -> None:
        if self._stale > _STALE_RETRIES:
            raise StaleNonceLoop("the device answered every fresh digest nonce with 'stale' (an endless "
                                 "re-challenge); camaudit gave up. The password was not judged wrong and the "
                                 "account was not counted as refused")

    def _rejected(self, creds: Credentials) -> None:
        self.login.reject(creds)
        if self.login.current() is None:
            raise CredentialsRejected(f"the device rejected the password for '{creds.user}'; "
                                      "it was tried once only, to avoid locking the account")

    # -- transport ------------------------------------------------------------------------
    def _get(self, path: str, params: Any, auth: Authorize | None) -> HttpAnswer:
        url = with_query(self.base_url + path, params)
        for hop in range(2):
            answer = self._fetch(url, auth)
            if answer.status not in _REDIRECTS:
                return answer
            url = self._redirect_target(url, answer, hop)
        raise UnexpectedAnswer(f"{path} redirected more than once; not followed further")

    def _redirect_target(self, url: str, answer: HttpAnswer, hop: int) -> str:
        location = answer.header("location") or ""
        here, there = urlsplit(url), urlsplit(urljoin(url, location))
        if hop > 0 or there.hostname != here.hostname or there.scheme not in ("http", "https"):
            raise UnexpectedAnswer(f"{here.path} redirected to {location or 'nowhere'}; not followed "
                                   "(camaudit only follows one redirect on the same device)")
        return there.geturl()

    def _fetch(self, url: str, auth: Authorize | None) -> HttpAnswer:
        """One GET; a digest challenge is answered at most once, and only when that is no second
        login: never to a header we already sent, unless the device says the nonce was stale."""
        where = urlsplit(url).path or "/"
        done = exchange(self._session, "GET", url, self._limits, budget=self.budget, where=where, auth=auth)
        challenged, elapsed_ms = False, done.elapsed_ms
        if isinstance(auth, _Digest) and 400 <= done.status < 500:
            challenge = done.headers.get("www-authenticate", "")
            refused = done.sent_authorization and not is_stale(challenge)
            if "digest" in challenge.lower() and not refused and not unanswerable_digest(challenge):
                header = auth.answer(challenge, "GET", url)
                challenged = done.status == 401
                done = exchange(self._session, "GET", url, self._limits, budget=self.budget, where=where,
                                auth=lambda method, url: header)
                elapsed_ms += done.elapsed_ms
        return HttpAnswer(url=done.url, status=done.status, headers=done.headers, body=done.body,
                          elapsed_ms=elapsed_ms, tls=url.startswith("https"), challenged=challenged,
                          sent_login=done.sent_authorization)


def raise_for_status(answer: HttpAnswer, where: str) -> None:
    """Turn an unusable status into an outcome (404/notSupport handling is the caller's)."""
    if answer.status == 403:
        raise Forbidden(f"{where}: the account may not read this (HTTP 403)")
    if answer.status >= 500:
        raise UnexpectedAnswer(f"{where}: the device failed to answer (HTTP {answer.status})")
