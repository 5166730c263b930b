"""One device's section of the HTML report: identity, findings, analytics, channels, remote
access, where data goes, services, egress and what could not be read."""

from __future__ import annotations

from auditor.report.html_parts import (
    Html,
    badge,
    bullets,
    evidence,
    facts,
    join,
    table,
    tag,
    text,
    tri_cell,
)
from auditor.report.model import DeviceSection, EgressStatus, tri
from auditor.report.views import (
    DATA_FLOW_HEADERS,
    DESTINATION_HEADERS,
    DESTINATION_NUMERIC,
    data_flow_note,
    data_flow_rows,
    destination_row,
    device_egress_note,
    remote_state,
    service_state,
)
from models.audit import DeviceAudit
from models.features import FEATURE_IDS, counts_as_remote

GROUP_SHORT = {"biometric": "biometric", "behaviour": "behaviour", "counting": "counting",
               "perimeter": "perimeter", "object": "object", "other": "other"}


def status_badge(status: str) -> Html:
    return badge(status, "status-" + status.replace(" ", "-"))


def _identity(a: DeviceAudit) -> Html:
    made_by = a.manufacturer or "unknown (fewer than two independent signals agreed)"
    return facts([
        ("Address", f"{a.address}:{a.port}"), ("Name on the device", a.name),
        ("Sold as", a.brand), ("Made by", made_by), ("Rebadged (OEM)", tri(a.oem)),
        ("Model", a.model), ("Type", a.device_type), ("Firmware", a.firmware),
        ("Firmware build date", a.firmware_date.isoformat() if a.firmware_date else None),
        ("Serial number", a.serial), ("MAC address", a.mac),
        ("Protocols answered", ", ".join(a.protocols) or None),
        ("Audited", f"{a.started:%Y-%m-%d %H:%M:%S} UTC" if a.started else None),
    ])


def family_lines(a: DeviceAudit) -> list[str]:
    """One line per API family: `isapi: probed (realm "IP Camera(C2183)", Server App-webs/)`."""
    return [f"{family}: {st.state}" + (f" ({st.reason})" if st.reason else "")
            for family, st in sorted(a.protocol_status.items())]


def _findings(d: DeviceSection) -> Html:
    if not d.findings:
        return tag("p", "No findings for this device.", cls="note")
    blocks = []
    for f in d.findings:
        body = [tag("p", badge(f.severity, f"sev-{f.severity}") + Html(" ") + tag("strong", f.title))]
        if f.recommendation:
            body.append(tag("p", tag("span", "Recommended action: ", cls="action") + text(f.recommendation)))
        if f.evidence:
            body.append(bullets(f.evidence, cls="evidence"))
        body.append(tag("p", f"Finding id: {f.id}", cls="muted"))
        blocks.append(tag("div", join(body), cls="finding"))
    return join(blocks)


def _matrix(d: DeviceSection) -> Html:
    rows = []
    for c in d.features:
        name = join([text(c.label), Html(" "), badge("biometric", "bio")]) if c.biometric else text(c.label)
        name += Html("<br>") + tag("span", c.feature, cls="fid")
        rows.append([name, GROUP_SHORT.get(c.group, c.group),
                     tri_cell(c.supported, alarming=False), tri_cell(c.enabled, last_known=c.last_known),
                     tag("td", evidence(c.evidence), cls="ev")])
    return table(["Feature", "Class", "Supported", "Enabled", "Evidence"], rows, cls="matrix")


def _channels(d: DeviceSection) -> Html:
    if not d.channels:
        return Html("")
    rows = []
    for ch in d.channels:
        rows.append([str(ch.channel), ", ".join(ch.enabled) or "none", ", ".join(ch.supported_off) or "none",
                     ", ".join(ch.unknown) or "none", str(ch.not_supported), str(ch.not_reported)])
    intro = tag("p", "Each channel's own verdicts (the matrix above rolls them up: a feature on in any channel is "
                     "on for the device). \"Not reported\" counts features the device said nothing about for "
                     "that channel: unknown, not no.", cls="note")
    return tag("h4", "Per channel") + intro + table(
        ["Channel", "Enabled", "Supported, off", "Unknown", "Not supported", "Not reported"], rows,
        numeric=(0, 4, 5))


def _remote(d: DeviceSection) -> Html:
    rows = [[r.label, tri_cell(r.supported, alarming=False), tri_cell(r.enabled, alarming=counts_as_remote(r.kind),
                                                                 last_known=r.last_known),
             remote_state(r), r.destination or "—", tag("td", evidence(r.evidence), cls="ev")] for r in d.remote]
    return table(["Setting", "Supported", "Enabled", "State", "Destination", "Evidence"], rows)


def _data_flows(d: DeviceSection) -> Html:
    note = data_flow_note(d)
    if note is not None:
        return tag("p", note, cls="note")
    flows = data_flow_rows(d)
    rows = [[f.label, f.destination or "—", tri_cell(f.enabled), f.detail, tag("td", evidence(f.evidence), cls="ev")]
            for f in flows]
    return table(DATA_FLOW_HEADERS, rows, row_classes=["relevant" if f.enabled else None for f in flows])


def _services(a: DeviceAudit) -> Html:
    if not a.services:
        return tag("p", "No services recorded.", cls="note")
    rows = [[name, service_state(value)] for name, value in sorted(a.services.items())]
    return table(["Service", "State"], rows)


def _egress(d: DeviceSection, status: EgressStatus) -> Html:
    note = device_egress_note(d, status)
    if note is not None or d.egress is None:
        return tag("p", note, cls="note")
    parts = [tag("p", f"From {d.egress.source}.", cls="note"),
             table(DESTINATION_HEADERS, [destination_row(x) for x in d.egress.destinations],
                   numeric=DESTINATION_NUMERIC,
                   row_classes=["relevant" if x.label == "unknown" else None for x in d.egress.destinations])]
    if d.egress.dns_queries:
        parts += [tag("p", "Names looked up that led to no connection:"), bullets(d.egress.dns_queries)]
    return join(parts)


def _changes(d: DeviceSection) -> Html:
    if not d.changes:
        return Html("")
    return tag("h4", "Changes since the previous audit") + bullets(d.changes)


def _unread(a: DeviceAudit) -> Html:
    failed = [f"{p.probe}: {p.outcome}{f' ({p.reason})' if p.reason else ''}" for p in a.probes
              if p.outcome not in ("ok", "unsupported")]
    lines = list(dict.fromkeys([*a.errors, *failed]))
    if not lines:
        return tag("p", "Every probe that applies to this device ran.", cls="note")
    return bullets(lines, cls="evidence")


def device_section(d: DeviceSection, number: int, egress: EgressStatus) -> Html:
    a = d.audit
    heading = tag("h3", join([f"{number}. ", text(d.label), Html(" "), status_badge(d.status)]))
    parts = [heading, _identity(a)]
    if a.protocol_status:
        parts += [tag("h4", "API families"), bullets(family_lines(a), cls="evidence")]
    if a.identity_evidence:
        parts += [tag("h4", "Identity and OEM evidence"), bullets(a.identity_evidence, cls="evidence")]
    parts += [tag("h4", "Findings and recommended actions"), _findings(d),
              tag("h4", f"Analytics ({len(FEATURE_IDS)} features)"), _matrix(d), _channels(d),
              tag("h4", "Remote access"), _remote(d),
              tag("h4", "Where data goes"), _data_flows(d),
              tag("h4", "Services"), _services(a),
              tag("h4", "Egress destinations"), _egress(d, egress), _changes(d),
              tag("h4", "What could not be read"), _unread(a)]
    return tag("section", join(parts), cls="device", id=d.anchor)
