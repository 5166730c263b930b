"""onvif.network: where the device takes its time from, and which network services it runs.

GetNTP names the configured NTP servers but not whether NTP is in use; GetSystemDateAndTime's
DateTimeType (NTP | Manual) says that. GetNetworkProtocols lists HTTP/HTTPS/RTSP with their
ports: a ServiceObservation per protocol, state = its ports ("80", "554") when enabled, False
when the device says it is off.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from probes._xml import children, find, text, to_bool
from probes.base import Observation, RemoteAccessObservation, ServiceObservation
from probes.context import ProbeContext
from probes.errors import ProbeError
from probes.onvif._answer import PROTOCOL, Answer
from probes.onvif.client import SOFT, OnvifClient, client_for


def _host(entry: Element) -> str | None:
    for name in ("DNSname", "IPv4Address", "IPv6Address"):
        if value := text(entry, name):
            return value
    return None


def ntp(info: Answer, clock: Answer | None) -> RemoteAccessObservation:
    value = find(info.value, "NTPInformation")
    entries = list(children(value, "NTPFromDHCP")) if value is not None and to_bool(text(value, "FromDHCP")) else []
    entries += list(children(value, "NTPManual")) if value is not None else []
    servers = [h for h in (_host(e) for e in entries) if h]
    kind = (text(clock.value, "SystemDateAndTime/DateTimeType") or "") if clock else ""
    enabled = {"NTP": True, "Manual": False}.get(kind)
    shown = f"servers={','.join(servers) or 'none'}" + (f" DateTimeType={kind}" if kind else "")
    return RemoteAccessObservation("ntp", enabled, servers[0] if servers else None, info.evidence(shown))


def services(answer: Answer) -> list[ServiceObservation]:
    out = []
    for protocol in children(answer.value, "NetworkProtocols"):
        name = (text(protocol, "Name") or "").lower()
        if not name:
            continue
        # Axis lists an unused second HTTP port as 0 (`<tt:Port>80</tt:Port><tt:Port>0</tt:Port>`,
        # hammeraj/onvif test/devices/fixtures/get_network_protocols.xml): 0 is no port.
        ports = ",".join(p for p in (text(port) for port in children(protocol, "Port")) if p and p != "0")
        on = to_bool(text(protocol, "Enabled"))
        state: str | bool | None = (ports or True) if on is True else (False if on is False else None)
        out.append(ServiceObservation(name, state, answer.evidence(f"{name} enabled={on} ports={ports}")))
    return out


class OnvifNetwork:
    id = "onvif.network"
    protocol = PROTOCOL
    intrusive = False

    def run(self, ctx: ProbeContext) -> list[Observation]:
        client = client_for(ctx)
        out: list[Observation] = []
        failed: list[ProbeError] = []
        info = self._read(client, "GetNTP", failed)
        if info is not None:
            out.append(ntp(info, self._read(client, "GetSystemDateAndTime", failed)))
        protocols = self._read(client, "GetNetworkProtocols", failed)
        if protocols is not None:
            out.extend(services(protocols))
        if not out and failed:
            raise failed[0]
        return out

    @staticmethod
    def _read(client: OnvifClient, operation: str, failed: list[ProbeError]) -> Answer | None:
        try:
            return client.call("devicemgmt", operation)
        except SOFT as exc:
            failed.append(exc)
            return None
