"""Egress findings for one device: what its traffic says, checked against its latest audit's settings.

- unknown external server: a destination nobody expects (not allowed, not a known vendor or
  public service, not a server the device's own configuration names: an enabled remote-access
  setting, or a data flow such as an HTTP push host or a NAS, which makes it "configured");
- undisclosed egress: vendor-cloud traffic (or traffic to the server a cloud setting names)
  while the latest audit says that setting is off;
- dormant cloud: the audit says a cloud setting is on, yet no traffic to it in this window;
- repeated failed connection attempts (the airport pattern).
Rules never guess: without an audit, only the first and last can fire.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.judge.egress.geo import geo_data
from models.audit import DataFlow, DeviceAudit, Finding
from models.egress.values import DeviceSettings, EgressDestination
from models.features import CLOUD_SETTINGS, REMOTE_ACCESS, severity_rank

# The device's latest configuration: its settings as the store reads them for egress
# (`models.egress.reads.get_latest_settings`), or a whole audit (tests, the TUI's demo builder).
Settings = DeviceSettings | DeviceAudit

FAILED_ATTEMPTS_THRESHOLD = 3


def _host(destination: str | None) -> str | None:
    if not destination:
        return None
    text = destination.strip().lower()
    if "://" in text:
        text = text.split("://", 1)[1].split("/", 1)[0]
    if text.count(":") == 1:
        text = text.split(":", 1)[0]
    return text.rstrip(".") or None


def _configured(dest: EgressDestination, server: str | None, setting: str = "") -> bool:
    """The destination is the server a setting names (by address or by one of its names).

    DDNS settings hold the device's own name under the provider's domain (Dahua:
    depot-nvr.dahuaddns.com) while the device updates it at the provider's server
    (www.dahuaddns.com), so for DDNS any name under that parent domain counts."""
    host = _host(server)
    if host is None or host in ("0.0.0.0", "::"):
        return False
    names = {n.lower().rstrip(".") for n in (*dest.names, *dest.sni, *dest.http_host)}
    if host == dest.address.lower() or host in names:
        return True
    parent = host.split(".", 1)[1] if host.count(".") >= 2 else None
    return setting == "ddns" and parent is not None and any(n == parent or n.endswith("." + parent) for n in names)


def _settings_for(dest: EgressDestination, audit: Settings | None) -> set[str]:
    """Remote-access settings this destination belongs to: by the endpoint list or by config."""
    found = {dest.setting} if dest.label == "vendor-cloud" and dest.setting else set()
    if audit is not None:
        found |= {rid for rid, v in audit.remote_access.items() if _configured(dest, v.destination, rid)}
    return found


def _where(dest: EgressDestination) -> str:
    name = (dest.sni or dest.names or dest.http_host or [None])[0]
    return f"{dest.address}:{dest.port}/{dest.transport}" + (f" ({name})" if name else "")


def _network(dest: EgressDestination) -> str:
    """Where the server is (with the geolocation data's date), where its address block is registered,
    and who runs its network."""
    if dest.located_in is None and dest.registered_in is None and dest.network_owner is None:
        return "country and network owner unknown"
    parts = [f"located in {dest.located_in} per {geo_data() or 'the geolocation data'}" if dest.located_in
             else "location unknown"]
    if dest.registered_in:
        parts.append(f"registered in {dest.registered_in} (registry allocation)")
    if dest.network_owner:
        parts.append(f"network {dest.network_owner}")
    return ", ".join(parts)


def _evidence(dest: EgressDestination) -> list[str]:
    lines = [f"{dest.packets_out} packets / {dest.bytes_out} bytes sent, {dest.packets_in} / {dest.bytes_in} received",
             f"first seen {dest.first_seen.isoformat()}, last seen {dest.last_seen.isoformat()}"]
    if dest.names:
        lines.append("DNS names: " + ", ".join(dest.names))
    if dest.sni:
        lines.append("TLS SNI: " + ", ".join(dest.sni))
    if dest.http_host:
        lines.append("HTTP Host: " + ", ".join(dest.http_host))
    return lines


def configured_flow(dest: EgressDestination, audit: Settings | None) -> DataFlow | None:
    """The data flow (push host, NAS, cloud storage) whose configured destination this traffic goes to.

    A flow switched off does not explain traffic; one whose state is unknown does (the device was
    configured to send there). The port must match when the configuration gives one."""
    if audit is None:
        return None
    for flow in audit.data_flows:
        if flow.enabled is False or not flow.destination or not _configured(dest, flow.destination):
            continue
        port = _port(flow.destination)
        if port is None or port == dest.port:
            return flow
    return None


CONFIGURED = "configured"     # label of traffic to a destination the device's data-flow configuration names


def mark_configured(dests: list[EgressDestination], audit: Settings | None) -> None:
    """Relabel "unknown" destinations that a data flow (push host, NAS, cloud storage) names as "configured"."""
    for dest in dests:
        if dest.label == "unknown" and configured_flow(dest, audit) is not None:
            dest.label = CONFIGURED


def _port(destination: str) -> int | None:
    text = destination.split("://", 1)[1].split("/", 1)[0] if "://" in destination else destination
    tail = text.rsplit("]", 1)[-1] if text.startswith("[") else text
    if tail.count(":") != 1:
        return {"http": 80, "https": 443}.get(destination.split("://", 1)[0].lower()) if "://" in destination \
            else None
    value = tail.rsplit(":", 1)[1]
    return int(value) if value.isdigit() else None


def _unknown(dest: EgressDestination, audit: Settings | None) -> Iterable[Finding]:
    if dest.label != "unknown" or dest.failed_attempts >= FAILED_ATTEMPTS_THRESHOLD:
        return                                   # repeated failures: the failed-attempts rule names it
    if audit is not None and any(v.enabled is True and _configured(dest, v.destination, rid)
                                 for rid, v in audit.remote_access.items()):
        return                                   # the server its own (enabled) configuration names
    if configured_flow(dest, audit) is not None:
        return                                   # a push host / NAS its configuration names: "configured"
    yield Finding("egress-unknown-server", "medium",
                  f"Talks to unknown external server {_where(dest)} ({_network(dest)}; {dest.bytes_out} bytes sent, "
                  f"{dest.bytes_in} received).", _evidence(dest),
                  "Find out what this server is and why the device calls it; block it at the firewall or add it "
                  "to the allow-list.")


FLOW_LABEL = {"http_push": "the HTTP(S) push host", "nas": "the network storage", "cloud_storage": "the cloud storage"}


def _configured_flows(dest: EgressDestination, audit: Settings | None) -> Iterable[Finding]:
    """Traffic to a destination the device's own data-flow configuration names: configured, said once."""
    flow = configured_flow(dest, audit)
    if flow is None or not dest.packets_out or dest.label in ("allowed", "vendor-cloud"):
        return
    label = FLOW_LABEL.get(flow.kind, flow.kind)
    yield Finding("egress-configured-data-flow", "info",
                  f"Sends data to {_where(dest)}: {label} its configuration names ({flow.destination}), "
                  "so this traffic is configured, not unknown.",
                  _evidence(dest) + [f"latest audit: {flow.kind} enabled={flow.enabled}", *flow.evidence[:1]],
                  "Check the receiving system is recorded in the DPIA with its retention and who can see it.")


def _undisclosed(dests: list[EgressDestination], audit: Settings | None) -> Iterable[Finding]:
    if audit is None:
        return
    for dest in dests:
        if not dest.packets_out:
            continue
        for rid in sorted(_settings_for(dest, audit) & set(CLOUD_SETTINGS)):
            verdict = audit.remote_access.get(rid)
            if verdict is None or verdict.enabled is not False:
                continue
            yield Finding("egress-undisclosed-cloud", "high",
                          f"Sends data to {_where(dest)} although its configuration says "
                          f"{REMOTE_ACCESS[rid]} is off (undisclosed egress).",
                          _evidence(dest) + [f"latest audit: {rid} enabled=false", *verdict.evidence[:2]],
                          "Treat the device as connected to the vendor's cloud: block the destination at the "
                          "firewall, update or replace the firmware, and record it in the DPIA.")


def _dormant(dests: list[EgressDestination], audit: Settings | None, window: str) -> Iterable[Finding]:
    if audit is None:
        return
    for rid in CLOUD_SETTINGS:
        verdict = audit.remote_access.get(rid)
        if verdict is None or verdict.enabled is not True:
            continue
        if any(rid in _settings_for(d, audit) and d.packets_out for d in dests):
            continue
        server = f" ({verdict.destination})" if verdict.destination else ""
        yield Finding("egress-cloud-dormant", "low",
                      f"Configuration says {REMOTE_ACCESS[rid]} is on{server}, but no traffic to it was seen "
                      f"in this capture{window}.",
                      [f"latest audit: {rid} enabled=true", *verdict.evidence[:2]],
                      "If the service is not needed, switch it off; otherwise capture for longer to see its traffic.")


def _failed(dest: EgressDestination) -> Iterable[Finding]:
    if dest.failed_attempts < FAILED_ATTEMPTS_THRESHOLD:
        return
    yield Finding("egress-failed-attempts", "medium",
                  f"Repeated failed connection attempts to {_where(dest)}: {dest.failed_attempts} attempts "
                  f"({dest.syn_packets} SYNs) got no connection ({_network(dest)}; {dest.label}).", _evidence(dest),
                  "Find out which firmware feature keeps calling this address; block it at the firewall and ask "
                  "the vendor.")


def egress_findings(dests: list[EgressDestination], audit: Settings | None, *,
                    window: str = "") -> list[Finding]:
    """Every egress finding for one device, most severe first."""
    found: list[Finding] = []
    for dest in dests:
        found += _unknown(dest, audit)
        found += _configured_flows(dest, audit)
        found += _failed(dest)
    found += _undisclosed(dests, audit)
    found += _dormant(dests, audit, window)
    return sorted(found, key=lambda f: severity_rank(f.severity))
