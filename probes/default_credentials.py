"""The `default-credentials` intrusive check: does a maker's factory password still open the device?

Intrusive (it makes real login attempts that count towards a lockout), so it runs only when the
operator names it (`camaudit audit --intrusive default-credentials`). The rules that keep it safe:

* plan first, then send exactly the plan: `plan()` is computed from what the audit already read,
  recorded in the evidence before the first attempt, and nothing outside it is ever sent;
* lockout budget: never more attempts than the device's lockout threshold minus one, minus the
  failed logins the audit itself already made here; when the threshold is unknown, one attempt at
  most (and none if the audit already failed a login on this device);
* stop at the first failure per account; an account the device does not list is not tried;
* an account whose password the operator gave is decided here, with no request at all;
* a working password is never stored or printed: the result names the account only.

Factory defaults (each password public, printed in the makers' manuals):
* Hikvision `admin` / `12345`: the reset-to-default password ("The password will be reset to
  12345", Hikvision Technical Support "How to reset password" quick guide, 2015-12-07); IPC firmware
  from V5.3.0 and DVR/NVR firmware from V3.3.0 have none and must be activated (Hikvision DS-7600
  NVR manual, "Activating your DVR"; installer guide adssystems.pl "Aktywacja urządzeń HIKVISION").
* Dahua and its OEMs `admin` / `admin` ("Username: admin. Password: admin. (administrator, local and
  network)", Dahua HDCVI Standalone DVR User's Manual V1.6.1, account section); `666666` / `666666`,
  a default user account (Dahua NVRPRO manual 6.7.5). `888888` is "for local login only. Cannot
  login via WEB" (Dahua Mobile DVR manual 5.6.5.2), so it is never tried over the network.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from probes.base import Evidence, ServiceObservation
from probes.context import ProbeContext
from probes.errors import AccountLocked, AuthProblem, CredentialsRejected, ProbeError, UnexpectedAnswer
from probes.http import DeviceHttp
from probes.login import Credentials, LoginState

CHECK = "default-credentials"
DESCRIPTION = ("tries each maker's factory password for its default accounts, within the device's lockout "
               "budget (at most one attempt when the lockout threshold is unknown)")


@dataclass(frozen=True)
class Default:
    account: str
    password: str = field(repr=False)
    label: str                 # how the attempt is announced: never the password itself


DEFAULTS: dict[str, tuple[Default, ...]] = {
    "isapi": (Default("admin", "12345", "Hikvision factory password (firmware before activation, 2016)"),),
    "dahua_cgi": (Default("admin", "admin", "Dahua factory password (firmware before initialisation, 2017)"),
                  Default("666666", "666666", "Dahua default user account")),
}


def announcement() -> list[str]:
    """What the check will try, per family, said before any audit starts."""
    lines = [f"Intrusive check {CHECK}: {DESCRIPTION}."]
    for family, defaults in DEFAULTS.items():
        tried = "; then ".join(f"account {d.account} with the {d.label}" for d in defaults)
        lines.append(f"  {family}: {tried}; stops at the first failure per account and when the budget is spent.")
    return lines


def budget(threshold: int | None, failed_already: int) -> int:
    """How many login attempts this device can take without any risk of a lockout."""
    if threshold is None:
        return 0 if failed_already else 1
    return max(0, threshold - 1 - failed_already)


@dataclass
class Plan:
    attempts: list[Default]
    decided: dict[str, bool]          # account -> default works, known from the operator's credentials
    skipped: list[str]                # why other defaults are not tried, one phrase each

    def said(self) -> str:
        tried = ", ".join(f"{d.account} ({d.label})" for d in self.attempts) or "none"
        return f"planned attempts: {tried}" + (f"; not tried: {'; '.join(self.skipped)}" if self.skipped else "")


def plan(family: str, *, accounts: list[str] | None, threshold: int | None, login: LoginState) -> Plan:
    """The attempts for one device, before any is made."""
    confirmed = login.confirmed
    left = budget(threshold, len(login.rejected))
    attempts: list[Default] = []
    decided: dict[str, bool] = {}
    skipped: list[str] = []
    for default in DEFAULTS.get(family, ()):
        if accounts is not None and default.account not in accounts:
            skipped.append(f"{default.account} (no such account on the device)")
        elif confirmed is not None and confirmed.user == default.account:
            decided[default.account] = confirmed.password == default.password
        elif default.account in login.rejected:
            skipped.append(f"{default.account} (the audit's own login for it already failed)")
        elif len(attempts) >= left:
            skipped.append(f"{default.account} (no lockout budget left"
                           + (", threshold unknown)" if threshold is None else f", threshold {threshold})"))
        else:
            attempts.append(default)
    return Plan(attempts, decided, skipped)


# Try one login: True accepted, False refused; raises AccountLocked or another ProbeError when unsure.
Attempt = Callable[[Credentials], bool]


def run_plan(protocol: str, source: str, the_plan: Plan, attempt: Attempt) -> ServiceObservation:
    """Make exactly the planned attempts; the observation's state names the account a default opens."""
    works = [account for account, ok in the_plan.decided.items() if ok]
    notes = [f"{account}: decided from the operator's credentials, no attempt sent" for account in the_plan.decided]
    failed: set[str] = set()
    unsure = False
    for default in the_plan.attempts:
        if default.account in works or default.account in failed:
            continue
        try:
            accepted = attempt(Credentials(default.account, default.password))
        except AccountLocked:
            notes.append(f"{default.account}: the device reported a lock; stopped")
            unsure = True
            break
        except (AuthProblem, ProbeError) as exc:
            notes.append(f"{default.account}: no verdict ({type(exc).__name__}); stopped")
            unsure = True
            break
        notes.append(f"{default.account}: {'accepted' if accepted else 'refused'}")
        if accepted:
            works.append(default.account)
        else:
            failed.add(default.account)
    state: str | bool | None
    if works:
        state = ",".join(works)
    elif unsure or not (the_plan.attempts or the_plan.decided):
        state = None
    else:
        state = False
    excerpt = the_plan.said() + ("; " + "; ".join(notes) if notes else "")
    return ServiceObservation("default_credentials", state, Evidence(protocol, source, "intrusive check", excerpt))


def http_attempt(ctx: ProbeContext, path: str, params: dict[str, str] | None = None) -> Attempt:
    """One login through a client of its own (the audit's login state is never touched): True when the
    device asked for a login and accepted this one, False when it refused it."""
    def attempt(creds: Credentials) -> bool:
        login = LoginState([creds])
        http = DeviceHttp(ctx.target.base_url, login, ctx.settings.http, budget=ctx.budget)
        try:
            answer = http.get(path, params=params)
        except CredentialsRejected:
            return False
        finally:
            http.close()
        if login.no_auth or login.confirmed != creds:
            raise UnexpectedAnswer(f"{path} answered HTTP {answer.status} without asking for a login")
        return 200 <= answer.status < 300
    return attempt
