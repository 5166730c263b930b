"""dahua.services: whether the Telnet and SSH daemons are switched on.

`configManager getConfig name=Telnet` -> `table.Telnet.Enable` [S27]; `name=SSHD` ->
`table.SSHD.Enable` (Amcrest Go client, HTTP API V3.26 4.8). Old Dahua firmware is known to
run telnet with no setting for it, so a firmware that answers `Error` for the name is
reported as unknown (None), never as "off".
"""

from __future__ import annotations

from probes.base import Observation, ServiceObservation
from probes.context import ProbeContext
from probes.dahua._cgi import ENDPOINT_REFUSALS, PROTOCOL, config_source, failure_evidence, get_config, summary
from probes.dahua._kv import flag, node

# service id -> config name
SERVICES = {"telnet": "Telnet", "ssh": "SSHD"}


class DahuaServices:
    id = "dahua.services"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        out: list[Observation] = []
        for service, name in SERVICES.items():
            try:
                answer = get_config(ctx, name)
            except ENDPOINT_REFUSALS as exc:
                out.append(ServiceObservation(service, None, failure_evidence(config_source(name), exc)))
                continue
            table = node(answer.doc.tree, ("table", name))
            if isinstance(table, dict) and 0 in table:
                table = table[0]      # tolerate an array-shaped table, as T2UServer is on some firmware
            out.append(ServiceObservation(service, flag(table, "Enable"),
                                          answer.evidence(f"{name}." + summary(table, ("Enable", "Port")))))
        return out


PROBE = DahuaServices()
