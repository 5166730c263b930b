"""isapi.default-credentials (intrusive, opt-in): does Hikvision's factory password still open the device?

The plan comes from what isapi.accounts read (memoised: no second request): the account list and the
illegal-login lock threshold (Hikvision locks after `maxIllegalLoginTimes`, default 7, min 3 [S1]).
Each attempt is one GET of `/ISAPI/System/deviceInfo` with the default login. Rules and sources:
probes/default_credentials.py.
"""

from __future__ import annotations

from probes import default_credentials as dc
from probes.base import Observation
from probes.context import ProbeContext
from probes.errors import AuthProblem, ProbeError, Unreachable
from probes.isapi._status import PROTOCOL
from probes.isapi.accounts import account_names, lockout_doc, lockout_threshold, users_doc

CHECK_PATH = "/ISAPI/System/deviceInfo"


class IsapiDefaultCredentials:
    id = "isapi.default-credentials"
    protocol = PROTOCOL
    intrusive = True
    check = dc.CHECK

    def run(self, ctx: ProbeContext) -> list[Observation]:
        try:
            accounts: list[str] | None = account_names(users_doc(ctx))
        except (AuthProblem, Unreachable):
            raise
        except ProbeError:
            accounts = None
        try:
            _, threshold = lockout_threshold(lockout_doc(ctx))
        except (AuthProblem, Unreachable):
            raise
        except ProbeError:
            threshold = None
        planned = dc.plan(PROTOCOL, accounts=accounts or None, threshold=threshold, login=ctx.login)
        return [dc.run_plan(PROTOCOL, CHECK_PATH, planned, dc.http_attempt(ctx, CHECK_PATH))]


PROBE = IsapiDefaultCredentials()
