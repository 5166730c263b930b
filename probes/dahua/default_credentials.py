"""dahua.default-credentials (intrusive, opt-in): does Dahua's factory password still open the device?

The account list is dahua.accounts' memoised getUserInfoAll; the lockout threshold is never known on
Dahua (probes/dahua/accounts.py), so the budget is one attempt, and none after a failed audit login.
The attempt is one GET of `magicBox.cgi?action=getDeviceType` with the default login. Rules and
sources: probes/default_credentials.py.
"""

from __future__ import annotations

from probes import default_credentials as dc
from probes.base import Observation
from probes.context import ProbeContext
from probes.dahua._cgi import CGI, ENDPOINT_REFUSALS, PROTOCOL
from probes.dahua.accounts import account_names, users_answer

CHECK_PATH = CGI + "magicBox.cgi"
CHECK_PARAMS = {"action": "getDeviceType"}


class DahuaDefaultCredentials:
    id = "dahua.default-credentials"
    protocol = PROTOCOL
    intrusive = True
    check = dc.CHECK

    def run(self, ctx: ProbeContext) -> list[Observation]:
        try:
            accounts: list[str] | None = account_names(users_answer(ctx))
        except ENDPOINT_REFUSALS:
            accounts = None
        planned = dc.plan(PROTOCOL, accounts=accounts or None, threshold=None, login=ctx.login)
        source = f"{CHECK_PATH}?action=getDeviceType"
        return [dc.run_plan(PROTOCOL, source, planned, dc.http_attempt(ctx, CHECK_PATH, CHECK_PARAMS))]


PROBE = DahuaDefaultCredentials()
