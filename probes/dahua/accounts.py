"""dahua.accounts: which accounts exist (names and groups only) and the ports UPnP maps.

`userManager.cgi?action=getUserInfoAll` answers `users[i].Name`, `users[i].Group` ... (python-amcrest
`user_management.py` calls the userManager.cgi actions; the NOC project's Dahua.DH.get_local_users
script reads this very action's `users[...]` lines). Password keys are never read into evidence
(`_cgi.summary` drops them).

The UPnP table is the memoised `configManager getConfig name=UPnP` the remote-access probe
already read: `UPnP.Enable` and `MapTable[i].{Enable, ServiceName, InnerPort, OuterPort}`
(python-amcrest `network.py`, S27), reported as `upnp_ports` ("HTTP 80->80, RTSP 554->554";
"" when mapping is off; None when not said).

Whether failed logins lock an account is not read: no public capture names the Dahua config
table, so `login_lockout` stays unknown on Dahua, never "off".
"""

from __future__ import annotations

from probes.base import Evidence, Observation, ServiceObservation
from probes.context import ProbeContext
from probes.dahua._cgi import (
    ENDPOINT_REFUSALS,
    PROTOCOL,
    CgiAnswer,
    call,
    config_source,
    failure_evidence,
    get_config,
    source_of,
)
from probes.dahua._kv import elements, flag, node, value

USERS = ("userManager.cgi", {"action": "getUserInfoAll"})


def users_answer(ctx: ProbeContext) -> CgiAnswer:
    """getUserInfoAll, read once per device (dahua.default-credentials plans from it too)."""
    script, params = USERS
    return ctx.memo(f"{PROTOCOL}:users", lambda: call(ctx, script, **params))


def account_names(answer: CgiAnswer) -> list[str]:
    return [n for n in ((value(u, "Name") or "").strip() for _, u in elements(node(answer.doc.tree, "users"))) if n]


def accounts(ctx: ProbeContext) -> ServiceObservation:
    script, params = USERS
    try:
        answer = users_answer(ctx)
    except ENDPOINT_REFUSALS as exc:
        return ServiceObservation("accounts", None, failure_evidence(source_of(script, list(params.items())), exc))
    groups = [f"{value(u, 'Name')}({value(u, 'Group') or '?'})" for _, u in elements(node(answer.doc.tree, "users"))
              if value(u, "Name")]
    names = account_names(answer)
    return ServiceObservation("accounts", ",".join(names) if names else None,
                              answer.evidence(f"{len(names)} accounts: {' '.join(groups)}"))


def upnp_ports(ctx: ProbeContext) -> ServiceObservation:
    try:
        answer = get_config(ctx, "UPnP")
    except ENDPOINT_REFUSALS as exc:
        return ServiceObservation("upnp_ports", None, failure_evidence(config_source("UPnP"), exc))
    table = node(answer.doc.tree, ("table", "UPnP"))
    on = flag(table, "Enable")
    maps = [f"{(value(m, 'ServiceName') or 'port').upper()} {value(m, 'InnerPort')}->{value(m, 'OuterPort')}"
            for _, m in elements(node(table, "MapTable")) if flag(m, "Enable")]
    mapped = "" if on is False else (", ".join(maps) if (maps or on) else None)
    return ServiceObservation("upnp_ports", mapped,
                              answer.evidence(f"UPnP.Enable={value(table, 'Enable')} mapped: {mapped or 'none'}"))


class DahuaAccounts:
    id = "dahua.accounts"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        unread = Evidence(PROTOCOL, "login lock", "not read", "no public capture names Dahua's lock setting")
        return [accounts(ctx), upnp_ports(ctx), ServiceObservation("login_lockout", None, unread)]


PROBE = DahuaAccounts()
