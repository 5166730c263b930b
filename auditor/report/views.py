"""Sentences and table rows shared by the HTML and Markdown renderers, so both say the same."""

from __future__ import annotations

import datetime as dt
import json

from auditor.report.model import (
    DataFlowRow,
    Destination,
    DeviceSection,
    EgressStatus,
    RemoteRow,
    ScopeSection,
    Summary,
)
from models.audit import DeviceAudit
from models.drift import KINDS, Change, Drift
from models.features import ON_OFF, counts_as_remote, tri_state_text, worst
from models.read_status import was_read
from models.views import data_flow_rows as flow_rows
from models.views import remote_state as remote_access_state

OUTCOMES = ("ok", "unsupported", "auth-failed", "locked", "error", "skipped")
NOT_READ = "not read"


CLIP = 160


def clip(text: str | None, limit: int = CLIP) -> str | None:
    """Device text for headings and table cells: a name an operator made 10,000 characters long is shortened
    there (and said to be), and kept whole in the annex, the CSV and the JSON."""
    if text is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text):,} characters; whole in the annex, CSV and JSON)"


def when(value: dt.datetime | None) -> str:
    return "—" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def scope_lines(s: ScopeSection) -> list[tuple[str, str]]:
    if s.complete:
        state = "yes: every planned target was audited"
    else:
        planned = f" It set out to audit {s.targets_planned} addresses and recorded {s.devices};" \
            if s.targets_planned is not None else ""
        state = (f"no: the run stopped early.{planned} addresses it did not reach are not in this report "
                 "and were not audited.")
    previous = f"run {s.previous_run_id}" if s.previous_run_id is not None else "none (first run in the database)"
    return [("Audit run", str(s.run_id)), ("Started", when(s.started)),
            ("Finished", when(s.finished) if s.finished else "did not finish"), ("Complete", state),
            ("Devices recorded", str(s.devices)), ("Reachable", str(s.reachable)),
            ("Fully read", str(s.fully_read)), ("Not audited", str(len(s.not_audited))),
            ("camaudit version (audit)", s.camaudit_version), ("camaudit version (report)", s.report_version),
            ("Report generated", when(s.generated)), ("Previous audit", previous),
            ("Security advisory data", f"dated {s.advisory_data} (firmware matched by version only, never tested)"
             if s.advisory_data else "none loaded")]


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def protocols_line(s: ScopeSection) -> str:
    return "Protocols that answered: " + ", ".join(f"{p} ({plural(n, 'device')})" for p, n in s.protocols.items()) + "."


def options_lines(s: ScopeSection) -> list[str]:
    o = s.options
    lines = []
    if "concurrency" in o:
        lines.append(f"Up to {o['concurrency']} devices audited at once, {o.get('timeout_s', '?')} s timeout per "
                     f"request, {o.get('retries', 0)} retries.")
    lines.append("Intrusive probes were run (asked for explicitly)." if o.get("intrusive")
                 else "Intrusive probes were not run (the default): nothing that could disturb a device.")
    lines.append("Intrusive check default-credentials: run (factory passwords tried within each device's lockout "
                 "budget)." if o.get("intrusive_default_credentials")
                 else "Intrusive check default-credentials: not run.")
    if o.get("advisory_data"):
        dated = str(o["advisory_data"])
        lines.append(f"Security advisory data in force at audit time: dated {dated[:4]}-{dated[4:6]}-{dated[6:]}.")
    lines.append("Traffic was captured during the audit." if o.get("egress_capture")
                 else "No traffic capture was part of this audit run.")
    return lines


def headline(m: Summary) -> str:
    biometric = f"Biometric processing is active on {m.biometric_active.of('devices')}"
    if m.biometric_unknown.count:
        biometric += f"; on {m.biometric_unknown.count} more camaudit could not tell"
    remote = f"Remote access or uploads are enabled on {m.remote_enabled.of('devices')}"
    if m.remote_unknown.count:
        remote += f"; on {m.remote_unknown.count} more it is unknown"
    return f"{m.devices} devices recorded. {biometric}. {remote}."


def egress_line(m: Summary, egress: EgressStatus) -> str:
    if m.egress_unknown is None:
        return egress.note
    return (f"{m.egress_unknown.text()} devices talked to an unknown external server "
            f"({m.egress_analysed} devices had egress results). {egress.note}")


NOT_SEEN = ("Not seen in the egress analysis: no traffic from this address was captured, so camaudit cannot "
            "say where this device sends data.")


def device_egress_note(d: DeviceSection, egress: EgressStatus) -> str | None:
    """Why a device has no destination table (None when it has one)."""
    if d.egress is None:
        return NOT_SEEN if egress.available else egress.note
    if not d.egress.destinations:
        return f"No external destinations seen ({d.egress.source})."
    return None


def destination_row(x: Destination) -> list[str]:
    names = ", ".join(dict.fromkeys(x.names + x.sni + x.http_host)) or "—"
    seen = f"{when(x.first_seen)} to {when(x.last_seen)}" if x.first_seen and x.last_seen else "—"
    label = f"{x.label} ({x.setting})" if x.setting else x.label
    return [f"{x.address}:{x.port}/{x.transport}", names, label, x.located_in or "unknown",
            x.registered_in or "unknown", x.network_owner or "unknown",
            str(x.bytes_out), str(x.bytes_in), str(x.failed_attempts), seen]


# "Located in": where the server is, per the offline geolocation data (its date is in each device's
# egress source line, auditor.report.egress); "Registered in": the registry allocation of the block.
DESTINATION_HEADERS = ["Destination", "Names (DNS, SNI, Host)", "Label", "Located in", "Registered in", "Network owner",
                       "Bytes out", "Bytes in", "Failed attempts", "Seen"]
DESTINATION_NUMERIC = (6, 7, 8)


def first_run_note() -> str:
    return "This is the first audit run in the database: there is no earlier audit to compare with."


def drift_intro(d: Drift) -> str:
    relevant = len(d.relevant)
    text = (f"Compared with run {d.before_run} ({when(d.before_started)}): {len(d.changes)} changes, "
            f"{relevant} relevant (something switched on: an analytics feature, a remote-access setting, "
            f"or a new unknown destination).")
    if not d.changes:
        text = f"Compared with run {d.before_run} ({when(d.before_started)}): nothing changed."
    if not d.egress_compared:
        text += " Egress destinations were not compared: one of the two runs has no egress analysis."
    return text


def drift_tables(d: Drift) -> list[tuple[str, list[Change]]]:
    """The changes as the report shows them: what switched on first, then everything else."""
    parts = [("Switched on (relevant)", d.relevant), ("Other changes", [c for c in d.changes if not c.relevant])]
    return [(title, changes) for title, changes in parts if changes]


def drift_row(c: Change) -> list[str]:
    return [c.device, KINDS.get(c.kind, c.kind), c.text]


def service_state(value: object) -> str:
    """A services entry as words: on / off / unknown, or what the device said (a port, a mode)."""
    if value is None or isinstance(value, bool):
        return tri_state_text(value, ON_OFF)
    return value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)


def _listed(names: list[str], unknown: int) -> str:
    if names:
        return ", ".join(names) + (f" (+{unknown} unknown)" if unknown else "")
    return "unknown" if unknown else "none"


def device_row(d: DeviceSection) -> dict[str, str]:
    """The device table's cells as text."""
    a = d.audit
    maker = a.manufacturer or "unknown maker"
    sold = a.brand or ("unknown" if a.manufacturer is None else "unknown brand")
    on = [c for c in d.features if c.enabled is True]
    unknown = sum(1 for c in d.features if c.enabled is None)
    bio_unknown = sum(1 for c in d.features if c.biometric and c.enabled is None)
    remote = [r for r in d.remote if counts_as_remote(r.kind)]
    worst_severity = worst(f.severity for f in d.findings)
    if not was_read(d.status):   # nothing was read: "not read", never 0 / none / info
        return {
            "sold_as_made_by": sold if sold in (maker, "unknown") else f"{sold} / made by {maker}",
            "model": a.model or "—", "type": a.device_type or "—", "firmware": a.firmware or "—",
            "analytics_on": NOT_READ, "biometric_on": NOT_READ, "remote_on": NOT_READ,
            "worst": NOT_READ,   # its findings only say it could not be read: "info" would read as "fine"
        }
    return {
        "sold_as_made_by": sold if sold in (maker, "unknown") else f"{sold} / made by {maker}",
        "model": a.model or "—",
        "type": a.device_type or "—",
        "firmware": a.firmware or "—",
        "analytics_on": f"{len(on)}" + (f" (+{unknown} unknown)" if unknown else ""),
        "biometric_on": _listed([c.label for c in on if c.biometric], bio_unknown),
        "remote_on": _listed([r.kind for r in remote if r.enabled is True], sum(r.enabled is None for r in remote)),
        "worst": worst_severity or "",
    }


def family_lines(a: DeviceAudit) -> list[str]:
    """One line per API family: `isapi: probed (realm "IP Camera(C2183)", Server App-webs/)`."""
    return [f"{family}: {st.state}" + (f" ({st.reason})" if st.reason else "")
            for family, st in sorted(a.protocol_status.items())]


def unread_lines(a: DeviceAudit) -> list[str]:
    """What could not be read on a device: its errors and the probes that did not answer."""
    failed = [f"{p.probe}: {p.outcome}{f' ({p.reason})' if p.reason else ''}" for p in a.probes
              if p.outcome not in ("ok", "unsupported")]
    return list(dict.fromkeys([*a.errors, *failed]))


def remote_state(r: RemoteRow) -> str:
    """A remote-access setting in words, keeping "supported, state unknown" apart from "off"."""
    return remote_access_state(r.supported, r.enabled)


DATA_FLOW_HEADERS = ["What", "Destination", "Enabled", "Detail", "Evidence"]


def data_flow_rows(d: DeviceSection) -> list[DataFlowRow]:
    """The device's "Where data goes" rows: flows that are on first, then unknown, then off."""
    return flow_rows(d.audit)


def data_flow_note(d: DeviceSection) -> str | None:
    """Why a device has no "Where data goes" rows, or None when it has some."""
    if d.audit.data_flows:
        return None
    if not d.audit.reachable or d.audit.auth not in ("ok", "not-required"):
        return "Not read: camaudit could not read this device's configuration."
    return "The device's configuration did not say where data goes (no push host, storage or audio setting read)."
