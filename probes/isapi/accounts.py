"""isapi.accounts: which accounts exist, and whether failed logins lock an account out.

`GET /ISAPI/Security/users` -> `UserList/User{id, userName, userLevel}`: names and levels only,
never passwords (hikvision_next tests/fixtures/ISAPI; PROTOCOLS.md a [S1]).
`GET /ISAPI/Security/illegalLoginLock` -> `IllegalLoginLock{enabled, maxIllegalLoginTimes,
maxIllegalLoginLockTime}`: the element names are those of `SecurityCap` in
`/ISAPI/System/capabilities` (`issupIllegalLoginLock`, `maxIllegalLoginTimes` min 3 max 20 def 7,
`maxIllegalLoginLockTime` def 30) [S1]; the document's own layout is (unverified).

Reported as ServiceObservations: `accounts` (comma-joined names), `login_lockout` (on/off) and
`login_lockout_threshold` (failures before the lock, as text). notSupport, 403 and unreadable
answers leave each unknown (None): a firmware that does not say has not said "no".
"""

from __future__ import annotations

from probes._xml import descendants, flag, text
from probes.base import Observation, ServiceObservation
from probes.context import ProbeContext
from probes.errors import AuthProblem, ProbeError, Unreachable
from probes.isapi._status import PROTOCOL, IsapiDoc, evidence_for, get_doc, with_excerpt

USERS = "/ISAPI/Security/users"
LOCKOUT = "/ISAPI/Security/illegalLoginLock"


def users_doc(ctx: ProbeContext) -> IsapiDoc:
    """The account list, read once per device (isapi.default-credentials plans from it too)."""
    return ctx.memo(f"{PROTOCOL}:doc:{USERS}", lambda: get_doc(ctx, USERS, roots=("UserList",)))


def lockout_doc(ctx: ProbeContext) -> IsapiDoc:
    return ctx.memo(f"{PROTOCOL}:doc:{LOCKOUT}", lambda: get_doc(ctx, LOCKOUT, roots=("IllegalLoginLock",)))


def account_names(doc: IsapiDoc) -> list[str]:
    return [n for n in ((text(u, "userName") or "").strip() for u in descendants(doc.root, "User")) if n]


def lockout_threshold(doc: IsapiDoc) -> tuple[bool | None, int | None]:
    """(lock on, failures before the lock); the threshold only when the lock is on and says a number."""
    on = flag(doc.root, "enabled")
    times = (text(doc.root, "maxIllegalLoginTimes") or "").strip()
    return on, (int(times) if times.isdigit() and on else None)


def _accounts(ctx: ProbeContext) -> ServiceObservation:
    try:
        doc = users_doc(ctx)
    except (AuthProblem, Unreachable):
        raise
    except ProbeError as exc:
        return ServiceObservation("accounts", None, evidence_for(exc, USERS))
    names = account_names(doc)
    levels = [f"{text(u, 'userName')}({text(u, 'userLevel') or '?'})" for u in descendants(doc.root, "User")
              if text(u, "userName")]
    return ServiceObservation("accounts", ",".join(names) if names else None,
                              with_excerpt(doc.evidence, f"{len(names)} accounts: {' '.join(levels)}"))


def _lockout(ctx: ProbeContext) -> list[Observation]:
    try:
        doc = lockout_doc(ctx)
    except (AuthProblem, Unreachable):
        raise
    except ProbeError as exc:
        evidence = evidence_for(exc, LOCKOUT)
        return [ServiceObservation("login_lockout", None, evidence),
                ServiceObservation("login_lockout_threshold", None, evidence)]
    on, limit = lockout_threshold(doc)
    times = (text(doc.root, "maxIllegalLoginTimes") or "").strip()
    threshold = str(limit) if limit is not None else None
    evidence = with_excerpt(doc.evidence, f"enabled={'unknown' if on is None else str(on).lower()} "
                                          f"maxIllegalLoginTimes={times or '-'} "
                                          f"maxIllegalLoginLockTime={text(doc.root, 'maxIllegalLoginLockTime') or '-'}")
    return [ServiceObservation("login_lockout", on, evidence),
            ServiceObservation("login_lockout_threshold", threshold, evidence)]


class Accounts:
    id = "isapi.accounts"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        return [_accounts(ctx), *_lockout(ctx)]


PROBE = Accounts()
