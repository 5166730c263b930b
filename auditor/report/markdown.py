"""The Markdown report: the HTML report's content for wikis and tickets.

Device strings are escaped for Markdown *and* for the HTML a wiki turns it into: `<`, `>` and
`&` become entities, Markdown punctuation gets a backslash, table pipes and newlines are defused.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.judge.egress.geo import GEO_ATTRIBUTION
from auditor.report.markdown_summary import summary_lines
from auditor.report.model import DeviceSection, EgressStatus, Report, tri
from auditor.report.pack import PackOptions
from auditor.report.views import (
    DATA_FLOW_HEADERS,
    DESTINATION_HEADERS,
    OUTCOMES,
    data_flow_note,
    data_flow_rows,
    destination_row,
    device_egress_note,
    device_row,
    drift_intro,
    drift_row,
    drift_tables,
    egress_line,
    family_lines,
    first_run_note,
    headline,
    options_lines,
    protocols_line,
    remote_state,
    scope_lines,
    service_state,
    when,
)
from models.drift import Drift
from models.features import FEATURE_IDS

_PUNCTUATION = "\\`*_[]|~"   # inline markup; line starts never hold device text


def md(value: object, *, links: bool = False) -> str:
    """Text made inert in Markdown and in the HTML it renders to; `links` keeps URLs clickable
    (only for camaudit's own text, such as the ICO guidance addresses)."""
    if value is None:
        return "—"
    out = []
    for ch in " ".join(str(value).split()):
        if ch in "&<>":
            out.append({"&": "&amp;", "<": "&lt;", ">": "&gt;"}[ch])
        elif ch in _PUNCTUATION:
            out.append("\\" + ch)
        else:
            out.append(ch)
    text = "".join(out)
    if links:
        return text
    # Defuse GFM autolinks: a URL a device reports stays text, not a link to click.
    return text.replace("://", ":\\/\\/").replace("www.", "www\\.")


def _table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def _bullets(items: Iterable[object]) -> list[str]:
    return [f"- {md(i)}" for i in items] + [""]


def _scope(r: Report) -> list[str]:
    s = r.scope
    out = ["## Scope and method", ""] + _table(["", ""], scope_lines(s))
    out += ["### Targets (as given)", ""] + _bullets(s.targets or ["none recorded"])
    out += ["### How the audit ran", ""] + _bullets(options_lines(s))
    out += ["### Method", ""] + _bullets(r.appendix["method"])
    out += ["### What was probed", ""]
    if s.protocols:
        out += [md(protocols_line(s)), ""]
    out += _table(["Probe", *OUTCOMES], [[t.probe, *[t.outcomes.get(o, 0) for o in OUTCOMES]] for t in s.probes])
    out += ["### What was not probed, and why", ""]
    if s.not_audited:
        out += _table(["Device", "Status", "Reason"], [[n.label, n.status, "; ".join(n.reasons)]
                                                       for n in s.not_audited])
    else:
        out += ["Every recorded device answered and camaudit could read its settings.", ""]
    if s.partial:
        out += ["### Read in part (some probes failed)", ""]
        out += _table(["Device", "What failed"], [[n.label, "; ".join(n.reasons)] for n in s.partial])
    return out


def _summary(r: Report) -> list[str]:
    m = r.summary
    out = ["## Executive summary", "", md(headline(m)), ""]
    figures = [("Devices recorded", str(m.devices)), ("Reachable", m.reachable.text()),
               ("Settings read (logged in)", m.logged_in.text()),
               ("Biometric processing active", m.biometric_active.text()),
               ("Biometric processing unknown", m.biometric_unknown.text()),
               ("Remote access or uploads enabled (NTP excluded)", m.remote_enabled.text()),
               ("Devices with a critical finding", m.devices_with_critical.text()),
               ("Unknown egress", m.egress_unknown.text() if m.egress_unknown else "no egress analysis")]
    out += _table(["Figure", "Devices"], figures)
    if r.sites:
        out += ["### Sites", "", md(f"This report is of site {r.site}; the organisation's sites, each at its "
                                    f"latest complete audit:"), ""]
        out += _table(["Site", "Run", "Started", "State", "Devices", "Reachable", "Findings"],
                      [[md(x.site), str(x.run_id), when(x.started), x.state, str(x.devices), str(x.reachable),
                        str(x.findings)] for x in r.sites])
    out += ["### Devices by true maker", ""]
    out += _table(["Made by", "Devices", "Rebadged", "Sold as"],
                  [[x.manufacturer, x.devices.text(), x.rebadged, ", ".join(x.sold_as) or "—"] for x in m.makers])
    out += ["### Analytics classes", ""]
    out += _table(["Class", "Supported", "Support unknown", "Enabled", "Whether on unknown"],
                  [[c.label, c.supported.text(), c.supported_unknown.text(), c.enabled.text(),
                    c.enabled_unknown.text()] for c in m.classes])
    out += ["### Remote access", ""]
    out += _table(["Setting", "Enabled", "Unknown"], [[x.label, x.enabled.text(), x.unknown.text()] for x in m.remote])
    out += ["### Egress", "", md(egress_line(m, r.egress)), ""]
    out += ["### Findings by severity", ""] + _table(["Severity", "Findings"], m.findings_by_severity.items())
    out += ["### Each feature across the fleet", ""]
    out += _table(["Feature", "Biometric", "Supported", "Enabled", "Whether on unknown"],
                  [[f.label, "yes" if f.biometric else "no", f.supported.text(), f.enabled.text(),
                    f.enabled_unknown.text()] for f in m.features])
    return out


def _changes(drift: Drift | None) -> list[str]:
    out = ["## Changes since the previous audit", ""]
    if drift is None:
        return out + [md(first_run_note()), ""]
    out += [md(drift_intro(drift)), ""]
    for title, changes in drift_tables(drift):
        out += [f"### {md(title)}", ""] + _table(["Device", "Change", "What changed"], [drift_row(c) for c in changes])
    return out


def _devices(r: Report) -> list[str]:
    rows = []
    for n, d in enumerate(r.devices, start=1):
        row = device_row(d)
        rows.append([n, d.label, row["sold_as_made_by"], row["model"], row["type"], row["firmware"], d.status,
                     row["analytics_on"], row["biometric_on"], row["remote_on"], row["worst"] or "—"])
    return ["## Devices", ""] + _table(["#", "Device", "Sold as / made by", "Model", "Type", "Firmware", "Status",
                                        "Analytics on", "Biometric on", "Remote access on", "Worst finding"], rows)


def _device(n: int, d: DeviceSection, egress: EgressStatus, evidence: bool) -> list[str]:
    """One device's section; without `evidence` (--evidence summary|none) the states stay, the raw
    evidence text (what the device said, API families, identity clues) is left out."""
    a = d.audit
    cut = (lambda row: row[:-1]) if not evidence else (lambda row: row)
    out = [f"### {n}. {md(d.label)} ({md(d.status)})", ""]
    out += _table(["", ""], [("Address", f"{a.address}:{a.port}"), ("Name on the device", a.name),
                             ("Sold as", a.brand), ("Made by", a.manufacturer or "unknown"), ("Rebadged", tri(a.oem)),
                             ("Model", a.model), ("Type", a.device_type), ("Firmware", a.firmware),
                             ("Firmware build date", a.firmware_date), ("Serial number", a.serial),
                             ("MAC address", a.mac), ("Protocols answered", ", ".join(a.protocols) or None)])
    if a.protocol_status and evidence:
        out += ["#### API families", ""] + _bullets(family_lines(a))
    if a.identity_evidence and evidence:
        out += ["#### Identity and OEM evidence", ""] + _bullets(a.identity_evidence)
    out += ["#### Findings and recommended actions", ""]
    for f in d.findings:
        out += [f"- **{md(f.severity)}**: {md(f.title)}"]
        if f.recommendation:
            out += [f"  - Recommended action: {md(f.recommendation)}"]
        out += [f"  - Evidence: {md(e)}" for e in f.evidence] if evidence else []
    out += [""] if d.findings else ["No findings for this device.", ""]
    out += [f"#### Analytics ({len(FEATURE_IDS)} features)", ""]
    out += _table(cut(["Feature", "Id", "Biometric", "Supported", "Enabled", "Evidence"]),
                  [cut([c.label, c.feature, "yes" if c.biometric else "no", c.supported_last_known or tri(c.supported),
                        c.last_known or tri(c.enabled), "; ".join(c.evidence)]) for c in d.features])
    if d.channels:
        out += ["#### Per channel", ""]
        out += _table(["Channel", "Enabled", "Supported, off", "Unknown", "Not supported", "Not reported"],
                      [[c.channel, ", ".join(c.enabled) or "none", ", ".join(c.supported_off) or "none",
                        ", ".join(c.unknown) or "none", c.not_supported, c.not_reported] for c in d.channels])
    out += ["#### Remote access", ""]
    out += _table(cut(["Setting", "Supported", "Enabled", "State", "Destination", "Evidence"]),
                  [cut([x.label, x.supported_last_known or tri(x.supported), x.last_known or tri(x.enabled),
                        remote_state(x), x.destination, "; ".join(x.evidence)]) for x in d.remote])
    out += ["#### Where data goes", ""]
    flow_note = data_flow_note(d)
    out += [md(flow_note), ""] if flow_note else _table(
        cut(DATA_FLOW_HEADERS), [cut([f.label, f.destination, tri(f.enabled), f.detail, "; ".join(f.evidence)])
                                 for f in data_flow_rows(d)])
    out += ["#### Services", ""]
    services = [[k, service_state(v)] for k, v in sorted(a.services.items())]
    out += _table(["Service", "State"], services) if services else ["None recorded.", ""]
    out += ["#### Egress destinations", ""]
    note = device_egress_note(d, egress)
    if note is not None or d.egress is None:
        out += [md(note), ""]
    else:
        out += [md(f"From {d.egress.source}."), ""]
        out += _table(DESTINATION_HEADERS, [destination_row(x) for x in d.egress.destinations])
        if d.egress.dns_queries:
            out += ["Names looked up that led to no connection:", ""] + _bullets(d.egress.dns_queries)
    if d.changes:
        out += ["#### Changes since the previous audit", ""] + _bullets(d.changes)
    failed = [f"{p.probe}: {p.outcome} ({p.reason})" for p in a.probes if p.outcome not in ("ok", "unsupported")]
    unread = list(dict.fromkeys([*a.errors, *failed]))
    out += ["#### What could not be read", ""] + (_bullets(unread) if unread else ["Every probe ran.", ""])
    return out


def _appendix(r: Report) -> list[str]:
    a = r.appendix
    out = ["## Appendix: features, remote access and guidance", "", "### A. Analytics features", ""]
    out += _table(["Feature", "Id", "Biometric", "What it does", "Why it matters"],
                  [[f["label"], f["id"], "yes" if f["biometric"] else "no", f["meaning"], f["why"]]
                   for f in a["features"]])
    out += ["### B. Remote-access settings", ""]
    out += _table(["Setting", "Id", "Why it matters"], [[x["label"], x["id"], x["why"]] for x in a["remote_access"]])
    out += ["### C. UK GDPR and the ICO's guidance", ""]
    for g in a["guidance"]:
        out += [f"**{md(g['title'])}**", "", md(g["text"], links=True), ""]
    out += ["### D. Finding severities", ""]
    out += _table(["Severity", "Meaning"], [[s["id"], s["meaning"]] for s in a["severities"]])
    return out


def render_markdown(r: Report, options: PackOptions | None = None) -> str:
    s = r.scope
    options = (options or PackOptions()).for_format("md")
    out = [f"# {md(r.title)}", "",
           md(f"Audit run {s.run_id}, started {when(s.started)}. Report generated {when(s.generated)} by "
              f"camaudit {s.report_version}."), ""]
    out += summary_lines(r, options, md, _table)
    out += _scope(r) + _summary(r) + _changes(r.drift) + _devices(r) + ["## Device details", ""]
    evidence = options.evidence == "full"
    if not evidence:
        out += [md(f"Written with --evidence {options.evidence}: each device's states are here, the raw evidence "
                   "(what the device answered) is not; a copy written with --evidence full holds it."), ""]
    for n, d in enumerate(r.devices, start=1):
        out += _device(n, d, r.egress, evidence)
    out += _appendix(r)
    out += ["---", "", "camaudit reads devices and never changes them; this report was built from the camaudit "
                       "database only and contains no passwords.", ""]
    # The GeoLite2 licence's attribution is camaudit's own sentence: its address stays a link.
    return "\n".join(out).replace(md(GEO_ATTRIBUTION), md(GEO_ATTRIBUTION, links=True))
