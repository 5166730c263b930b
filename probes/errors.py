"""Why a probe could not read something. These are per-device outcomes, recorded and shown,
never raised to the user (user-facing errors live in models/errors.py).

Creating one has no side effect. The code at a device read's boundary (ISAPI `get_doc`, Dahua
`call`, `OnvifClient.call`) records what it raises on the probe context (`ProbeContext.record`),
so a problem a probe recovers from is still listed on the device; the orchestrator records what
reaches it.

    ProbeError                      reason is a short sentence for the device's error list
    ├── Unreachable                 nothing listens / no route
    ├── TimedOut                    connect or read timeout, or a body dripping past the deadline
    ├── ConnectionDropped           reset or closed mid-answer
    ├── TlsFailed                   handshake failed
    ├── AuthProblem
    │   ├── CredentialsRejected     our one login attempt for this account failed
    │   ├── AccountLocked           the device says the account is locked
    │   ├── CredentialsNeeded       the device wants credentials and none were given for it
    │   ├── AuthSchemeRefused       only Basic over plain HTTP offered; not sent without opt-in
    │   ├── DigestUnsupported       a digest challenge camaudit cannot answer (e.g. SHA-512-256); nothing sent
    │   └── StaleNonceLoop          the device kept answering stale=true to fresh nonces; given up, not rejected
    ├── NotSupported                expected "no such feature" answer (notSupport, Error, ActionNotSupported)
    ├── Forbidden                   authenticated, but this account may not read it
    │   └── ResourceRefused         a 401 on one resource after the account was confirmed working
    ├── BadResponse
    │   ├── MalformedResponse       not parseable (truncated XML, wrong format)
    │   ├── HostileResponse         DTD, entity declarations, XXE, entity bombs: refused unexpanded
    │   ├── ResponseTooLarge        over the size cap; reading stopped
    │   ├── ResponseTooComplex      XML past the element, depth or parse-time bound; parsing stopped
    │   └── BudgetExhausted         the device used up its per-device byte/parse budget; reads skipped
    └── UnexpectedAnswer            5xx, redirect elsewhere, anything else we cannot use
"""

from __future__ import annotations

# Failures that mean "no answer in time", named as the evidence of a failed read names them (the
# class name). Such a read says nothing about the device: it leaves a value unknown, never "no".
UNANSWERED = frozenset({"TimedOut", "ConnectionDropped", "BudgetExhausted"})


class ProbeError(Exception):
    outcome = "error"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def detached(self) -> ProbeError:
        """A copy without traceback, for a device's problem list: the raised error's traceback holds
        the frames it passed through, with their bodies and half-built trees, which must not stay alive."""
        copy = type(self).__new__(type(self))
        copy.args, copy.reason = self.args, self.reason
        return copy


class Unreachable(ProbeError):
    pass


class TimedOut(ProbeError):
    pass


class ConnectionDropped(ProbeError):
    pass


class TlsFailed(ProbeError):
    pass


class AuthProblem(ProbeError):
    outcome = "auth-failed"


class CredentialsRejected(AuthProblem):
    pass


class AccountLocked(AuthProblem):
    outcome = "locked"


class CredentialsNeeded(AuthProblem):
    pass


class AuthSchemeRefused(AuthProblem):
    pass


class DigestUnsupported(AuthProblem):
    pass


class StaleNonceLoop(AuthProblem):
    pass


class NotSupported(ProbeError):
    outcome = "unsupported"


class Forbidden(ProbeError):
    pass


class ResourceRefused(Forbidden):
    pass


class BadResponse(ProbeError):
    pass


class MalformedResponse(BadResponse):
    pass


class HostileResponse(BadResponse):
    pass


class ResponseTooLarge(BadResponse):
    pass


class ResponseTooComplex(BadResponse):
    pass


class BudgetExhausted(BadResponse):
    pass


class UnexpectedAnswer(ProbeError):
    pass
