"""A GET-only HTTP client for one device: digest auth, lockout safety, size caps, deadlines.

It has no method for anything but GET, so no probe can write to a device by mistake. Reading,
deadlines and the translation of requests/urllib3 failures are probes/_transport.py's, shared
with the ONVIF transport and the fingerprint's clock request.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from probes._budget import DeviceBudget
from probes._transport import Limits, exchange, read_capped
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
_STALE_RETRIES = 1           # our re-challenges after requests' own one, per device
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


class _DigestAuth(HTTPDigestAuth):
    """requests' digest auth with two changes. It never re-sends the password after a 401 to a
    header it already sent, unless the device says `stale=true`: that 401 is a refusal, and a
    second try would be a second failed login (probes/login.py). And it reads a 401's body with
    the shared capped reader before retrying (requests reads it whole, unbounded)."""

    def __init__(self, user: str, password: str, limits: Limits) -> None:
        super().__init__(user, password)
        self.limits = limits

    def handle_401(self, r: requests.Response, **kwargs: Any) -> requests.Response:
        if 400 <= r.status_code < 500:
            challenge = r.headers.get("www-authenticate", "")
            sent = "Authorization" in r.request.headers
            if (sent and not is_stale(challenge)) or unanswerable_digest(challenge):
                self._thread_local.num_401_calls = 1
                return r                      # its body is read by the caller's capped reader
            r._content = read_capped(r, time.monotonic(), self.limits, urlsplit(r.url).path or "/")
            r._content_consumed = True
        return super().handle_401(r, **kwargs)


class DeviceHttp:
    """HTTP GETs against one device, sharing its LoginState with every other protocol."""

    def __init__(self, base_url: str, login: LoginState, settings: HttpSettings | None = None, *,
                 budget: DeviceBudget | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.budget = budget           # None: the budget ProbeContext installed for this thread, if any
        self.login = login
        self.settings = settings or HttpSettings()
        self._session = requests.Session()
        self._session.trust_env = False        # never route device traffic through a proxy
        self._session.verify = False           # cameras ship self-signed certificates
        self._auths: dict[str, AuthBase] = {}
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
    def _auth_for(self, creds: Credentials) -> AuthBase:
        key = ("basic:" if self._basic else "digest:") + creds.user
        auth = self._auths.get(key)
        if auth is None:
            s = self.settings
            auth = (HTTPBasicAuth(creds.user, creds.password) if self._basic
                    else _DigestAuth(creds.user, creds.password,
                                     Limits(s.connect_timeout, s.read_timeout, s.deadline, s.max_body)))
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
        if creds is not None and answer.challenged:
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
            # Nothing was sent yet: requests' digest auth only answers Digest challenges.
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
            # RFC 7616: stale=true means the password was right and the nonce old. requests already
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
    def _get(self, path: str, params: Any, auth: AuthBase | None) -> HttpAnswer:
        url = self.base_url + path
        for hop in range(2):
            answer = self._fetch(url, params, auth)
            if answer.status not in _REDIRECTS:
                return answer
            url = self._redirect_target(url, answer, hop)
            params = None
        raise UnexpectedAnswer(f"{path} redirected more than once; not followed further")

    def _redirect_target(self, url: str, answer: HttpAnswer, hop: int) -> str:
        location = answer.header("location") or ""
        here, there = urlsplit(url), urlsplit(requests.compat.urljoin(url, location))
        if hop > 0 or there.hostname != here.hostname or there.scheme not in ("http", "https"):
            raise UnexpectedAnswer(f"{here.path} redirected to {location or 'nowhere'}; not followed "
                                   "(camaudit only follows one redirect on the same device)")
        return there.geturl()

    def _fetch(self, url: str, params: Any, auth: AuthBase | None) -> HttpAnswer:
        s = self.settings
        limits = Limits(s.connect_timeout, s.read_timeout, s.deadline, s.max_body)
        done = exchange(self._session, "GET", url, limits, budget=self.budget, where=urlsplit(url).path or "/",
                        params=params, auth=auth)
        response = done.response
        return HttpAnswer(url=response.url, status=response.status_code,
                          headers={k.lower(): v for k, v in response.headers.items()}, body=done.body,
                          elapsed_ms=done.elapsed_ms, tls=url.startswith("https"),
                          challenged=any(r.status_code == 401 for r in response.history),
                          sent_login="Authorization" in response.request.headers)


def raise_for_status(answer: HttpAnswer, where: str) -> None:
    """Turn an unusable status into an outcome (404/notSupport handling is the caller's)."""
    if answer.status == 403:
        raise Forbidden(f"{where}: the account may not read this (HTTP 403)")
    if answer.status >= 500:
        raise UnexpectedAnswer(f"{where}: the device failed to answer (HTTP {answer.status})")
